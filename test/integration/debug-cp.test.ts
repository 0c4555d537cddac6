// Ephemeral containers and file copies against a real kubelabd and Docker: the real kubectl's
// `debug` (a debug container in the pod's network, and with --target in the app container's
// process namespace; input piped in, no terminal) and `cp` of a 1 MiB random file both ways
// compared by SHA-256; kubelab's own `debug` and `cp`; and the refusal of a pod update that
// would remove an ephemeral container.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kubectl, requireKubectl, waitForReadyPods } from '../helpers/kubectl.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('ephemeral containers (debug) and cp against kubelabd', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let dir: string;
  let payload: Buffer;

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kubelab-debug-cp-'));
    payload = randomBytes(1024 * 1024);
    await fsp.writeFile(path.join(dir, 'random.bin'), payload);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
    await kubectl.ok(['run', 'app', '--image=kubelab/hello:v1', '--port=3000']);
    await waitForReadyPods(kubectl, 'run=app', 1);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  describe('kubectl debug', () => {
    it('-i with piped input: the debug container shares the pod\'s network (wget localhost:3000 reaches the app)', async () => {
      const result = await kubectl.run(['debug', '-i', 'app', '--image=kubelab/busybox:1', '--container=net-debugger'], {
        input: 'echo hello-from-debug; wget -qO- http://localhost:3000/; exit\n',
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'hello-from-debug\nHello World!\n');
      // It exited with its shell and is never restarted: the kubelet reports it terminated.
      const reason = () => kubectl.ok(['get', 'pod', 'app', '-o', 'jsonpath={.status.ephemeralContainerStatuses[?(@.name=="net-debugger")].state.terminated.reason}']);
      await eventually(async () => (await reason()) === 'Completed', 20_000);
    });

    it('--target: the debug container sees the target container\'s processes', async () => {
      const result = await kubectl.run(['debug', '-i', 'app', '--image=kubelab/busybox:1', '--target=app', '--container=pid-debugger'], { input: 'ps -o args; exit\n' });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Targeting container "app"\./);
      assert.match(result.stdout, /^httpd -f -p 3000 -h \/www$/m);
    });

    it('a pod update may not remove an ephemeral container (422, as kube-apiserver says)', async () => {
      const result = await kubectl.run(['patch', 'pod', 'app', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers"}]']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /The Pod "app" is invalid: spec: Forbidden: pod updates may not change fields other than .*; changed: spec\.ephemeralContainers/);
    });
  });

  describe('kubectl cp', () => {
    it('a 1 MiB random file into the pod and back, the same by SHA-256', async () => {
      await kubectl.ok(['cp', path.join(dir, 'random.bin'), 'app:/copied.bin']);
      assert.equal((await kubectl.ok(['exec', 'app', '--', 'sha256sum', '/copied.bin'])).split(' ')[0], sha(payload));
      await kubectl.ok(['cp', 'app:/copied.bin', path.join(dir, 'back.bin')]);
      assert.equal(sha(await fsp.readFile(path.join(dir, 'back.bin'))), sha(payload));
    });
  });

  describe('kubelab cp and debug', () => {
    it('cp: a 1 MiB file in and out, and a directory out into an existing local directory', async () => {
      const into = await daemon!.kubelab(['cp', path.join(dir, 'random.bin'), 'app:/kubelab.bin']);
      assert.equal(into.code, 0, into.stderr);
      assert.equal((await kubectl.ok(['exec', 'app', '--', 'sha256sum', '/kubelab.bin'])).split(' ')[0], sha(payload));
      const out = await daemon!.kubelab(['cp', 'app:/kubelab.bin', path.join(dir, 'kubelab-back.bin')]);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(sha(await fsp.readFile(path.join(dir, 'kubelab-back.bin'))), sha(payload));

      const tree = await daemon!.kubelab(['cp', 'app:/www', dir]);
      assert.equal(tree.code, 0, tree.stderr);
      assert.equal(await fsp.readFile(path.join(dir, 'www', 'index.html'), 'utf8'), 'Hello World!\n');
    });

    it('cp refuses two local paths, and names a missing pod', async () => {
      const local = await daemon!.kubelab(['cp', 'a', 'b']);
      assert.equal(local.code, 1);
      assert.match(local.stderr, /one of src or dest must be a remote file specification/);
      const missing = await daemon!.kubelab(['cp', path.join(dir, 'random.bin'), 'nope:/x']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /pods "nope" not found/);
    });

    it('debug -i --target: the debugger runs in the pod\'s network and sees the app\'s processes', async () => {
      const result = await daemon!.kubelab(['debug', 'app', '-i', '--image=kubelab/busybox:1', '--target=app', '-c', 'kubelab-debugger'], {
        input: 'wget -qO- http://localhost:3000/; ps -o args | grep -c "^httpd"; exit\n',
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'Hello World!\n1\n');
      const names = await kubectl.ok(['get', 'pod', 'app', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}']);
      assert.equal(names, 'net-debugger pid-debugger kubelab-debugger');
    });
  });
});
