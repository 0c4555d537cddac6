// What a container's tty, stdin, stdinOnce and a UDP hostPort do on the real engine, as the
// kubelet asks for them (test/unit/kubelet-container-io.test.ts shows the asking): a terminal the
// process sees, a stdin that stays open for an attach (and reads EOF at once without `stdin`), a
// stdin closed after the first attach ends with `stdinOnce` (what `kubectl run -i --rm` relies
// on), and a hostPort published for UDP that a datagram from the node reaches. Everything is
// made on a node name unique to this run and removed by that label afterwards.
//
// covers: Pod spec.containers.tty, spec.containers.stdin, spec.containers.stdinOnce, spec.containers.ports.protocol

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import type { Duplex } from 'node:stream';
import { text } from 'node:stream/consumers';
import Docker from 'dockerode';
import { DockerRuntime } from '../../daemon/runtime/docker-runtime.js';
import type { ContainerConfig, PodIdentity } from '../../daemon/runtime/container-runtime.js';
import { pickFreeSubnet } from '../helpers/docker-networks.js';
import { eventually, removeContainersOfNode } from '../../harness/test-daemon.js';

describe('container tty, stdin, stdinOnce and UDP hostPorts (real engine)', function () {
  this.timeout(60_000);
  const docker = new Docker();
  const runtime = new DockerRuntime();
  const nodeName = `kl-io-${randomUUID().slice(0, 8)}`;
  const network = `kubelab-${nodeName}`;

  const newPod = (name: string): PodIdentity => ({ uid: randomUUID(), namespace: 'default', name });
  const config = (pod: PodIdentity, command: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    pod, nodeName, name: 'app', image: 'kubelab/busybox:1', command: ['sh', '-c', command], env: [], mounts: [], restartCount: 0, specHash: 'h1', ...extra,
  });
  const runPod = async (name: string, command: string, extra: Partial<ContainerConfig> = {}, sandboxExtra = {}) => {
    const pod = newPod(name);
    const sandbox = await runtime.runPodSandbox({ pod, nodeName, hostname: name, networkName: network, ...sandboxExtra });
    const id = await runtime.createContainer(sandbox.id, config(pod, command, extra));
    await runtime.startContainer(id);
    return { id, sandboxId: sandbox.id };
  };
  const logsOf = async (id: string) => text(await runtime.containerLogs(id, {}));
  const exited = (id: string) => eventually(async () => ((await runtime.containerStatus(id)).state === 'exited' ? true : undefined));
  /** An attach to the main process's stdin, as the kubelet's attach (and `docker attach`) makes it. */
  const attachStdin = async (id: string) => (await docker.getContainer(id).attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true })) as unknown as Duplex;

  before(async () => {
    const { subnet, gateway } = await pickFreeSubnet(docker);
    await runtime.ensureNetwork(network, subnet, gateway);
  });
  after(async () => {
    await removeContainersOfNode(nodeName);
    await docker.getNetwork(network).remove().catch(() => undefined);
  });

  it('tty: the process writes to a terminal; without it, to a pipe', async () => {
    const probe = 'if test -t 1; then echo on-a-terminal; else echo not-a-terminal; fi';
    const withTty = await runPod('tty', probe, { tty: true });
    const without = await runPod('notty', probe);
    await exited(withTty.id);
    await exited(without.id);
    assert.match(await logsOf(withTty.id), /^on-a-terminal\r?\n$/);
    assert.equal(await logsOf(without.id), 'not-a-terminal\n');
  });

  it('stdin: the process waits for what an attach sends; without it, it reads EOF at once', async () => {
    const reader = 'if read line; then echo "read: $line"; else echo "eof"; fi';
    const without = await runPod('nostdin', reader);
    await exited(without.id);
    assert.equal(await logsOf(without.id), 'eof\n');

    const open = await runPod('stdin', reader, { stdin: true });
    const attach = await attachStdin(open.id);
    attach.write('hello from attach\n');
    await exited(open.id);
    attach.destroy();
    assert.equal(await logsOf(open.id), 'read: hello from attach\n');
  });

  it('stdinOnce: stdin closes when the first attach ends; without it, stdin stays open for the next attach', async () => {
    const counter = 'n=0; while read line; do n=$((n+1)); echo "line $n: $line"; done; echo "stdin closed after $n"';
    const once = await runPod('once', counter, { stdin: true, stdinOnce: true });
    const kept = await runPod('kept', counter, { stdin: true });
    for (const { id } of [once, kept]) {
      const attach = await attachStdin(id);
      attach.end('first\n');
      await eventually(async () => ((await logsOf(id)).includes('line 1: first') ? true : undefined));
      attach.destroy();
    }
    await exited(once.id);
    assert.equal(await logsOf(once.id), 'line 1: first\nstdin closed after 1\n');
    // The other one is still reading: a second attach reaches the same process.
    assert.equal((await runtime.containerStatus(kept.id)).state, 'running');
    const second = await attachStdin(kept.id);
    second.write('second\n');
    await eventually(async () => ((await logsOf(kept.id)).includes('line 2: second') ? true : undefined));
    second.destroy();
  });

  it('a UDP hostPort is published for UDP: a datagram sent to the node reaches the pod', async () => {
    const hostPort = await freeUdpPort();
    const pod = await runPod('udp', 'sleep 600', {}, { portMappings: [{ containerPort: 5000, hostPort, protocol: 'UDP', hostIP: '127.0.0.1' }] });
    const sandbox = await docker.getContainer(pod.sandboxId).inspect();
    assert.deepEqual(Object.keys(sandbox.HostConfig.PortBindings as Record<string, unknown>), ['5000/udp']);
    // busybox has no UDP server, so the listener is this Node.js, run inside the pod's network
    // namespace: what it receives on port 5000 is what reached the pod.
    const listener = spawn('nsenter', ['-t', String(sandbox.State.Pid), '-n', process.execPath, '-e',
      "const s = require('node:dgram').createSocket('udp4'); s.on('message', (m) => process.stdout.write(m)); s.bind(5000, () => process.stdout.write('listening\\n'));"]);
    let received = '';
    listener.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const socket = dgram.createSocket('udp4');
    try {
      await eventually(() => (received.includes('listening') ? true : undefined));
      // Datagrams are not retried by anyone: send until one arrives.
      await eventually(() => {
        socket.send('ping over udp\n', hostPort, '127.0.0.1');
        return received.includes('ping over udp') ? true : undefined;
      });
    } finally {
      socket.close();
      listener.kill();
    }
  });
});

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
