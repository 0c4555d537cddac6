// The web view's view models (ui/view-model.js): what each page draws from fixed API objects.

import assert from 'node:assert/strict';
import type { Deployment, Endpoints, KubeObject, Node, Pod, ReplicaSet, Service } from '../../../lib/api/types.js';
import {
  clusterView,
  decisionsView,
  eventsTimeline,
  nodeHealth,
  parseDecision,
  podState,
  servicesView,
  workloadsView,
} from '../../../ui/view-model.js';

const node = (name: string, ready: string, gossip?: string, extra: Partial<Node['spec']> = {}): Node =>
  ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(gossip ? { annotations: { 'kubelab.io/gossip-state': gossip } } : {}) },
    spec: { podCIDR: `10.244.${name.slice(-1)}.0/24`, ...extra },
    status: { conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'InternalIP', address: `10.0.0.${name.slice(-1)}` }] },
  }) as Node;

const pod = (name: string, phase: string | undefined, opts: { node?: string; ready?: boolean; deleting?: boolean; annotations?: Record<string, string>; created?: string } = {}): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: { containers: [{ name: 'app', image: 'busybox' }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: { ...(phase ? { phase } : {}), conditions: opts.ready === undefined ? [] : [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }] },
  }) as unknown as Pod;

describe('ui view model', () => {
  it('podState: terminating first, then phase, Running split by Ready', () => {
    const cases: [Pod, string][] = [
      [pod('a', 'Running', { ready: true }), 'ready'],
      [pod('b', 'Running', { ready: false }), 'running'],
      [pod('c', 'Pending'), 'pending'],
      [pod('d', undefined), 'pending'],
      [pod('e', 'Succeeded'), 'succeeded'],
      [pod('f', 'Failed'), 'failed'],
      [pod('g', 'Running', { ready: true, deleting: true }), 'terminating'],
      [pod('h', 'Weird'), 'unknown'],
    ];
    for (const [p, want] of cases) assert.equal(podState(p), want, p.metadata.name);
  });

  it('nodeHealth: gossip dead wins; otherwise the Ready condition', () => {
    assert.equal(nodeHealth(node('n1', 'True', 'alive')).label, 'Ready');
    assert.equal(nodeHealth(node('n2', 'Unknown', 'suspect')).label, 'NotReady');
    assert.equal(nodeHealth(node('n3', 'Unknown', 'dead')).label, 'dead');
    assert.equal(nodeHealth(node('n3', 'True', 'dead')).dead, true);
    assert.equal(nodeHealth(node('n4', 'True', undefined, { unschedulable: true })).unschedulable, true);
    assert.equal(nodeHealth({ metadata: { name: 'x' } } as Node).ready, 'Unknown');
  });

  it('clusterView: nodes sorted with their pods inside; unbound pods apart', () => {
    const view = clusterView(
      [node('node2', 'True', 'alive'), node('node1', 'True', 'alive')],
      [pod('web-b', 'Running', { node: 'node1', ready: true }), pod('web-a', 'Pending', { node: 'node2' }), pod('waiting', 'Pending'), pod('gone', 'Running', { node: 'node9' })],
    );
    assert.deepEqual(view.nodes.map((n) => [n.name, n.subnet, n.ip, n.pods.map((p) => p.key)]), [
      ['node1', '10.244.1.0/24', '10.0.0.1', ['default/web-b']],
      ['node2', '10.244.2.0/24', '10.0.0.2', ['default/web-a']],
    ]);
    assert.deepEqual(view.unscheduled.map((p) => [p.name, p.nodeName]), [['gone', 'node9'], ['waiting', undefined]]);
  });

  it('workloadsView: ReplicaSets of each Deployment by revision, newest first, with their bars', () => {
    const deployment = { kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'd1' }, spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 1 } } as unknown as Deployment;
    const rs = (name: string, revision: string, desired: number, ready: number, owner = 'd1') =>
      ({
        kind: 'ReplicaSet',
        metadata: { name, namespace: 'default', annotations: { 'deployment.kubernetes.io/revision': revision }, ownerReferences: [{ uid: owner, controller: true }] },
        spec: { replicas: desired, template: { spec: { containers: [{ name: 'app', image: `web:v${revision}` }] } } },
        status: { replicas: desired, readyReplicas: ready },
      }) as unknown as ReplicaSet;
    const [view] = workloadsView([deployment], [rs('web-1', '1', 2, 2), rs('web-2', '2', 1, 0), rs('other', '5', 4, 4, 'd9')]);
    assert.equal(view!.key, 'default/web');
    assert.deepEqual(view!.replicaSets.map((s) => [s.name, s.revision, s.desired, s.ready, s.images[0]]), [
      ['web-2', 2, 1, 0, 'web:v2'],
      ['web-1', 1, 2, 2, 'web:v1'],
    ]);
    assert.equal(view!.scale, 3);
  });

  it('servicesView: VIP and NodePort on every node, endpoints grouped by node, ready apart from not ready', () => {
    const svc = { kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] } } as unknown as Service;
    const endpoints = {
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.244.2.5', nodeName: 'node2', targetRef: { name: 'web-x' } }, { ip: '10.244.1.4', nodeName: 'node1' }], notReadyAddresses: [{ ip: '10.244.1.9', nodeName: 'node1' }], ports: [{ port: 8080 }] }],
    } as unknown as Endpoints;
    const [view] = servicesView([svc], [endpoints], [node('node1', 'True'), node('node2', 'True')]);
    assert.deepEqual(view!.vips, ['10.96.0.20:80/TCP']);
    assert.deepEqual(view!.nodePorts, [{ node: 'node1', address: '10.0.0.1:30080/TCP' }, { node: 'node2', address: '10.0.0.2:30080/TCP' }]);
    assert.deepEqual(view!.endpointsByNode.map((g) => [g.node, g.addresses.map((a) => `${a.ip}:${a.ports[0]}${a.ready ? '' : ' (not ready)'}`)]), [
      ['node1', ['10.244.1.4:8080', '10.244.1.9:8080 (not ready)']],
      ['node2', ['10.244.2.5:8080']],
    ]);
  });

  it('parseDecision: reads the scheduler\'s version-1 record (filters, [raw, normalized] scores, total, pick); anything else is shown raw with why', () => {
    const decision = parseDecision(JSON.stringify({
      v: 1, result: 'Scheduled', picked: 'node-2', nodes: 3, feasible: 2,
      filters: ['NodeReady', 'NodeAffinity'],
      scores: [{ name: 'NodeResourcesFit', weight: 1 }, { name: 'NodeAffinity', weight: 2 }],
      rows: [
        { node: 'node-2', scores: [[97, 97], [0, 0]], total: 97 },
        { node: 'node-3', scores: [[40, 40], [0, 0]], total: 40 },
        { node: 'node-1', rejectedBy: 'NodeAffinity', reasons: ["node(s) didn't match Pod's node affinity/selector"] },
      ],
      reasons: { "node(s) didn't match Pod's node affinity/selector": 1 },
    }))!;
    assert.equal(decision.picked, 'node-2');
    assert.equal(decision.result, 'Scheduled');
    assert.deepEqual(decision.scorePlugins, [{ name: 'NodeResourcesFit', weight: 1 }, { name: 'NodeAffinity', weight: 2 }]);
    assert.deepEqual(decision.rows.map((r) => [r.node, r.picked, r.rejectedBy, r.scores[0]?.normalized, r.total]), [
      ['node-2', true, undefined, 97, 97],
      ['node-3', false, undefined, 40, 40],
      ['node-1', false, 'NodeAffinity', undefined, undefined],
    ]);
    assert.deepEqual(decision.reasons, [["node(s) didn't match Pod's node affinity/selector", 1]]);
    assert.equal(parseDecision(undefined), undefined);
    assert.match(parseDecision('{oops')!.error!, /not JSON/);
    assert.match(parseDecision('{"v":2,"rows":[]}')!.error!, /cannot read \(version 2\)/);
  });

  it('decisionsView: newest pod first; a pod without the annotation has no decision, a Pending one says why', () => {
    const pending = pod('p', 'Pending', { created: '2026-01-01T00:00:05Z' });
    pending.status!.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] as never;
    const rows = decisionsView([pod('old', 'Running', { node: 'node1', annotations: { 'scheduling.kubelab.io/decision': '{"v":1,"result":"Scheduled","picked":"node1","nodes":1,"feasible":1,"rows":[]}' } }), pending]);
    assert.deepEqual(rows.map((r) => [r.name, r.decision?.picked, r.unschedulable]), [['p', undefined, '0/3 nodes are available'], ['old', 'node1', undefined]]);
  });

  const event = (name: string, time: string, reason: string, about: string, extra: Record<string, unknown> = {}) =>
    ({ kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: { kind: 'Pod', name: about, namespace: 'default' }, reason, message: `${reason} happened`, lastTimestamp: time, source: { component: 'kubelet' }, ...extra }) as unknown as KubeObject;

  it('eventsTimeline: oldest first, the last `limit` kept', () => {
    const events = [event('e2', '2026-01-01T00:00:02Z', 'Started', 'a'), event('e1', '2026-01-01T00:00:01Z', 'Scheduled', 'a'), event('e3', '2026-01-01T00:00:03Z', 'Killing', 'a')];
    assert.deepEqual(eventsTimeline(events).map((e) => e.reason), ['Scheduled', 'Started', 'Killing']);
    assert.deepEqual(eventsTimeline(events, 2).map((e) => e.reason), ['Started', 'Killing']);
    assert.equal(eventsTimeline(events)[0]!.object, 'pod/a');
  });
});
