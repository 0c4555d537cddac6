// FakeRuntime: the ContainerRuntime in memory, for the kubelet's unit tests (Kubernetes' kubelet
// tests use a FakeRuntimeService the same way). It records every call, fails on request, and lets
// a test move containers through their lives (exitContainer) without an engine or real time.
//
// It keeps the contract of container-runtime.ts as DockerRuntime does, and the contract suite in
// test/integration/container-runtime.contract.test.ts runs against both so they cannot drift:
// the same io.kubelab.* labels, idempotent stop/remove, ImagePullError for images it cannot
// pull, pod IPs from the network's subnet. Its containers "run" the small subset of sh in
// fake-shell.ts (`sh -c 'echo hi; sleep 1; exit 3'`); any other command runs until stopped.

import { PassThrough, type Readable } from 'node:stream';
import { systemClock, type Clock } from '../../lib/clock.js';
import { blockSize, mustParseIpv4Cidr, nthAddress, numberToIpv4 } from '../../lib/net/ipv4.js';
import {
  ImagePullError,
  RuntimeError,
  appContainerLabels,
  sandboxLabels,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type AttachOptions,
  type ExecOptions,
  type ExecSession,
  type ImageStatus,
  type LogOptions,
  type PodIdentity,
  type RegistryAuth,
  type RuntimeInfo,
  type SandboxConfig,
  type SandboxStatus,
} from '../../daemon/runtime/container-runtime.js';
import { FakeLog } from './fake-log.js';
import { parseFakeCommand, runFakeSteps, type FakeStep } from './fake-shell.js';

export interface RecordedCall {
  method: keyof ContainerRuntime;
  args: unknown[];
}

/** What a scripted exec prints and how it ends. */
export interface FakeExecScript {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

export interface FakeRuntimeOptions {
  /** Times in statuses and logs, and `sleep` in container scripts. Default: real time. */
  clock?: Clock;
  /** What info() reports. */
  info?: Partial<RuntimeInfo>;
}

export interface FakeSandbox extends SandboxStatus {
  nodeName: string;
  config: SandboxConfig;
}

export interface FakeContainer extends ContainerStatus {
  sandboxId: string;
  nodeName: string;
  config: ContainerConfig;
  log: FakeLog;
  /** Kills the running script, if any. */
  kill?: AbortController;
  /** The exit code of the running process's TERM trap; none means TERM is ignored (PID 1). */
  termExitCode?: number;
}

/** Methods that only look: a test that asserts "nothing changed" leaves them out (changeCalls). */
const READ_ONLY_METHODS: ReadonlySet<keyof ContainerRuntime> = new Set([
  'info', 'imageStatus', 'listPodSandboxes', 'listContainers', 'containerStatus', 'containerLogs',
] as const);

/** The default network's subnet: what a pod gets without `networkName` (Docker's bridge here). */
const DEFAULT_SUBNET = '10.244.0.0/24';
/** Exit code of a process killed by SIGKILL (128 + 9), as Docker reports it after a stop. */
const KILLED_EXIT_CODE = 137;

export class FakeRuntime implements ContainerRuntime {
  readonly calls: RecordedCall[] = [];
  /** Local images by name, with their IDs. */
  readonly images = new Map<string, string>();
  private readonly imageUsers = new Map<string, string>();
  private readonly pullCredentials = new Map<string, { username: string; password: string }>();
  /** Images a pull would find (a registry the test pretends exists). */
  readonly pullable = new Set<string>();
  readonly networks = new Map<string, { subnet: string; gateway: string; nextHost: number }>();
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();

  private readonly clock: Clock;
  private readonly infoValue: RuntimeInfo;
  private readonly failures = new Map<string, unknown[]>();
  private execScript?: (containerId: string, options: ExecOptions) => FakeExecScript | undefined;
  private nextId = 1;
  private defaultNextHost = 2;

  constructor(options: FakeRuntimeOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.infoValue = {
      runtimeVersion: 'fake://1.0.0',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      kernelVersion: '6.1.0-fake',
      operatingSystem: 'linux',
      architecture: 'amd64',
      cpus: 2,
      memoryBytes: 4 * 2 ** 30,
      ...options.info,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Test controls

  /** The image is present locally. */
  addImage(name: string, id = `sha256:${this.newId().padStart(64, '0')}`): void {
    this.images.set(name, id);
  }

  removeImage(name: string): void {
    this.images.delete(name);
  }

  /**
   * pullImage(name) will succeed (the image appears), as if a registry served it; with
   * credentials, only a pull that presents them (a private registry).
   */
  addPullableImage(name: string, credentials?: { username: string; password: string }): void {
    this.pullable.add(name);
    if (credentials) this.pullCredentials.set(name, credentials);
  }

  /** The image's USER, as imageStatus reports it ('' = root by default). */
  setImageUser(name: string, user: string): void {
    this.imageUsers.set(name, user);
  }

  /** The next call of `method` throws `error` (queued: call twice to fail twice). */
  failNext(method: keyof ContainerRuntime, error: unknown): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** The container's process ends now with this exit code (`OOMKilled` marks a memory kill). */
  exitContainer(id: string, exitCode: number, reason?: 'OOMKilled'): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`FakeRuntime.exitContainer: no container ${id}`);
    if (c.state !== 'running') return;
    c.kill?.abort();
    this.finish(c, exitCode, reason);
  }

  /** Appends to the container's log, as if its process wrote it. */
  writeLog(id: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`FakeRuntime.writeLog: no container ${id}`);
    c.log.write(stream, text, this.clock.now());
  }

  /** Answers exec calls: return a script, or undefined to run the command as fake sh. */
  scriptExec(handler: (containerId: string, options: ExecOptions) => FakeExecScript | undefined): void {
    this.execScript = handler;
  }

  /** The arguments of every recorded call of `method`, oldest first. */
  callsOf(method: keyof ContainerRuntime): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** The calls that change something (everything but the read-only methods), oldest first. */
  changeCalls(): RecordedCall[] {
    return this.calls.filter((c) => !READ_ONLY_METHODS.has(c.method));
  }

  // ------------------------------------------------------------------------------------------
  // Engine and images

  async info(): Promise<RuntimeInfo> {
    this.record('info');
    return { ...this.infoValue };
  }

  async imageStatus(image: string): Promise<ImageStatus> {
    this.record('imageStatus', image);
    const id = this.images.get(image);
    const user = this.imageUsers.get(image);
    return id ? { present: true, id, ...(user !== undefined ? { user } : {}) } : { present: false };
  }

  async pullImage(image: string, auth?: RegistryAuth): Promise<string> {
    if (auth) this.record('pullImage', image, auth);
    else this.record('pullImage', image);
    if (!this.pullable.has(image)) {
      throw new ImagePullError(image, `pulling image "${image}": no registry serves it (fake runtime; addPullableImage to allow it)`);
    }
    const wanted = this.pullCredentials.get(image);
    if (wanted && (auth?.username !== wanted.username || auth?.password !== wanted.password)) {
      throw new ImagePullError(image, `pulling image "${image}": unauthorized: authentication required`);
    }
    if (!this.images.has(image)) this.addImage(image);
    return this.images.get(image)!;
  }

  async ensureNetwork(name: string, subnet: string, gateway: string): Promise<void> {
    this.record('ensureNetwork', name, subnet, gateway);
    const existing = this.networks.get(name);
    if (existing && existing.subnet !== subnet) {
      throw new RuntimeError(`network "${name}" exists with subnet ${existing.subnet}, not ${subnet}`);
    }
    if (!existing) this.networks.set(name, { subnet, gateway, nextHost: 2 });
  }

  // ------------------------------------------------------------------------------------------
  // Sandboxes

  async runPodSandbox(config: SandboxConfig): Promise<SandboxStatus> {
    this.record('runPodSandbox', config);
    const ip = this.allocateIp(config.networkName);
    const id = `sandbox-${this.newId()}`;
    const sandbox: FakeSandbox = {
      id,
      pod: config.pod,
      state: 'ready',
      ip,
      createdAt: this.timestamp(),
      labels: sandboxLabels(config),
      nodeName: config.nodeName,
      config,
    };
    this.sandboxes.set(id, sandbox);
    return sandboxStatus(sandbox);
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.record('stopPodSandbox', id);
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    // A stopped infra container has no network namespace any more, so no IP (as in Docker).
    sandbox.state = 'notready';
    sandbox.ip = undefined;
  }

  async removePodSandbox(id: string): Promise<void> {
    this.record('removePodSandbox', id);
    this.sandboxes.delete(id);
  }

  async listPodSandboxes(filter: { podUid?: string; nodeName?: string } = {}): Promise<SandboxStatus[]> {
    this.record('listPodSandboxes', filter);
    return [...this.sandboxes.values()].filter((s) => matches(s.pod, s.nodeName, filter)).map(sandboxStatus);
  }

  // ------------------------------------------------------------------------------------------
  // Containers

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    this.record('createContainer', sandboxId, config);
    const { pod } = config;
    if (!this.sandboxes.has(sandboxId)) {
      throw new RuntimeError(`creating container "${config.name}" of pod ${pod.namespace}/${pod.name}: no sandbox ${sandboxId}`);
    }
    const imageId = this.images.get(config.image);
    if (!imageId) {
      throw new RuntimeError(`creating container "${config.name}" of pod ${pod.namespace}/${pod.name}: No such image: ${config.image}`);
    }
    const id = `container-${this.newId()}`;
    this.containers.set(id, {
      id,
      pod,
      name: config.name,
      state: 'created',
      image: config.image,
      imageId,
      restartCount: config.restartCount,
      specHash: config.specHash,
      createdAt: this.timestamp(),
      labels: appContainerLabels(config, sandboxId),
      sandboxId,
      nodeName: config.nodeName,
      config,
      log: new FakeLog(),
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.record('startContainer', id);
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError(`starting container ${id}: no such container`);
    if (c.state === 'running') return;
    Object.assign(c, { state: 'running', startedAt: this.timestamp(), finishedAt: undefined, exitCode: undefined, reason: undefined });
    c.log.reopen();
    const steps = parseFakeCommand([...(c.config.command ?? []), ...(c.config.args ?? [])]);
    if (steps) this.runScript(c, steps);
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    this.record('stopContainer', id, gracePeriodSeconds);
    // SIGTERM; a process that handles it exits with its own code, any other is killed when the
    // grace period ends (the fake does not wait it out).
    const c = this.containers.get(id);
    if (c?.state === 'running') this.exitContainer(id, c.termExitCode ?? KILLED_EXIT_CODE);
  }

  async removeContainer(id: string): Promise<void> {
    this.record('removeContainer', id);
    const c = this.containers.get(id);
    if (!c) return;
    c.kill?.abort();
    c.log.close();
    this.containers.delete(id);
  }

  async listContainers(filter: { podUid?: string; nodeName?: string } = {}): Promise<ContainerStatus[]> {
    this.record('listContainers', filter);
    return [...this.containers.values()].filter((c) => matches(c.pod, c.nodeName, filter)).map(containerStatus);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    this.record('containerStatus', id);
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError(`inspecting container ${id}: No such container`);
    return containerStatus(c);
  }

  // ------------------------------------------------------------------------------------------
  // Streams

  async containerLogs(id: string, options: LogOptions): Promise<Readable> {
    this.record('containerLogs', id, options);
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError(`reading logs of container ${id}: No such container`);
    return c.log.read(options, this.clock.now());
  }

  async exec(id: string, options: ExecOptions): Promise<ExecSession> {
    this.record('exec', id, options);
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError(`exec in container ${id}: No such container`);
    if (c.state !== 'running') throw new RuntimeError(`exec in container ${id}: container ${id} is not running`);

    const stdout = new PassThrough();
    const stderr = options.tty ? stdout : new PassThrough();
    const stdin = options.stdin ? new PassThrough() : undefined;
    const scripted = this.execScript?.(id, options);
    const steps: FakeStep[] = scripted
      ? [
          ...(scripted.stdout ? [{ kind: 'echo', text: scripted.stdout, stream: 'stdout' } as const] : []),
          ...(scripted.stderr ? [{ kind: 'echo', text: scripted.stderr, stream: 'stderr' } as const] : []),
          { kind: 'exit', code: scripted.exitCode ?? 0 },
        ]
      : (parseFakeCommand(options.command) ?? [
          { kind: 'echo', text: `fake runtime: cannot run "${options.command.join(' ')}" (script it with scriptExec)`, stream: 'stderr' },
          { kind: 'exit', code: 127 },
        ]);
    const exitCode = runFakeSteps(steps, {
      write: (stream, text) => (stream === 'stdout' ? stdout : stderr).write(text),
      stdin,
      sleep: (ms, signal) => this.clock.sleep(ms, signal),
      // The exec'd process dies with the container.
      signal: c.kill?.signal ?? new AbortController().signal,
    }).finally(() => {
      stdout.end();
      stderr.end();
    });
    return {
      stdin,
      stdout,
      stderr: options.tty ? undefined : stderr,
      resize: async (width, height) => {
        this.calls.push({ method: 'exec', args: [id, { resize: { width, height } }] });
      },
      exitCode,
    };
  }

  /**
   * Attach: what the main process writes from now on, until it exits (the fake process reads
   * no stdin, so what is written to the session's stdin is dropped). Exit code 0, as on Docker.
   */
  async attach(id: string, options: AttachOptions): Promise<ExecSession> {
    this.record('attach', id, options);
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError(`attach to container ${id}: No such container`);
    if (c.state !== 'running') throw new RuntimeError(`attach to container ${id}: You cannot attach to a stopped container, start it first`);
    const stdout = new PassThrough();
    const stderr = options.tty ? stdout : new PassThrough();
    const exitCode = new Promise<number>((resolve) => {
      c.log.subscribe(
        (line) => (line.stream === 'stdout' ? stdout : stderr).write(line.text),
        () => {
          stdout.end();
          stderr.end();
          resolve(0);
        },
      );
    });
    const stdin = options.stdin ? new PassThrough() : undefined;
    stdin?.resume();
    return {
      stdin,
      stdout,
      stderr: options.tty ? undefined : stderr,
      resize: async (width, height) => {
        this.calls.push({ method: 'attach', args: [id, { resize: { width, height } }] });
      },
      exitCode,
    };
  }

  // ------------------------------------------------------------------------------------------

  private record(method: keyof ContainerRuntime, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const queued = this.failures.get(method);
    if (queued?.length) throw queued.shift();
  }

  private newId(): string {
    return (this.nextId++).toString(16);
  }

  /** RFC 3339 to the second, as DockerRuntime reports times. */
  private timestamp(): string {
    return this.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The next free address of the network's subnet, in order (.0 is the network, .1 the gateway). */
  private allocateIp(networkName: string | undefined): string {
    let subnet = DEFAULT_SUBNET;
    let host: number;
    if (networkName === undefined) {
      host = this.defaultNextHost++;
    } else {
      const network = this.networks.get(networkName);
      if (!network) throw new RuntimeError(`network ${networkName} not found (ensureNetwork creates it)`);
      subnet = network.subnet;
      host = network.nextHost++;
    }
    const network = mustParseIpv4Cidr(subnet);
    if (host >= blockSize(network.prefixLength) - 1) throw new RuntimeError(`no free address left in ${subnet} on network ${networkName ?? 'bridge'}`);
    return numberToIpv4(nthAddress(network, host));
  }

  /** Runs the container's fake-sh script in the background; its end is the container's exit. */
  private runScript(c: FakeContainer, steps: FakeStep[]): void {
    const kill = new AbortController();
    c.kill = kill;
    void runFakeSteps(steps, {
      write: (stream, text) => c.log.write(stream, text, this.clock.now()),
      sleep: (ms, signal) => this.clock.sleep(ms, signal),
      signal: kill.signal,
      onTrap: (exitCode) => (c.termExitCode = exitCode),
    }).then((code) => {
      if (!kill.signal.aborted && c.kill === kill && c.state === 'running') this.finish(c, code);
    });
  }

  private finish(c: FakeContainer, exitCode: number, reason?: 'OOMKilled'): void {
    c.kill = undefined;
    c.termExitCode = undefined;
    Object.assign(c, {
      state: 'exited',
      exitCode,
      finishedAt: this.timestamp(),
      reason: reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
    });
    c.log.close();
  }
}

function matches(pod: PodIdentity, nodeName: string, filter: { podUid?: string; nodeName?: string }): boolean {
  return (!filter.podUid || pod.uid === filter.podUid) && (!filter.nodeName || nodeName === filter.nodeName);
}

/** A copy without the fake's bookkeeping: what a caller of the interface may see. */
function sandboxStatus(s: FakeSandbox): SandboxStatus {
  return { id: s.id, pod: { ...s.pod }, state: s.state, ip: s.ip, createdAt: s.createdAt, labels: { ...s.labels } };
}

function containerStatus(c: FakeContainer): ContainerStatus {
  const { sandboxId: _sandboxId, nodeName: _nodeName, config: _config, log: _log, kill: _kill, termExitCode: _trap, ...status } = c;
  return { ...status, pod: { ...status.pod }, labels: { ...status.labels } };
}
