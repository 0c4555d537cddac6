// A Deployment's minReadySeconds reaches its ReplicaSets (new ones, and the current one when it
// changes), so pods count as available only once ready that long, as in Kubernetes.
//
// covers: Deployment spec.minReadySeconds

import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';
import { startControllers } from '../../../daemon/controllers/controller-manager.js';
import { eventually, markPodsReady, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

const D = 'deployments.apps';
const RS = 'replicasets.apps';

describe('Deployment minReadySeconds (component, LocalClient + ManualClock)', function () {
  this.timeout(20_000);
  let cluster: ControllerCluster;
  let abort: AbortController;
  let running: Promise<void>;

  beforeEach(async () => {
    cluster = await startControllerCluster();
    abort = new AbortController();
    running = startControllers({ client: cluster.client, clock: cluster.clock, recorderFor: cluster.recorderFor, signal: abort.signal, onError: () => {} });
  });
  afterEach(async () => {
    abort.abort();
    await running;
    await cluster.close();
  });

  const replicaSets = async () => (await cluster.client.list<ReplicaSet>(RS, { namespace: 'default' })).items;

  it('is copied to the ReplicaSet, holds availability back for that long, and follows a change', async () => {
    await cluster.client.create<Deployment>(D, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'slow', namespace: 'default' },
      spec: { replicas: 1, minReadySeconds: 30, selector: { matchLabels: { app: 'slow' } }, template: { metadata: { labels: { app: 'slow' } }, spec: { containers: [{ name: 'web', image: 'hello:v1' }] } } },
    } as Deployment);
    const [rs] = await eventually(async () => {
      const list = await replicaSets();
      assert.equal(list.length, 1);
      assert.equal(list[0].status?.replicas, 1);
      return list;
    }, cluster.clock, { timeoutMs: 10_000 });
    assert.equal(rs.spec.minReadySeconds, 30);

    await markPodsReady(cluster.client, cluster.clock);
    await eventually(async () => assert.equal((await cluster.client.get<Deployment>(D, 'default', 'slow')).status?.readyReplicas, 1), cluster.clock, { timeoutMs: 10_000 });
    assert.equal((await cluster.client.get<Deployment>(D, 'default', 'slow')).status?.availableReplicas ?? 0, 0, 'ready for less than 30 s: not available yet');
    cluster.clock.advance(31_000);
    await eventually(async () => assert.equal((await cluster.client.get<Deployment>(D, 'default', 'slow')).status?.availableReplicas, 1), cluster.clock, { timeoutMs: 10_000 });

    const d = await cluster.client.get<Deployment>(D, 'default', 'slow');
    await cluster.client.update(D, { ...d, spec: { ...d.spec, minReadySeconds: 5 } });
    await eventually(async () => assert.equal((await replicaSets())[0].spec.minReadySeconds, 5), cluster.clock, { timeoutMs: 10_000 });
  });
});
