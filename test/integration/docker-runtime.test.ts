// DockerRuntime against the real engine, for what only a real engine can show (the shared
// contract with FakeRuntime is in container-runtime.contract.test.ts): containers of a pod share
// localhost, pods reach each other by IP, hostPorts publish on the node, the sandbox's hostname,
// DNS and /etc/hosts, Kubernetes' command/args semantics, mounts, memory limits and OOMKilled,
// and how fast pods stop. Everything is made on a node name unique to this run and removed by
// that label afterwards.
//
// covers: Pod spec.containers.workingDir, spec.containers.ports.hostPort, spec.containers.ports.hostIP, spec.containers.resources.limits, spec.containers.volumeMounts.readOnly

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import Docker from 'dockerode';
import { DockerRuntime } from '../../daemon/runtime/docker-runtime.js';
import { ImagePullError, RuntimeError, type ContainerConfig, type PodIdentity } from '../../daemon/runtime/container-runtime.js';
import { pickFreeSubnet } from '../helpers/docker-networks.js';
import { eventually, removeContainersOfNode } from '../../harness/test-daemon.js';

describe('DockerRuntime (real engine)', function () {
  this.timeout(60_000);
  const docker = new Docker();
  const runtime = new DockerRuntime();
  const nodeName = `kl-rt-${randomUUID().slice(0, 8)}`;
  const network = `kubelab-${nodeName}`;
  let hostDir = '';

  const newPod = (name: string): PodIdentity => ({ uid: randomUUID(), namespace: 'default', name });
  const container = (pod: PodIdentity, name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
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
  const run = async (sandboxId: string, config: ContainerConfig) => {
    const id = await runtime.createContainer(sandboxId, config);
    await runtime.startContainer(id);
    return id;
  };
  const exited = (id: string) =>
    eventually(async () => {
      const s = await runtime.containerStatus(id);
      return s.state === 'exited' ? s : undefined;
    });
  const logsOf = async (id: string) => text(await runtime.containerLogs(id, {}));
  const sandboxOn = (pod: PodIdentity, extra = {}) => runtime.runPodSandbox({ pod, nodeName, hostname: pod.name, networkName: network, ...extra });

  before(async () => {
    const { subnet, gateway } = await pickFreeSubnet(docker);
    await runtime.ensureNetwork(network, subnet, gateway);
    hostDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-rt-'));
  });
  after(async () => {
    await removeContainersOfNode(nodeName);
    await docker.getNetwork(network).remove().catch(() => undefined);
    if (hostDir) await fs.rm(hostDir, { recursive: true, force: true });
  });

  it('names containers as dockershim does, on the sandbox network and IPC namespaces without a Docker restart policy', async () => {
    const pod = newPod('named');
    const sandbox = await sandboxOn(pod);
    const id = await runtime.createContainer(sandbox.id, container(pod, 'app', { restartCount: 3 }));
    const inspect = await docker.getContainer(id).inspect();
    assert.equal(inspect.Name, `/k8s_app_named_default_${pod.uid.slice(0, 8)}_3`);
    assert.equal(inspect.HostConfig.NetworkMode, `container:${sandbox.id}`);
    assert.equal(inspect.HostConfig.IpcMode, `container:${sandbox.id}`);
    assert.equal(inspect.HostConfig.RestartPolicy?.Name, 'no');
    assert.match((await docker.getContainer(sandbox.id).inspect()).Name, new RegExp(`^/k8s_POD_named_default_${pod.uid.slice(0, 8)}_[a-z0-9]{1,4}$`));
    // The same attempt again (a kubelet that lost track of the first) still gets a container.
    const again = await runtime.createContainer(sandbox.id, container(pod, 'app', { restartCount: 3 }));
    assert.notEqual(again, id);
  });

  it('lets two containers of a pod talk over localhost', async () => {
    const pod = newPod('localhost');
    const sandbox = await sandboxOn(pod);
    await run(sandbox.id, container(pod, 'web', { command: ['httpd', '-f', '-p', '8080', '-h', '/etc'] }));
    const client = await run(
      sandbox.id,
      container(pod, 'client', { command: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://localhost:8080/passwd && exit 0; sleep 0.3; done; exit 1'] }),
    );
    assert.equal((await exited(client)).exitCode, 0);
    assert.match(await logsOf(client), /^root:x:0:0/m);
  });

  it('reaches another pod by its IP on the pod network, and publishes hostPorts on the node', async () => {
    const hostPort = await freeLocalPort();
    const server = newPod('hello');
    const serverSandbox = await sandboxOn(server, { portMappings: [{ containerPort: 3000, hostPort, protocol: 'TCP', hostIP: '127.0.0.1' }] });
    await run(serverSandbox.id, container(server, 'hello', { image: 'kubelab/hello:v1' }));
    const client = newPod('client');
    const clientSandbox = await sandboxOn(client);
    const wget = await run(
      clientSandbox.id,
      container(client, 'wget', { command: ['sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://${serverSandbox.ip}:3000/ && exit 0; sleep 0.3; done; exit 1`] }),
    );
    assert.equal((await exited(wget)).exitCode, 0);
    assert.equal(await logsOf(wget), 'Hello World!\n');
    assert.equal(await eventually(() => httpGet(`http://127.0.0.1:${hostPort}/`)), 'Hello World!\n');
  });

  it('gives the pod its hostname, DNS servers and search domains, and extra /etc/hosts lines', async () => {
    const pod = newPod('dns-pod');
    const sandbox = await sandboxOn(pod, { dnsServers: ['10.96.0.10'], dnsSearch: ['default.svc.cluster.local'], extraHosts: [{ hostname: 'hello', ip: '10.96.0.20' }] });
    const id = await run(sandbox.id, container(pod, 'show', { command: ['sh', '-c', 'hostname; cat /etc/resolv.conf /etc/hosts'] }));
    await exited(id);
    const out = await logsOf(id);
    assert.match(out, /^dns-pod$/m);
    assert.match(out, /^nameserver 10\.96\.0\.10$/m);
    assert.match(out, /^search default\.svc\.cluster\.local$/m);
    assert.match(out, /^10\.96\.0\.20\s+hello$/m);
  });

  it('follows Kubernetes command/args semantics, and passes env, workingDir and mounts (read-only too)', async () => {
    const pod = newPod('semantics');
    const sandbox = await sandboxOn(pod);
    // kubelab/busybox:1 has CMD ["sh"]: a command without args must not get it appended.
    const echo = await run(sandbox.id, container(pod, 'echo', { command: ['echo', 'only-this'] }));
    await fs.writeFile(path.join(hostDir, 'greeting'), 'from the host\n');
    const files = await run(
      sandbox.id,
      container(pod, 'files', {
        command: ['sh', '-c'],
        args: ['echo "$GREETING"; pwd; cat /in/greeting; echo written > /out/result; (echo x > /in/nope) 2>/dev/null || echo read-only'],
        env: [{ name: 'GREETING', value: 'hi there' }],
        workingDir: '/tmp',
        mounts: [
          { hostPath: hostDir, containerPath: '/in', readOnly: true },
          { hostPath: hostDir, containerPath: '/out', readOnly: false },
        ],
      }),
    );
    await exited(echo);
    await exited(files);
    assert.equal(await logsOf(echo), 'only-this\n');
    const lines = (await logsOf(files)).split('\n');
    assert.deepEqual([lines[0], lines[1], lines[2]], ['hi there', '/tmp', 'from the host']);
    assert.match(lines.slice(3).join('\n'), /read-only/);
    assert.equal(await fs.readFile(path.join(hostDir, 'result'), 'utf8'), 'written\n');
  });

  it('limits memory and CPU, and reports OOMKilled', async () => {
    const pod = newPod('oom');
    const sandbox = await sandboxOn(pod);
    const hog = await run(sandbox.id, container(pod, 'hog', { command: ['sh', '-c', 'head -c 200m /dev/zero | tail'], memoryLimitBytes: 16 * 2 ** 20, nanoCpus: 500_000_000 }));
    const inspect = await docker.getContainer(hog).inspect();
    assert.deepEqual([inspect.HostConfig.Memory, inspect.HostConfig.MemorySwap, inspect.HostConfig.NanoCpus], [16 * 2 ** 20, 16 * 2 ** 20, 500_000_000]);
    const status = await exited(hog);
    assert.equal(status.reason, 'OOMKilled');
    assert.equal(status.exitCode, 137);
  });

  it('stops pods at once: the pause and hello containers exit on SIGTERM', async () => {
    const pod = newPod('fast-stop');
    const sandbox = await sandboxOn(pod);
    const hello = await run(sandbox.id, container(pod, 'hello', { image: 'kubelab/hello:v2' }));
    await eventually(async () => (await runtime.containerStatus(hello)).state === 'running');
    let started = Date.now();
    await runtime.stopContainer(hello, 30);
    const helloStopMs = Date.now() - started;
    started = Date.now();
    await docker.getContainer(sandbox.id).stop({ t: 30 });
    const pauseStopMs = Date.now() - started;
    assert.equal((await runtime.containerStatus(hello)).exitCode, 0);
    assert.equal((await docker.getContainer(sandbox.id).inspect()).State.ExitCode, 0, 'pause exited by its TERM trap, not killed');
    assert.ok(helloStopMs < 1000 && pauseStopMs < 1000, `hello stopped in ${helloStopMs} ms, pause in ${pauseStopMs} ms`);
  });

  it('says how to build a missing infra image', async () => {
    const noPause = new DockerRuntime({ infraImage: 'kubelab/absent-pause:0' }); // not-built: absent on purpose: a missing infra image
    await assert.rejects(noPause.runPodSandbox({ pod: newPod('no-pause'), nodeName, hostname: 'no-pause' }), (err: unknown) => {
      assert.ok(err instanceof RuntimeError);
      assert.match(err.message, /kubelab\/absent-pause:0.*run scripts\/build-images\.sh/);
      return true;
    });
  });

  it('fails fast with ImagePullError for a registry that refuses connections', async () => {
    // A registry address on loopback where nothing listens: refused at once, no outside traffic.
    const image = '127.0.0.1:1/kubelab/absent:v9';
    const started = Date.now();
    await assert.rejects(runtime.pullImage(image), (err: unknown) => err instanceof ImagePullError && err.message.includes(image));
    assert.ok(Date.now() - started < 10_000);
  });

  it('reports the engine version and the host as the Node object wants them', async () => {
    const [info, engine] = await Promise.all([runtime.info(), docker.info()]);
    assert.equal(info.runtimeVersion, `docker://${engine.ServerVersion}`);
    assert.equal(info.osImage, engine.OperatingSystem);
    assert.equal(info.kernelVersion, engine.KernelVersion);
    assert.deepEqual([info.cpus, info.memoryBytes], [engine.NCPU, engine.MemTotal]);
    assert.ok(['amd64', 'arm64'].includes(info.architecture) || info.architecture === engine.Architecture);
  });
});

function httpGet(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      })
      .on('error', () => resolve(undefined));
  });
}

function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
