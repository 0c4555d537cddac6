// The storage kinds through the API server's registry: defaults, protection finalizers, the 422s
// for what kubelab cannot honour, discovery and kubectl's columns.

import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../lib/api/storage-types.js';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { apiResourceList } from '../../daemon/api/discovery.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { toTable } from '../../lib/printers/tables.js';
import { resolveResourceName } from '../../lib/api/resources.js';
import { errorMessage } from '../../lib/errors.js';

// covers: PersistentVolume spec.capacity, spec.accessModes, spec.persistentVolumeReclaimPolicy, spec.volumeMode
// covers: PersistentVolumeClaim spec.volumeMode, spec.resources.requests
// covers: StorageClass parameters, reclaimPolicy

const ctx = internalContext;
const pv = (name: string, spec: Record<string, unknown> = {}): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' }, ...spec },
} as PersistentVolume);
const pvc = (name: string, spec: Record<string, unknown> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
} as PersistentVolumeClaim);
const sc = (name: string, extra: Record<string, unknown> = {}): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'kubelab.io/local-path', ...extra,
} as StorageClass);

describe('storage kinds: PersistentVolume, PersistentVolumeClaim, StorageClass in the API', () => {
  let store: NedbObjectStore;
  let registry: ResourceRegistry;

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    registry = new ResourceRegistry({ store, clock: () => new Date('2025-01-01T00:00:00Z') });
    await registry.ensureSystemNamespaces();
  });
  afterEach(() => store.close());

  it('a new volume and claim are Pending, defaulted, and carry their protection finalizers', async () => {
    const volume = (await registry.create('persistentvolumes', undefined, pv('v1'), ctx())) as PersistentVolume;
    assert.equal(volume.status?.phase, 'Pending');
    assert.equal(volume.spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(volume.spec.volumeMode, 'Filesystem');
    assert.deepEqual(volume.metadata.finalizers, ['kubernetes.io/pv-protection']);
    const claim = (await registry.create('persistentvolumeclaims', 'default', pvc('c'), ctx())) as PersistentVolumeClaim;
    assert.equal(claim.status?.phase, 'Pending');
    assert.deepEqual(claim.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const cls = (await registry.create('storageclasses.storage.k8s.io', undefined, sc('fast'), ctx())) as StorageClass;
    assert.equal(cls.reclaimPolicy, 'Delete');
    assert.equal(cls.volumeBindingMode, 'Immediate');
  });

  it('DELETE of a protected claim only marks it Terminating until the finalizer goes', async () => {
    await registry.create('persistentvolumeclaims', 'default', pvc('c'), ctx());
    const marked = await registry.delete('persistentvolumeclaims', 'default', 'c', {}, ctx());
    assert.ok(marked.metadata.deletionTimestamp);
    const row = toTable('persistentvolumeclaims', [marked], { now: new Date('2025-01-01T00:00:10Z'), includeObject: 'None' }).rows[0].cells;
    assert.equal(row[1], 'Terminating');
    await registry.update('persistentvolumeclaims', 'default', 'c', { ...marked, metadata: { ...marked.metadata, finalizers: [] } }, ctx());
    await assert.rejects(registry.get('persistentvolumeclaims', 'default', 'c', ctx()), /not found/);
  });

  const refused: { name: string; resource: string; obj: KubeObject; field: RegExp }[] = [
    { name: 'an NFS volume', resource: 'persistentvolumes', obj: pv('n', { hostPath: undefined, nfs: { server: 'x', path: '/' } }), field: /spec\.nfs: Forbidden: kubelab does not support this field \(nfs volumes are not mounted/ },
    { name: 'a CSI volume', resource: 'persistentvolumes', obj: pv('n', { hostPath: undefined, csi: { driver: 'x' } }), field: /spec\.csi: Forbidden/ },
    { name: 'a volume without a source', resource: 'persistentvolumes', obj: pv('n', { hostPath: undefined }), field: /spec: Required value: must specify a volume type/ },
    { name: 'Recycle', resource: 'persistentvolumes', obj: pv('n', { persistentVolumeReclaimPolicy: 'Recycle' }), field: /spec\.persistentVolumeReclaimPolicy: Forbidden/ },
    { name: 'mount options', resource: 'persistentvolumes', obj: pv('n', { mountOptions: ['ro'] }), field: /spec\.mountOptions: Forbidden/ },
    { name: 'a block volume', resource: 'persistentvolumes', obj: pv('n', { volumeMode: 'Block' }), field: /spec\.volumeMode: Forbidden: kubelab does not support raw block volumes/ },
    { name: 'a local volume without node affinity', resource: 'persistentvolumes', obj: pv('n', { hostPath: undefined, local: { path: '/tmp/x' } }), field: /spec\.nodeAffinity: Required value: Local volume requires node affinity/ },
    { name: 'a local volume with fsType', resource: 'persistentvolumes', obj: pv('n', { hostPath: undefined, local: { path: '/tmp/x', fsType: 'ext4' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } }), field: /spec\.local\.fsType: Forbidden/ },
    { name: 'a volume without capacity', resource: 'persistentvolumes', obj: pv('n', { capacity: undefined }), field: /spec\.capacity\[storage\]: Required value/ },
    { name: 'a volume attributes class', resource: 'persistentvolumes', obj: pv('n', { volumeAttributesClassName: 'x' }), field: /spec\.volumeAttributesClassName: Forbidden/ },
    { name: 'a claim without access modes', resource: 'persistentvolumeclaims', obj: pvc('n', { accessModes: [] }), field: /spec\.accessModes: Required value/ },
    { name: 'a claim without a size', resource: 'persistentvolumeclaims', obj: pvc('n', { resources: {} }), field: /spec\.resources\[storage\]: Required value/ },
    { name: 'a claim from a data source', resource: 'persistentvolumeclaims', obj: pvc('n', { dataSource: { kind: 'PersistentVolumeClaim', name: 'x' } }), field: /spec\.dataSource: Forbidden/ },
    { name: 'a block claim', resource: 'persistentvolumeclaims', obj: pvc('n', { volumeMode: 'Block' }), field: /spec\.volumeMode: Forbidden/ },
    { name: 'a class with mount options', resource: 'storageclasses.storage.k8s.io', obj: sc('n', { mountOptions: ['ro'] }), field: /mountOptions: Forbidden/ },
    { name: 'a class with allowed topologies', resource: 'storageclasses.storage.k8s.io', obj: sc('n', { allowedTopologies: [{}] }), field: /allowedTopologies: Forbidden/ },
    { name: 'a class that allows expansion', resource: 'storageclasses.storage.k8s.io', obj: sc('n', { allowVolumeExpansion: true }), field: /allowVolumeExpansion: Forbidden/ },
    { name: 'local-path parameters', resource: 'storageclasses.storage.k8s.io', obj: sc('n', { parameters: { nodePath: '/x' } }), field: /parameters\[nodePath\]: Forbidden/ },
    { name: 'a class with Recycle', resource: 'storageclasses.storage.k8s.io', obj: sc('n', { reclaimPolicy: 'Recycle' }), field: /reclaimPolicy: Forbidden/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with a 422 naming the field`, async () => {
      await assert.rejects(registry.create(c.resource, c.obj.metadata.namespace, c.obj, ctx()), (err: Error & { code?: number }) => {
        assert.equal(err.code, 422, errorMessage(err));
        assert.match(JSON.stringify((err as unknown as { details?: unknown }).details ?? errorMessage(err)) + errorMessage(err), c.field);
        return true;
      });
    });
  }

  it('refuses a pod volume type the kubelet cannot mount, naming the field (never an emptyDir in its place)', async () => {
    const pod = (volume: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', ...volume }] } }) as KubeObject;
    for (const [source, body] of [['nfs', { server: 'x', path: '/' }], ['image', { reference: 'x' }], ['csi', { driver: 'x' }], ['ephemeral', {}]] as const) {
      await assert.rejects(registry.create('pods', 'default', pod({ [source]: body }), ctx()), (err: Error & { code?: number }) => {
        assert.equal(err.code, 422);
        assert.match(JSON.stringify(err), new RegExp(`spec\\.volumes\\[0\\]\\.${source}`));
        assert.match(JSON.stringify(err), new RegExp(`kubelab does not support this field \\(${source} volumes are not mounted`));
        return true;
      });
    }
    await registry.create('pods', 'default', pod({ persistentVolumeClaim: { claimName: 'data' } }), ctx());
  });

  it('a claim spec is immutable, except volumeName and a default class filled in once', async () => {
    const claim = (await registry.create('persistentvolumeclaims', 'default', pvc('c'), ctx())) as PersistentVolumeClaim;
    const bound = await registry.update('persistentvolumeclaims', 'default', 'c', { ...claim, spec: { ...claim.spec, volumeName: 'v', storageClassName: 'local-path' } }, ctx());
    await assert.rejects(
      registry.update('persistentvolumeclaims', 'default', 'c', { ...bound, spec: { ...(bound as PersistentVolumeClaim).spec, resources: { requests: { storage: '2Gi' } } } } as KubeObject, ctx()),
      /spec is immutable after creation/,
    );
  });

  it('is served with kubectl short names and status subresources', () => {
    assert.equal(resolveResourceName('pvc')?.kind, 'PersistentVolumeClaim');
    assert.equal(resolveResourceName('pv')?.kind, 'PersistentVolume');
    assert.equal(resolveResourceName('sc')?.group, 'storage.k8s.io');
    const core = apiResourceList('', 'v1') as { resources: { name: string }[] };
    assert.ok(core.resources.some((r) => r.name === 'persistentvolumeclaims/status'));
    const storage = apiResourceList('storage.k8s.io', 'v1') as { resources: { name: string }[] };
    assert.deepEqual(storage.resources.map((r) => r.name), ['storageclasses']);
  });

  it('prints kubectl get pv,pvc,sc columns', () => {
    const now = new Date('2025-01-01T00:01:00Z');
    const created = '2025-01-01T00:00:00Z';
    const volume = { ...pv('pvc-1', { persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local-path', claimRef: { namespace: 'default', name: 'data' }, volumeMode: 'Filesystem' }), status: { phase: 'Bound' } } as PersistentVolume;
    volume.metadata.creationTimestamp = created;
    const pvTable = toTable('persistentvolumes', [volume], { now, includeObject: 'None' });
    assert.deepEqual(pvTable.columnDefinitions.map((c) => c.name), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode']);
    assert.deepEqual(pvTable.rows[0].cells, ['pvc-1', '1Gi', 'RWO', 'Delete', 'Bound', 'default/data', 'local-path', '<unset>', '', '60s', 'Filesystem']);
    const claim = { ...pvc('data', { volumeName: 'pvc-1', storageClassName: 'local-path', volumeMode: 'Filesystem' }), status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } } as PersistentVolumeClaim;
    claim.metadata.creationTimestamp = created;
    const pvcTable = toTable('persistentvolumeclaims', [claim], { now, includeObject: 'None' });
    assert.deepEqual(pvcTable.columnDefinitions.map((c) => c.name), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
    assert.deepEqual(pvcTable.rows[0].cells, ['data', 'Bound', 'pvc-1', '1Gi', 'RWO', 'local-path', '<unset>', '60s', 'Filesystem']);
    const cls = sc('local-path', { reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' });
    cls.metadata.annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
    cls.metadata.creationTimestamp = created;
    const scTable = toTable('storageclasses.storage.k8s.io', [cls], { now, includeObject: 'None' });
    assert.deepEqual(scTable.columnDefinitions.map((c) => c.name), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    assert.deepEqual(scTable.rows[0].cells, ['local-path (default)', 'kubelab.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '60s']);
  });
});
