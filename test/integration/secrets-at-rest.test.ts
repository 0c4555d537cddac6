// Secrets that stay secret, on a real kubelabd and the real Docker Engine, as a local user with a
// look at the disk would check: the data dir never holds a Secret's value or its base64 (the
// store encrypts it, a pod's secret volume is a tmpfs that goes with the pod), the server's output
// never holds the join token, and a restart and a key rotation keep every Secret readable.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { HostTmpfsMounter } from '../../daemon/kubelet/tmpfs-mounter.js';
import { daemonEntry, eventually, execFileAsync, TestDaemon } from '../../harness/test-daemon.js';
import type { Pod } from '../../lib/api/types.js';
import { planUnmounts } from '../../lib/mount-points.js';

const VALUE = 'integration-s3cret-value-7f3a';
const BASE64 = Buffer.from(VALUE).toString('base64');

/** Every byte of every file under `dir` that is on disk (mount points below it are skipped). */
async function diskBytesUnder(dir: string): Promise<string> {
  const mounts = planUnmounts(await fs.readFile('/proc/self/mountinfo', 'utf8'), [dir]);
  let all = '';
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !mounts.some((m) => file.startsWith(`${m}/`))) all += await fs.readFile(file, 'latin1');
  }
  return all;
}

const secretJson = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vault' }, data: { password: BASE64 } });
const podJson = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'reads-vault' },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'kubelab/busybox:1',
        command: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"],
        volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }],
      },
    ],
    volumes: [{ name: 'creds', secret: { secretName: 'vault' } }],
  },
});

describe('secrets stay secret (real kubelabd)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;

  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    await daemon?.cleanup();
  });

  const rotateKey = () => execFileAsync(process.execPath, [daemonEntry, 'encryption', 'rotate-key', '--data-dir', daemon.dataDir]);

  it('prints where the join token is, never the token', async () => {
    const token = (await fs.readFile(path.join(daemon.dataDir, 'join-token'), 'utf8')).trim();
    // The harness is done waiting after the kubeconfig line; the next line may still be on its way.
    await eventually(() => new RegExp(`join token in ${daemon.dataDir}/join-token \\(readable by root only`).test(daemon.log), 10_000);
    assert.ok(!daemon.log.includes(token.split('::')[1]!), 'the token\'s secret is not in the output');
  });

  it('stores a Secret encrypted: the data dir holds neither its value nor its base64', async () => {
    const created = await daemon.kubelab(['create', '-f', '-'], { input: secretJson });
    assert.equal(created.code, 0, created.stderr);
    const raw = await diskBytesUnder(daemon.dataDir);
    assert.ok(!raw.includes(VALUE) && !raw.includes(BASE64));
    assert.match(await fs.readFile(path.join(daemon.dataDir, 'store/objects.db'), 'utf8'), /"json":"k8s:enc:aesgcm:v1:key1:/);
    assert.equal(((await fs.stat(path.join(daemon.dataDir, 'encryption-config.yaml'))).mode & 0o777).toString(8), '600');
  });

  it('mounts a pod\'s secret volume as a tmpfs, and leaves nothing of it on disk once the pod is deleted', async () => {
    const created = await daemon.kubelab(['create', '-f', '-'], { input: podJson });
    assert.equal(created.code, 0, created.stderr);
    const pod = await eventually(async () => {
      const got = JSON.parse((await daemon.kubelab(['get', 'pod', 'reads-vault', '-o', 'json'])).stdout) as Pod;
      return got.status?.phase === 'Running' ? got : undefined;
    }, 60_000);

    const mounts = await daemon.kubelab(['exec', 'reads-vault', '--', 'grep', '/etc/creds', '/proc/mounts']);
    assert.match(mounts.stdout, /^tmpfs \/etc\/creds tmpfs ro[,\s]/m, mounts.stdout + mounts.stderr);
    assert.equal((await daemon.kubelab(['exec', 'reads-vault', '--', 'cat', '/etc/creds/password'])).stdout, VALUE);
    const podDir = path.join(await fs.realpath(daemon.dataDir), 'pods', pod.metadata.uid!);
    const volumeDir = path.join(podDir, 'volumes/kubernetes.io~secret/creds');
    // The secret volume, and (as on Kubernetes) the service account token volume every pod gets: both tmpfs on the host.
    const hostTmpfs = planUnmounts(await fs.readFile('/proc/self/mountinfo', 'utf8'), [podDir]).map((dir) => path.relative(podDir, dir).replace(/kube-api-access-[a-z0-9]+$/, 'kube-api-access-*'));
    assert.deepEqual(hostTmpfs.sort(), ['volumes/kubernetes.io~projected/kube-api-access-*', path.relative(podDir, volumeDir)], 'a tmpfs on the host too');
    assert.ok(!(await diskBytesUnder(daemon.dataDir)).includes(VALUE));

    const deleted = await daemon.kubelab(['delete', 'pod', 'reads-vault', '--grace-period', '1']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await eventually(async () => {
      const mounted = planUnmounts(await fs.readFile('/proc/self/mountinfo', 'utf8'), [podDir]);
      const left = await fs.stat(podDir).then(() => true, () => false);
      return mounted.length === 0 && !left;
    }, 60_000);
    const raw = await diskBytesUnder(daemon.dataDir);
    assert.ok(!raw.includes(VALUE) && !raw.includes(BASE64));
  });

  it('reads the Secret back after a restart and after kubelabd encryption rotate-key (refused while the server runs)', async () => {
    await assert.rejects(rotateKey(), (err: { stderr: string }) => /the store in .* is in use by process \d+ \(a running kubelabd server\?\): stop it first/.test(err.stderr));

    await daemon.kill('SIGTERM');
    const rotated = await rotateKey();
    assert.match(rotated.stdout, /key key2 now encrypts; \d+ stored object\(s\) rewritten with it/);
    assert.match(rotated.stdout, /removed key\(s\) key1/);
    const datafile = await fs.readFile(path.join(daemon.dataDir, 'store/objects.db'), 'utf8');
    assert.ok(datafile.includes('k8s:enc:aesgcm:v1:key2:') && !datafile.includes('k8s:enc:aesgcm:v1:key1:'));

    await daemon.launch();
    const read = await daemon.kubelab(['get', 'secret', 'vault', '-o', 'jsonpath={.data.password}']);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout.trim(), BASE64);
  });
});

describe('HostTmpfsMounter (the host\'s real mount table)', () => {
  let dir: string;
  const mounter = new HostTmpfsMounter();
  const mountsUnder = async (d: string) => planUnmounts(await fs.readFile('/proc/self/mountinfo', 'utf8'), [d]);

  before(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-tmpfs-')));
  });
  after(async () => {
    await mounter.unmountAllUnder(dir);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('mounts one tmpfs over what an older kubelab left on disk, reuses it, and unmounts it', async () => {
    const volume = path.join(dir, 'pods/uid/volumes/kubernetes.io~secret/creds');
    await fs.mkdir(volume, { recursive: true });
    await fs.writeFile(path.join(volume, 'old'), 'written by an older kubelab');
    await mounter.ensureTmpfs(volume);
    await mounter.ensureTmpfs(volume);
    assert.deepEqual(await mountsUnder(dir), [volume], 'one mount, not two stacked');
    assert.deepEqual(await fs.readdir(volume), [], 'a fresh tmpfs hides the old files');
    await fs.writeFile(path.join(volume, 'password'), VALUE);

    await mounter.unmountAllUnder(path.join(dir, 'pods/uid'));
    assert.deepEqual(await mountsUnder(dir), []);
    assert.deepEqual(await fs.readdir(volume), ['old'], 'the tmpfs content went with the mount');
  });
});
