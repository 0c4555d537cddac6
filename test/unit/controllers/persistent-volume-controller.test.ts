// The PersistentVolume binder and the protection controller against the real registry and store
// (in memory), through LocalClient: provisioning on the selected node, binding both halves,
// Released after the claim goes, the protection finalizer held while a pod uses the claim.

import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import type { Node, Pod } from '../../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../lib/api/storage-types.js';
import { systemClock } from '../../../lib/clock.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { PersistentVolumeController } from '../../../daemon/controllers/volume-binding/persistent-volume-controller.js';
import { StorageProtectionController } from '../../../daemon/controllers/volume-binding/protection-controller.js';
import { EventRecorder } from '../../../daemon/events/event-recorder.js';
import { ensureDefaultStorageClass } from '../../../daemon/storage/default-storage-class.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';
import { untilPasses } from '../../helpers/until-passes.js';

describe('PersistentVolumeController and StorageProtectionController', () => {
  let store: NedbObjectStore;
  let client: LocalClient;
  let abort: AbortController;

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    await ensureDefaultStorageClass(registry);
    client = new LocalClient(registry);
    abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const recorder = new EventRecorder(client, { component: 'test' }, systemClock);
    const options = { client, clock: systemClock, recorder, resyncPeriodMs: 500, onError: () => {} };
    void new PersistentVolumeController(options).run(abort.signal);
    void new StorageProtectionController(options).run(abort.signal);
    await client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' }, annotations: { 'kubelab.io/data-dir': '/var/lib/kubelab-n1' } }, spec: {} } as Node);
  });
  afterEach(async () => {
    abort.abort();
    await store.close();
  });

  const claim = (name: string) => client.create<PersistentVolumeClaim>('persistentvolumeclaims', {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  } as PersistentVolumeClaim);
  const getClaim = (name: string) => client.get<PersistentVolumeClaim>('persistentvolumeclaims', 'default', name);

  it('gives the default class, waits for a node, provisions there, binds both halves; Released once the claim goes', async () => {
    await claim('data');
    await untilPasses(async () => assert.equal((await getClaim('data')).spec.storageClassName, 'local-path'), 5000, 50);
    await client.patch('persistentvolumeclaims', 'default', 'data', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } } }, 'merge');
    let bound!: PersistentVolumeClaim;
    await untilPasses(async () => {
      bound = await getClaim('data');
      assert.equal(bound.status?.phase, 'Bound');
    }, 5000, 50);
    assert.deepEqual(bound.status?.capacity, { storage: '1Gi' });
    const volume = await client.get<PersistentVolume>('persistentvolumes', undefined, bound.spec.volumeName!);
    assert.equal(volume.status?.phase, 'Bound');
    assert.equal(volume.spec.claimRef?.uid, bound.metadata.uid);
    assert.equal(volume.spec.hostPath?.path, `/var/lib/kubelab-n1/storage/${volume.metadata.name}_default_data`);

    // A pod uses the claim: a delete leaves it Terminating until the pod is gone.
    const pod = await client.create<Pod>('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } } as Pod);
    await client.delete('persistentvolumeclaims', 'default', 'data');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.ok((await getClaim('data')).metadata.deletionTimestamp);
    await client.delete('pods', 'default', pod.metadata.name!, { gracePeriodSeconds: 0 });
    await untilPasses(async () => assert.rejects(getClaim('data'), /not found/), 5000, 50);
    await untilPasses(async () => assert.equal((await client.get<PersistentVolume>('persistentvolumes', undefined, volume.metadata.name!)).status?.phase, 'Released'), 5000, 50);
  });
});
