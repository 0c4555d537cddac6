// covers: Pod spec.volumes.hostPath.path, spec.volumes.hostPath.type, spec.volumes.secret.items.key, spec.volumes.secret.items.path, spec.volumes.secret.items.mode, spec.volumes.secret.defaultMode, spec.volumes.secret.optional
// covers: Pod spec.volumes.configMap.name, spec.volumes.configMap.items, spec.volumes.configMap.defaultMode, spec.volumes.configMap.optional, spec.containers.volumeMounts.readOnly
// covers: Pod spec.containers.env.value, spec.containers.env.valueFrom.secretKeyRef.optional
// covers: ConfigMap data

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import { ContainerConfigError, VolumeManager } from '../../daemon/kubelet/volumes.js';
import { newTestCluster, type TestCluster } from '../helpers/test-cluster.js';
import { FakeTmpfs } from '../fakes/fake-tmpfs.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function newPod(spec: Partial<Pod['spec']>): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'i' }], ...spec },
  };
}

describe('VolumeManager', () => {
  let dataDir: string;
  let cluster: TestCluster;
  let volumes: VolumeManager;
  let tmpfs: FakeTmpfs;

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-volumes-'));
    cluster = await newTestCluster();
    const { client } = cluster;
    tmpfs = new FakeTmpfs();
    volumes = new VolumeManager(client, dataDir, tmpfs);
    await client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, data: { user: b64('admin'), password: b64('s3cret') } });
    await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'default' }, data: { 'app.ini': 'debug=true' } });
  });
  afterEach(async () => {
    await cluster.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('emptyDir: one directory of the pod, shared by every container that mounts it', async () => {
    const pod = newPod({
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [
        { name: 'writer', image: 'i', volumeMounts: [{ name: 'shared', mountPath: '/out' }] },
        { name: 'reader', image: 'i', volumeMounts: [{ name: 'shared', mountPath: '/in', readOnly: true }] },
      ],
    });
    const prepared = await volumes.preparePodVolumes(pod);
    const [writer] = await volumes.mountsFor(pod.spec.containers[0], prepared);
    const [reader] = await volumes.mountsFor(pod.spec.containers[1], prepared);
    assert.equal(writer.hostPath, path.join(dataDir, 'pods/uid-1/volumes/kubernetes.io~empty-dir/shared'));
    assert.equal(reader.hostPath, writer.hostPath);
    assert.deepEqual([writer.readOnly, reader.readOnly], [false, true]);
    assert.ok((await fs.stat(writer.hostPath)).isDirectory());
  });

  it('subPath: a directory inside the volume, created when missing; a symlink that stays inside is followed', async () => {
    const pod = newPod({
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [{ name: 'app', image: 'i', volumeMounts: [{ name: 'shared', mountPath: '/data', subPath: 'a/b' }, { name: 'shared', mountPath: '/link', subPath: 'inner' }] }],
    });
    const prepared = await volumes.preparePodVolumes(pod);
    const root = await fs.realpath(prepared.get('shared')!.hostPath);
    await fs.mkdir(path.join(root, 'real'));
    await fs.symlink('real', path.join(root, 'inner'));
    const [data, link] = await volumes.mountsFor(pod.spec.containers[0], prepared);
    assert.equal(data.hostPath, path.join(root, 'a/b'));
    assert.ok((await fs.stat(data.hostPath)).isDirectory());
    assert.equal(link.hostPath, path.join(root, 'real'), 'the engine gets the real path, no symlink in it');
  });

  it('subPath through a symlink planted in an emptyDir that points out of the volume is refused (CVE-2017-1002101)', async () => {
    const pod = newPod({
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [{ name: 'app', image: 'i', volumeMounts: [{ name: 'shared', mountPath: '/host', subPath: 'escape' }] }],
    });
    const prepared = await volumes.preparePodVolumes(pod);
    const root = prepared.get('shared')!.hostPath;
    for (const [target, subPath] of [['/', 'escape'], ['../../../../..', 'up'], ['/etc', 'deep/etc']] as const) {
      await fs.mkdir(path.dirname(path.join(root, subPath)), { recursive: true });
      await fs.symlink(target, path.join(root, subPath));
      const container = { name: 'app', image: 'i', volumeMounts: [{ name: 'shared', mountPath: '/host', subPath: `${subPath}/x` }] };
      await assert.rejects(volumes.mountsFor(container, prepared), (err: unknown) => err instanceof ContainerConfigError && err.reason === 'CreateContainerConfigError' && /escapes its volume/.test(err.message), `${subPath} -> ${target}`);
    }
    assert.equal(await fs.stat('/x').then(() => true, () => false), false, 'nothing was created outside the volume');
    for (const subPath of ['/etc', '../x', 'a/../../x']) {
      const container = { name: 'app', image: 'i', volumeMounts: [{ name: 'shared', mountPath: '/m', subPath }] };
      await assert.rejects(volumes.mountsFor(container, prepared), ContainerConfigError, subPath);
    }
  });

  it('secret: one file per key with the default mode 0444, mounted read-only', async () => {
    const pod = newPod({ volumes: [{ name: 'creds', secret: { secretName: 'db' } }], containers: [{ name: 'app', image: 'i', volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }] }] });
    const [mount] = await volumes.mountsFor(pod.spec.containers[0], await volumes.preparePodVolumes(pod));
    assert.equal(mount.readOnly, true);
    assert.equal(await fs.readFile(path.join(mount.hostPath, 'password'), 'utf8'), 's3cret');
    assert.equal((await fs.stat(path.join(mount.hostPath, 'user'))).mode & 0o777, 0o444);
  });

  it('secret items: chosen keys, paths and modes; defaultMode for the rest', async () => {
    const pod = newPod({
      volumes: [{ name: 'creds', secret: { secretName: 'db', defaultMode: 0o640, items: [{ key: 'user', path: 'conf/user.txt' }, { key: 'password', path: 'pw', mode: 0o400 }] } }],
    });
    const dir = (await volumes.preparePodVolumes(pod)).get('creds')!.hostPath;
    assert.equal(await fs.readFile(path.join(dir, 'conf/user.txt'), 'utf8'), 'admin');
    assert.equal((await fs.stat(path.join(dir, 'conf/user.txt'))).mode & 0o777, 0o640);
    assert.equal((await fs.stat(path.join(dir, 'pw'))).mode & 0o777, 0o400);
  });

  it('rewrites a secret volume atomically when the Secret changes: new keys appear, removed ones go', async () => {
    const pod = newPod({ volumes: [{ name: 'creds', secret: { secretName: 'db' } }] });
    const dir = (await volumes.preparePodVolumes(pod)).get('creds')!.hostPath;
    const secret = await cluster.client.get('secrets', 'default', 'db');
    await cluster.client.update('secrets', { ...secret, data: { token: b64('t0k3n') } });
    await volumes.preparePodVolumes(pod);
    const visible = (await fs.readdir(dir)).filter((f) => !f.startsWith('..'));
    assert.deepEqual(visible, ['token']);
    assert.equal(await fs.readFile(path.join(dir, 'token'), 'utf8'), 't0k3n');
    assert.equal((await fs.readdir(dir)).filter((f) => f.startsWith('..2')).length, 1, 'the old version folder is gone');
  });

  it('configMap: files with the values', async () => {
    const pod = newPod({ volumes: [{ name: 'c', configMap: { name: 'conf' } }] });
    const dir = (await volumes.preparePodVolumes(pod)).get('c')!.hostPath;
    assert.equal(await fs.readFile(path.join(dir, 'app.ini'), 'utf8'), 'debug=true');
  });

  it('a missing secret is a CreateContainerConfigError naming it; an optional one is an empty volume', async () => {
    await assert.rejects(volumes.preparePodVolumes(newPod({ volumes: [{ name: 'x', secret: { secretName: 'nope' } }] })), (err: ContainerConfigError) => {
      assert.equal(err.reason, 'CreateContainerConfigError');
      assert.equal(err.message, 'secret "nope" not found');
      return true;
    });
    const prepared = await volumes.preparePodVolumes(newPod({ volumes: [{ name: 'x', secret: { secretName: 'nope', optional: true } }] }));
    assert.deepEqual((await fs.readdir(prepared.get('x')!.hostPath)).filter((f) => !f.startsWith('..')), []);
  });

  // covers: Pod spec.volumes.projected.sources.configMap.name, spec.volumes.projected.sources.configMap.optional, spec.volumes.projected.sources.secret.name, spec.volumes.projected.sources.secret.optional
  it('projected: a missing ConfigMap or Secret is a CreateContainerConfigError unless optional; optional ones add nothing', async () => {
    await assert.rejects(volumes.preparePodVolumes(newPod({ volumes: [{ name: 'p', projected: { sources: [{ configMap: { name: 'nope' } }] } }] })), { reason: 'CreateContainerConfigError', message: 'configmap "nope" not found' });
    await assert.rejects(volumes.preparePodVolumes(newPod({ volumes: [{ name: 'p', projected: { sources: [{ secret: { name: 'gone' } }] } }] })), { reason: 'CreateContainerConfigError', message: 'secret "gone" not found' });
    const prepared = await volumes.preparePodVolumes(newPod({ volumes: [{ name: 'p', projected: { sources: [{ configMap: { name: 'conf' } }, { secret: { name: 'db' } }, { configMap: { name: 'nope', optional: true } }, { secret: { name: 'gone', optional: true } }] } }] }));
    assert.deepEqual((await fs.readdir(prepared.get('p')!.hostPath)).filter((f) => !f.startsWith('..')).sort(), ['app.ini', 'password', 'user']);
  });

  // covers: Pod spec.securityContext.fsGroupChangePolicy
  it('fsGroup: every file of the volume gets the group, again at each preparation; OnRootMismatch skips the walk when the root is right', async () => {
    const pod = (fsGroupChangePolicy?: 'Always' | 'OnRootMismatch') => newPod({ securityContext: { fsGroup: 2000, ...(fsGroupChangePolicy ? { fsGroupChangePolicy } : {}) }, volumes: [{ name: 'd', emptyDir: {} }] });
    const dir = (await volumes.preparePodVolumes(pod())).get('d')!.hostPath;
    assert.equal((await fs.stat(dir)).gid, 2000);
    const file = path.join(dir, 'f');
    await fs.writeFile(file, 'x');
    await fs.chown(file, 0, 0);
    await volumes.preparePodVolumes(pod('OnRootMismatch'));
    assert.equal((await fs.stat(file)).gid, 0, 'the root already has the group: the walk is skipped');
    await volumes.preparePodVolumes(pod('Always'));
    assert.equal((await fs.stat(file)).gid, 2000);
  });

  // covers: PersistentVolume spec.local.path
  it('a claim bound to a local volume mounts its directory as it is; a path that is not there is a CreateContainerConfigError', async () => {
    const localDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-local-pv-'));
    try {
      const nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } };
      const bind = async (name: string, localPath: string) => {
        await cluster.client.create('persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: localPath }, nodeAffinity } });
        const claim = await cluster.client.create('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: name, storageClassName: '' } });
        await cluster.client.updateStatus('persistentvolumeclaims', { ...claim, status: { phase: 'Bound' } });
      };
      await bind('here', localDir);
      const prepared = await volumes.preparePodVolumes(newPod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'here' } }] }));
      assert.equal(prepared.get('data')!.hostPath, localDir);
      await bind('gone', path.join(localDir, 'absent'));
      await assert.rejects(volumes.preparePodVolumes(newPod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'gone' } }] })), { reason: 'CreateContainerConfigError' });
    } finally {
      await fs.rm(localDir, { recursive: true, force: true });
    }
  });

  it('hostPath DirectoryOrCreate creates the directory; the path is mounted as it is', async () => {
    const hostDir = path.join(dataDir, 'host/data');
    const pod = newPod({ volumes: [{ name: 'h', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } }] });
    assert.equal((await volumes.preparePodVolumes(pod)).get('h')!.hostPath, hostDir);
    assert.ok((await fs.stat(hostDir)).isDirectory());
    await assert.rejects(volumes.preparePodVolumes(newPod({ volumes: [{ name: 'h', hostPath: { path: path.join(dataDir, 'missing'), type: 'Directory' } }] })), /is not a directory/);
  });

  it('secret volumes are a tmpfs each (mounted before the files are written, kept across refreshes); configMap and emptyDir are not', async () => {
    const pod = newPod({ volumes: [{ name: 'creds', secret: { secretName: 'db' } }, { name: 'conf', configMap: { name: 'conf' } }, { name: 'e', emptyDir: {} }] });
    const prepared = await volumes.preparePodVolumes(pod);
    const secretDir = prepared.get('creds')!.hostPath;
    assert.deepEqual([...tmpfs.mounted], [secretDir]);
    // The fake's first mount empties the directory, as a real tmpfs hides it: files must come after.
    assert.equal(await fs.readFile(path.join(secretDir, 'password'), 'utf8'), 's3cret');
    await volumes.preparePodVolumes(pod);
    assert.deepEqual(tmpfs.calls, [`mount ${secretDir}`], 'the sync of a running pod reuses its tmpfs');
  });

  it('cleanupPod unmounts the pod\'s secret tmpfs, then removes its directory', async () => {
    const prepared = await volumes.preparePodVolumes(newPod({ volumes: [{ name: 'creds', secret: { secretName: 'db' } }] }));
    await volumes.cleanupPod('uid-1');
    assert.deepEqual(tmpfs.calls.at(-1), `umount ${prepared.get('creds')!.hostPath}`);
    assert.equal(tmpfs.mounted.size, 0);
    assert.deepEqual(await volumes.podUidsOnDisk(), []);
  });

  it('cleanupPod removes the pod directory', async () => {
    await volumes.preparePodVolumes(newPod({ volumes: [{ name: 's', emptyDir: {} }] }));
    assert.deepEqual(await volumes.podUidsOnDisk(), ['uid-1']);
    await volumes.cleanupPod('uid-1');
    assert.deepEqual(await volumes.podUidsOnDisk(), []);
  });

  describe('environment', () => {
    it('literal values, secret and configMap keys, pod fields, $(VAR) expansion', async () => {
      const container = {
        name: 'app',
        image: 'i',
        env: [
          { name: 'GREETING', value: 'hello' },
          { name: 'MESSAGE', value: '$(GREETING) world, $$(GREETING)' },
          { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
          { name: 'INI', valueFrom: { configMapKeyRef: { name: 'conf', key: 'app.ini' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'OPTIONAL', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
        ],
      };
      const { env } = await volumes.environment(newPod({ containers: [container] }), container, { podIP: '10.244.0.9', hostIP: '192.168.1.2' });
      assert.deepEqual(Object.fromEntries(env.map((e) => [e.name, e.value])), {
        GREETING: 'hello',
        MESSAGE: 'hello world, $(GREETING)',
        DB_USER: 'admin',
        INI: 'debug=true',
        POD_NAME: 'web',
        POD_NAMESPACE: 'default',
        POD_UID: 'uid-1',
        POD_IP: '10.244.0.9',
        HOST_IP: '192.168.1.2',
        NODE: 'node-1',
        APP: 'web',
      });
    });

    it('a missing secret or key: CreateContainerConfigError with Kubernetes\' message', async () => {
      const missingSecret = { name: 'app', image: 'i', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'x', key: 'k' } } }] };
      await assert.rejects(volumes.environment(newPod({}), missingSecret, {}), { name: 'ContainerConfigError', message: 'secret "x" not found' });
      const missingKey = { name: 'app', image: 'i', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] };
      await assert.rejects(volumes.environment(newPod({}), missingKey, {}), { message: "couldn't find key k in Secret default/db" });
    });

  });
});
