// Storage that outlives pods, on a real kubelabd and the real Docker Engine: the default
// local-path class makes a directory on the node of a claim's first pod; what one pod writes,
// the next pod of the claim reads; a claim in use is not removed until its pod is; Delete
// reclaim removes the directory, Retain keeps it; a pod whose claim is missing or unbound stays
// Pending and says why; static hostPath volumes bind by Kubernetes' rules.
//
// covers: PersistentVolumeClaim spec.accessModes, spec.resources.requests, spec.storageClassName, spec.volumeName
// covers: PersistentVolume spec.hostPath, spec.persistentVolumeReclaimPolicy, spec.nodeAffinity, spec.claimRef
// covers: StorageClass provisioner, reclaimPolicy, volumeBindingMode
// covers: Pod spec.volumes.persistentVolumeClaim.claimName, spec.volumes.persistentVolumeClaim.readOnly

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';
import type { Event, KubeObject, Pod } from '../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../lib/api/storage-types.js';

const BYTES = `kept-across-pods-${Date.now()}`;

const claim = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } }, ...extra },
});
const pod = (name: string, claimName: string, script: string, options: { restartPolicy?: string; readOnly?: boolean } = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: {
    restartPolicy: options.restartPolicy ?? 'Never',
    terminationGracePeriodSeconds: 2,
    containers: [{ name: 'app', image: 'kubelab/busybox:1', command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName, ...(options.readOnly ? { readOnly: true } : {}) } }],
  },
});
const LONG_RUNNING = "trap 'exit 0' TERM; while :; do sleep 1; done";

describe('storage: claims, volumes and the local-path provisioner (real kubelabd)', function () {
  this.timeout(300_000);
  let daemon: TestDaemon;

  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    // Everything the tests made (pods, claims, volumes and their directories) lives in the daemon's data dir and containers.
    await daemon?.cleanup();
  });

  const create = async (obj: object) => {
    const result = await daemon.kubelab(['create', '-f', '-'], { input: JSON.stringify(obj) });
    assert.equal(result.code, 0, result.stderr);
  };
  const get = async <T extends KubeObject>(resource: string, name: string): Promise<T | undefined> => {
    const result = await daemon.kubelab(['get', resource, name, '-o', 'json']);
    return result.code === 0 ? (JSON.parse(result.stdout) as T) : undefined;
  };
  const podPhase = async (name: string) => (await get<Pod>('pod', name))?.status?.phase;
  const eventsOf = async (name: string): Promise<Event[]> => {
    const list = JSON.parse((await daemon.kubelab(['get', 'events', '-o', 'json'])).stdout) as { items: Event[] };
    return list.items.filter((e) => e.involvedObject?.name === name);
  };
  const logsOf = async (name: string) => (await daemon.kubelab(['logs', name])).stdout.trim();
  const deleteAll = async (kind: string, ...names: string[]) => {
    for (const name of names) await daemon.kubelab(['delete', kind, name, '--ignore-not-found', '--wait=false']);
  };

  it('has the default local-path StorageClass, as k3s does', async () => {
    const result = await daemon.kubelab(['get', 'sc']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^local-path \(default\)\s+kubelab\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/m);
  });

  it('a pod writes to a claim, is deleted, and a new pod reads the same bytes; the volume lives under the node data dir', async () => {
    await create(claim('data'));
    // WaitForFirstConsumer: no pod yet, no volume yet.
    await eventually(async () => (await eventsOf('data')).some((e) => e.reason === 'WaitForFirstConsumer'), 30_000);
    assert.equal((await get<PersistentVolumeClaim>('pvc', 'data'))?.status?.phase, 'Pending');

    await create(pod('writer', 'data', `echo -n ${BYTES} > /data/file && sync`));
    await eventually(async () => (await podPhase('writer')) === 'Succeeded', 90_000);

    const bound = (await get<PersistentVolumeClaim>('pvc', 'data'))!;
    assert.equal(bound.status?.phase, 'Bound');
    assert.equal(bound.spec.storageClassName, 'local-path');
    assert.equal(bound.metadata.annotations?.['volume.kubernetes.io/selected-node'], daemon.nodeName);
    const volume = (await get<PersistentVolume>('pv', bound.spec.volumeName!))!;
    assert.equal(volume.status?.phase, 'Bound');
    assert.deepEqual(volume.spec.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions, [{ key: 'kubernetes.io/hostname', operator: 'In', values: [daemon.nodeName] }]);
    const directory = volume.spec.hostPath!.path;
    assert.ok(directory.startsWith(path.join(daemon.dataDir, 'storage') + '/'), directory);
    assert.equal(await fs.readFile(path.join(directory, 'file'), 'utf8'), BYTES);
    const table = await daemon.kubelab(['get', 'pvc', 'data']);
    assert.match(table.stdout, new RegExp(`^data\\s+Bound\\s+${volume.metadata.name}\\s+64Mi\\s+RWO\\s+local-path`, 'm'));

    await daemon.kubelab(['delete', 'pod', 'writer']);
    await create(pod('reader', 'data', 'cat /data/file'));
    await eventually(async () => (await podPhase('reader')) === 'Succeeded', 90_000);
    assert.equal(await logsOf('reader'), BYTES);
    await daemon.kubelab(['delete', 'pod', 'reader']);
  });

  it('readOnly on the claim volume makes the mount read-only', async () => {
    await create(pod('read-only', 'data', 'cat /data/file; (echo x > /data/other) 2>/dev/null && echo WROTE || echo REFUSED', { readOnly: true }));
    await eventually(async () => (await podPhase('read-only')) === 'Succeeded', 90_000);
    assert.equal(await logsOf('read-only'), `${BYTES}REFUSED`);
    await daemon.kubelab(['delete', 'pod', 'read-only']);
  });

  it('a claim in use stays Terminating until its pod is gone; then Delete reclaim removes the directory', async () => {
    const volumeName = (await get<PersistentVolumeClaim>('pvc', 'data'))!.spec.volumeName!;
    const directory = (await get<PersistentVolume>('pv', volumeName))!.spec.hostPath!.path;
    await create(pod('user', 'data', LONG_RUNNING, { restartPolicy: 'Always' }));
    await eventually(async () => (await podPhase('user')) === 'Running', 90_000);

    const deleted = await daemon.kubelab(['delete', 'pvc', 'data', '--wait=false']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const terminating = (await get<PersistentVolumeClaim>('pvc', 'data'))!;
    assert.ok(terminating.metadata.deletionTimestamp);
    assert.deepEqual(terminating.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    assert.match((await daemon.kubelab(['get', 'pvc', 'data'])).stdout, /^data\s+Terminating/m);
    // Still there a while later: the pod still uses it.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.ok(await get('pvc', 'data'), 'the claim must outlive the delete while its pod runs');
    await fs.access(directory);

    await daemon.kubelab(['delete', 'pod', 'user']);
    await eventually(async () => !(await get('pvc', 'data')), 60_000);
    await eventually(async () => !(await get('pv', volumeName)), 60_000);
    await eventually(async () => !(await fs.stat(directory).catch(() => undefined)), 30_000);
  });

  it('Retain keeps the directory and the volume goes Released', async () => {
    await create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-retain' }, provisioner: 'kubelab.io/local-path', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    await create(claim('kept', { storageClassName: 'local-retain' }));
    await create(pod('keeper', 'kept', `echo -n ${BYTES} > /data/file`));
    await eventually(async () => (await podPhase('keeper')) === 'Succeeded', 90_000);
    const volumeName = (await get<PersistentVolumeClaim>('pvc', 'kept'))!.spec.volumeName!;
    const volume = (await get<PersistentVolume>('pv', volumeName))!;
    assert.equal(volume.spec.persistentVolumeReclaimPolicy, 'Retain');
    await daemon.kubelab(['delete', 'pod', 'keeper']);
    await daemon.kubelab(['delete', 'pvc', 'kept']);
    await eventually(async () => (await get<PersistentVolume>('pv', volumeName))?.status?.phase === 'Released', 60_000);
    assert.match((await daemon.kubelab(['get', 'pv', volumeName])).stdout, new RegExp(`^${volumeName}\\s+64Mi\\s+RWO\\s+Retain\\s+Released\\s+default/kept\\s+local-retain`, 'm'));
    assert.equal(await fs.readFile(path.join(volume.spec.hostPath!.path, 'file'), 'utf8'), BYTES);
    // Clean up: the admin's job with Retain (the directory goes with the daemon's data dir).
    await daemon.kubelab(['delete', 'pv', volumeName]);
    await deleteAll('sc', 'local-retain');
  });

  it('a pod whose claim is missing or unbound stays Pending and says why', async () => {
    await create(pod('orphan', 'missing', 'true'));
    await eventually(async () => (await eventsOf('orphan')).some((e) => e.reason === 'FailedScheduling' && e.message === '0/1 nodes are available: persistentvolumeclaim "missing" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.'), 30_000);
    assert.equal(await podPhase('orphan'), 'Pending');

    await create(claim('unbound', { storageClassName: '' }));
    await create(pod('waits', 'unbound', 'true'));
    await eventually(async () => (await eventsOf('waits')).some((e) => e.reason === 'FailedScheduling' && e.message === '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.'), 30_000);
    await eventually(async () => (await eventsOf('unbound')).some((e) => e.message === 'no persistent volumes available for this claim and no storage class is set'), 30_000);
    assert.equal(await podPhase('waits'), 'Pending');

    // A static hostPath volume that fits: the claim binds and the waiting pod runs.
    const directory = path.join(daemon.dataDir, 'static-volume');
    await fs.mkdir(directory);
    await fs.writeFile(path.join(directory, 'file'), 'static');
    await create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'static-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: directory } } });
    await eventually(async () => (await podPhase('waits')) === 'Succeeded', 90_000);
    const pv = (await get<PersistentVolume>('pv', 'static-pv'))!;
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(pv.spec.claimRef?.name, 'unbound');
    await deleteAll('pod', 'orphan', 'waits');
    await daemon.kubelab(['delete', 'pvc', 'unbound']);
    await eventually(async () => (await get<PersistentVolume>('pv', 'static-pv'))?.status?.phase === 'Released', 60_000);
    await daemon.kubelab(['delete', 'pv', 'static-pv']);
    assert.equal(await fs.readFile(path.join(directory, 'file'), 'utf8'), 'static', 'Retain (the default of a volume made by hand) never touches the data');
  });

  it('refuses a pod volume type kubelab cannot mount with a 422 naming the field', async () => {
    const result = await daemon.kubelab(['create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nfs' }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }], volumes: [{ name: 'v', nfs: { server: '127.0.0.1', path: '/' } }] } }),
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /spec\.volumes\[0\]\.nfs: Forbidden: kubelab does not support this field \(nfs volumes are not mounted/);
  });
});
