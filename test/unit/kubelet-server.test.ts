// The kubelet stream server and its client end to end over loopback HTTPS, with a recording
// PodStreams instead of a container runtime (the real runtime is in
// test/integration/kubelet-server.test.ts): routing, authentication, errors and the framing of
// exec and port-forward.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { Pod } from '../../lib/api/types.js';
import { ApiError, badRequest } from '../../lib/errors.js';
import { NodeRoutedPodStreams, planPodStreamRoute } from '../../daemon/api/node-routed-pod-streams.js';
import type { PodStreams } from '../../daemon/pod-streams/pod-streams.js';
import { secretMatches, startKubeletServer, type KubeletServer } from '../../daemon/kubelet/kubelet-server.js';
import { execOptionsOfQuery, execQuery, logQuery, parseKubeletPath } from '../../daemon/pod-streams/kubelet-stream-protocol.js';
import { logOptionsOf } from '../../daemon/pod-streams/log-options.js';
import type { ExecOptions, ExecSession, LogOptions } from '../../daemon/runtime/container-runtime.js';

const SECRET = 'the-kubelet-secret';

function newPod(name: string, nodeName?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID(), managedFields: [{ manager: 'kubectl' }] as never },
    spec: { nodeName, containers: [{ name: 'app', image: 'kubelab/busybox:1' }] },
  };
}

/** PodStreams that records what reached it and answers like a tiny kubelet. */
class RecordingPodStreams implements PodStreams {
  readonly calls: string[] = [];
  readonly resizes: string[] = [];
  readonly logOptions: (LogOptions & { previous?: boolean })[] = [];

  async logs(pod: Pod, container: string, options: LogOptions & { previous?: boolean }): Promise<Readable> {
    this.calls.push(`logs ${pod.metadata.namespace}/${pod.metadata.name} ${container} managedFields=${pod.metadata.managedFields !== undefined}`);
    this.logOptions.push(options);
    if (container === 'sidecar') throw badRequest(`container "sidecar" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
    return Readable.from(['line 1\n', 'line 2\n']);
  }

  async exec(pod: Pod, container: string, options: ExecOptions): Promise<ExecSession> {
    this.calls.push(`exec ${pod.metadata.name} ${container} ${options.command.join(' ')} stdin=${options.stdin} tty=${options.tty}`);
    // `cat`, then `exit 3`: stdin echoed upper-cased to stdout, a word on stderr.
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdin.on('data', (chunk: Buffer) => stdout.write(chunk.toString().toUpperCase()));
    const exitCode = new Promise<number>((resolve) =>
      stdin.on('end', () => {
        stderr.end('bye\n');
        stdout.end();
        resolve(3);
      }),
    );
    return { stdin, stdout, stderr, exitCode, resize: async (w, h) => void this.resizes.push(`${w}x${h}`) };
  }

  async portForward(pod: Pod, port: number): Promise<Duplex> {
    this.calls.push(`portForward ${pod.metadata.name} ${port}`);
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', (err) => reject(badRequest(`error forwarding port ${port} to pod ${pod.metadata.name}: ${err.message}`)));
    });
  }
}

describe('kubelet stream server (loopback, recording PodStreams)', () => {
  let remote: RecordingPodStreams;
  let local: RecordingPodStreams;
  let kubelet: KubeletServer;
  let routed: NodeRoutedPodStreams;
  const apiPods = new Map<string, Pod>();

  before(async () => {
    remote = new RecordingPodStreams();
    local = new RecordingPodStreams();
    kubelet = await startKubeletServer({
      host: '127.0.0.1',
      port: 0,
      streams: remote,
      secret: SECRET,
      getPod: async (namespace, name) => apiPods.get(`${namespace}/${name}`) ?? Promise.reject(new ApiError(404, 'NotFound', `pods "${name}" not found`)),
    });
    routed = new NodeRoutedPodStreams({
      localNodeName: 'node-a',
      local,
      secret: SECRET,
      nodeAddress: async (nodeName) => {
        if (nodeName === 'node-b') return { host: '127.0.0.1', port: kubelet.port };
        if (nodeName === 'node-gone') throw new ApiError(404, 'NotFound', 'nodes "node-gone" not found');
        return { host: '127.0.0.1', port: 1 }; // nothing listens on port 1
      },
    });
  });
  after(() => kubelet?.close());

  it('parses the kubelet paths', () => {
    assert.deepEqual(parseKubeletPath('/containerLogs/ns/web/app'), { kind: 'containerLogs', namespace: 'ns', name: 'web', container: 'app' });
    assert.deepEqual(parseKubeletPath('/exec/ns/web/u-1/app'), { kind: 'exec', namespace: 'ns', name: 'web', uid: 'u-1', container: 'app' });
    assert.deepEqual(parseKubeletPath('/exec/ns/web/app'), { kind: 'exec', namespace: 'ns', name: 'web', container: 'app' });
    assert.deepEqual(parseKubeletPath('/portForward/ns/web/u-1'), { kind: 'portForward', namespace: 'ns', name: 'web', uid: 'u-1' });
    assert.deepEqual(parseKubeletPath('/portForward/ns/web'), { kind: 'portForward', namespace: 'ns', name: 'web' });
    for (const bad of ['/', '/containerLogs/ns/web', '/run/ns/web/app', '/exec/ns/web/a/b/c']) assert.equal(parseKubeletPath(bad), undefined, bad);
    assert.deepEqual(execOptionsOfQuery(new URLSearchParams('command=sh&command=-c&command=echo+hi&stdin=1&stdout=true&tty=0')), {
      command: ['sh', '-c', 'echo hi'],
      stdin: true,
      stdout: true,
      stderr: false,
      tty: false,
    });
    assert.throws(() => execOptionsOfQuery(new URLSearchParams('stdout=1')), { code: 400 });
  });

  it('reads back the exec and log queries the API server writes (both ends of the protocol agree)', () => {
    const exec = { command: ['sh', '-c', 'echo a&b=c'], stdin: true, stdout: true, stderr: false, tty: true };
    assert.deepEqual(execOptionsOfQuery(execQuery(exec)), exec);
    const pod = { metadata: { name: 'web', namespace: 'ns', uid: 'u-1' } } as Pod;
    const log = { follow: true, timestamps: false, previous: true, tailLines: 10, sinceSeconds: 60, limitBytes: 512 };
    const query = logQuery(pod, log);
    assert.equal(query.get('podUID'), 'u-1');
    assert.deepEqual(logOptionsOf(Object.fromEntries(query)), log);
  });

  it('matches only the exact bearer secret', () => {
    assert.equal(secretMatches(`Bearer ${SECRET}`, SECRET), true);
    for (const wrong of [undefined, '', 'Bearer ', `Bearer ${SECRET}x`, SECRET, `Basic ${SECRET}`]) assert.equal(secretMatches(wrong, SECRET), false, String(wrong));
  });

  it('routes a pod by its node: local, remote, or a 400 when it has none', () => {
    assert.deepEqual(planPodStreamRoute(newPod('p', 'node-a'), 'node-a'), { local: true });
    assert.deepEqual(planPodStreamRoute(newPod('p', 'node-b'), 'node-a'), { local: false, nodeName: 'node-b' });
    assert.throws(() => planPodStreamRoute(newPod('p'), 'node-a'), { code: 400, message: 'pod p does not have a host assigned' });
  });

  it('answers 401 with a Status to a request without the secret', async () => {
    for (const authorization of [undefined, 'Bearer wrong']) {
      const { status, body } = await rawGet(kubelet.port, '/containerLogs/default/web/app', authorization);
      assert.equal(status, 401);
      assert.equal(JSON.parse(body).reason, 'Unauthorized');
    }
  });

  it('serves a local pod from the local kubelet and a remote pod through the kubelet server, with the log options', async () => {
    const here = newPod('here', 'node-a');
    assert.equal(await text(await routed.logs(here, 'app', {})), 'line 1\nline 2\n');
    assert.match(local.calls.at(-1)!, /^logs default\/here app/);
    const there = newPod('there', 'node-b');
    const options = { follow: true, tailLines: 5, timestamps: true, previous: true, sinceSeconds: 10, limitBytes: 100 };
    assert.equal(await text(await routed.logs(there, 'app', options)), 'line 1\nline 2\n');
    assert.equal(remote.calls.at(-1), 'logs default/there app managedFields=false'); // the bookkeeping stays behind
    assert.deepEqual(remote.logOptions.at(-1), options);
  });

  it('without the pod sent along, reads it with getPod and refuses a different uid with a 404', async () => {
    const pod = newPod('api-pod', 'node-b');
    apiPods.set('default/api-pod', pod);
    const ok = await rawGet(kubelet.port, `/containerLogs/default/api-pod/app?podUID=${pod.metadata.uid}`, `Bearer ${SECRET}`);
    assert.deepEqual([ok.status, ok.body], [200, 'line 1\nline 2\n']);
    const stale = await rawGet(kubelet.port, '/containerLogs/default/api-pod/app?podUID=someone-else', `Bearer ${SECRET}`);
    assert.equal(stale.status, 404);
    assert.match(JSON.parse(stale.body).message, /pod default\/api-pod with UID someone-else not found/);
  });

  it('passes the kubelet\'s refusals on with their code and message', async () => {
    await assert.rejects(routed.logs(newPod('web', 'node-b'), 'sidecar', {}), {
      code: 400,
      reason: 'BadRequest',
      message: 'container "sidecar" in pod "web" is waiting to start: ContainerCreating',
    });
  });

  it('reports an unreachable node as a 502 naming the node and its address', async () => {
    await assert.rejects(routed.logs(newPod('web', 'node-down'), 'app', {}), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 502);
      assert.match(err.message, /^node "node-down": its kubelet at 127\.0\.0\.1:1 cannot be reached: connect ECONNREFUSED/);
      return true;
    });
    await assert.rejects(routed.exec(newPod('web', 'node-gone'), 'app', { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false }), {
      code: 502,
      message: /node "node-gone".*nodes "node-gone" not found/,
    });
  });

  it('reports a kubelet that refuses our secret as a 502 that says so', async () => {
    const wrongSecret = new NodeRoutedPodStreams({ localNodeName: 'node-a', local, secret: 'not-it', nodeAddress: async () => ({ host: '127.0.0.1', port: kubelet.port }) });
    await assert.rejects(wrongSecret.logs(newPod('web', 'node-b'), 'app', {}), { code: 502, message: /refused the API server's kubelet secret \(401 Unauthorized\)/ });
    await assert.rejects(wrongSecret.portForward(newPod('web', 'node-b'), 80), { code: 502, message: /401 Unauthorized/ });
  });

  it('runs an exec remotely: stdin, stdout, stderr, resize and the exit code', async () => {
    const session = await routed.exec(newPod('shell', 'node-b'), 'app', { command: ['cat'], stdin: true, stdout: true, stderr: true, tty: false });
    await session.resize(120, 40);
    const stdout = text(session.stdout);
    const stderr = text(session.stderr!);
    session.stdin!.write('hello ');
    session.stdin!.end('world');
    assert.equal(await session.exitCode, 3);
    assert.equal(await stdout, 'HELLO WORLD');
    assert.equal(await stderr, 'bye\n');
    assert.deepEqual(remote.resizes, ['120x40']);
    assert.match(remote.calls.at(-1)!, /^exec shell app cat stdin=true tty=false$/);
  });

  it('forwards a connection with half-close: the pod reads EOF and still answers', async () => {
    // A server that answers with what it read, once it has read everything.
    const echo = net.createServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => socket.end(`got ${Buffer.concat(chunks).length} bytes`));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const port = (echo.address() as net.AddressInfo).port;
      const connection = await routed.portForward(newPod('web', 'node-b'), port);
      const answer = text(connection);
      connection.end(Buffer.alloc(200_000, 1));
      assert.equal(await answer, 'got 200000 bytes');
      await assert.rejects(routed.portForward(newPod('web', 'node-b'), 1), { code: 400, message: /error forwarding port 1 to pod web: connect ECONNREFUSED/ });
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});

function rawGet(port: number, path: string, authorization?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, rejectUnauthorized: false, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
      text(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    });
    req.once('error', reject);
  });
}
