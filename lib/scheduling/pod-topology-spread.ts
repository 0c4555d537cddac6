// PodTopologySpread, kube-scheduler's plugin of that name: spreading a group of pods evenly over
// topology domains (nodes, zones: the values of a node label).
//
// For each constraint, the pods it counts are those of the pod's namespace that its labelSelector
// selects (narrowed by matchLabelKeys: "key In <this pod's value>"), not being deleted. The nodes
// that count are those that carry every constraint's topologyKey and, by the default policies,
// match the pod's nodeSelector/required node affinity (nodeAffinityPolicy: Honor) whatever their
// taints (nodeTaintsPolicy: Ignore). The skew of a domain is its count, plus one if the new pod
// would count itself, minus the smallest count of any domain (taken as 0 while fewer than
// minDomains domains exist).
//
// Filter (whenUnsatisfiable: DoNotSchedule): a node whose domain would exceed maxSkew is refused,
// `node(s) didn't match pod topology spread constraints`; a node without a constraint's key
// `node(s) didn't match pod topology spread constraints (missing required label)`, which
// preemption cannot fix.
// Score (whenUnsatisfiable: ScheduleAnyway): the fewer matching pods in a node's domains, the
// higher its score; each constraint weighs log(domains + 2) so one with many domains counts more.

import type { TopologySpreadConstraint } from '../api/affinity-types.js';
import type { Node, Pod } from '../api/types.js';
import { activePods, selectorMatches, withLabelKeys, type ClusterSnapshot } from './cluster-snapshot.js';
import { MAX_NODE_SCORE, podMatchesNodeAffinity, type PluginScores } from './node-affinity.js';
import { untoleratedTaint } from './tolerations.js';

export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const REASON_SPREAD_MISSING_LABEL = `${REASON_SPREAD} (missing required label)`;

/** A constraint with Kubernetes' defaults filled in and its selector merged with matchLabelKeys. */
interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
  selector: TopologySpreadConstraint['labelSelector'];
}

function constraintsOf(pod: Pod, when: TopologySpreadConstraint['whenUnsatisfiable']): Constraint[] {
  return (pod.spec.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => ({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      selector: withLabelKeys(c.labelSelector, pod.metadata.labels, c.matchLabelKeys),
    }));
}

const labelOf = (node: Node, key: string): string | undefined => {
  const labels = node.metadata.labels ?? {};
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
};
const hasAllKeys = (node: Node, constraints: Constraint[]) => constraints.every((c) => labelOf(node, c.topologyKey) !== undefined);
const counted = (pod: Pod, c: Constraint, node: Node) => (!c.honorNodeAffinity || podMatchesNodeAffinity(pod, node)) && (!c.honorTaints || !untoleratedTaint(pod, node));

/** Pods on `node` that `c` counts for `pod`. */
function matchingPodsOn(pod: Pod, c: Constraint, node: Node, snapshot: ClusterSnapshot): number {
  const namespace = pod.metadata.namespace ?? 'default';
  return activePods(snapshot.podsOnNodes.get(node.metadata.name!) ?? []).filter(
    (p) => (p.metadata.namespace ?? 'default') === namespace && !p.metadata.deletionTimestamp && selectorMatches(c.selector, p.metadata.labels) && p.metadata.uid !== pod.metadata.uid,
  ).length;
}

/** PreFilter state: the DoNotSchedule constraints and, per constraint, the count of each domain. */
export interface TopologySpreadState {
  constraints: Constraint[];
  /** One map per constraint: domain value -> matching pods. */
  domainCounts: Map<string, number>[];
}

export function topologySpreadPreFilter(pod: Pod, snapshot: ClusterSnapshot): TopologySpreadState {
  const constraints = constraintsOf(pod, 'DoNotSchedule');
  const domainCounts = constraints.map(() => new Map<string, number>());
  if (constraints.length === 0) return { constraints, domainCounts };
  for (const node of snapshot.nodes) {
    if (!hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!counted(pod, c, node)) return;
      const value = labelOf(node, c.topologyKey)!;
      domainCounts[i].set(value, (domainCounts[i].get(value) ?? 0) + matchingPodsOn(pod, c, node, snapshot));
    });
  }
  return { constraints, domainCounts };
}

export function topologySpreadFilter(pod: Pod, node: Node, state: TopologySpreadState): string[] {
  if (state.constraints.length === 0) return [];
  if (!hasAllKeys(node, state.constraints)) return [REASON_SPREAD_MISSING_LABEL];
  for (const [i, c] of state.constraints.entries()) {
    const counts = state.domainCounts[i];
    const selfMatch = selectorMatches(c.selector, pod.metadata.labels) ? 1 : 0;
    const minMatch = counts.size < c.minDomains ? 0 : Math.min(...counts.values());
    const matchNum = counts.get(labelOf(node, c.topologyKey)!) ?? 0;
    if (matchNum + selfMatch - minMatch > c.maxSkew) return [REASON_SPREAD];
  }
  return [];
}

/** Whether the pod's own ScheduleAnyway constraints score the nodes (else the scheduler's default spreading does). */
export const hasSpreadConstraints = (pod: Pod): boolean => (pod.spec.topologySpreadConstraints ?? []).length > 0;

/** Score of each node in `feasible` (0-100) by the ScheduleAnyway constraints; all 0 when there are none. */
export function topologySpreadScores(pod: Pod, feasible: Node[], snapshot: ClusterSnapshot): PluginScores {
  const constraints = constraintsOf(pod, 'ScheduleAnyway');
  const zeros = () => feasible.map(() => 0);
  if (constraints.length === 0) return { raw: zeros(), normalized: zeros() };
  const scored = feasible.map((node) => hasAllKeys(node, constraints));
  // Domains among the feasible nodes, and how many pods each holds across all counted nodes.
  const domainCounts = constraints.map((c) => new Map(feasible.filter((_, i) => scored[i]).map((n) => [labelOf(n, c.topologyKey)!, 0])));
  for (const node of snapshot.nodes) {
    if (!hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      const value = labelOf(node, c.topologyKey)!;
      if (!domainCounts[i].has(value) || !counted(pod, c, node)) return;
      domainCounts[i].set(value, domainCounts[i].get(value)! + matchingPodsOn(pod, c, node, snapshot));
    });
  }
  const weights = domainCounts.map((counts) => Math.log(counts.size + 2));
  const raw = feasible.map((node, n) =>
    scored[n] ? Math.round(constraints.reduce((sum, c, i) => sum + domainCounts[i].get(labelOf(node, c.topologyKey)!)! * weights[i] + (c.maxSkew - 1), 0)) : 0,
  );
  const considered = raw.filter((_, n) => scored[n]);
  if (considered.length === 0) return { raw, normalized: zeros() };
  const [least, most] = [Math.min(...considered), Math.max(...considered)];
  return { raw, normalized: raw.map((score, n) => (!scored[n] ? 0 : most === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (most + least - score)) / most))) };
}
