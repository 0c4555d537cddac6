// The scheduler's decision, written down: for one pod, what each filter said about each node,
// what each score plugin gave each node that passed, and which node was picked. kube-scheduler
// keeps this to itself (its log at -v=10 and the scheduler simulator of kubernetes-sigs show it);
// kubelab writes it on the pod, as the annotation `scheduling.kubelab.io/decision`, so that
// `kubelab describe pod`, `kubelab trace pod` and the web view can show why a pod went where it
// went, or why it went nowhere.
//
// The annotation is compact JSON of this shape (version 1):
//
//   {"v":1,"result":"Scheduled","picked":"node-2","nodes":3,"feasible":2,
//    "filters":["NodeReady","NodeAlive",...,"VolumeBinding"],
//    "scores":[{"name":"NodeResourcesFit","weight":1},{"name":"NodeAffinity","weight":2},...],
//    "rows":[{"node":"node-2","scores":[[97,97],[0,0],[0,0],[0,100]],"total":297},
//            {"node":"node-1","rejectedBy":"NodeAffinity","reasons":["node(s) didn't match Pod's node affinity/selector"]}],
//    "reasons":{"node(s) didn't match Pod's node affinity/selector":1}}
//
// - `filters` and `scores` name the plugins in the order they ran (the table's columns).
// - A row without `rejectedBy` passed every filter; its `scores` hold [raw, normalized 0-100] per
//   score plugin and `total` is the sum of weight x normalized, what the pick compares.
// - A row with `rejectedBy` names the first filter that refused the node, with that filter's
//   reasons in kube-scheduler's words (the ones of the "0/N nodes are available" message). The
//   filters before it passed; the ones after it did not run, as in kube-scheduler.
// - `reasons` counts, over *all* nodes, how many each reason refused: the FailedScheduling
//   message's histogram.
// - `preFilter` is set when the pod was refused before any node was looked at (a missing claim).
//
// The size is bounded whatever the cluster's size (a pod may hold 256 KiB of annotations, and a
// write per attempt must stay cheap): at most DECISION_LIMITS.maxRows rows are kept. The feasible
// nodes come first, picked one first then by total; a few rows go to rejected nodes, one for each
// different rejection first (so every filter that refused a node shows an example), then others
// in node order. `omitted` counts the nodes left out; `reasons` still covers them, its
// maxReasons most frequent entries, with `otherReasons` counting the nodes of the rest.
//
// A pod created with spec.nodeName set never meets the scheduler, and so has no decision.

import type { Pod } from '../api/types.js';

export const DECISION_ANNOTATION = 'scheduling.kubelab.io/decision';

export type DecisionResult =
  /** Bound to `picked`. */
  | 'Scheduled'
  /** No node fits: the pod stays Pending, and its PodScheduled condition carries the message. */
  | 'Unschedulable'
  /** `picked` was chosen and written on the pod's WaitForFirstConsumer claims; the pod is bound once they are. */
  | 'WaitingForVolumeBinding';

export interface DecisionRow {
  node: string;
  /** The filter that refused the node; absent when every filter passed. */
  rejectedBy?: string;
  reasons?: string[];
  /** [raw, normalized] per score plugin, for a node that passed every filter. */
  scores?: [number, number][];
  total?: number;
}

export interface SchedulingDecision {
  v: 1;
  result: DecisionResult;
  picked?: string;
  /** How many nodes the scheduler looked at, and how many passed every filter. */
  nodes: number;
  feasible: number;
  filters: string[];
  scores: { name: string; weight: number }[];
  rows: DecisionRow[];
  reasons: Record<string, number>;
  /** Nodes refused by reasons left out of `reasons` (only when there were more than maxReasons). */
  otherReasons?: number;
  /** Nodes not listed in `rows`. */
  omitted?: number;
  /** A refusal before filtering: the plugin and its reason; then `rows` is empty. */
  preFilter?: { plugin: string; reason: string };
}

/**
 * How much a decision may hold. 20 rows keep the annotation near 4 KB and the describe table
 * on one screen; the reason histogram is rarely longer than a handful of entries, but untolerated
 * taints are worded per taint, so a thousand differently tainted nodes would make a thousand.
 */
export const DECISION_LIMITS = { maxRows: 20, maxReasons: 10 };

/** What the scheduler knows at the end of an attempt (lib/scheduling.ts's results, as plain data). */
export interface DecisionInput {
  result: DecisionResult;
  picked?: string;
  /** How many nodes were looked at. */
  nodes: number;
  filters: readonly string[];
  scorePlugins: readonly { name: string; weight: number }[];
  /** Every rejected node, in node order. */
  rejected: readonly { node: string; filter: string; reasons: string[] }[];
  /** Every feasible node's score. */
  scores: readonly { node: string; score: number; raw: number[]; normalized: number[] }[];
  /** How many nodes each reason refused. */
  reasons: ReadonlyMap<string, number>;
  preFilter?: { plugin: string; reason: string };
}

const byName = (a: { node: string }, b: { node: string }) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);

/** The `count` best scores, the picked node first, then by total and name: one pass that keeps the best few, no sort of all nodes. */
function topScores<T extends { node: string; score: number }>(scores: readonly T[], count: number, picked: string | undefined): T[] {
  const before = (a: T, b: T) => Number(b.node === picked) - Number(a.node === picked) || b.score - a.score || byName(a, b);
  const top: T[] = [];
  for (const s of scores) {
    if (count <= 0 || (top.length === count && before(s, top[count - 1]) >= 0)) continue;
    let at = top.length;
    while (at > 0 && before(s, top[at - 1]) < 0) at--;
    top.splice(at, 0, s);
    if (top.length > count) top.pop();
  }
  return top;
}

/** The decision record for one attempt, bounded by `limits` (see the top of this file). Linear in the nodes but for one sort of the feasible ones. */
export function recordDecision(input: DecisionInput, limits = DECISION_LIMITS): SchedulingDecision {
  const { picked, rejected, scores } = input;
  const max = limits.maxRows;

  // One example of each different rejection, up to a quarter of the rows (compared without
  // building a key per node: a thousand refusals cost a thousand short comparisons).
  const examples = new Set<number>();
  const kinds: { filter: string; reasons: string[] }[] = [];
  const sameKind = (a: { filter: string; reasons: string[] }, b: { filter: string; reasons: string[] }) =>
    a.filter === b.filter && a.reasons.length === b.reasons.length && a.reasons.every((r, i) => r === b.reasons[i]);
  for (let i = 0; i < rejected.length && examples.size < Math.floor(max / 4); i++) {
    if (kinds.some((kind) => sameKind(kind, rejected[i]))) continue;
    kinds.push(rejected[i]);
    examples.add(i);
  }
  const feasibleTake = Math.min(scores.length, max - examples.size);
  const ranked = topScores(scores, feasibleTake, picked);
  for (let i = 0; i < rejected.length && examples.size < max - feasibleTake; i++) examples.add(i);
  const refused = [...examples].map((i) => rejected[i]).sort(byName);

  const rows: DecisionRow[] = [
    ...ranked.map((s) => ({ node: s.node, scores: s.raw.map((raw, step): [number, number] => [raw, s.normalized[step]]), total: s.score })),
    ...refused.map((r) => ({ node: r.node, rejectedBy: r.filter, reasons: [...r.reasons] })),
  ];

  const histogram = [...input.reasons].filter(([, count]) => count > 0).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const decision: SchedulingDecision = {
    v: 1,
    result: input.result,
    ...(picked ? { picked } : {}),
    nodes: input.nodes,
    feasible: scores.length,
    filters: [...input.filters],
    scores: input.scorePlugins.map(({ name, weight }) => ({ name, weight })),
    rows,
    reasons: Object.fromEntries(histogram.slice(0, limits.maxReasons)),
  };
  const other = histogram.slice(limits.maxReasons).reduce((sum, [, count]) => sum + count, 0);
  if (other > 0) decision.otherReasons = other;
  const omitted = input.nodes - rows.length;
  if (omitted > 0 && !input.preFilter) decision.omitted = omitted;
  if (input.preFilter) decision.preFilter = { ...input.preFilter };
  return decision;
}

/** The annotation's value: compact JSON. */
export const encodeDecision = (decision: SchedulingDecision): string => JSON.stringify(decision);

/** Reads an annotation's value; throws an Error saying what is wrong when it is not a version 1 decision. */
export function parseDecision(text: string): SchedulingDecision {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`annotation ${DECISION_ANNOTATION} is not JSON (${(err as Error).message})`);
  }
  const d = value as Partial<SchedulingDecision> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw new Error(`annotation ${DECISION_ANNOTATION} is not a JSON object`);
  if (d.v !== 1) throw new Error(`annotation ${DECISION_ANNOTATION} has version ${JSON.stringify(d.v)}; this kubelab reads version 1`);
  const problems: string[] = [];
  if (typeof d.result !== 'string') problems.push('result is not a string');
  if (typeof d.nodes !== 'number' || typeof d.feasible !== 'number') problems.push('nodes and feasible must be numbers');
  if (!Array.isArray(d.filters) || !d.filters.every((f) => typeof f === 'string')) problems.push('filters is not a list of names');
  if (!Array.isArray(d.scores) || !d.scores.every((s) => s && typeof s.name === 'string' && typeof s.weight === 'number')) problems.push('scores is not a list of {name, weight}');
  if (!Array.isArray(d.rows) || !d.rows.every((r) => r && typeof r.node === 'string')) problems.push('rows is not a list of {node, ...}');
  if (!d.reasons || typeof d.reasons !== 'object') problems.push('reasons is not an object');
  if (problems.length > 0) throw new Error(`annotation ${DECISION_ANNOTATION} is not a scheduling decision: ${problems.join('; ')}`);
  return d as SchedulingDecision;
}

/** The pod's decision, or undefined when it has none (not tried yet, or bound without the scheduler). Throws like parseDecision. */
export function decisionOf(pod: Pod): SchedulingDecision | undefined {
  const text = pod.metadata.annotations?.[DECISION_ANNOTATION];
  return text === undefined ? undefined : parseDecision(text);
}

/** What a filter cell shows for a row: `ok` (passed), the reasons (refused here), or `-` (did not run). */
export function filterCells(decision: SchedulingDecision, row: DecisionRow): string[] {
  if (row.rejectedBy === undefined) return decision.filters.map(() => 'ok');
  const at = decision.filters.indexOf(row.rejectedBy);
  return decision.filters.map((_, i) => (i < at ? 'ok' : i === at ? (row.reasons ?? []).join(', ') : '-'));
}

/** What a score cell shows: the normalized points with the raw ones in parentheses, `-` for a refused node. */
export function scoreCells(decision: SchedulingDecision, row: DecisionRow): string[] {
  return decision.scores.map((_, i) => {
    const cell = row.scores?.[i];
    return cell ? `${cell[1]} (${cell[0]})` : '-';
  });
}
