// `kubelab describe pod`'s Scheduling Decision section, rendered from fixed decisions: the rows a
// user reads for a placed pod, a Pending one, a long list cut short, and pods without a decision.

import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import { DECISION_ANNOTATION, encodeDecision, type SchedulingDecision } from '../../lib/scheduling/decision.js';
import { describeSchedulingDecision } from '../../cli/describe/describe-scheduling-decision.js';
import { DescribeWriter } from '../../cli/describe/tab-writer.js';

const render = (pod: Pod): string[] => {
  const w = new DescribeWriter();
  describeSchedulingDecision(w, pod);
  return w.toString().trimEnd().split('\n').map((l) => l.trimEnd());
};
const podWith = (decision?: SchedulingDecision | string, spec: Partial<Pod['spec']> = {}): Pod => ({
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', annotations: decision === undefined ? {} : { [DECISION_ANNOTATION]: typeof decision === 'string' ? decision : encodeDecision(decision) } },
  spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
});

const base = {
  v: 1 as const,
  filters: ['NodeReady', 'NodeAffinity', 'NodeResourcesFit'],
  scores: [{ name: 'NodeResourcesFit', weight: 1 }, { name: 'PodTopologySpread', weight: 2 }],
};

describe('describe pod: Scheduling Decision', () => {
  it('a placed pod: each node\'s filters, scores normalized (raw), total and the pick', () => {
    const decision: SchedulingDecision = {
      ...base,
      result: 'Scheduled',
      picked: 'node-b',
      nodes: 3,
      feasible: 2,
      rows: [
        { node: 'node-b', scores: [[75, 75], [0, 100]], total: 275 },
        { node: 'node-a', scores: [[25, 25], [1, 0]], total: 25 },
        { node: 'node-c', rejectedBy: 'NodeAffinity', reasons: ["node(s) didn't match Pod's node affinity/selector"] },
      ],
      reasons: { "node(s) didn't match Pod's node affinity/selector": 1 },
    };
    assert.deepEqual(render(podWith(decision)), [
      'Scheduling Decision:',
      '  Scheduled on node-b: 2 of 3 nodes passed every filter',
      '  NODE    NodeReady  NodeAffinity                                       NodeResourcesFit  NodeResourcesFit x1  PodTopologySpread x2  TOTAL  PICKED',
      '  ----    ---------  ------------                                       ----------------  -------------------  --------------------  -----  ------',
      '  node-b  ok         ok                                                 ok                75 (75)              100 (0)               275    *',
      '  node-a  ok         ok                                                 ok                25 (25)              0 (1)                 25',
      "  node-c  ok         node(s) didn't match Pod's node affinity/selector  -                 -                    -                     -",
    ]);
  });

  it('a Pending pod: which filter refused each node; the nodes left out are counted', () => {
    const decision: SchedulingDecision = {
      ...base,
      result: 'Unschedulable',
      nodes: 30,
      feasible: 0,
      rows: [
        { node: 'node-a', rejectedBy: 'NodeResourcesFit', reasons: ['Insufficient cpu', 'Insufficient memory'] },
        { node: 'node-b', rejectedBy: 'NodeReady', reasons: ['node(s) were not ready'] },
      ],
      reasons: { 'Insufficient cpu': 25, 'Insufficient memory': 20, 'node(s) were not ready': 5 },
      otherReasons: 2,
      omitted: 28,
    };
    assert.deepEqual(render(podWith(decision)), [
      'Scheduling Decision:',
      '  Unschedulable: 0 of 30 nodes passed every filter',
      '  NODE    NodeReady               NodeAffinity  NodeResourcesFit                       NodeResourcesFit x1  PodTopologySpread x2  TOTAL  PICKED',
      '  ----    ---------               ------------  ----------------                       -------------------  --------------------  -----  ------',
      '  node-a  ok                      ok            Insufficient cpu, Insufficient memory  -                    -                     -',
      '  node-b  node(s) were not ready  -             -                                      -                    -                     -',
      '  (28 more nodes not listed; refused over all nodes: 25 Insufficient cpu, 20 Insufficient memory, 5 node(s) were not ready, 2 for other reasons)',
    ]);
  });

  it('a refusal before filtering names the plugin and its reason', () => {
    const decision: SchedulingDecision = {
      ...base, result: 'Unschedulable', nodes: 1, feasible: 0, rows: [], reasons: { 'persistentvolumeclaim "data" not found': 1 },
      preFilter: { plugin: 'VolumeBinding', reason: 'persistentvolumeclaim "data" not found' },
    };
    assert.deepEqual(render(podWith(decision)), [
      'Scheduling Decision:',
      '  Unschedulable: 0 of 1 node passed every filter',
      '  refused before any node was filtered, by VolumeBinding: persistentvolumeclaim "data" not found',
    ]);
  });

  const without: [string, Pod, string][] = [
    ['bound by the user', podWith(undefined, { nodeName: 'node-a' }), 'Scheduling Decision:  <none> (spec.nodeName was set when the pod was created: no scheduler chose node-a)'],
    ['another scheduler\'s', podWith(undefined, { schedulerName: 'my-scheduler' }), 'Scheduling Decision:  <none> (spec.schedulerName is my-scheduler; kubelab runs only default-scheduler)'],
    ['not tried yet', podWith(), 'Scheduling Decision:  <none> (not tried yet)'],
    ['unreadable', podWith('{"v":7}'), 'Scheduling Decision:  <unreadable: annotation scheduling.kubelab.io/decision has version 7; this kubelab reads version 1>'],
  ];
  for (const [name, pod, line] of without) {
    it(`without a decision: ${name}`, () => assert.deepEqual(render(pod), [line]));
  }
});
