// The kubelet stream server and its client end to end over loopback HTTPS, with a recording
// PodStreams instead of a container runtime (the real runtime is in
// test/integration/kubelet-server.test.ts): routing, authentication, errors and the framing of
// exec and port-forward, and the certificates both ends check (the kubelet's, issued by the
// cluster CA to its node; the API server's client certificate).

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
import { startKubeletServer, type KubeletServer } from '../../daemon/kubelet/kubelet-server.js';
import { createServingCertificate } from '../../daemon/pki/certificates.js';
import { kubeletPki } from '../helpers/kubelet-pki.js';
import { execOptionsOfQuery, execQuery, logQuery, parseKubeletPath } from '../../daemon/pod-streams/kubelet-stream-protocol.js';
import { logOptionsOf } from '../../daemon/pod-streams/log-options.js';
import type { AttachOptions, ExecOptions, ExecSession, LogOptions } from '../../daemon/runtime/container-runtime.js';

const pki = kubeletPki();
const foreign = kubeletPki(); // another cluster's CA: what an impostor could have

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

  /** The main process echoes stdin upper-cased until EOF; attach reports 0 (how it ended is the pod's status). */
  async attach(pod: Pod, container: string, options: AttachOptions): Promise<ExecSession> {
    this.calls.push(`attach ${pod.metadata.name} ${container} stdin=${options.stdin} tty=${options.tty}`);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    stdin.on('data', (chunk: Buffer) => stdout.write(chunk.toString().toUpperCase()));
    const exitCode = new Promise<number>((resolve) => stdin.on('end', () => (stdout.end(), resolve(0))));
    return { stdin, stdout, exitCode, resize: async (w, h) => void this.resizes.push(`${w}x${h}`) };
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
      tls: pki.kubeletServer('node-b'),
      getPod: async (namespace, name) => apiPods.get(`${namespace}/${name}`) ?? Promise.reject(new ApiError(404, 'NotFound', `pods "${name}" not found`)),
    });
    routed = new NodeRoutedPodStreams({
      localNodeName: 'node-a',
      local,
      tls: pki.apiServerClient,
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
    assert.deepEqual(parseKubeletPath('/attach/ns/web/u-1/app'), { kind: 'attach', namespace: 'ns', name: 'web', uid: 'u-1', container: 'app' });
    assert.deepEqual(parseKubeletPath('/portForward/ns/web/u-1'), { kind: 'portForward', namespace: 'ns', name: 'web', uid: 'u-1' });
    assert.deepEqual(parseKubeletPath('/portForward/ns/web'), { kind: 'portForward', namespace: 'ns', name: 'web' });
    for (const bad of ['/', '/containerLogs/ns/web', '/run/ns/web/app', '/exec/ns/web/a/b/c']) assert.equal(parseKubeletPath(bad), undefined, bad);
    assert.throws(() => parseKubeletPath('/containerLogs/ns/web%E0%A4%A/app'), (err: unknown) => err instanceof ApiError && err.code === 400);
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

  it('routes a pod by its node: local, remote, or a 400 when it has none', () => {
    assert.deepEqual(planPodStreamRoute(newPod('p', 'node-a'), 'node-a'), { local: true });
    assert.deepEqual(planPodStreamRoute(newPod('p', 'node-b'), 'node-a'), { local: false, nodeName: 'node-b' });
    assert.throws(() => planPodStreamRoute(newPod('p'), 'node-a'), { code: 400, message: 'pod p does not have a host assigned' });
  });

  it('answers 401 with a Status to a caller without the API server\'s client certificate', async () => {
    for (const client of [null, foreign.apiServerClient]) {
      const { status, body } = await rawGet(kubelet.port, '/pods', client);
      assert.equal(status, 401);
      assert.equal(JSON.parse(body).reason, 'Unauthorized');
      assert.match(JSON.parse(body).message, /client certificate signed by the cluster CA with common name kube-apiserver-kubelet-client/);
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
    const ok = await rawGet(kubelet.port, `/containerLogs/default/api-pod/app?podUID=${pod.metadata.uid}`);
    assert.deepEqual([ok.status, ok.body], [200, 'line 1\nline 2\n']);
    const stale = await rawGet(kubelet.port, '/containerLogs/default/api-pod/app?podUID=someone-else');
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

  it('reports a kubelet that refuses our client certificate as a 502 that says so', async () => {
    // A client certificate of another CA, and none at all.
    const wrongClient = new NodeRoutedPodStreams({
      localNodeName: 'node-a',
      local,
      tls: { ...foreign.apiServerClient, caPem: pki.ca.certPem },
      nodeAddress: async () => ({ host: '127.0.0.1', port: kubelet.port }),
    });
    await assert.rejects(wrongClient.logs(newPod('web', 'node-b'), 'app', {}), { code: 502, message: /refused the API server's client certificate \(401 Unauthorized\)/ });
    await assert.rejects(wrongClient.portForward(newPod('web', 'node-b'), 80), { code: 502, message: /401 Unauthorized/ });
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: kubelet.port, path: '/containerLogs/default/web/app', ca: pki.ca.certPem }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .once('error', reject);
    });
    assert.equal(status, 401);
    // A node's own serving certificate is of the cluster CA, but not the API server's: refused too.
    const nodeAsClient = pki.kubeletServer('node-c');
    const otherNode = new NodeRoutedPodStreams({
      localNodeName: 'node-a',
      local,
      tls: { caPem: pki.ca.certPem, certPem: nodeAsClient.certPem, keyPem: nodeAsClient.keyPem },
      nodeAddress: async () => ({ host: '127.0.0.1', port: kubelet.port }),
    });
    await assert.rejects(otherNode.logs(newPod('web', 'node-b'), 'app', {}), { code: 502 });
  });

  it('refuses a kubelet whose certificate the cluster CA did not sign, or signed for another node', async () => {
    const impostors: [string, { certPem: string; keyPem: string }, RegExp][] = [
      ['self-signed', createServingCertificate({ commonName: 'system:node:node-b', sans: { dns: ['node-b'], ips: ['127.0.0.1'] }, years: 1 }), /self-signed/],
      ['another CA', foreign.kubeletServer('node-b'), /.+/],
      ['another node of this CA', pki.kubeletServer('node-c'), /issued to "system:node:node-c", not system:node:node-b/],
    ];
    for (const [what, cert, detail] of impostors) {
      const impostorStreams = new RecordingPodStreams();
      const impostor = await startKubeletServer({
        host: '127.0.0.1',
        port: 0,
        streams: impostorStreams,
        tls: { ...cert, caPem: pki.ca.certPem },
        getPod: async () => Promise.reject(new Error('unused')),
      });
      try {
        const api = new NodeRoutedPodStreams({ localNodeName: 'node-a', local, tls: pki.apiServerClient, nodeAddress: async () => ({ host: '127.0.0.1', port: impostor.port }) });
        await assert.rejects(api.logs(newPod('web', 'node-b'), 'app', {}), (err: ApiError) => {
          assert.equal(err.code, 502, what);
          assert.match(err.message, /^node "node-b": its kubelet at 127\.0\.0\.1:\d+ cannot be reached: its certificate is not the one the cluster CA issued to node node-b/, what);
          assert.match(err.message, detail, what);
          return true;
        });
        await assert.rejects(api.exec(newPod('web', 'node-b'), 'app', { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false }), { code: 502 });
        assert.deepEqual(impostorStreams.calls, [], `${what}: nothing reached the impostor's pods`);
      } finally {
        await impostor.close();
      }
    }
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

  it('attaches remotely (kubectl attach, run -i): the main process gets stdin, its output comes back, exit 0', async () => {
    const session = await routed.attach(newPod('shell', 'node-b'), 'app', { stdin: true, stdout: true, stderr: false, tty: true });
    await session.resize(100, 30);
    const stdout = text(session.stdout);
    session.stdin!.end('attached');
    assert.equal(await session.exitCode, 0);
    assert.equal(await stdout, 'ATTACHED');
    assert.deepEqual(remote.resizes.at(-1), '100x30');
    assert.match(remote.calls.at(-1)!, /^attach shell app stdin=true tty=true$/);
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

/** A GET as the API server makes it: its client certificate, the kubelet's checked against the cluster CA. */
function rawGet(port: number, path: string, client: { certPem: string; keyPem: string } | null = pki.apiServerClient): Promise<{ status: number; body: string }> {
  const credentials = client ? { cert: client.certPem, key: client.keyPem } : {};
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, ca: pki.ca.certPem, ...credentials }, (res) => {
      text(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    });
    req.once('error', reject);
  });
}
