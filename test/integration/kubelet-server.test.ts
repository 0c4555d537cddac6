// logs, exec and port-forward of a pod on "another node", on the real engine: a KubeletStreams
// over DockerRuntime serves a pod made directly with the runtime, behind a real kubelet stream
// server on loopback; the API server's side is a NodeRoutedPodStreams whose own node has another
// name, so every request travels the way it does between two hosts (HTTPS with certificates of a
// cluster CA both ways: the node's kubelet certificate and the API server's client certificate,
// the framed protocol). Everything is made on a node name unique to this run and removed by that
// label afterwards.

import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import type { Pod } from '../../lib/api/types.js';
import { NodeRoutedPodStreams } from '../../daemon/api/node-routed-pod-streams.js';
import type { PodStreams } from '../../daemon/pod-streams/pod-streams.js';
import { startKubeletServer, type KubeletServer } from '../../daemon/kubelet/kubelet-server.js';
import { KubeletStreams } from '../../daemon/kubelet/kubelet-streams.js';
import type { ContainerConfig, ExecOptions, PodIdentity } from '../../daemon/runtime/container-runtime.js';
import { DockerRuntime } from '../../daemon/runtime/docker-runtime.js';
import { pickFreeSubnet } from '../helpers/docker-networks.js';
import { kubeletPki } from '../helpers/kubelet-pki.js';
import { eventually, removeContainersOfNode } from '../../harness/test-daemon.js';

const IMAGE = 'kubelab/busybox:1';
const pki = kubeletPki();
const foreign = kubeletPki(); // another cluster's CA
const ECHO_PORT = 8080;

/** The API server's own node must never be asked: every pod here lives on the remote one. */
const noLocalStreams: PodStreams = {
  logs: () => Promise.reject(new Error('routed to the local kubelet')),
  exec: () => Promise.reject(new Error('routed to the local kubelet')),
  attach: () => Promise.reject(new Error('routed to the local kubelet')),
  portForward: () => Promise.reject(new Error('routed to the local kubelet')),
};

describe('kubelet stream server (real engine, pod on another node)', function () {
  this.timeout(60_000);
  const docker = new Docker();
  const runtime = new DockerRuntime();
  const nodeName = `kl-ks-${randomUUID().slice(0, 8)}`;
  const network = `kubelab-${nodeName}`;
  let kubelet: KubeletServer | undefined;
  let routed: NodeRoutedPodStreams;
  let pod: Pod;

  const exec = (command: string[], extra: Partial<ExecOptions> = {}) =>
    routed.exec(pod, 'app', { command, stdin: false, stdout: true, stderr: true, tty: false, ...extra });

  before(async () => {
    const { subnet, gateway } = await pickFreeSubnet(docker);
    await runtime.ensureNetwork(network, subnet, gateway);
    const identity: PodIdentity = { uid: randomUUID(), namespace: 'default', name: 'remote-web' };
    const sandbox = await runtime.runPodSandbox({ pod: identity, nodeName, hostname: identity.name, networkName: network });
    const config: ContainerConfig = {
      pod: identity,
      nodeName,
      name: 'app',
      image: IMAGE,
      // A line a second for the logs, and an echo server (one `cat` per connection) for port-forward.
      command: ['sh', '-c', `nc -ll -p ${ECHO_PORT} -e cat & i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done`],
      env: [],
      mounts: [],
      restartCount: 0,
      specHash: 'h1',
    };
    await runtime.startContainer(await runtime.createContainer(sandbox.id, config));
    pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...identity },
      spec: { nodeName, containers: [{ name: 'app', image: IMAGE }] },
      status: { phase: 'Running', podIP: sandbox.ip },
    };

    kubelet = await startKubeletServer({
      host: '127.0.0.1',
      port: 0,
      streams: new KubeletStreams(runtime),
      tls: pki.kubeletServer(nodeName),
      getPod: async () => pod,
    });
    const port = kubelet.port;
    routed = new NodeRoutedPodStreams({ localNodeName: `${nodeName}-api`, local: noLocalStreams, tls: pki.apiServerClient, nodeAddress: async () => ({ host: '127.0.0.1', port }) });
    await eventually(async () => (await text(await routed.logs(pod, 'app', {}))).includes('line 2'), 15_000, 200);
  });
  after(async () => {
    await kubelet?.close();
    await removeContainersOfNode(nodeName);
    await docker.getNetwork(network).remove().catch(() => undefined);
  });

  it('reads the last lines with tailLines, and a follow gets the lines written afterwards', async () => {
    const tail = (await text(await routed.logs(pod, 'app', { tailLines: 2 }))).trimEnd().split('\n');
    assert.equal(tail.length, 2);
    assert.match(tail[1], /^line \d+$/);
    const last = Number(tail[1].split(' ')[1]);

    const follow = await routed.logs(pod, 'app', { follow: true, tailLines: 1 });
    try {
      const seen = await readUntil(follow, (s) => s.includes(`line ${last + 2}\n`), 10_000);
      assert.match(seen, new RegExp(`line ${last + 1}\\nline ${last + 2}\\n`));
    } finally {
      follow.destroy();
    }
  });

  it('runs an exec: stdout and stderr apart, and exit code 3', async () => {
    const session = await exec(['sh', '-c', 'echo to-out; echo to-err >&2; exit 3']);
    const [stdout, stderr, code] = await Promise.all([text(session.stdout), text(session.stderr!), session.exitCode]);
    assert.deepEqual([stdout, stderr, code], ['to-out\n', 'to-err\n', 3]);
  });

  it('feeds stdin to the process and ends it with EOF', async () => {
    const session = await exec(['sh', '-c', 'wc -c; cat >/dev/null; echo done'], { stdin: true });
    const stdout = text(session.stdout);
    session.stdin!.end('x'.repeat(100_000));
    assert.equal(await session.exitCode, 0);
    assert.deepEqual((await stdout).split(/\s+/).filter(Boolean), ['100000', 'done']);
  });

  it('resizes a TTY without failing (the process sees the new size)', async () => {
    const session = await exec(['sh', '-c', 'sleep 1; stty size'], { tty: true, stderr: false });
    await session.resize(100, 30);
    const [stdout, code] = await Promise.all([text(session.stdout), session.exitCode]);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), '30 100');
  });

  it('refuses an exec in a container the pod does not have, with the kubelet\'s 400', async () => {
    await assert.rejects(routed.exec(pod, 'nope', { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false }), {
      code: 400,
      message: 'container nope is not valid for pod remote-web',
    });
  });

  it('port-forwards 4 MiB both ways (sha256 checked) on 3 connections at once, with half-close', async () => {
    const results = await Promise.all(
      [0, 1, 2].map(async () => {
        const payload = randomBytes(4 * 1024 * 1024);
        const connection = await routed.portForward(pod, ECHO_PORT);
        const echoed = collect(connection);
        connection.end(payload); // half-close: cat reads EOF, finishes echoing, and the pod closes
        const back = await echoed;
        return { sent: sha256(payload), received: sha256(back), bytes: back.length };
      }),
    );
    for (const r of results) assert.deepEqual(r, { sent: r.sent, received: r.sent, bytes: 4 * 1024 * 1024 });
  });

  it('answers 401 to a caller without the API server\'s certificate, and the API side reports it as the node\'s problem', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: kubelet!.port, path: '/containerLogs/default/remote-web/app', ca: pki.ca.certPem }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .once('error', reject);
    });
    assert.equal(status, 401);
    const port = kubelet!.port;
    const wrong = new NodeRoutedPodStreams({ localNodeName: 'api', local: noLocalStreams, tls: { ...foreign.apiServerClient, caPem: pki.ca.certPem }, nodeAddress: async () => ({ host: '127.0.0.1', port }) });
    await assert.rejects(wrong.exec(pod, 'app', { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false }), {
      code: 502,
      message: new RegExp(`^node "${nodeName}": its kubelet at 127\\.0\\.0\\.1:${port} cannot be reached: it refused the API server's client certificate \\(401 Unauthorized\\)`),
    });
  });

  it('refuses a kubelet whose certificate the cluster CA did not sign: the API server sends it nothing', async () => {
    const impostor = await startKubeletServer({ host: '127.0.0.1', port: 0, streams: new KubeletStreams(runtime), tls: foreign.kubeletServer(nodeName), getPod: async () => pod });
    try {
      const api = new NodeRoutedPodStreams({ localNodeName: 'api', local: noLocalStreams, tls: pki.apiServerClient, nodeAddress: async () => ({ host: '127.0.0.1', port: impostor.port }) });
      await assert.rejects(api.logs(pod, 'app', {}), {
        code: 502,
        message: new RegExp(`^node "${nodeName}": its kubelet at 127\\.0\\.0\\.1:${impostor.port} cannot be reached: its certificate is not the one the cluster CA issued to node ${nodeName}`),
      });
    } finally {
      await impostor.close();
    }
  });

});

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** Reads a stream until `done` holds for what has arrived (or fails after timeoutMs). */
function readUntil(stream: Readable, done: (soFar: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let soFar = '';
    const timer = setTimeout(() => reject(new Error(`after ${timeoutMs} ms the stream had only: ${JSON.stringify(soFar)}`)), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      soFar += chunk.toString('utf8');
      if (done(soFar)) {
        clearTimeout(timer);
        resolve(soFar);
      }
    });
    stream.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
