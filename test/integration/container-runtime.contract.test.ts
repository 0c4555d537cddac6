// The ContainerRuntime contract, run against FakeRuntime and DockerRuntime alike: the kubelet's
// unit tests trust the fake, so the fake must behave as the engine does wherever the kubelet
// can tell. Containers run busybox commands that the fake's small sh (fake-shell.ts) runs too.
// Docker-only behaviour (real networking, ports, TTY bytes) is in docker-runtime.test.ts.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import Docker from 'dockerode';
import {
  ImagePullError,
  LABEL_CONTAINER_NAME,
  LABEL_CONTAINER_ROLE,
  LABEL_MANAGED,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SPEC_HASH,
  RuntimeError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type PodIdentity,
} from '../../daemon/runtime/container-runtime.js';
import { DockerRuntime } from '../../daemon/runtime/docker-runtime.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';
import { pickFreeSubnet } from '../helpers/docker-networks.js';
import { eventually, removeContainersOfNode } from '../../harness/test-daemon.js';

export interface RuntimeUnderTest {
  runtime: ContainerRuntime;
  /** Unique to this run: everything the suite creates carries it. */
  nodeName: string;
  /** A network the suite may create with ensureNetwork (nothing else uses this subnet). */
  network: { name: string; subnet: string; gateway: string };
  cleanup(): Promise<void>;
}

const IMAGE = 'kubelab/busybox:1';
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** Runs until stopped, and exits 0 at once on SIGTERM (the `& wait $!` lets the trap run). */
const SERVE_UNTIL_TERM = ['sh', '-c', "trap 'exit 0' TERM; sleep 60 & wait $!"];

export function describeRuntimeContract(name: string, makeRuntime: () => Promise<RuntimeUnderTest>): void {
  describe(`ContainerRuntime contract: ${name}`, function () {
    this.timeout(30_000);
    let t: RuntimeUnderTest;
    let runtime: ContainerRuntime;
    const newPod = (podName: string): PodIdentity => ({ uid: randomUUID(), namespace: 'contract', name: podName });
    const containerConfig = (pod: PodIdentity, containerName: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
      pod,
      nodeName: t.nodeName,
      name: containerName,
      image: IMAGE,
      env: [],
      mounts: [],
      restartCount: 0,
      specHash: 'hash-1',
      ...extra,
    });
    const runSandbox = (pod: PodIdentity) =>
      runtime.runPodSandbox({ pod, nodeName: t.nodeName, hostname: pod.name, networkName: t.network.name, labels: { 'test.extra': 'yes' } });
    const runContainer = async (sandboxId: string, config: ContainerConfig) => {
      const id = await runtime.createContainer(sandboxId, config);
      await runtime.startContainer(id);
      return id;
    };
    const exited = (id: string): Promise<ContainerStatus> =>
      eventually(async () => {
        const s = await runtime.containerStatus(id);
        return s.state === 'exited' ? s : undefined;
      }, 15_000, 100);

    before(async () => {
      t = await makeRuntime();
      runtime = t.runtime;
      await runtime.ensureNetwork(t.network.name, t.network.subnet, t.network.gateway);
    });
    after(async () => {
      await t?.cleanup();
    });

    it('ensureNetwork is idempotent and refuses the same name with another subnet', async () => {
      await runtime.ensureNetwork(t.network.name, t.network.subnet, t.network.gateway);
      await assert.rejects(runtime.ensureNetwork(t.network.name, '10.99.0.0/24', '10.99.0.1'), (err: unknown) => {
        assert.ok(err instanceof RuntimeError);
        assert.match(err.message, new RegExp(`${t.network.name}.*exists with subnet ${t.network.subnet.replace(/\./g, '\\.')}`));
        return true;
      });
    });

    it('runs a ready sandbox with an IP from the network, labelled with the pod, listed by podUid and nodeName', async () => {
      const pod = newPod('sandboxed');
      const other = newPod('other');
      const sandbox = await runSandbox(pod);
      const otherSandbox = await runSandbox(other);
      assert.equal(sandbox.state, 'ready');
      assert.deepEqual(sandbox.pod, pod);
      assert.match(sandbox.createdAt, RFC3339);
      const prefix = t.network.subnet.replace(/\.0\/24$/, '.');
      assert.ok(sandbox.ip?.startsWith(prefix) && sandbox.ip !== t.network.gateway, `IP ${sandbox.ip} in ${t.network.subnet}`);
      assert.notEqual(sandbox.ip, otherSandbox.ip);
      assert.deepEqual(pick(sandbox.labels, [LABEL_MANAGED, LABEL_NODE, LABEL_POD_UID, LABEL_POD_NAMESPACE, LABEL_POD_NAME, LABEL_CONTAINER_ROLE, 'test.extra']), {
        [LABEL_MANAGED]: 'true',
        [LABEL_NODE]: t.nodeName,
        [LABEL_POD_UID]: pod.uid,
        [LABEL_POD_NAMESPACE]: pod.namespace,
        [LABEL_POD_NAME]: pod.name,
        [LABEL_CONTAINER_ROLE]: 'sandbox',
        'test.extra': 'yes',
      });
      const byPod = await runtime.listPodSandboxes({ podUid: pod.uid });
      assert.deepEqual(byPod.map((s) => [s.id, s.ip, s.state]), [[sandbox.id, sandbox.ip, 'ready']]);
      const byNode = await runtime.listPodSandboxes({ nodeName: t.nodeName });
      assert.deepEqual(new Set(byNode.map((s) => s.id)), new Set([sandbox.id, otherSandbox.id]));
    });

    it('stops a sandbox (notready, no IP) and stops and removes it idempotently', async () => {
      const pod = newPod('stopped-sandbox');
      const sandbox = await runSandbox(pod);
      await runtime.stopPodSandbox(sandbox.id);
      await runtime.stopPodSandbox(sandbox.id);
      const [stopped] = await runtime.listPodSandboxes({ podUid: pod.uid });
      assert.equal(stopped.state, 'notready');
      assert.equal(stopped.ip, undefined);
      await runtime.removePodSandbox(sandbox.id);
      await runtime.removePodSandbox(sandbox.id);
      await runtime.stopPodSandbox(sandbox.id);
      assert.deepEqual(await runtime.listPodSandboxes({ podUid: pod.uid }), []);
    });

    it('creates labelled containers in a pod, lists them by podUid, and moves them created -> running -> exited', async () => {
      const pod = newPod('two-containers');
      const sandbox = await runSandbox(pod);
      const otherPod = newPod('elsewhere');
      const otherSandbox = await runSandbox(otherPod);
      await runContainer(otherSandbox.id, containerConfig(otherPod, 'elsewhere', { command: SERVE_UNTIL_TERM }));

      const server = await runtime.createContainer(sandbox.id, containerConfig(pod, 'server', { command: SERVE_UNTIL_TERM, restartCount: 2, specHash: 'abc', labels: { 'test.extra': 'yes' } }));
      const created = await runtime.containerStatus(server);
      assert.equal(created.state, 'created');
      assert.equal(created.exitCode, undefined);
      assert.deepEqual(pick(created.labels, [LABEL_MANAGED, LABEL_NODE, LABEL_POD_UID, LABEL_POD_NAMESPACE, LABEL_POD_NAME, LABEL_CONTAINER_ROLE, LABEL_CONTAINER_NAME, LABEL_RESTART_COUNT, LABEL_SPEC_HASH, 'test.extra']), {
        [LABEL_MANAGED]: 'true',
        [LABEL_NODE]: t.nodeName,
        [LABEL_POD_UID]: pod.uid,
        [LABEL_POD_NAMESPACE]: pod.namespace,
        [LABEL_POD_NAME]: pod.name,
        [LABEL_CONTAINER_ROLE]: 'app',
        [LABEL_CONTAINER_NAME]: 'server',
        [LABEL_RESTART_COUNT]: '2',
        [LABEL_SPEC_HASH]: 'abc',
        'test.extra': 'yes',
      });
      assert.deepEqual(
        { pod: created.pod, name: created.name, image: created.image, imageId: created.imageId, restartCount: created.restartCount, specHash: created.specHash },
        { pod, name: 'server', image: IMAGE, imageId: (await runtime.imageStatus(IMAGE)).id, restartCount: 2, specHash: 'abc' },
      );
      assert.match(created.imageId, /^sha256:[0-9a-f]{64}$/);

      await runtime.startContainer(server);
      const running = await runtime.containerStatus(server);
      assert.equal(running.state, 'running');
      assert.match(running.startedAt ?? '', RFC3339);
      assert.equal(running.finishedAt, undefined);

      const client = await runContainer(sandbox.id, containerConfig(pod, 'client', { command: ['sh', '-c', 'echo done'] }));
      const done = await exited(client);
      assert.deepEqual([done.exitCode, done.reason], [0, 'Completed']);
      assert.match(done.finishedAt ?? '', RFC3339);
      assert.ok(done.finishedAt! >= done.startedAt!);

      const listed = await runtime.listContainers({ podUid: pod.uid });
      assert.deepEqual(listed.map((c) => [c.name, c.state]).sort(), [['client', 'exited'], ['server', 'running']]);
      const onNode = await runtime.listContainers({ nodeName: t.nodeName });
      assert.ok(onNode.some((c) => c.pod.uid === otherPod.uid) && onNode.some((c) => c.id === server));
    });

    it('reports exit codes and reasons', async () => {
      const pod = newPod('exits');
      const sandbox = await runSandbox(pod);
      const failing = await runContainer(sandbox.id, containerConfig(pod, 'failing', { command: ['sh', '-c', 'exit 3'] }));
      const viaArgs = await runContainer(sandbox.id, containerConfig(pod, 'via-args', { command: ['sh'], args: ['-c', 'exit 7'] }));
      assert.deepEqual(pick(await exited(failing), ['exitCode', 'reason']), { exitCode: 3, reason: 'Error' });
      assert.deepEqual(pick(await exited(viaArgs), ['exitCode', 'reason']), { exitCode: 7, reason: 'Error' });
    });

    it('stops with SIGTERM (a trapping process exits with its code) and KILL after the grace period (137); stop and remove are idempotent', async () => {
      const pod = newPod('stops');
      const sandbox = await runSandbox(pod);
      const polite = await runContainer(sandbox.id, containerConfig(pod, 'polite', { command: SERVE_UNTIL_TERM }));
      const stubborn = await runContainer(sandbox.id, containerConfig(pod, 'stubborn', { command: ['sh', '-c', 'sleep 60'] }));
      const never = await runtime.createContainer(sandbox.id, containerConfig(pod, 'never-started', { command: SERVE_UNTIL_TERM }));
      await runtime.stopContainer(polite, 10);
      await runtime.stopContainer(stubborn, 1);
      assert.deepEqual(pick(await runtime.containerStatus(polite), ['state', 'exitCode']), { state: 'exited', exitCode: 0 });
      assert.deepEqual(pick(await runtime.containerStatus(stubborn), ['state', 'exitCode', 'reason']), { state: 'exited', exitCode: 137, reason: 'Error' });
      await runtime.stopContainer(polite, 10);
      await runtime.stopContainer(never, 10);
      for (const id of [polite, stubborn, never]) {
        await runtime.removeContainer(id);
        await runtime.removeContainer(id);
        await runtime.stopContainer(id, 1);
        await assert.rejects(runtime.containerStatus(id), RuntimeError);
      }
      assert.deepEqual(await runtime.listContainers({ podUid: pod.uid }), []);
    });

    it('returns logs (stdout and stderr as one text, tail, timestamps, since, limit) and follows them until the container exits', async () => {
      const pod = newPod('logs');
      const sandbox = await runSandbox(pod);
      const writer = await runContainer(sandbox.id, containerConfig(pod, 'writer', { command: ['sh', '-c', 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three'] }));
      const followed = await text(await runtime.containerLogs(writer, { follow: true }));
      assert.equal(followed, 'one\ntwo\nthree\n');
      await exited(writer);
      assert.equal(await text(await runtime.containerLogs(writer, {})), 'one\ntwo\nthree\n');
      assert.equal(await text(await runtime.containerLogs(writer, { tailLines: 2 })), 'two\nthree\n');
      const stamped = (await text(await runtime.containerLogs(writer, { timestamps: true }))).trimEnd().split('\n');
      assert.equal(stamped.length, 3);
      for (const [i, line] of stamped.entries()) {
        const [time, word] = line.split(' ');
        assert.match(time, RFC3339);
        assert.equal(word, ['one', 'two', 'three'][i]);
      }
      const sinceTwo = stamped[1].split(' ')[0];
      assert.equal(await text(await runtime.containerLogs(writer, { sinceTime: sinceTwo })), 'two\nthree\n');
      assert.equal(await text(await runtime.containerLogs(writer, { limitBytes: 6 })), 'one\ntw');
      await assert.rejects(runtime.containerLogs('no-such-container', {}), RuntimeError);
    });

    it('execs in a running container with stdin, separate stderr and the exit code; TTY merges the streams', async () => {
      const pod = newPod('exec');
      const sandbox = await runSandbox(pod);
      const shell = await runContainer(sandbox.id, containerConfig(pod, 'shell', { command: SERVE_UNTIL_TERM }));
      const session = await runtime.exec(shell, { command: ['sh', '-c', 'cat; echo oops >&2; exit 4'], stdin: true, stdout: true, stderr: true, tty: false });
      session.stdin!.end('hello\n');
      const [out, err, code] = await Promise.all([text(session.stdout), text(session.stderr!), session.exitCode]);
      assert.deepEqual([out, err, code], ['hello\n', 'oops\n', 4]);

      const tty = await runtime.exec(shell, { command: ['sh', '-c', 'echo hi; exit 0'], stdin: false, stdout: true, stderr: true, tty: true });
      assert.equal(tty.stderr, undefined);
      assert.equal(tty.stdin, undefined);
      await tty.resize(100, 30);
      assert.match(await text(tty.stdout), /^hi\r?\n$/);
      assert.equal(await tty.exitCode, 0);

      await runtime.stopContainer(shell, 5);
      await assert.rejects(runtime.exec(shell, { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false }), RuntimeError);
    });

    it('attaches to the main process: its output from now on, then the end of the session (exit 0) when it exits', async () => {
      const pod = newPod('attach');
      const sandbox = await runSandbox(pod);
      const main = await runContainer(sandbox.id, containerConfig(pod, 'main', { command: ['sh', '-c', 'echo before; sleep 3; echo after; echo oops >&2; exit 5'] }));
      const session = await runtime.attach(main, { stdin: false, stdout: true, stderr: true, tty: false });
      const [out, err, code] = await Promise.all([text(session.stdout), text(session.stderr!), session.exitCode]);
      assert.deepEqual([out, err, code], ['after\n', 'oops\n', 0]);
      assert.equal((await runtime.containerStatus(main)).exitCode, 5);
      await assert.rejects(runtime.attach(main, { stdin: false, stdout: true, stderr: true, tty: false }), RuntimeError);
    });

    it('fails fast to pull an image no registry serves, with ImagePullError naming it; creating from it fails too', async () => {
      const image = 'kubelab/does-not-exist:v9'; // not-built: absent on purpose: the pull must fail
      assert.deepEqual(await runtime.imageStatus(image), { present: false });
      assert.equal((await runtime.imageStatus(IMAGE)).present, true);
      const started = Date.now();
      await assert.rejects(runtime.pullImage(image), (err: unknown) => {
        assert.ok(err instanceof ImagePullError, String(err));
        assert.equal(err.image, image);
        assert.ok(err.message.includes(image), err.message);
        return true;
      });
      assert.ok(Date.now() - started < 10_000, `pull failed after ${Date.now() - started} ms`);
      const pod = newPod('no-image');
      const sandbox = await runSandbox(pod);
      await assert.rejects(runtime.createContainer(sandbox.id, containerConfig(pod, 'c', { image })), (err: unknown) => {
        assert.ok(err instanceof RuntimeError && err.message.includes(image), String(err));
        return true;
      });
    });

    it('reports the engine and the host', async () => {
      const info = await runtime.info();
      assert.match(info.runtimeVersion, /^[a-z]+:\/\/\d+\.\d+/);
      assert.ok(info.cpus >= 1 && info.memoryBytes > 0);
      assert.equal(info.operatingSystem, 'linux');
      assert.ok(info.osImage && info.kernelVersion && info.architecture);
    });
  });
}

function pick(record: object, keys: string[]): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, source[k]]));
}

describeRuntimeContract('FakeRuntime', async () => {
  const runtime = new FakeRuntime();
  runtime.addImage(IMAGE);
  return {
    runtime,
    nodeName: 'fake-node',
    network: { name: 'kubelab-contract', subnet: '10.244.7.0/24', gateway: '10.244.7.1' },
    cleanup: async () => undefined,
  };
});

describeRuntimeContract('DockerRuntime', async () => {
  const docker = new Docker();
  const nodeName = `kl-contract-${randomUUID().slice(0, 8)}`;
  const network = { name: `kubelab-${nodeName}`, ...(await pickFreeSubnet(docker)) };
  return {
    runtime: new DockerRuntime(),
    nodeName,
    network,
    cleanup: async () => {
      await removeContainersOfNode(nodeName);
      await docker.getNetwork(network.name).remove().catch(() => undefined);
    },
  };
});
