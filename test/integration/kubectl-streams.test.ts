// The real kubectl's streaming commands against a real kubelab cluster: logs (follow, container,
// tail, timestamps, by label, by deployment), exec (WebSocket v5: stdin, a real TTY through
// `script`, exit codes passed through) and port-forward (SPDY tunnelled in a WebSocket: pod and
// svc/NAME, several local connections, a multi-MiB round trip through an echo server).

import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Kubectl, requireKubectl, waitForReadyPods } from '../helpers/kubectl.js';
import { deploymentYaml, documents, echoReplicaSetYaml } from '../helpers/kubectl-manifests.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

/** Sends `payload` to 127.0.0.1:port, half-closes, and resolves with everything read back. */
function roundTrip(port: number, payload: Buffer, timeoutMs = 30_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end after ${timeoutMs} ms; read ${Buffer.concat(chunks).length} of ${payload.length} bytes`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.end(payload);
  });
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('kubectl logs, exec and port-forward against kubelabd', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let webPod: string;
  let echoPod: string;

  before(async function () {
    const binary = requireKubectl(this);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
    await kubectl.ok(['apply', '-f', '-'], { input: documents(deploymentYaml('web', { replicas: 1 }), echoReplicaSetYaml('echo')) });
    await kubectl.ok(['expose', 'rs', 'echo', '--port=5000']);
    [webPod] = await waitForReadyPods(kubectl, 'app=web', 1);
    [echoPod] = await waitForReadyPods(kubectl, 'app=echo', 1);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
  });

  describe('logs', () => {
    it('-c, --tail, --timestamps and the default-container notice', async () => {
      await eventually(async () => /side-line-3/.test(await kubectl.ok(['logs', webPod, '-c', 'side'])), 20_000);
      const tail = await kubectl.ok(['logs', webPod, '-c', 'side', '--tail=2']);
      assert.match(tail, /^side-line-\d+\nside-line-\d+\n$/);
      const stamped = await kubectl.ok(['logs', webPod, '-c', 'side', '--tail=1', '--timestamps']);
      assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z side-line-\d+\n$/);
      const defaulted = await kubectl.run(['logs', webPod, '--tail=1']);
      assert.equal(defaulted.code, 0, defaulted.stderr);
      assert.match(defaulted.stderr, /Defaulted container "hello" out of: hello, side/);
    });

    it('-f follows new lines until killed', async () => {
      const follow = kubectl.spawn(['logs', '-f', webPod, '-c', 'side', '--tail=1']);
      try {
        const first = Number(/side-line-(\d+)/.exec(await follow.waitFor(/side-line-\d+/))![1]);
        await follow.waitFor(new RegExp(`side-line-${first + 2}\\b`), 10_000);
      } finally {
        await follow.kill();
      }
    });

    it('-l (by label) and deploy/NAME', async () => {
      assert.match(await kubectl.ok(['logs', '-l', 'app=web', '-c', 'side', '--tail=1']), /^side-line-\d+\n$/);
      const byDeployment = await kubectl.run(['logs', 'deploy/web', '-c', 'side', '--tail=1']);
      assert.equal(byDeployment.code, 0, byDeployment.stderr);
      assert.match(byDeployment.stdout, /^side-line-\d+\n$/);
    });
  });

  describe('exec', () => {
    it('stdout, stderr and the exit code pass through', async () => {
      const result = await kubectl.run(['exec', webPod, '-c', 'side', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(result.code, 3);
      assert.equal(result.stdout, 'out\n');
      assert.match(result.stderr, /^err\ncommand terminated with exit code 3\n$/);
    });

    it('-i forwards stdin until EOF', async () => {
      const result = await kubectl.run(['exec', '-i', echoPod, '--', 'sh', '-c', 'wc -c; cat'], { input: 'abc\ndef\n' });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), '8');
    });

    it('-it gives the command a real TTY (kubectl itself inside `script`)', async () => {
      const command = `${kubectl.binary} --cache-dir ${kubectl.cacheDir} exec -it ${echoPod} -- sh`;
      const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, KUBECONFIG: kubectl.kubeconfigPath }, stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('close', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
        child.stdin.end('tty; echo "typed $((6*7))"; exit 4\n');
      });
      assert.match(output, /\/dev\/pts\/\d+/, output);
      assert.match(output, /^typed 42\r?$/m, output); // echoed input is on its own line; this is the shell's answer
      assert.match(output, /command terminated with exit code 4/, output);
      assert.equal(code, 4, output);
    });
  });

  describe('attach and run -i', () => {
    it('run -i --rm: the pod reads what kubectl sends, its answer comes back, and the pod is deleted', async () => {
      const result = await kubectl.run(['run', 'greeter', '-i', '--rm', '--restart=Never', '--image=kubelab/busybox:1', '--', 'sh', '-c', 'read name; echo "hello $name"'], { input: 'kubelab\n' });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^hello kubelab$/m);
      await eventually(async () => (await kubectl.run(['get', 'pod', 'greeter'])).code !== 0, 30_000);
    });

    it('attach joins a running container: its output from now on, until the container exits', async () => {
      await kubectl.ok(['run', 'ticker', '--restart=Never', '--image=kubelab/busybox:1', '--', 'sh', '-c', 'sleep 3; for i in 1 2 3; do echo tick $i; sleep 1; done']);
      await eventually(async () => (await kubectl.ok(['get', 'pod', 'ticker', '-o', 'jsonpath={.status.phase}'])) === 'Running', 30_000);
      const result = await kubectl.run(['attach', 'ticker']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /tick 1\ntick 2\ntick 3\n/);
      await kubectl.ok(['delete', 'pod', 'ticker', '--wait=false']);
    });
  });

  describe('port-forward', () => {
    it('pod: several local connections and a 4 MiB round trip', async () => {
      const forward = kubectl.spawn(['port-forward', `pod/${echoPod}`, ':5000']);
      try {
        const port = Number(/Forwarding from 127\.0\.0\.1:(\d+) -> 5000/.exec(await forward.waitFor(/Forwarding from 127\.0\.0\.1:\d+/))![1]);
        const replies = await Promise.all(['one\n', 'two\n', 'three\n'].map((text) => roundTrip(port, Buffer.from(text))));
        assert.deepEqual(replies.map(String), ['one\n', 'two\n', 'three\n']);
        const big = randomBytes(4 * 1024 * 1024);
        const echoed = await roundTrip(port, big, 60_000);
        assert.equal(echoed.length, big.length);
        assert.equal(sha(echoed), sha(big));
        assert.equal(forward.child.exitCode, null, forward.output());
      } finally {
        await forward.kill();
      }
    });

    it('svc/NAME resolves the service port to the pod', async () => {
      const forward = kubectl.spawn(['port-forward', 'svc/echo', ':5000']);
      try {
        const port = Number(/Forwarding from 127\.0\.0\.1:(\d+) -> 5000/.exec(await forward.waitFor(/Forwarding from 127\.0\.0\.1:\d+/))![1]);
        assert.equal(String(await roundTrip(port, Buffer.from('via service\n'))), 'via service\n');
      } finally {
        await forward.kill();
      }
    });
  });
});
