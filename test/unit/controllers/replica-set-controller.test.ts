import assert from 'node:assert/strict';
import type { Event, Pod, ReplicaSet, ReplicationController } from '../../../lib/api/types.js';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, ReplicaSetController } from '../../../daemon/controllers/replicaset/replica-set-controller.js';
import { controllerOf } from '../../../daemon/controllers/controller-ref.js';
import { eventually, markPodsReady, podsOf, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

const podTemplate = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'kubelab/busybox:1' }] } });

describe('ReplicaSetController (component, LocalClient + ManualClock)', () => {
  let cluster: ControllerCluster;
  let abort: AbortController;
  let running: Promise<void>;

  async function start(kind = REPLICATION_CONTROLLER_KIND) {
    const controller = new ReplicaSetController(kind, { client: cluster.client, clock: cluster.clock, recorder: cluster.recorderFor(kind.component), onError: () => {} });
    running = controller.run(abort.signal);
    return controller;
  }

  beforeEach(async () => {
    cluster = await startControllerCluster();
    abort = new AbortController();
  });
  afterEach(async () => {
    abort.abort();
    await running;
    await cluster.close();
  });

  it('a ReplicationController keeps 2 replicas when one pod is deleted', async () => {
    await start();
    await cluster.client.create<ReplicationController>('replicationcontrollers', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 2, selector: { app: 'web' }, template: podTemplate({ app: 'web' }) },
    });
    const first = await eventually(async () => {
      const pods = await podsOf(cluster.client);
      assert.equal(pods.length, 2);
      return pods;
    }, cluster.clock);
    for (const pod of first) {
      assert.match(pod.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(controllerOf(pod), { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: controllerOf(pod)!.uid, controller: true, blockOwnerDeletion: true });
    }
    await markPodsReady(cluster.client, cluster.clock);
    await cluster.client.delete('pods', 'default', first[0].metadata.name!);
    await eventually(async () => {
      const pods = await podsOf(cluster.client);
      assert.equal(pods.length, 2);
      assert.ok(!pods.some((p) => p.metadata.name === first[0].metadata.name));
    }, cluster.clock);
    await markPodsReady(cluster.client, cluster.clock);
    await eventually(async () => {
      const rc = await cluster.client.get<ReplicationController>('replicationcontrollers', 'default', 'web');
      assert.deepEqual(rc.status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    }, cluster.clock);
    const events = (await cluster.client.list<Event>('events', { namespace: 'default' })).items;
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: web-/.test(e.message ?? '')));
  });

  it('scales 2 → 5 → 1, deleting the not-ready pods first', async () => {
    await start();
    await cluster.client.create<ReplicationController>('replicationcontrollers', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 2, selector: { app: 'web' }, template: podTemplate({ app: 'web' }) },
    });
    await eventually(async () => assert.equal((await podsOf(cluster.client)).length, 2), cluster.clock);
    await markPodsReady(cluster.client, cluster.clock);
    const readyNames = new Set((await podsOf(cluster.client)).map((p) => p.metadata.name));

    await cluster.client.patch('replicationcontrollers', 'default', 'web', { spec: { replicas: 5 } }, 'merge', { subresource: 'scale' });
    await eventually(async () => assert.equal((await podsOf(cluster.client)).length, 5), cluster.clock);

    await cluster.client.patch('replicationcontrollers', 'default', 'web', { spec: { replicas: 1 } }, 'merge', { subresource: 'scale' });
    const left = await eventually(async () => {
      const pods = await podsOf(cluster.client);
      assert.equal(pods.length, 1);
      return pods;
    }, cluster.clock);
    assert.ok(readyNames.has(left[0].metadata.name), 'the survivor is one of the ready pods');
    const rc = await eventually(async () => {
      const current = await cluster.client.get<ReplicationController>('replicationcontrollers', 'default', 'web');
      assert.equal(current.status?.replicas, 1);
      return current;
    }, cluster.clock);
    assert.equal(rc.status?.observedGeneration, rc.metadata.generation);
    const events = (await cluster.client.list<Event>('events', { namespace: 'default' })).items;
    assert.equal(events.filter((e) => e.reason === 'SuccessfulDelete').reduce((n, e) => n + (e.count ?? 1), 0), 4);
  });

  it('a ReplicaSet with a set-based selector adopts a matching orphan and releases a relabelled pod', async () => {
    const orphan = await cluster.client.create<Pod>('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default', labels: { tier: 'fe' } }, spec: podTemplate({}).spec });
    await start(REPLICA_SET_KIND);
    const rs = await cluster.client.create<ReplicaSet>('replicasets.apps', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'fe', namespace: 'default' },
      spec: { replicas: 2, selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'frontend'] }] }, template: podTemplate({ tier: 'frontend' }) },
    });
    const pods = await eventually(async () => {
      const all = await podsOf(cluster.client);
      assert.equal(all.length, 2, 'the orphan counts as one of the two');
      assert.ok(all.every((p) => controllerOf(p)?.uid === rs.metadata.uid));
      return all;
    }, cluster.clock);
    assert.ok(pods.some((p) => p.metadata.uid === orphan.metadata.uid));

    // Take the adopted pod out of service by relabelling it: released, and replaced.
    const adopted = await cluster.client.get<Pod>('pods', 'default', 'orphan');
    await cluster.client.update<Pod>('pods', { ...adopted, metadata: { ...adopted.metadata, labels: { tier: 'debug' } } });
    await eventually(async () => {
      const all = await podsOf(cluster.client);
      const released = all.find((p) => p.metadata.name === 'orphan');
      assert.equal(controllerOf(released!), undefined);
      assert.equal(all.filter((p) => controllerOf(p)?.uid === rs.metadata.uid).length, 2);
    }, cluster.clock);
  });
});
