// The pod storm of issue 12 (a Deployment of 2147483648 replicas made 11,013 pods): one sync of
// a ReplicaSet or ReplicationController creates at most BURST_REPLICAS (500) pods, in slow-start
// batches that stop at the first failure.

import assert from 'node:assert/strict';
import type { ApiClient } from '../../../lib/client/api-client.js';
import type { ReplicationController } from '../../../lib/api/types.js';
import { REPLICATION_CONTROLLER_KIND, ReplicaSetController } from '../../../daemon/controllers/replicaset/replica-set-controller.js';
import { podsOf, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

/** The cluster's client, except that pod creations fail after `okCreates` of them (a quota, say); counts the calls. */
function podCreatesFailingAfter(client: ApiClient, okCreates: number): { client: ApiClient; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'create') return Reflect.get(target, property, receiver);
      return async (resource: string, obj: any, ...rest: unknown[]) => {
        if (resource === 'pods') {
          calls += 1;
          if (calls > okCreates) throw new Error('exceeded quota: pods');
        }
        return (target.create as any)(resource, obj, ...rest);
      };
    },
  });
  return { client: wrapped, calls: () => calls };
}

describe('ReplicaSetController burst and slow start', function () {
  this.timeout(60_000);
  let cluster: ControllerCluster;
  beforeEach(async () => {
    cluster = await startControllerCluster();
  });
  afterEach(() => cluster.close());

  const createRc = (replicas: number) =>
    cluster.client.create<ReplicationController>('replicationcontrollers', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'storm', namespace: 'default' },
      spec: { replicas, selector: { app: 'storm' }, template: { metadata: { labels: { app: 'storm' } }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } } },
    });

  const cases: { name: string; replicas: number; okCreates: number; burst: number; calls: number; pods: number; failed: boolean }[] = [
    { name: 'creates at most the burst in one sync', replicas: 50, okCreates: Infinity, burst: 20, calls: 20, pods: 20, failed: false },
    { name: 'stops at the first failing batch (quota after 5: batches 1, 2, 4)', replicas: 50, okCreates: 5, burst: 500, calls: 7, pods: 5, failed: true },
    { name: 'a template that always fails costs one call per sync', replicas: 1000, okCreates: 0, burst: 500, calls: 1, pods: 0, failed: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await createRc(c.replicas);
      const { client, calls } = podCreatesFailingAfter(cluster.client, c.okCreates);
      const controller = new ReplicaSetController(
        REPLICATION_CONTROLLER_KIND,
        { client, clock: cluster.clock, recorder: cluster.recorderFor('replication-controller'), onError: () => {} },
        c.burst,
      );
      await assert.doesNotReject(async () => {
        try {
          await controller.reconcile('default/storm');
          assert.equal(c.failed, false, 'the sync was expected to fail');
        } catch (error) {
          assert.equal(c.failed, true, `unexpected failure: ${String(error)}`);
        }
      });
      assert.equal(calls(), c.calls);
      assert.equal((await podsOf(cluster.client)).length, c.pods);
      const rc = await cluster.client.get<ReplicationController>('replicationcontrollers', 'default', 'storm');
      assert.equal(rc.status?.replicas, c.pods, 'status counts what exists');
      if (c.failed) assert.match(JSON.stringify(rc.status?.conditions), /ReplicaFailure.*exceeded quota/);
    });
  }

  it('with the default burst (500) one sync of replicas 2147483647 creates 500 pods, no more', async () => {
    await createRc(2147483647);
    const { client, calls } = podCreatesFailingAfter(cluster.client, Infinity);
    const controller = new ReplicaSetController(REPLICATION_CONTROLLER_KIND, { client, clock: cluster.clock, recorder: cluster.recorderFor('replication-controller'), onError: () => {} });
    await controller.reconcile('default/storm');
    assert.equal(calls(), 500);
    assert.equal((await podsOf(cluster.client)).length, 500);
  });
});
