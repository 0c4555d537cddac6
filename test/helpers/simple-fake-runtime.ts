// A small recording ContainerRuntime for the kubelet's component tests, with the same test
// controls as the runtime engineer's FakeRuntime (daemon/runtime/fake-runtime.ts):
// addImage, failNext(method, error), exitContainer(id, code) and `calls`. Kept until that one
// lands in this checkout; then the kubelet tests should import it instead.

import { PassThrough, Readable } from 'node:stream';
import {
  ImagePullError,
  LABEL_CONTAINER_NAME,
  LABEL_NODE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SPEC_HASH,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecOptions,
  type ExecSession,
  type ImageStatus,
  type LogOptions,
  type RuntimeInfo,
  type SandboxConfig,
  type SandboxStatus,
} from '../../daemon/runtime/container-runtime.js';

export interface RecordedCall {
  method: string;
  args: unknown[];
}

interface FakeContainer extends ContainerStatus {
  sandboxId: string;
  config: ContainerConfig;
  nodeName: string;
}

export class SimpleFakeRuntime implements ContainerRuntime {
  readonly calls: RecordedCall[] = [];
  readonly images = new Map<string, string>();
  readonly sandboxes = new Map<string, SandboxStatus & { nodeName: string }>();
  readonly containers = new Map<string, FakeContainer>();
  private failures = new Map<string, unknown[]>();
  private nextId = 1;
  private nextIp = 2;

  constructor(private readonly now: () => Date = () => new Date()) {}

  addImage(name: string): void {
    this.images.set(name, `sha256:${(this.nextId++).toString(16).padStart(8, '0')}`);
  }

  /** The next call of `method` fails with `error`. */
  failNext(method: keyof ContainerRuntime, error: unknown): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** The container's process ends with this exit code. */
  exitContainer(id: string, exitCode: number): void {
    const c = this.containers.get(id)!;
    Object.assign(c, { state: 'exited', exitCode, finishedAt: this.now().toISOString(), reason: exitCode === 0 ? 'Completed' : 'Error' });
  }

  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const queued = this.failures.get(method);
    if (queued?.length) throw queued.shift();
  }

  async info(): Promise<RuntimeInfo> {
    this.record('info');
    return { runtimeVersion: 'docker://20.10.24', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', operatingSystem: 'linux', architecture: 'x86_64', cpus: 2, memoryBytes: 4 * 2 ** 30 };
  }

  async imageStatus(image: string): Promise<ImageStatus> {
    this.record('imageStatus', image);
    const id = this.images.get(image);
    return id ? { present: true, id } : { present: false };
  }

  async pullImage(image: string): Promise<string> {
    this.record('pullImage', image);
    throw new ImagePullError(image, `image "${image}" not found locally and no registry answered`);
  }

  async ensureNetwork(name: string, subnet: string, gateway: string): Promise<void> {
    this.record('ensureNetwork', name, subnet, gateway);
  }

  async runPodSandbox(config: SandboxConfig): Promise<SandboxStatus> {
    this.record('runPodSandbox', config);
    const id = `sandbox-${this.nextId++}`;
    const sandbox = { id, pod: config.pod, state: 'ready' as const, ip: `10.244.0.${this.nextIp++}`, createdAt: this.now().toISOString(), labels: { [LABEL_POD_UID]: config.pod.uid, [LABEL_NODE]: config.nodeName }, nodeName: config.nodeName };
    this.sandboxes.set(id, sandbox);
    return { ...sandbox };
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.record('stopPodSandbox', id);
    const s = this.sandboxes.get(id);
    if (s) s.state = 'notready';
  }

  async removePodSandbox(id: string): Promise<void> {
    this.record('removePodSandbox', id);
    this.sandboxes.delete(id);
  }

  async listPodSandboxes(filter: { podUid?: string; nodeName?: string } = {}): Promise<SandboxStatus[]> {
    return [...this.sandboxes.values()].filter((s) => (!filter.podUid || s.pod.uid === filter.podUid) && (!filter.nodeName || s.nodeName === filter.nodeName)).map((s) => ({ ...s }));
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    this.record('createContainer', sandboxId, config);
    const id = `container-${this.nextId++}`;
    this.containers.set(id, {
      id,
      sandboxId,
      config,
      nodeName: config.nodeName,
      pod: config.pod,
      name: config.name,
      state: 'created',
      image: config.image,
      imageId: this.images.get(config.image) ?? '',
      restartCount: config.restartCount,
      specHash: config.specHash,
      createdAt: this.now().toISOString(),
      labels: { [LABEL_POD_UID]: config.pod.uid, [LABEL_CONTAINER_NAME]: config.name, [LABEL_RESTART_COUNT]: String(config.restartCount), [LABEL_SPEC_HASH]: config.specHash },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.record('startContainer', id);
    Object.assign(this.containers.get(id)!, { state: 'running', startedAt: this.now().toISOString() });
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    this.record('stopContainer', id, gracePeriodSeconds);
    const c = this.containers.get(id);
    if (c?.state === 'running') this.exitContainer(id, 137);
  }

  async removeContainer(id: string): Promise<void> {
    this.record('removeContainer', id);
    this.containers.delete(id);
  }

  async listContainers(filter: { podUid?: string; nodeName?: string } = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()]
      .filter((c) => (!filter.podUid || c.pod.uid === filter.podUid) && (!filter.nodeName || c.nodeName === filter.nodeName))
      .map(({ sandboxId: _s, config: _c, nodeName: _n, ...status }) => ({ ...status }));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const [status] = (await this.listContainers()).filter((c) => c.id === id);
    return status;
  }

  async containerLogs(id: string, _options: LogOptions): Promise<Readable> {
    this.record('containerLogs', id);
    return Readable.from([`logs of ${id}\n`]);
  }

  async exec(id: string, options: ExecOptions): Promise<ExecSession> {
    this.record('exec', id, options);
    const stdout = new PassThrough();
    stdout.end(`ran ${options.command.join(' ')}\n`);
    return { stdout, resize: async () => {}, exitCode: Promise.resolve(0) };
  }
}
