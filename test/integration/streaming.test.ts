// The streaming endpoints (exec, attach, port-forward) driven by the real clients: kubectl 1.32
// in all four of its protocols (WebSocket v5 and SPDY exec, SPDY-in-WebSocket and SPDY
// port-forward) and @kubernetes/client-node 1.4's Exec and PortForward.
//
// The server is a minimal HTTPS server around the real upgrade handler, with a registry that
// knows three pods and a PodStreams whose exec runs a real local process (so output, stdin EOF
// and exit codes are real) and whose port-forward connects to a local TCP echo server.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject, Pod } from '../../lib/api/types.js';
import { ApiError, notFound, unauthorized } from '../../lib/errors.js';
import { buildKubeconfig, ensurePki } from '../../daemon/pki/pki.js';
import type { PodStreams } from '../../daemon/pod-streams/pod-streams.js';
import type { Registry } from '../../daemon/api/registry.js';
import { createUpgradeHandler } from '../../daemon/api/streaming/upgrade-handler.js';
import { execInPod } from '../../lib/client/exec-client.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import type { ExecOptions, ExecSession } from '../../daemon/runtime/container-runtime.js';

const KUBECTL = process.env.KUBECTL ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * `kubelab exec` as a process: the exec command module under yargs with the global --kubeconfig
 * flag and cli-errors' exit handling, as cli/main.ts runs every command.
 */
const KUBELAB_EXEC = `
const { default: yargs } = await import(${JSON.stringify(path.join(REPO, 'node_modules/yargs/index.mjs'))});
const { execCommand } = await import(${JSON.stringify(path.join(REPO, 'cli/commands/exec.ts'))});
const { CliExit, formatError } = await import(${JSON.stringify(path.join(REPO, 'cli/cli-errors.ts'))});
try {
  await yargs(process.argv.slice(2)).option('kubeconfig', { type: 'string' }).option('namespace', { alias: 'n', type: 'string' })
    .command(execCommand).strict().fail(false).exitProcess(false).parseAsync();
} catch (err) {
  if (err instanceof CliExit) process.exitCode = err.exitCode;
  else { process.stderr.write(formatError(err) + '\\n'); process.exitCode = 1; }
}
`;

function pod(name: string, phase: 'Running' | 'Succeeded' | 'Pending'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: crypto.randomUUID(), annotations: { 'kubectl.kubernetes.io/default-container': 'nginx' } },
    spec: { containers: [{ name: 'sidecar', image: 'busybox' }, { name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] }, // not-built: served by a fake registry, never run
    status: { phase },
  } as Pod;
}

const pods = new Map([pod('web', 'Running'), pod('done', 'Succeeded'), pod('pending', 'Pending')].map((p) => [p.metadata.name!, p]));

/** Only `get` is used by the upgrade handler. */
const registry = {
  async get(resource: string, _namespace: string | undefined, name: string): Promise<KubeObject> {
    const found = resource === 'pods' ? pods.get(name) : undefined;
    if (!found) throw notFound(resource, name);
    return found;
  },
} as unknown as Registry;

interface ExecCall { pod: string; container: string; options: ExecOptions }

/** Runs the exec as a local process; with a TTY through `script`, which gives it a pseudo-terminal. */
class LocalProcessStreams implements PodStreams {
  readonly execCalls: ExecCall[] = [];
  readonly resizes: { width: number; height: number }[] = [];
  readonly children: ChildProcess[] = [];
  readonly forwarded: number[] = [];

  constructor(private readonly portMap: Map<number, number>) {}

  async logs(): Promise<Readable> {
    throw new Error('not used by these tests');
  }

  async attach(): Promise<ExecSession> {
    throw new Error('not used by these tests (attach is tested on the real engine: kubectl-streams)');
  }

  async exec(p: Pod, container: string, options: ExecOptions): Promise<ExecSession> {
    this.execCalls.push({ pod: p.metadata.name!, container, options });
    const quoted = options.command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = options.tty
      ? spawn('script', ['-qfec', quoted, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(options.command[0], options.command.slice(1), { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    const exitCode = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code ?? 128));
    });
    if (options.tty) child.stderr!.resume();
    return {
      stdin: options.stdin ? child.stdin! : undefined,
      stdout: child.stdout!,
      stderr: options.tty ? undefined : child.stderr!,
      resize: async (width, height) => void this.resizes.push({ width, height }),
      exitCode,
    };
  }

  portForward(_pod: Pod, port: number): Promise<Duplex> {
    this.forwarded.push(port);
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.portMap.get(port) ?? 1, '127.0.0.1');
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  }
}

const apiResources = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'v1',
  resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
};

interface Run { code: number; stdout: string; stderr: string }

describe('streaming endpoints with kubectl 1.32 and client-node', function () {
  this.timeout(120_000);
  let dir: string;
  let server: https.Server;
  let echoServer: net.Server;
  let streams: LocalProcessStreams;
  let kubeconfigPath: string;
  let token: string;
  let apiPort: number;
  const kubectlChildren: ChildProcess[] = [];
  /** `METHOD Upgrade protocols` of every upgrade request, to check which protocol a client used. */
  const upgrades: string[] = [];

  before(async function () {
    if (!fs.existsSync(KUBECTL)) {
      if (process.env.CI === 'true') throw new Error(`kubectl 1.32 not found at ${KUBECTL} (set KUBECTL); CI requires it`);
      console.log(`    kubectl 1.32 not found at ${KUBECTL}: skipping the streaming tests (set KUBECTL to run them)`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-streaming-'));
    const pki = await ensurePki(dir, { hostnames: [], ips: [] });
    token = pki.adminToken;

    echoServer = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echoServer.listen(0, '127.0.0.1', resolve));
    // A port nothing listens on, for "connection refused".
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refusedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    streams = new LocalProcessStreams(new Map([[80, (echoServer.address() as net.AddressInfo).port], [81, refusedPort]]));

    const authenticate = (headers: { authorization?: string }): string => {
      if (headers.authorization !== `Bearer ${token}`) throw unauthorized();
      return 'admin';
    };
    server = https.createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (req, res) => {
      const send = (code: number, body: unknown): void => {
        res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      };
      try {
        authenticate(req.headers);
      } catch (err) {
        return send(401, (err as ApiError).toStatus());
      }
      const url = new URL(req.url ?? '/', 'https://x');
      if (url.pathname === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${apiPort}` }] });
      if (url.pathname === '/apis') return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      if (url.pathname === '/api/v1') return send(200, apiResources);
      const match = /^\/api\/v1\/namespaces\/default\/pods\/([^/]+)$/.exec(url.pathname);
      if (match && req.method === 'GET') {
        const found = pods.get(match[1]);
        return found ? send(200, found) : send(404, notFound('pods', match[1]).toStatus());
      }
      send(404, new ApiError(404, 'NotFound', 'the server could not find the requested resource').toStatus());
    });
    server.on('upgrade', createUpgradeHandler({ registry, podStreams: streams, authenticate }));
    server.on('upgrade', (req) => upgrades.push(`${req.method} ${req.headers.upgrade} ${req.headers['sec-websocket-protocol'] ?? req.headers['x-stream-protocol-version']}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiPort = (server.address() as net.AddressInfo).port;
    kubeconfigPath = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfigPath, buildKubeconfig({ server: `https://127.0.0.1:${apiPort}`, caCertPem: pki.caCertPem, token }));
  });

  after(async () => {
    for (const child of [...kubectlChildren, ...(streams?.children ?? [])]) {
      if (child.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await new Promise((resolve) => (echoServer ? echoServer.close(resolve) : resolve(undefined)));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function startKubectl(args: string[], env: Record<string, string> = {}, command = KUBECTL): ChildProcess {
    const child = spawn(command, command === KUBECTL ? ['--kubeconfig', kubeconfigPath, '--cache-dir', path.join(dir, 'cache'), ...args] : args, {
      env: { ...process.env, KUBECONFIG: kubeconfigPath, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    kubectlChildren.push(child);
    return child;
  }

  function kubectl(args: string[], options: { input?: string; env?: Record<string, string>; command?: string } = {}): Promise<Run> {
    const child = startKubectl(args, options.env, options.command);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.end(options.input ?? '');
    return new Promise((resolve) => child.once('close', (code) => resolve({ code: code ?? 128, stdout, stderr })));
  }

  for (const [name, env, expectedUpgrade] of [
    ['WebSocket v5.channel.k8s.io', {}, 'GET websocket v5.channel.k8s.io'],
    ['SPDY/3.1 (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }, 'POST SPDY/3.1 v5.channel.k8s.io'],
  ] as const) {
    describe(`kubectl exec over ${name}`, () => {
      it('prints the output of the command in the default container', async () => {
        upgrades.length = 0;
        const run = await kubectl(['exec', 'web', '--', 'echo', 'hi'], { env });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, 'hi\n');
        assert.equal(upgrades.length, 1, upgrades.join('\n'));
        assert.ok(upgrades[0].startsWith(expectedUpgrade), upgrades[0]);
        const call = streams.execCalls.at(-1)!;
        assert.equal(call.container, 'nginx', 'the default-container annotation picks the container');
        assert.deepEqual(call.options, { command: ['echo', 'hi'], stdin: false, stdout: true, stderr: true, tty: false });
      });

      it('passes stderr through and exits with the exit code of the command', async () => {
        const run = await kubectl(['exec', 'web', '-c', 'sidecar', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { env });
        assert.equal(run.code, 3);
        assert.equal(run.stdout, 'out\n');
        assert.match(run.stderr, /^err$/m);
        assert.match(run.stderr, /command terminated with exit code 3/);
        assert.equal(streams.execCalls.at(-1)!.container, 'sidecar');
      });

      it('feeds stdin to the command and delivers EOF (-i)', async () => {
        const input = 'shout\n'.repeat(20000);
        const run = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], { env, input });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, input.toUpperCase() + 'done\n');
      });

      it('refuses an unknown container with the API server message', async () => {
        const run = await kubectl(['exec', 'web', '-c', 'nope', '--', 'true'], { env });
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, /container nope is not valid for pod web/);
      });
    });
  }

  it('kubectl exec -it runs the command on a terminal and sends the terminal size', async () => {
    const kubectlLine = [KUBECTL, '--kubeconfig', kubeconfigPath, '--cache-dir', path.join(dir, 'cache'), 'exec', '-it', 'web', '--', 'sh', '-c', "test -t 0 && echo is-a-tty; stty size"].map((a) => `'${a}'`).join(' ');
    const run = await kubectl(['-qfec', `stty cols 91 rows 27; ${kubectlLine}`, '/dev/null'], { command: 'script' });
    assert.match(run.stdout, /is-a-tty/, run.stdout + run.stderr);
    const call = streams.execCalls.at(-1)!;
    assert.equal(call.options.tty, true);
    assert.equal(call.options.stderr, false);
    assert.deepEqual(streams.resizes.at(-1), { width: 91, height: 27 });
  });

  it('kubectl exec refuses a completed pod', async () => {
    const run = await kubectl(['exec', 'done', '--', 'true']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /cannot exec into a container in a completed pod; current phase is Succeeded/);
  });

  it('answers an upgrade without credentials with a 401 Status, and unknown paths with 404', async () => {
    const answer = (urlPath: string, headers: Record<string, string>): Promise<{ code: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: apiPort, path: urlPath, rejectUnauthorized: false, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io', ...headers } });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d) => (body += d)).on('end', () => resolve({ code: res.statusCode!, body }));
        });
        req.on('upgrade', () => reject(new Error('unexpected upgrade')));
        req.on('error', reject);
        req.end();
      });
    const noToken = await answer('/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true', {});
    assert.equal(noToken.code, 401);
    assert.equal(JSON.parse(noToken.body).reason, 'Unauthorized');
    const unknown = await answer('/api/v1/namespaces/default/pods/web/shell', { Authorization: `Bearer ${token}` });
    assert.equal(unknown.code, 404);
    const missing = await answer('/api/v1/namespaces/default/pods/ghost/exec?command=true&stdout=true', { Authorization: `Bearer ${token}` });
    assert.equal(missing.code, 404);
    assert.equal(JSON.parse(missing.body).message, 'pods "ghost" not found');
    const notRunning = await answer('/api/v1/namespaces/default/pods/pending/portforward?ports=80', { Authorization: `Bearer ${token}` });
    assert.equal(notRunning.code, 400);
    assert.match(JSON.parse(notRunning.body).message, /pod is not running. Current status=Pending/);
  });

  for (const [name, env, expectedUpgrade] of [
    ['SPDY in a WebSocket', {}, 'GET websocket SPDY/3.1+portforward.k8s.io'],
    ['SPDY/3.1 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, 'POST SPDY/3.1 portforward.k8s.io'],
  ] as const) {
    it(`kubectl port-forward over ${name}: concurrent connections and 8 MiB both ways`, async () => {
      upgrades.length = 0;
      const child = startKubectl(['port-forward', '--address', '127.0.0.1', 'pod/web', ':80'], env);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const localPort = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const match = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.once('close', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${stderr}`)));
      });
      try {
        const messages = Array.from({ length: 6 }, (_, i) => `connection ${i}: ${'x'.repeat(i * 1000)}`);
        const echoed = await Promise.all(messages.map((m) => roundTrip(localPort, Buffer.from(m))));
        assert.deepEqual(echoed.map((b) => b.toString()), messages);

        const big = crypto.randomBytes(8 * 1024 * 1024);
        const back = await roundTrip(localPort, big);
        assert.equal(back.length, big.length);
        assert.ok(back.equals(big), '8 MiB come back byte for byte');
        assert.equal(child.exitCode, null, `kubectl is still forwarding: ${stderr}`);
        assert.deepEqual(upgrades, [expectedUpgrade], 'one connection, in the expected protocol, for all local connections');
      } finally {
        child.kill('SIGTERM');
      }
    });
  }

  it('kubectl port-forward reports a pod port that refuses connections on the error stream', async () => {
    const child = startKubectl(['port-forward', '--address', '127.0.0.1', 'pod/web', ':81']);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await eventually(() => /Forwarding from 127\.0\.0\.1:\d+/.test(output));
    const localPort = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(output)![1]);
    await roundTrip(localPort, Buffer.from('anyone?')).catch(() => Buffer.alloc(0));
    await eventually(() => /error forwarding port 81 to pod default\/web: connect ECONNREFUSED/.test(output));
    child.kill('SIGTERM');
  });

  describe('kubelab exec (lib/client/exec-client.ts over WebSocket v5)', () => {
    let script: string;
    before(() => {
      script = path.join(dir, 'kubelab-exec.mjs');
      fs.writeFileSync(script, KUBELAB_EXEC);
    });
    const kubelab = (args: string[], input?: string): Promise<Run> =>
      kubectl(['--import', 'tsx', script, 'exec', '--kubeconfig', kubeconfigPath, ...args], { command: process.execPath, input });

    it('prints the output and passes the exit code of the remote command through', async () => {
      const ok = await kubelab(['web', '--', 'echo', 'hi']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'hi\n');
      const failing = await kubelab(['web', '-c', 'sidecar', '--', 'sh', '-c', 'echo err >&2; exit 3']);
      assert.equal(failing.code, 3);
      assert.equal(failing.stderr, 'err\ncommand terminated with exit code 3\n');
      assert.equal(streams.execCalls.at(-1)!.container, 'sidecar');
    });

    it('sends stdin with -i and ends it with the v5 close message', async () => {
      const run = await kubelab(['-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z'], 'shout\n');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'SHOUT\n');
    });

    it('reports server refusals like kubectl', async () => {
      const done = await kubelab(['done', '--', 'true']);
      assert.equal(done.code, 1);
      assert.match(done.stderr, /cannot exec into a container in a completed pod; current phase is Succeeded/);
      const ghost = await kubelab(['ghost', '--', 'true']);
      assert.equal(ghost.stderr, 'Error from server (NotFound): pods "ghost" not found\n');
    });

    it('runs the command on a terminal with -it, in raw mode, following the terminal size', async () => {
      const line = [process.execPath, '--import', 'tsx', script, 'exec', '--kubeconfig', kubeconfigPath, '-it', 'web', '--', 'sh', '-c', 'test -t 0 && echo is-a-tty; exit 5']
        .map((a) => `'${a}'`)
        .join(' ');
      const run = await kubectl(['-qfec', `stty cols 83 rows 21; ${line}`, '/dev/null'], { command: 'script' });
      assert.match(run.stdout, /is-a-tty/, run.stdout + run.stderr);
      assert.match(run.stdout, /command terminated with exit code 5/);
      assert.equal(streams.execCalls.at(-1)!.options.tty, true);
      assert.deepEqual(streams.resizes.at(-1), { width: 83, height: 21 });
    });

    it('execInPod: exit code from the Status, server errors as ApiError', async () => {
      const config = loadClientConfig({ kubeconfig: kubeconfigPath });
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (d) => (out += d));
      const base = { namespace: 'default', pod: 'web', stdout, stderr: new PassThrough(), tty: false };
      assert.equal(await execInPod(config, { ...base, command: ['sh', '-c', 'cat; exit 7'], stdin: Readable.from([Buffer.from('piped')]) }), 7);
      assert.equal(out, 'piped');
      await assert.rejects(execInPod(config, { ...base, container: 'nope', command: ['true'] }), /container nope is not valid for pod web/);
    });
  });

  it('@kubernetes/client-node 1.4: Exec returns output and the exit status, PortForward echoes', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);

    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc).exec('default', 'web', 'nginx', ['sh', '-c', 'echo from-client-node; exit 4'], stdout, stderr, null, false, resolve).catch(reject);
    });
    assert.equal(out, 'from-client-node\n');
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details?.causes?.[0]?.message, '4');

    const input = new PassThrough();
    const output = new PassThrough();
    let echoed = '';
    output.on('data', (d) => (echoed += d));
    const ws = await new k8s.PortForward(kc).portForward('default', 'web', [80], output, null, input);
    input.write('ping over channels\n');
    await eventually(() => echoed === 'ping over channels\n');
    (ws as { close(): void }).close();
  });
});

/** Sends `data` through the forwarded port, half-closes, and collects everything until the other side closes. */
function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.once('error', reject);
    socket.once('end', () => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    });
    socket.end(data);
  });
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
