// The scheduler's decision record (lib/scheduling/decision.ts) from fixed snapshots: nodes and
// their pods in, the annotation's content out, exactly; the bound on its size with 1,000 nodes;
// the cells that `kubelab describe pod` and the web view show; and the parser's refusals.

import assert from 'node:assert/strict';
import type { Node, Pod } from '../../lib/api/types.js';
import { FILTERS, filterNodes, pickNode, SCORE_PLUGINS, scoreNodes, type PodsOnNodes } from '../../lib/scheduling.js';
import { decisionOf, DECISION_ANNOTATION, encodeDecision, filterCells, parseDecision, recordDecision, scoreCells, type SchedulingDecision } from '../../lib/scheduling/decision.js';

function newNode(name: string, opts: Partial<{ labels: Record<string, string>; ready: boolean; unschedulable: boolean; taints: Node['spec']['taints']; cpu: string; memory: string }> = {}): Node {
  return {
    kind: 'Node',
    metadata: { name, labels: opts.labels ?? {} },
    spec: { unschedulable: opts.unschedulable, taints: opts.taints },
    status: {
      allocatable: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

function newPod(name: string, spec: Partial<Pod['spec']> & { cpu?: string; memory?: string } = {}): Pod {
  const { cpu, memory, ...rest } = spec;
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return { kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests } }], ...rest }, status: { phase: 'Running' } };
}

const FILTER_NAMES = FILTERS.map((f) => f.name);

/** What the scheduler does for one pod, minus the API calls: filter, score, pick, record. */
function decide(pod: Pod, nodes: Node[], podsOnNodes: PodsOnNodes = new Map(), limits?: { maxRows: number; maxReasons: number }): SchedulingDecision {
  const filtered = filterNodes(pod, nodes, podsOnNodes);
  const scores = scoreNodes(pod, filtered.feasible, podsOnNodes, { nodes });
  const picked = pickNode(scores, () => 0);
  const input = { result: picked ? ('Scheduled' as const) : ('Unschedulable' as const), picked, nodes: nodes.length, filters: FILTER_NAMES, scorePlugins: SCORE_PLUGINS, rejected: filtered.rejected, scores, reasons: filtered.reasons };
  return recordDecision(input, limits);
}

describe('scheduling decision: recorded from a snapshot', () => {
  it('a placed pod: every node with its filter result, the feasible ones with raw and normalized scores and the weighted total, the pick', () => {
    const nodes = [
      newNode('a', { labels: { disk: 'ssd' } }),
      newNode('b'),
      newNode('c', { ready: false }),
      newNode('d', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ];
    const podsOnNodes: PodsOnNodes = new Map([['a', [newPod('q', { cpu: '1', memory: '2Gi' })]]]);
    const pod = newPod('p', {
      cpu: '500m',
      memory: '1Gi',
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } },
    });
    // a: 1.5 of 2 cpu and 3 of 4Gi requested: 25 free; preferred affinity 10 of 10: 100. b: 75 free, no affinity.
    // No controller: spreading gives every node 100. Totals: a 25 + 2x100 + 2x100 = 425, b 75 + 2x100 = 275.
    assert.deepEqual(decide(pod, nodes, podsOnNodes), {
      v: 1,
      result: 'Scheduled',
      picked: 'a',
      nodes: 4,
      feasible: 2,
      filters: ['NodeReady', 'NodeAlive', 'NodeUnschedulable', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity'],
      scores: [
        { name: 'NodeResourcesFit', weight: 1 },
        { name: 'NodeAffinity', weight: 2 },
        { name: 'InterPodAffinity', weight: 2 },
        { name: 'PodTopologySpread', weight: 2 },
      ],
      rows: [
        { node: 'a', scores: [[25, 25], [10, 100], [0, 0], [0, 100]], total: 425 },
        { node: 'b', scores: [[75, 75], [0, 0], [0, 0], [0, 100]], total: 275 },
        { node: 'c', rejectedBy: 'NodeReady', reasons: ['node(s) were not ready'] },
        { node: 'd', rejectedBy: 'TaintToleration', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] },
      ],
      reasons: { 'node(s) had untolerated taint {dedicated: gpu}': 1, 'node(s) were not ready': 1 },
    });
  });

  it('a pending pod: which filter refused each node, in the FailedScheduling message\'s words; no scores, no pick', () => {
    const nodes = [newNode('a'), newNode('b', { labels: { disk: 'ssd' }, memory: '64Mi' }), newNode('c', { labels: { disk: 'ssd' }, unschedulable: true })];
    const decision = decide(newPod('p', { nodeSelector: { disk: 'ssd' }, memory: '128Mi' }), nodes);
    assert.equal(decision.result, 'Unschedulable');
    assert.equal(decision.picked, undefined);
    assert.equal(decision.feasible, 0);
    assert.deepEqual(decision.rows, [
      { node: 'a', rejectedBy: 'NodeAffinity', reasons: ["node(s) didn't match Pod's node affinity/selector"] },
      { node: 'b', rejectedBy: 'NodeResourcesFit', reasons: ['Insufficient memory'] },
      { node: 'c', rejectedBy: 'NodeUnschedulable', reasons: ['node(s) were unschedulable'] },
    ]);
    assert.deepEqual(decision.reasons, { 'Insufficient memory': 1, "node(s) didn't match Pod's node affinity/selector": 1, 'node(s) were unschedulable': 1 });
    assert.equal(decision.omitted, undefined);
  });

  it('is the same for the same snapshot (the scheduler compares it to skip writes)', () => {
    const nodes = [newNode('a'), newNode('b', { ready: false })];
    const pod = newPod('p', { nodeSelector: { gpu: 'yes' } });
    assert.equal(encodeDecision(decide(pod, nodes)), encodeDecision(decide(pod, nodes)));
  });
});

describe('scheduling decision: bounded size', () => {
  // 1,000 nodes: every 10th not ready, every 10th (+1) with a taint of its own (100 different
  // reasons), the other 800 feasible with different room (cpu 2..9), so their totals differ.
  const nodes = Array.from({ length: 1000 }, (_, i) => {
    const name = `node-${String(i).padStart(4, '0')}`;
    if (i % 10 === 0) return newNode(name, { ready: false });
    if (i % 10 === 1) return newNode(name, { taints: [{ key: 'team', value: `t${i}`, effect: 'NoSchedule' }] });
    return newNode(name, { cpu: String(2 + (i % 8)) });
  });
  const decision = decide(newPod('p', { cpu: '1' }), nodes);

  it('keeps 20 rows: the pick first, the best feasible nodes by total, one example of each kind of refusal', () => {
    assert.equal(decision.rows.length, 20);
    assert.equal(decision.omitted, 980);
    assert.equal(decision.feasible, 800);
    assert.equal(decision.rows[0].node, decision.picked);
    const feasibleRows = decision.rows.filter((r) => !r.rejectedBy);
    assert.equal(feasibleRows.length, 15);
    const totals = feasibleRows.map((r) => r.total!);
    assert.deepEqual(totals, [...totals].sort((x, y) => y - x));
    // The 15 kept are the 15 best of all 800, as scoreNodes computes them.
    const feasible = filterNodes(newPod('p', { cpu: '1' }), nodes, new Map()).feasible;
    const all = scoreNodes(newPod('p', { cpu: '1' }), feasible, new Map(), { nodes }).map((s) => s.score).sort((x, y) => y - x);
    assert.deepEqual(totals, all.slice(0, 15));
    assert.deepEqual(
      decision.rows.filter((r) => r.rejectedBy).map((r) => `${r.node} ${r.rejectedBy}`),
      ['node-0000 NodeReady', 'node-0001 TaintToleration', 'node-0011 TaintToleration', 'node-0021 TaintToleration', 'node-0031 TaintToleration'],
    );
  });

  it('counts every node in the reasons, the 10 most frequent by name, the rest as otherReasons', () => {
    const entries = Object.entries(decision.reasons);
    assert.equal(entries.length, 10);
    assert.deepEqual(entries[0], ['node(s) were not ready', 100]);
    assert.equal(entries.reduce((sum, [, n]) => sum + n, 0) + decision.otherReasons!, 200);
    assert.equal(decision.otherReasons, 91);
  });

  it('stays a few KB, far from the 256 KiB a pod may hold', () => {
    const size = encodeDecision(decision).length;
    assert.ok(size < 6000, `annotation is ${size} bytes`);
  });

  it('keeps the best feasible node among 1,000 even when it comes last', () => {
    const many = Array.from({ length: 1000 }, (_, i) => newNode(`n${String(i).padStart(4, '0')}`, { cpu: i === 999 ? '64' : '2' }));
    const d = decide(newPod('p', { cpu: '1' }), many);
    assert.equal(d.picked, 'n0999');
    assert.equal(d.rows[0].node, 'n0999');
    assert.equal(d.rows.length, 20);
  });
});

describe('scheduling decision: table cells', () => {
  const decision: SchedulingDecision = {
    v: 1,
    result: 'Scheduled',
    picked: 'a',
    nodes: 2,
    feasible: 1,
    filters: ['NodeReady', 'TaintToleration', 'NodeAffinity'],
    scores: [{ name: 'NodeResourcesFit', weight: 1 }, { name: 'NodeAffinity', weight: 2 }],
    rows: [
      { node: 'a', scores: [[90, 90], [10, 100]], total: 290 },
      { node: 'b', rejectedBy: 'TaintToleration', reasons: ['node(s) had untolerated taint {x: y}'] },
    ],
    reasons: { 'node(s) had untolerated taint {x: y}': 1 },
  };
  it('filters: ok before the refusal, its reasons, - after (those did not run)', () => {
    assert.deepEqual(filterCells(decision, decision.rows[0]), ['ok', 'ok', 'ok']);
    assert.deepEqual(filterCells(decision, decision.rows[1]), ['ok', 'node(s) had untolerated taint {x: y}', '-']);
  });
  it('scores: normalized (raw), - for a refused node', () => {
    assert.deepEqual(scoreCells(decision, decision.rows[0]), ['90 (90)', '100 (10)']);
    assert.deepEqual(scoreCells(decision, decision.rows[1]), ['-', '-']);
  });
});

describe('scheduling decision: parsing the annotation', () => {
  const pod = (value?: string): Pod => ({ kind: 'Pod', metadata: { name: 'p', annotations: value === undefined ? {} : { [DECISION_ANNOTATION]: value } }, spec: { containers: [] } });
  it('reads back what was written; none when absent', () => {
    const d = decide(newPod('p'), [newNode('a')]);
    assert.deepEqual(decisionOf(pod(encodeDecision(d))), d);
    assert.deepEqual(parseDecision(encodeDecision(d)), d);
    assert.equal(decisionOf(pod()), undefined);
  });
  const refusals: [string, string, RegExp][] = [
    ['not JSON', '{', /is not JSON/],
    ['a list', '[]', /is not a JSON object/],
    ['another version', '{"v":2}', /has version 2; this kubelab reads version 1/],
    ['rows missing', '{"v":1,"result":"Scheduled","nodes":1,"feasible":1,"filters":[],"scores":[],"reasons":{}}', /rows is not a list/],
  ];
  for (const [name, text, message] of refusals) {
    it(`refuses ${name}, saying what is wrong`, () => assert.throws(() => parseDecision(text), message));
  }
});
