// Table tests of the affinity, anti-affinity and topology spread plugins (lib/scheduling/) and of
// the FailedScheduling messages kube-scheduler 1.32 prints for them.
//
// covers: Pod spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.key, spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.operator, spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.values
// covers: Pod spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchFields.key, spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchFields.operator, spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchFields.values
// covers: Pod spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight, spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.preference.matchExpressions.key, spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.preference.matchExpressions.operator, spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.preference.matchExpressions.values, spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.preference.matchFields.key, spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.preference.matchFields.operator, spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.preference.matchFields.values
// covers: Pod spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.topologyKey, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.labelSelector.matchLabels, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.labelSelector.matchExpressions.key, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.labelSelector.matchExpressions.operator, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.labelSelector.matchExpressions.values
// covers: Pod spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.namespaces, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.namespaceSelector.matchLabels, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.namespaceSelector.matchExpressions.key, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.namespaceSelector.matchExpressions.operator, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.namespaceSelector.matchExpressions.values
// covers: Pod spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.matchLabelKeys, spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.mismatchLabelKeys
// covers: Pod spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight, spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution.podAffinityTerm
// covers: Pod spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight, spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.podAffinityTerm
// covers: Pod spec.topologySpreadConstraints.maxSkew, spec.topologySpreadConstraints.topologyKey, spec.topologySpreadConstraints.whenUnsatisfiable, spec.topologySpreadConstraints.labelSelector, spec.topologySpreadConstraints.minDomains, spec.topologySpreadConstraints.nodeAffinityPolicy, spec.topologySpreadConstraints.nodeTaintsPolicy, spec.topologySpreadConstraints.matchLabelKeys
// covers: Pod spec.preemptionPolicy

import assert from 'node:assert/strict';
import type { Affinity, TopologySpreadConstraint } from '../../lib/api/affinity-types.js';
import type { Node, Pod } from '../../lib/api/types.js';
import { filterNodes, formatUnschedulable, scoreNodes, type PodsOnNodes } from '../../lib/scheduling.js';
import { requirementMatches } from '../../lib/scheduling/node-affinity.js';

function newNode(name: string, labels: Record<string, string> = {}, taints: Node['spec']['taints'] = undefined): Node {
  return {
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { taints },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function newPod(name: string, opts: { labels?: Record<string, string>; namespace?: string; affinity?: Affinity; spread?: TopologySpreadConstraint[]; preemptionPolicy?: 'Never' } = {}): Pod {
  return {
    kind: 'Pod',
    metadata: { name, uid: `uid-${name}`, namespace: opts.namespace ?? 'default', labels: opts.labels ?? {} },
    spec: { containers: [{ name: 'c', image: 'i' }], affinity: opts.affinity, topologySpreadConstraints: opts.spread, preemptionPolicy: opts.preemptionPolicy },
    status: { phase: 'Running' },
  };
}

const zoned = () => [newNode('a', { zone: 'z1', rank: '3' }), newNode('b', { zone: 'z1', rank: '7' }), newNode('c', { zone: 'z2' })];
const place = (placement: Record<string, Pod[]>): PodsOnNodes => new Map(Object.entries(placement));
const feasibleNames = (pod: Pod, nodes: Node[], pods: PodsOnNodes = new Map(), ns?: Map<string, Record<string, string>>) => filterNodes(pod, nodes, pods, ns).feasible.map((n) => n.metadata.name);
const required = (...matchExpressions: { key: string; operator: string; values?: string[] }[]): Affinity =>
  ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } }) as Affinity;
const web = { app: 'web' };

describe('scheduling: node affinity operators', () => {
  const cases: [string, { operator: string; values?: string[] }, string | undefined, boolean][] = [
    ['In, value listed', { operator: 'In', values: ['a', 'b'] }, 'b', true],
    ['In, label absent', { operator: 'In', values: ['a'] }, undefined, false],
    ['NotIn, value listed', { operator: 'NotIn', values: ['a'] }, 'a', false],
    ['NotIn, label absent matches', { operator: 'NotIn', values: ['a'] }, undefined, true],
    ['Exists', { operator: 'Exists' }, '', true],
    ['Exists, absent', { operator: 'Exists' }, undefined, false],
    ['DoesNotExist', { operator: 'DoesNotExist' }, undefined, true],
    ['Gt, greater', { operator: 'Gt', values: ['5'] }, '7', true],
    ['Gt, equal', { operator: 'Gt', values: ['7'] }, '7', false],
    ['Gt, not an integer', { operator: 'Gt', values: ['5'] }, 'seven', false],
    ['Lt, smaller', { operator: 'Lt', values: ['5'] }, '3', true],
    ['Lt, label absent', { operator: 'Lt', values: ['5'] }, undefined, false],
  ];
  for (const [name, r, value, expected] of cases) {
    it(name, () => assert.equal(requirementMatches({ key: 'k', ...r } as never, value), expected));
  }
});

describe('scheduling: NodeAffinity filter and score', () => {
  it('keeps only the nodes a required term matches; terms are ORed, expressions ANDed', () => {
    assert.deepEqual(feasibleNames(newPod('p', { affinity: required({ key: 'zone', operator: 'In', values: ['z1'] }) }), zoned()), ['a', 'b']);
    assert.deepEqual(feasibleNames(newPod('p', { affinity: required({ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'rank', operator: 'Gt', values: ['5'] }) }), zoned()), ['b']);
    const either = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }] } } } as Affinity;
    assert.deepEqual(feasibleNames(newPod('p', { affinity: either }), zoned()), ['a', 'c']);
  });

  it('ANDs nodeSelector with required node affinity', () => {
    const pod = newPod('p', { affinity: required({ key: 'zone', operator: 'In', values: ['z1'] }) });
    pod.spec.nodeSelector = { 'kubernetes.io/hostname': 'b' };
    assert.deepEqual(feasibleNames(pod, zoned()), ['b']);
  });

  it('an empty term matches no node', () => {
    const pod = newPod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } });
    assert.deepEqual(feasibleNames(pod, zoned()), []);
  });

  it('says which nodes failed, and that preemption cannot help', () => {
    const pod = newPod('p', { affinity: required({ key: 'disktype', operator: 'In', values: ['ssd'] }) });
    const { reasons, unresolvable } = filterNodes(pod, zoned(), new Map());
    assert.equal(
      formatUnschedulable(3, reasons, { unresolvable }),
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it('prefers the node whose preferred terms weigh most', () => {
    const pod = newPod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } },
            { weight: 80, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] } },
          ],
        },
      },
    });
    const scores = scoreNodes(pod, zoned(), new Map());
    const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
    assert.equal(best.node, 'b');
    assert.ok(scores.find((s) => s.node === 'c')!.score > scores.find((s) => s.node === 'a')!.score);
  });
});

describe('scheduling: InterPodAffinity filter', () => {
  const antiWeb: Affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: web }, topologyKey: 'kubernetes.io/hostname' }] } };
  const withWeb: Affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: web }, topologyKey: 'zone' }] } };

  it('anti-affinity by hostname keeps replicas apart, then leaves the 4th pending with the message', () => {
    const nodes = [newNode('a'), newNode('b'), newNode('c')];
    const pods = place({ a: [newPod('w1', { labels: web, affinity: antiWeb })], b: [newPod('w2', { labels: web, affinity: antiWeb })] });
    assert.deepEqual(feasibleNames(newPod('w3', { labels: web, affinity: antiWeb }), nodes, pods), ['c']);
    pods.set('c', [newPod('w3', { labels: web, affinity: antiWeb })]);
    const { feasible, reasons, unresolvable } = filterNodes(newPod('w4', { labels: web, affinity: antiWeb }), nodes, pods);
    assert.deepEqual(feasible, []);
    assert.equal(
      formatUnschedulable(3, reasons, { unresolvable }),
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
  });

  it("a running pod's anti-affinity keeps a pod it selects out of its domain", () => {
    const loner = newPod('loner', { labels: { app: 'db' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: web }, topologyKey: 'zone' }] } } });
    const pods = place({ a: [loner] });
    const { feasible, reasons } = filterNodes(newPod('w', { labels: web }), zoned(), pods);
    assert.deepEqual(feasible.map((n) => n.metadata.name), ['c']);
    assert.deepEqual([...reasons], [["node(s) didn't satisfy existing pods anti-affinity rules", 2]]);
  });

  it('affinity by zone follows a matching pod into its zone', () => {
    const pods = place({ c: [newPod('w1', { labels: web })] });
    assert.deepEqual(feasibleNames(newPod('cache', { affinity: withWeb }), zoned(), pods), ['c']);
  });

  it('affinity with no matching pod anywhere: refused, unless the pod matches its own terms (the first of a group)', () => {
    const { reasons, unresolvable } = filterNodes(newPod('cache', { affinity: withWeb }), zoned(), new Map());
    assert.equal(
      formatUnschedulable(3, reasons, { unresolvable }),
      "0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    assert.deepEqual(feasibleNames(newPod('w1', { labels: web, affinity: withWeb }), zoned(), new Map()), ['a', 'b', 'c']);
  });

  it('a node without the topology key fits no affinity term', () => {
    const nodes = [...zoned(), newNode('d')];
    assert.deepEqual(feasibleNames(newPod('w1', { labels: web, affinity: withWeb }), nodes, new Map()), ['a', 'b', 'c']);
  });

  it('namespaces: the pod’s own by default; listed ones; namespaceSelector', () => {
    const pods = place({ c: [newPod('w1', { labels: web, namespace: 'shop' })] });
    const term = (extra: object): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: web }, topologyKey: 'zone', ...extra }] } });
    assert.deepEqual(feasibleNames(newPod('p', { affinity: term({}) }), zoned(), pods), []);
    assert.deepEqual(feasibleNames(newPod('p', { affinity: term({ namespaces: ['shop'] }) }), zoned(), pods), ['c']);
    const nsLabels = new Map([['shop', { team: 'blue' }]]);
    assert.deepEqual(feasibleNames(newPod('p', { affinity: term({ namespaceSelector: { matchLabels: { team: 'blue' } } }) }), zoned(), pods, nsLabels), ['c']);
    assert.deepEqual(feasibleNames(newPod('p', { affinity: term({ namespaceSelector: {} }) }), zoned(), pods, nsLabels), ['c']);
  });

  it('matchLabelKeys narrows the selector to pods with the same value; mismatchLabelKeys to the others', () => {
    const v1 = { ...web, version: 'v1' };
    const v2 = { ...web, version: 'v2' };
    const pods = place({ a: [newPod('old', { labels: v1 })] });
    const anti = (key: 'matchLabelKeys' | 'mismatchLabelKeys'): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: web }, topologyKey: 'kubernetes.io/hostname', [key]: ['version'] }] } });
    assert.deepEqual(feasibleNames(newPod('new', { labels: v2, affinity: anti('matchLabelKeys') }), zoned(), pods), ['a', 'b', 'c']);
    assert.deepEqual(feasibleNames(newPod('new', { labels: v1, affinity: anti('matchLabelKeys') }), zoned(), pods), ['b', 'c']);
    assert.deepEqual(feasibleNames(newPod('new', { labels: v1, affinity: anti('mismatchLabelKeys') }), zoned(), pods), ['a', 'b', 'c']);
  });

  it('a null labelSelector selects no pod', () => {
    const pods = place({ a: [newPod('w1', { labels: web })] });
    const anti: Affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] } };
    assert.deepEqual(feasibleNames(newPod('p', { affinity: anti }), zoned(), pods), ['a', 'b', 'c']);
  });
});

describe('scheduling: InterPodAffinity score', () => {
  it('preferred affinity draws a pod to the domain of the pods it selects; preferred anti-affinity pushes it away', () => {
    const pods = place({ c: [newPod('w1', { labels: web })] });
    const term = { labelSelector: { matchLabels: web }, topologyKey: 'zone' };
    const near = scoreNodes(newPod('p', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term }] } } }), zoned(), pods);
    assert.equal(near.reduce((a, b) => (b.score > a.score ? b : a)).node, 'c');
    const away = scoreNodes(newPod('p', { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term }] } } }), zoned(), pods);
    assert.ok(away.find((s) => s.node === 'c')!.score < away.find((s) => s.node === 'a')!.score);
  });
});

describe('scheduling: PodTopologySpread', () => {
  const spread = (extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint[] => [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: web }, ...extra }];
  const nodes = () => [newNode('a', { zone: 'z1' }), newNode('b', { zone: 'z1' }), newNode('c', { zone: 'z2' })];

  it('maxSkew 1 over hostnames: only the emptiest nodes fit', () => {
    const pods = place({ a: [newPod('w1', { labels: web })], b: [newPod('w2', { labels: web })] });
    assert.deepEqual(feasibleNames(newPod('w3', { labels: web, spread: spread() }), nodes(), pods), ['c']);
    pods.set('c', [newPod('w3', { labels: web })]);
    assert.deepEqual(feasibleNames(newPod('w4', { labels: web, spread: spread() }), nodes(), pods), ['a', 'b', 'c']);
  });

  it('over zones: the zone with fewer pods', () => {
    const pods = place({ a: [newPod('w1', { labels: web })] });
    assert.deepEqual(feasibleNames(newPod('w2', { labels: web, spread: spread({ topologyKey: 'zone' }) }), nodes(), pods), ['c']);
  });

  it('says why, and a node without the key says "missing required label"', () => {
    const pods = place({ a: [newPod('w1', { labels: web })], b: [newPod('w2', { labels: web })] });
    const all = [...nodes(), newNode('d')];
    const { feasible, reasons, unresolvable } = filterNodes(newPod('w3', { labels: web, spread: spread({ topologyKey: 'zone' }) }), all, pods);
    assert.deepEqual(feasible.map((n) => n.metadata.name), ['c']);
    assert.equal(
      formatUnschedulable(4, reasons, { unresolvable }),
      "0/4 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label), 2 node(s) didn't match pod topology spread constraints. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
    );
  });

  it('minDomains: fewer domains than asked makes the global minimum 0', () => {
    const pods = place({ a: [newPod('w1', { labels: web })], b: [newPod('w2', { labels: web })], c: [newPod('w3', { labels: web })] });
    assert.deepEqual(feasibleNames(newPod('w4', { labels: web, spread: spread() }), nodes(), pods), ['a', 'b', 'c']);
    assert.deepEqual(feasibleNames(newPod('w4', { labels: web, spread: spread({ minDomains: 4 }) }), nodes(), pods), []);
  });

  it('nodeAffinityPolicy Honor (default) leaves nodes the pod cannot use out of the domains; Ignore counts them', () => {
    const pods = place({ a: [newPod('w1', { labels: web })] });
    const pod = (policy?: 'Honor' | 'Ignore') => {
      const p = newPod('w2', { labels: web, spread: spread({ nodeAffinityPolicy: policy }) });
      p.spec.nodeSelector = { zone: 'z1' };
      return p;
    };
    // Domains a and b only (c is not in z1): b has 0, a has 1: b fits.
    assert.deepEqual(feasibleNames(pod(), nodes(), pods), ['b']);
    assert.deepEqual(feasibleNames(pod('Ignore'), nodes(), pods), ['b']);
    pods.set('b', [newPod('w0', { labels: web })]);
    // Honor: min over a,b is 1, so a or b fit; Ignore: c (0 pods) counts, min 0, neither fits.
    assert.deepEqual(feasibleNames(pod(), nodes(), pods), ['a', 'b']);
    assert.deepEqual(feasibleNames(pod('Ignore'), nodes(), pods), []);
  });

  it('nodeTaintsPolicy Honor leaves nodes with untolerated taints out of the domains', () => {
    const tainted = [newNode('a'), newNode('b'), newNode('c', {}, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])];
    const pods = place({ a: [newPod('w1', { labels: web })] });
    assert.deepEqual(feasibleNames(newPod('w2', { labels: web, spread: spread({ nodeTaintsPolicy: 'Honor' }) }), tainted, pods), ['b']);
    pods.set('b', [newPod('w0', { labels: web })]);
    assert.deepEqual(feasibleNames(newPod('w2', { labels: web, spread: spread({ nodeTaintsPolicy: 'Honor' }) }), tainted, pods), ['a', 'b']);
    assert.deepEqual(feasibleNames(newPod('w2', { labels: web, spread: spread() }), tainted, pods), []);
  });

  it('matchLabelKeys counts only the pods with the same value', () => {
    const pods = place({ a: [newPod('old1', { labels: { ...web, hash: 'x' } })], b: [newPod('old2', { labels: { ...web, hash: 'x' } })] });
    assert.deepEqual(feasibleNames(newPod('new', { labels: { ...web, hash: 'y' }, spread: spread({ matchLabelKeys: ['hash'] }) }), nodes(), pods), ['a', 'b', 'c']);
  });

  it('ScheduleAnyway never refuses a node but scores the emptiest highest', () => {
    const pods = place({ a: [newPod('w1', { labels: web }), newPod('w2', { labels: web })], b: [newPod('w3', { labels: web })] });
    const pod = newPod('w4', { labels: web, spread: spread({ whenUnsatisfiable: 'ScheduleAnyway' }) });
    assert.deepEqual(feasibleNames(pod, nodes(), pods), ['a', 'b', 'c']);
    const scores = scoreNodes(pod, nodes(), pods);
    assert.equal(scores.reduce((x, y) => (y.score > x.score ? y : x)).node, 'c');
    assert.ok(scores.find((s) => s.node === 'b')!.score > scores.find((s) => s.node === 'a')!.score);
  });
});

describe('scheduling: the preemption half of the message', () => {
  it('preemptionPolicy Never', () => {
    assert.equal(
      formatUnschedulable(1, new Map([['Insufficient cpu', 1]]), { unresolvable: 0, preemptionPolicy: 'Never' }),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });
});
