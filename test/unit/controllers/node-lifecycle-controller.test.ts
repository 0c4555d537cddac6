// The node lifecycle controller against the real registry and store (in memory), on a ManualClock:
// heartbeats that stop, gossip that declares a node dead, eviction after the timeout, recovery.

import assert from 'node:assert/strict';
import type { Endpoints, Event, Node, Pod, Service, Toleration } from '../../../lib/api/types.js';
import { rfc3339 } from '../../../lib/time.js';
import { EndpointsController } from '../../../daemon/controllers/endpoints/endpoints-controller.js';
import { NodeLeaseManager } from '../../../daemon/kubelet/node-lease.js';
import { NodeLifecycleController } from '../../../daemon/controllers/node-lifecycle/node-lifecycle-controller.js';
import { GOSSIP_STATE_ANNOTATION, MESSAGE_GOSSIP_DEAD, MESSAGE_STOPPED_POSTING, TAINT_UNREACHABLE } from '../../../daemon/controllers/node-lifecycle/plan-node-lifecycle.js';
import type { MembershipState, MembershipView } from '../../../network/gossip/membership-view.js';
import { createReadyNode, eventually, markPodsReady, newPod, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

/** A membership view the test sets by hand. */
class FakeMembership implements MembershipView {
  private readonly states = new Map<string, MembershipState>();
  private readonly listeners = new Set<() => void>();
  set(nodeName: string, state: MembershipState): void {
    this.states.set(nodeName, state);
    for (const listener of this.listeners) listener();
  }
  stateOf(nodeName: string): MembershipState | undefined {
    return this.states.get(nodeName);
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

describe('NodeLifecycleController (component, LocalClient + ManualClock)', function () {
  this.timeout(20_000);
  let cluster: ControllerCluster;
  let membership: FakeMembership;
  let controller: NodeLifecycleController;
  let recorder: ReturnType<ControllerCluster['recorderFor']>;

  beforeEach(async () => {
    cluster = await startControllerCluster();
    membership = new FakeMembership();
    recorder = cluster.recorderFor('node-controller');
    controller = new NodeLifecycleController({
      client: cluster.client, clock: cluster.clock, recorder, membership,
      nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000, onError: () => {},
    });
  });
  afterEach(() => cluster.close());

  const getNode = (name: string) => cluster.client.get<Node>('nodes', undefined, name);
  const podNames = async () => (await cluster.client.list<Pod>('pods', { namespace: 'default' })).items.map((p) => p.metadata.name).sort();
  const readyOf = (node: Node) => node.status!.conditions!.find((c) => c.type === 'Ready')!;
  const taintKeys = (node: Node) => (node.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  const advanceSeconds = (seconds: number) => cluster.clock.advance(seconds * 1000);

  /** What the kubelet does every 10 s: every condition rewritten with a fresh heartbeat, Ready True. */
  async function heartbeat(name: string): Promise<void> {
    const node = await getNode(name);
    const now = rfc3339(cluster.clock.now());
    await cluster.client.updateStatus<Node>('nodes', {
      ...node,
      status: { ...node.status, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }] },
    });
  }

  async function runPod(name: string, nodeName: string, tolerations?: Toleration[]): Promise<void> {
    await cluster.client.create<Pod>('pods', { ...newPod(name, { nodeName, ...(tolerations ? { tolerations } : {}) }), metadata: { name, namespace: 'default', labels: { app: 'web' } } });
  }

  async function eventsAbout(name: string): Promise<string[]> {
    const events = (await cluster.client.list<Event>('events')).items;
    return events.filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
  }

  it('a silent node goes Unknown, tainted, its pods unready at once (dropped from endpoints), then evicted after the timeout', async () => {
    await createReadyNode(cluster.client, 'n1');
    await heartbeat('n1');
    await runPod('web-1', 'n1');
    await runPod('patient', 'n1', [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }]);
    await runPod('forever', 'n1', [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);
    await markPodsReady(cluster.client, cluster.clock);
    await cluster.client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    await cluster.client.list<Pod>('pods').then((list) => Promise.all(list.items.map((p, i) =>
      cluster.client.updateStatus<Pod>('pods', { ...p, status: { ...p.status, podIP: `10.244.1.${i + 2}` } }))));
    const endpoints = new EndpointsController({ client: cluster.client, clock: cluster.clock, onError: () => {} });
    await endpoints.reconcile('default/web');
    const readyAddresses = async () => ((await cluster.client.get<Endpoints>('endpoints', 'default', 'web')).subsets ?? []).flatMap((s) => s.addresses ?? []).length;
    assert.equal(await readyAddresses(), 3);

    await controller.reconcile('n1');
    await advanceSeconds(40);
    await controller.reconcile('n1');
    assert.equal(readyOf(await getNode('n1')).status, 'True', 'still within the grace period');

    await advanceSeconds(1);
    await controller.reconcile('n1');
    const node = await getNode('n1');
    assert.deepEqual([readyOf(node).status, readyOf(node).reason, readyOf(node).message], ['Unknown', 'NodeStatusUnknown', MESSAGE_STOPPED_POSTING]);
    assert.deepEqual(taintKeys(node), [`${TAINT_UNREACHABLE}:NoSchedule`, `${TAINT_UNREACHABLE}:NoExecute`]);
    for (const pod of (await cluster.client.list<Pod>('pods')).items) {
      assert.equal(pod.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'False', pod.metadata.name);
    }
    await endpoints.reconcile('default/web');
    assert.equal(await readyAddresses(), 0, 'the Service no longer sends to pods on the silent node');

    await advanceSeconds(299);
    await controller.reconcile('n1');
    assert.deepEqual(await podNames(), ['forever', 'patient', 'web-1'], 'nothing evicted before the timeout');
    await advanceSeconds(1);
    await controller.reconcile('n1');
    assert.deepEqual(await podNames(), ['forever', 'patient'], 'deleted at once (grace 0), no kubelet needed');
    await advanceSeconds(300);
    await controller.reconcile('n1');
    assert.deepEqual(await podNames(), ['forever'], 'its own tolerationSeconds (600) ran out too; the one tolerating forever stays');

    await recorder.flush();
    assert.ok((await eventsAbout('web-1')).includes('TaintManagerEviction: Marking for deletion Pod default/web-1'));
    assert.ok((await eventsAbout('web-1')).includes('NodeNotReady: Node is not ready'));
    assert.ok((await eventsAbout('n1')).includes('NodeNotReady: Node n1 status is now: NodeNotReady'));
  });

  it('a heartbeat coming back removes the unreachable taints and nothing is evicted', async () => {
    await createReadyNode(cluster.client, 'n1');
    await heartbeat('n1');
    await runPod('web-1', 'n1');
    await controller.reconcile('n1');
    await advanceSeconds(60);
    await controller.reconcile('n1');
    assert.equal(readyOf(await getNode('n1')).status, 'Unknown');

    await heartbeat('n1');
    await controller.reconcile('n1');
    const node = await getNode('n1');
    assert.equal(readyOf(node).status, 'True');
    assert.deepEqual(taintKeys(node), []);
    await advanceSeconds(600);
    await heartbeat('n1');
    await controller.reconcile('n1');
    assert.deepEqual(await podNames(), ['web-1']);
  });

  it('a node whose status is old but whose node lease is renewed stays Ready', async () => {
    await createReadyNode(cluster.client, 'n1');
    await heartbeat('n1');
    const lease = new NodeLeaseManager({ client: cluster.client, clock: cluster.clock, nodeName: 'n1', renewIntervalMs: 10_000 });
    await controller.reconcile('n1');
    for (let i = 0; i < 12; i++) {
      await advanceSeconds(10);
      await lease.renewOnce();
      await controller.reconcile('n1');
    }
    assert.equal(readyOf(await getNode('n1')).status, 'True', 'two minutes of lease renewals without a status write');
    await advanceSeconds(41);
    await controller.reconcile('n1');
    assert.equal(readyOf(await getNode('n1')).status, 'Unknown', 'the lease stopped: unreachable after the grace period');
  });

  it('gossip dead marks the node unreachable before the heartbeat grace ends; the annotation follows gossip', async () => {
    await createReadyNode(cluster.client, 'n1');
    await heartbeat('n1');
    membership.set('n1', 'alive');
    await controller.reconcile('n1');
    assert.equal((await getNode('n1')).metadata.annotations?.[GOSSIP_STATE_ANNOTATION], 'alive');
    const version = (await getNode('n1')).metadata.resourceVersion;
    await controller.reconcile('n1');
    assert.equal((await getNode('n1')).metadata.resourceVersion, version, 'nothing rewritten when nothing changed');

    await advanceSeconds(5);
    membership.set('n1', 'dead');
    await controller.reconcile('n1');
    let node = await getNode('n1');
    assert.equal(node.metadata.annotations?.[GOSSIP_STATE_ANNOTATION], 'dead');
    assert.deepEqual([readyOf(node).status, readyOf(node).message], ['Unknown', MESSAGE_GOSSIP_DEAD]);
    assert.ok(taintKeys(node).includes(`${TAINT_UNREACHABLE}:NoExecute`));

    // The partition heals: gossip alive again, and the kubelet's next heartbeat writes Ready True.
    membership.set('n1', 'alive');
    await controller.reconcile('n1');
    node = await getNode('n1');
    assert.equal(node.metadata.annotations?.[GOSSIP_STATE_ANNOTATION], 'alive');
    assert.ok(taintKeys(node).includes(`${TAINT_UNREACHABLE}:NoExecute`), 'tainted until the kubelet vouches for the node again');
    await heartbeat('n1');
    await controller.reconcile('n1');
    assert.deepEqual(taintKeys(await getNode('n1')), []);
  });

  it('run(): membership changes and the 5 s monitor drive it without anyone calling reconcile', async () => {
    const fast = new NodeLifecycleController({
      client: cluster.client, clock: cluster.clock, recorder: cluster.recorderFor('node-controller'), membership,
      nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 30_000, onError: () => {},
    });
    await createReadyNode(cluster.client, 'n1');
    await heartbeat('n1');
    await runPod('web-1', 'n1');
    membership.set('n1', 'alive');
    const abort = new AbortController();
    const running = fast.run(abort.signal);
    try {
      await eventually(async () => assert.equal((await getNode('n1')).metadata.annotations?.[GOSSIP_STATE_ANNOTATION], 'alive'), cluster.clock, { stepMs: 0 });
      membership.set('n1', 'dead');
      await eventually(async () => assert.equal(readyOf(await getNode('n1')).status, 'Unknown'), cluster.clock, { stepMs: 0 });
      await advanceSeconds(31);
      await eventually(async () => assert.deepEqual(await podNames(), []), cluster.clock, { stepMs: 1000 });
    } finally {
      abort.abort();
      await running;
    }
  });

  it('a deleted node is forgotten, not an error', async () => {
    await createReadyNode(cluster.client, 'n1');
    await controller.reconcile('n1');
    await cluster.client.delete('nodes', undefined, 'n1');
    await controller.reconcile('n1');
  });
});
