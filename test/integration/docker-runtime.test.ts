// DockerRuntime against the real engine: what the kubelet relies on, observed from outside
// (a container reaches its pod-mate on localhost, exit codes and logs read back, stop and
// remove are idempotent). Everything is made on a node name unique to this run and removed by
// that label afterwards.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import Docker from 'dockerode';
import { DockerRuntime } from '../../daemon/runtime/docker-runtime.js';
import { ImagePullError, type ContainerConfig } from '../../daemon/runtime/container-runtime.js';
import { eventually, removeContainersOfNode } from '../helpers/test-daemon.js';

describe('DockerRuntime (real engine)', function () {
  this.timeout(60_000);
  const runtime = new DockerRuntime();
  const nodeName = `kl-rt-${randomUUID().slice(0, 8)}`;
  const network = `kubelab-rt-${nodeName.slice(-8)}`;
  const pod = { uid: randomUUID(), namespace: 'default', name: 'rt-pod' };
  let sandboxId = '';

  const container = (name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    pod,
    nodeName,
    name,
    image: 'kubelab/busybox:1',
    env: [],
    mounts: [],
    restartCount: 0,
    specHash: 'h1',
    ...extra,
  });

  before(async () => {
    await runtime.ensureNetwork(network, '10.244.250.0/24', '10.244.250.1');
  });
  after(async () => {
    await removeContainersOfNode(nodeName);
    await new Docker().getNetwork(network).remove().catch(() => undefined);
  });

  it('ensureNetwork is idempotent and refuses a different subnet', async () => {
    await runtime.ensureNetwork(network, '10.244.250.0/24', '10.244.250.1');
    await assert.rejects(runtime.ensureNetwork(network, '10.244.251.0/24', '10.244.251.1'), /exists with subnet 10\.244\.250\.0\/24/);
  });

  it('runs a sandbox with an IP on the pod network, labelled for re-adoption', async () => {
    const sandbox = await runtime.runPodSandbox({ pod, nodeName, hostname: 'rt-pod', networkName: network });
    sandboxId = sandbox.id;
    assert.equal(sandbox.state, 'ready');
    assert.match(sandbox.ip ?? '', /^10\.244\.250\.\d+$/);
    const listed = await runtime.listPodSandboxes({ nodeName });
    assert.deepEqual(listed.map((s) => [s.id, s.ip, s.pod.uid]), [[sandbox.id, sandbox.ip, pod.uid]]);
  });

  it('lets two containers of a pod talk over localhost', async () => {
    const web = await runtime.createContainer(sandboxId, container('web', { command: ['httpd', '-f', '-p', '8080', '-h', '/etc'] }));
    await runtime.startContainer(web);
    const client = await runtime.createContainer(
      sandboxId,
      container('client', { command: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://localhost:8080/passwd && exit 0; sleep 0.3; done; exit 1'] }),
    );
    await runtime.startContainer(client);
    const status = await eventually(async () => {
      const s = await runtime.containerStatus(client);
      return s.state === 'exited' ? s : undefined;
    });
    assert.equal(status.exitCode, 0);
    assert.equal(status.reason, 'Completed');
    assert.equal(status.name, 'client');
    const logs = await text(await runtime.containerLogs(client, {}));
    assert.match(logs, /^root:x:0:0/m);
  });

  it('reports exit codes, restart counts and spec hashes from labels', async () => {
    const id = await runtime.createContainer(sandboxId, container('fails', { command: ['sh', '-c', 'echo out; sleep 0.2; echo err >&2; exit 3'], restartCount: 2, specHash: 'abc' }));
    await runtime.startContainer(id);
    const s = await eventually(async () => {
      const st = await runtime.containerStatus(id);
      return st.state === 'exited' ? st : undefined;
    });
    assert.equal(s.exitCode, 3);
    assert.equal(s.reason, 'Error');
    assert.equal(s.restartCount, 2);
    assert.equal(s.specHash, 'abc');
    assert.ok(s.startedAt && s.finishedAt);
    const listed = await runtime.listContainers({ podUid: pod.uid });
    assert.ok(listed.some((c) => c.id === id && c.exitCode === 3));
    const logs = await text(await runtime.containerLogs(id, { tailLines: 1 }));
    assert.equal(logs, 'err\n');
  });

  it('follows logs until the container exits', async () => {
    const id = await runtime.createContainer(sandboxId, container('ticker', { command: ['sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.2; done'] }));
    await runtime.startContainer(id);
    const logs = await text(await runtime.containerLogs(id, { follow: true }));
    assert.equal(logs, 'tick 1\ntick 2\ntick 3\n');
  });

  it('execs with stdin, separate stderr and the exit code', async () => {
    const id = await runtime.createContainer(sandboxId, container('shell', { command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }));
    await runtime.startContainer(id);
    const session = await runtime.exec(id, { command: ['sh', '-c', 'tr a-z A-Z; echo oops >&2; exit 4'], stdin: true, stdout: true, stderr: true, tty: false });
    session.stdin!.end('hello\n');
    const [out, err, code] = await Promise.all([text(session.stdout), text(session.stderr!), session.exitCode]);
    assert.equal(out, 'HELLO\n');
    assert.equal(err, 'oops\n');
    assert.equal(code, 4);
  });

  it('stops and removes idempotently', async () => {
    const id = await runtime.createContainer(sandboxId, container('stopper', { command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }));
    await runtime.startContainer(id);
    const started = Date.now();
    await runtime.stopContainer(id, 10);
    assert.ok(Date.now() - started < 5000, 'the TERM handler ended it before the grace period');
    await runtime.stopContainer(id, 10);
    await runtime.removeContainer(id);
    await runtime.removeContainer(id);
    await runtime.stopContainer(id, 1);
  });

  it('fails fast with ImagePullError naming an image no registry serves', async () => {
    // A registry address on loopback where nothing listens: refused at once, no outside traffic.
    const image = '127.0.0.1:1/kubelab/absent:v9';
    assert.equal((await runtime.imageStatus(image)).present, false);
    const started = Date.now();
    await assert.rejects(runtime.pullImage(image), (err: unknown) => err instanceof ImagePullError && err.message.includes(image));
    assert.ok(Date.now() - started < 10_000);
  });
});
