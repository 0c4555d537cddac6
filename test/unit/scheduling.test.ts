// covers: Pod spec.tolerations.key, spec.tolerations.operator, spec.tolerations.value, spec.tolerations.effect, spec.schedulerName, spec.containers.resources.requests, spec.containers.ports.hostPort
// covers: Node spec.taints.key, spec.taints.value, spec.taints.effect, spec.unschedulable

import assert from 'node:assert/strict';
import type { Node, Pod, PodPhase } from '../../lib/api/types.js';
import { filterNodes, formatUnschedulable, pickNode, scoreNodes, type PodsOnNodes } from '../../lib/scheduling.js';

function newNode(name: string, opts: Partial<{ labels: Record<string, string>; ready: boolean; unschedulable: boolean; taints: Node['spec']['taints']; cpu: string; memory: string; pods: string }> = {}): Node {
  return {
    kind: 'Node',
    metadata: { name, labels: opts.labels ?? {} },
    spec: { unschedulable: opts.unschedulable, taints: opts.taints },
    status: {
      allocatable: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '4Gi', pods: opts.pods ?? '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

function newPod(name: string, spec: Partial<Pod['spec']> & { cpu?: string; memory?: string; hostPort?: number; owner?: string; phase?: string } = {}): Pod {
  const { cpu, memory, hostPort, owner, phase, ...rest } = spec;
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return {
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }] } : {}) },
    spec: {
      containers: [{ name: 'c', image: 'i', resources: { requests }, ...(hostPort ? { ports: [{ containerPort: 80, hostPort }] } : {}) }],
      ...rest,
    },
    status: { phase: (phase ?? 'Running') as PodPhase },
  };
}

/** The node as the lifecycle controller leaves it once the server's gossip view of it changes. */
function withGossipState(node: Node, state: string): Node {
  return { ...node, metadata: { ...node.metadata, annotations: { 'kubelab.io/gossip-state': state } } };
}

const reasonsOf = (pod: Pod, node: Node, podsOnNode: Pod[] = []) => [...filterNodes(pod, [node], new Map([[node.metadata.name!, podsOnNode]])).reasons.keys()];

describe('scheduling: filterNodes', () => {
  const cases: { name: string; pod: Pod; node: Node; podsOnNode?: Pod[]; reasons: string[] }[] = [
    { name: 'a plain pod fits a ready node', pod: newPod('p'), node: newNode('n'), reasons: [] },
    { name: 'a node not Ready', pod: newPod('p'), node: newNode('n', { ready: false }), reasons: ['node(s) were not ready'] },
    { name: 'a cordoned node', pod: newPod('p'), node: newNode('n', { unschedulable: true }), reasons: ['node(s) were unschedulable'] },
    {
      name: 'a cordoned node, tolerated',
      pod: newPod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
      node: newNode('n', { unschedulable: true }),
      reasons: [],
    },
    { name: 'a node gossip calls dead', pod: newPod('p'), node: withGossipState(newNode('n'), 'dead'), reasons: ['node(s) were unreachable'] },
    { name: 'a node that left the gossip cluster', pod: newPod('p'), node: withGossipState(newNode('n'), 'left'), reasons: ['node(s) were unreachable'] },
    { name: 'a suspect node still gets pods (suspicion is often one lost packet)', pod: newPod('p'), node: withGossipState(newNode('n'), 'suspect'), reasons: [] },
    { name: 'an alive node', pod: newPod('p'), node: withGossipState(newNode('n'), 'alive'), reasons: [] },
    {
      name: 'a dead node, the unreachable taint tolerated',
      pod: newPod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] }),
      node: withGossipState(newNode('n'), 'dead'),
      reasons: [],
    },
    { name: 'nodeSelector matches', pod: newPod('p', { nodeSelector: { disk: 'ssd' } }), node: newNode('n', { labels: { disk: 'ssd' } }), reasons: [] },
    {
      name: 'nodeSelector does not match',
      pod: newPod('p', { nodeSelector: { disk: 'ssd' } }),
      node: newNode('n', { labels: { disk: 'hdd' } }),
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
    },
    {
      name: 'an untolerated NoSchedule taint',
      pod: newPod('p'),
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      reasons: ['node(s) had untolerated taint {dedicated: db}'],
    },
    {
      name: 'a PreferNoSchedule taint does not filter',
      pod: newPod('p'),
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'PreferNoSchedule' }] }),
      reasons: [],
    },
    {
      name: 'a NoExecute taint tolerated with Equal',
      pod: newPod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }] }),
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }),
      reasons: [],
    },
    {
      name: 'a toleration with the wrong value',
      pod: newPod('p', { tolerations: [{ key: 'dedicated', value: 'web' }] }),
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      reasons: ['node(s) had untolerated taint {dedicated: db}'],
    },
    {
      name: 'Exists with no key tolerates everything',
      pod: newPod('p', { tolerations: [{ operator: 'Exists' }] }),
      node: newNode('n', { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', value: 'x', effect: 'NoExecute' }] }),
      reasons: [],
    },
    { name: 'cpu fits exactly', pod: newPod('p', { cpu: '500m' }), node: newNode('n', { cpu: '1' }), podsOnNode: [newPod('q', { cpu: '500m' })], reasons: [] },
    { name: 'cpu does not fit', pod: newPod('p', { cpu: '600m' }), node: newNode('n', { cpu: '1' }), podsOnNode: [newPod('q', { cpu: '500m' })], reasons: ['Insufficient cpu'] },
    {
      name: 'terminated pods free their requests',
      pod: newPod('p', { cpu: '600m' }),
      node: newNode('n', { cpu: '1' }),
      podsOnNode: [newPod('q', { cpu: '500m', phase: 'Succeeded' })],
      reasons: [],
    },
    {
      name: 'cpu and memory both short',
      pod: newPod('p', { cpu: '3', memory: '5Gi' }),
      node: newNode('n'),
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    { name: 'too many pods', pod: newPod('p'), node: newNode('n', { pods: '1' }), podsOnNode: [newPod('q')], reasons: ['Too many pods'] },
    {
      name: 'a hostPort in use',
      pod: newPod('p', { hostPort: 8080 }),
      node: newNode('n'),
      podsOnNode: [newPod('q', { hostPort: 8080 })],
      reasons: ["node(s) didn't have free ports for the requested pod ports"],
    },
    { name: 'another hostPort', pod: newPod('p', { hostPort: 8080 }), node: newNode('n'), podsOnNode: [newPod('q', { hostPort: 8081 })], reasons: [] },
    {
      name: 'the first failing filter wins: not ready before selector',
      pod: newPod('p', { nodeSelector: { a: 'b' } }),
      node: newNode('n', { ready: false }),
      reasons: ['node(s) were not ready'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(reasonsOf(c.pod, c.node, c.podsOnNode), c.reasons));
  }

  it('counts reasons over nodes and returns the feasible ones', () => {
    const nodes = [newNode('a', { labels: { disk: 'ssd' }, memory: '64Mi' }), newNode('b'), newNode('c'), newNode('d', { labels: { disk: 'ssd' } })];
    const { feasible, reasons } = filterNodes(newPod('p', { nodeSelector: { disk: 'ssd' }, memory: '128Mi' }), nodes, new Map());
    assert.deepEqual(feasible.map((n) => n.metadata.name), ['d']);
    assert.deepEqual(Object.fromEntries(reasons), { "node(s) didn't match Pod's node affinity/selector": 2, 'Insufficient memory': 1 });
  });
});

describe('scheduling: three nodes, three different reasons', () => {
  it('counts each node once, under the first filter that rejects it', () => {
    const nodes = [
      withGossipState(newNode('node1', { labels: { disk: 'ssd' } }), 'dead'),
      newNode('node2', { labels: { disk: 'ssd' }, unschedulable: true }),
      newNode('node3', { labels: { disk: 'hdd' } }),
    ];
    const { feasible, reasons } = filterNodes(newPod('p', { nodeSelector: { disk: 'ssd' } }), nodes, new Map());
    assert.deepEqual(feasible, []);
    assert.equal(
      formatUnschedulable(nodes.length, reasons),
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unreachable, 1 node(s) were unschedulable.",
    );
  });
});

describe('scheduling: formatUnschedulable', () => {
  it('writes the FailedScheduling message as kube-scheduler does', () => {
    const reasons = new Map([["node(s) didn't match Pod's node affinity/selector", 2], ['Insufficient memory', 1]]);
    assert.equal(formatUnschedulable(3, reasons), "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.");
  });
  it('sorts the "<count> <reason>" strings', () => {
    const reasons = new Map([['Insufficient cpu', 1], ['node(s) were unschedulable', 1], ['Insufficient memory', 1]]);
    assert.equal(formatUnschedulable(3, reasons), '0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable.');
  });
  it('says so when there are no nodes', () => {
    assert.equal(formatUnschedulable(0, new Map()), 'no nodes available to schedule pods');
  });
});

describe('scheduling: scoreNodes and pickNode', () => {
  it('prefers the node with more free resources', () => {
    const nodes = [newNode('busy'), newNode('idle')];
    const podsOnNodes: PodsOnNodes = new Map([['busy', [newPod('q', { cpu: '1500m', memory: '3Gi' })]]]);
    const scores = scoreNodes(newPod('p'), nodes, podsOnNodes);
    assert.ok(scores[1].score > scores[0].score, JSON.stringify(scores));
    assert.equal(pickNode(scores), 'idle');
  });

  it('spreads the pods of one controller across nodes', () => {
    const nodes = [newNode('a'), newNode('b')];
    // b holds more (unrelated) load, but a already runs a replica of the same ReplicaSet.
    const podsOnNodes: PodsOnNodes = new Map([
      ['a', [newPod('web-1', { owner: 'rs-1' })]],
      ['b', [newPod('other-1'), newPod('other-2')]],
    ]);
    assert.equal(pickNode(scoreNodes(newPod('web-2', { owner: 'rs-1' }), nodes, podsOnNodes)), 'b');
  });

  it('breaks ties with the injected random source', () => {
    const scores = [{ node: 'a', score: 10 }, { node: 'b', score: 30 }, { node: 'c', score: 30 }];
    assert.equal(pickNode(scores, () => 0), 'b');
    assert.equal(pickNode(scores, () => 0.99), 'c');
    assert.equal(pickNode([]), undefined);
  });
});
