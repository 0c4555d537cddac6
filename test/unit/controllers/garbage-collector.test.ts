import assert from 'node:assert/strict';
import type { Pod, ReplicaSet } from '../../../lib/api/types.js';
import { GarbageCollector, judgeOwners } from '../../../daemon/controllers/garbage-collector/garbage-collector.js';
import { eventually, podsOf, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

describe('judgeOwners', () => {
  const cases: [number, number, string][] = [[0, 0, 'alive'], [1, 0, 'alive'], [1, 1, 'all-gone'], [2, 1, 'some-gone'], [2, 2, 'all-gone']];
  for (const [refs, gone, want] of cases) it(`${gone} of ${refs} owners gone → ${want}`, () => assert.equal(judgeOwners(refs, gone), want));
});

describe('GarbageCollector (component)', () => {
  let cluster: ControllerCluster;
  let abort: AbortController;
  let running: Promise<void> | undefined;

  beforeEach(async () => {
    cluster = await startControllerCluster();
    abort = new AbortController();
  });
  afterEach(async () => {
    abort.abort();
    await running;
    await cluster.close();
  });

  const rs = (name: string): ReplicaSet => ({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } },
  });
  const podOwnedBy = (name: string, owners: ReplicaSet[]): Pod => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', ownerReferences: owners.map((o, i) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.metadata.name!, uid: o.metadata.uid!, controller: i === 0 })) },
    spec: { containers: [{ name: 'c', image: 'busybox:1' }] },
  });

  it('after a restart, collects a dependent whose owner was deleted and re-created under the same name', async () => {
    const owner = await cluster.client.create<ReplicaSet>('replicasets.apps', rs('web'));
    const second = await cluster.client.create<ReplicaSet>('replicasets.apps', rs('other'));
    await cluster.client.create<Pod>('pods', podOwnedBy('orphaned', [owner]));
    await cluster.client.create<Pod>('pods', podOwnedBy('shared', [owner, second]));
    // While no collector runs: the owner goes, a namesake with a new uid appears.
    await cluster.client.delete('replicasets.apps', 'default', 'web');
    await cluster.client.create<ReplicaSet>('replicasets.apps', rs('web'));

    running = new GarbageCollector({ client: cluster.client, clock: cluster.clock, onError: () => {} }).run(abort.signal);
    await eventually(async () => {
      const pods = await podsOf(cluster.client);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['shared']);
      assert.deepEqual(pods[0].metadata.ownerReferences?.map((r) => r.uid), [second.metadata.uid], 'only the gone owner is forgotten');
    }, cluster.clock);
  });

  it('deletes in the foreground: the owner stays, marked, until its dependents are gone, then goes', async () => {
    const owner = await cluster.client.create<ReplicaSet>('replicasets.apps', rs('fg'));
    const blocking = podOwnedBy('blocking', [owner]);
    blocking.metadata.ownerReferences![0]!.blockOwnerDeletion = true;
    await cluster.client.create<Pod>('pods', blocking);
    await cluster.client.create<Pod>('pods', podOwnedBy('plain', [owner]));
    await cluster.client.delete('replicasets.apps', 'default', 'fg', { propagationPolicy: 'Foreground' });
    const marked = await cluster.client.get<ReplicaSet>('replicasets.apps', 'default', 'fg');
    assert.ok(marked.metadata.deletionTimestamp);
    assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);

    running = new GarbageCollector({ client: cluster.client, clock: cluster.clock, onError: () => {} }).run(abort.signal);
    await eventually(async () => {
      assert.deepEqual(await podsOf(cluster.client), []);
      await assert.rejects(cluster.client.get('replicasets.apps', 'default', 'fg'), { code: 404 });
    }, cluster.clock);
  });
});
