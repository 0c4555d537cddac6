// The container runtime interface: what the kubelet needs from a container engine, and nothing
// more. It plays the part of Kubernetes' CRI (RuntimeService + ImageService).
//
// A pod is a *sandbox* (an infra container that owns the pod's network namespace and IP) plus
// app containers that join it, so the containers of a pod share localhost.
//
// Contract for every implementation (DockerRuntime, and the recording fake used in tests,
// test/fakes/fake-runtime.ts):
// - No engine-specific type crosses this interface.
// - Every object it creates carries the io.kubelab.* labels below, so a restarted kubelet can
//   find and re-adopt them, and tests can clean up by label.
// - Methods are idempotent where that makes sense: stopping a stopped container, or removing a
//   missing one, succeeds.
// - Errors are RuntimeError with a message that names the container or image.

import type { Readable, Writable } from 'node:stream';

export const LABEL_MANAGED = 'io.kubelab.managed';
export const LABEL_NODE = 'io.kubelab.node';
export const LABEL_POD_UID = 'io.kubelab.pod.uid';
export const LABEL_POD_NAMESPACE = 'io.kubelab.pod.namespace';
export const LABEL_POD_NAME = 'io.kubelab.pod.name';
export const LABEL_CONTAINER_NAME = 'io.kubelab.container.name';
/** `sandbox` for the infra container, `app` for the pod's containers. */
export const LABEL_CONTAINER_ROLE = 'io.kubelab.container.role';
/** The restart count of the pod's container this Docker container is an attempt of. */
export const LABEL_RESTART_COUNT = 'io.kubelab.container.restart-count';
/** A hash of the container spec, so the kubelet can tell a changed spec from a restart. */
export const LABEL_SPEC_HASH = 'io.kubelab.container.spec-hash';
/** The sandbox an app container was started in: init containers run again in a new sandbox. */
export const LABEL_SANDBOX_ID = 'io.kubelab.sandbox.id';

/** The labels every object a runtime makes for a pod carries: who owns it, which node, which pod. */
function podLabels(pod: PodIdentity, nodeName: string): Record<string, string> {
  return {
    [LABEL_MANAGED]: 'true',
    [LABEL_NODE]: nodeName,
    [LABEL_POD_UID]: pod.uid,
    [LABEL_POD_NAMESPACE]: pod.namespace,
    [LABEL_POD_NAME]: pod.name,
  };
}

/** The labels of a pod's sandbox (its infra container): the caller's, the pod's, and the role. */
export function sandboxLabels(config: SandboxConfig): Record<string, string> {
  return { ...config.labels, ...podLabels(config.pod, config.nodeName), [LABEL_CONTAINER_ROLE]: 'sandbox' };
}

/** The labels of an app container: the caller's, the pod's, the role, and which container, attempt and spec it runs. */
export function appContainerLabels(config: ContainerConfig, sandboxId?: string): Record<string, string> {
  return {
    ...(sandboxId ? { [LABEL_SANDBOX_ID]: sandboxId } : {}),
    ...config.labels,
    ...podLabels(config.pod, config.nodeName),
    [LABEL_CONTAINER_ROLE]: 'app',
    [LABEL_CONTAINER_NAME]: config.name,
    [LABEL_RESTART_COUNT]: String(config.restartCount),
    [LABEL_SPEC_HASH]: config.specHash,
  };
}

export class RuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

/** The image could not be found locally and pulling it failed. */
export class ImagePullError extends RuntimeError {
  constructor(readonly image: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImagePullError';
  }
}

export interface PodIdentity {
  uid: string;
  namespace: string;
  name: string;
}

export interface SandboxConfig {
  pod: PodIdentity;
  nodeName: string;
  /** Hostname inside the pod (the pod name, as Kubernetes does). */
  hostname: string;
  /** The engine network the pod's IP comes from; undefined = the engine's default bridge. */
  networkName?: string;
  dnsServers?: string[];
  dnsSearch?: string[];
  /** resolv.conf `options` lines' items, e.g. `ndots:5`. */
  dnsOptions?: string[];
  /** Extra /etc/hosts lines, e.g. `10.96.0.10 hello`. */
  extraHosts?: { hostname: string; ip: string }[];
  /**
   * The pod's /etc/hosts as the kubelet writes it (etc-files.ts): its own name (and FQDN with a
   * subdomain) on the pod IP, then the hostAliases. With hostNetwork: the node's file plus the aliases.
   */
  hostsFile?: { fqdn?: string; hostAliases: { ip: string; hostnames: string[] }[] };
  /** The node's network namespace (Kubernetes hostNetwork): the pod IP is the node's. */
  hostNetwork?: boolean;
  /** The node's IPC namespace (hostIPC). */
  hostIPC?: boolean;
  /** Namespaced kernel parameters of the pod (securityContext.sysctls): net.*, kernel.shm*, ... */
  sysctls?: Record<string, string>;
  /** hostPort mappings; the runtime publishes them on the node. */
  portMappings?: { containerPort: number; hostPort: number; protocol: 'TCP' | 'UDP'; hostIP?: string }[];
  /** Extra labels, merged with the io.kubelab.* ones. */
  labels?: Record<string, string>;
}

export interface SandboxStatus {
  id: string;
  pod: PodIdentity;
  state: 'ready' | 'notready';
  ip?: string;
  createdAt: string;
  labels: Record<string, string>;
}

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerConfig {
  pod: PodIdentity;
  nodeName: string;
  /** The name of the container in the pod spec. */
  name: string;
  image: string;
  /** Overrides the image's entrypoint (Kubernetes `command`). */
  command?: string[];
  /** Overrides the image's cmd (Kubernetes `args`). */
  args?: string[];
  env: { name: string; value: string }[];
  workingDir?: string;
  mounts: Mount[];
  memoryLimitBytes?: number;
  /** CPU limit in billionths of a CPU (Docker NanoCpus): 500m = 500_000_000. */
  nanoCpus?: number;
  /** Allocate a terminal for the main process (Kubernetes `tty`): stdout and stderr become one stream. */
  tty?: boolean;
  /** Keep the main process's stdin open for an attach (Kubernetes `stdin`); otherwise it reads EOF at once. */
  stdin?: boolean;
  /**
   * Whose process namespace: `host` (hostPID), `pod` (shareProcessNamespace: the sandbox's),
   * `{ containerId }` (another container's: an ephemeral container's targetContainerName), else its own.
   */
  pidMode?: 'host' | 'pod' | { containerId: string };
  /** Security options (securityContext), engine-neutral. */
  security?: ContainerSecurity;
  /** With stdin: close it after the first attach session ends (Kubernetes `stdinOnce`, Docker's StdinOnce). */
  stdinOnce?: boolean;
  restartCount: number;
  specHash: string;
  labels?: Record<string, string>;
}

/** What a securityContext asks of the engine (security-options.ts maps the API's fields to it). */
export interface ContainerSecurity {
  /** `uid`, `uid:gid` or `name:gid`. */
  user?: string;
  /** Supplementary groups (supplementalGroups and fsGroup). */
  groupAdd?: number[];
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** The no_new_privs bit (allowPrivilegeEscalation: false). */
  noNewPrivileges?: boolean;
  /** `unconfined`, or undefined: the engine's default profile. */
  seccomp?: 'unconfined';
  /** `unconfined`, or undefined: the engine's default profile. */
  appArmor?: 'unconfined';
}

/** Credentials for one registry, from a kubernetes.io/dockerconfigjson Secret. */
export interface RegistryAuth {
  serverAddress: string;
  username?: string;
  password?: string;
  auth?: string;
  identityToken?: string;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  pod: PodIdentity;
  /** The name of the container in the pod spec. */
  name: string;
  state: ContainerState;
  image: string;
  /** The engine's image ID (`sha256:...`), or '' when unknown. */
  imageId: string;
  restartCount: number;
  specHash: string;
  /** The sandbox it was started in, when known. */
  sandboxId?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** When the process ended, in milliseconds since the epoch, when the engine knows it that precisely (finishedAt has whole seconds, as the API shows it). */
  finishedAtMs?: number;
  exitCode?: number;
  /** Why it ended, when the engine knows: OOMKilled, Error, Completed. */
  reason?: string;
  message?: string;
  labels: Record<string, string>;
  /** The container's main process on the host, while it runs (how the kubelet finds its cgroup); absent when unknown. */
  pid?: number;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  /** RFC 3339 time. */
  sinceTime?: string;
  limitBytes?: number;
}

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** `kubectl attach`: the streams to join on the container's main process (it runs no command). */
export type AttachOptions = Omit<ExecOptions, 'command'>;

export interface ExecSession {
  /** Present when options.stdin; end() it to send EOF. */
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a TTY (stderr is merged into stdout by the terminal). */
  stderr?: Readable;
  resize(width: number, height: number): Promise<void>;
  /** Resolves with the exit code when the process ends. */
  exitCode: Promise<number>;
}

export interface RuntimeInfo {
  /** e.g. `docker://20.10.24`. */
  runtimeVersion: string;
  osImage: string;
  kernelVersion: string;
  operatingSystem: string;
  architecture: string;
  cpus: number;
  memoryBytes: number;
}

export interface ImageStatus {
  present: boolean;
  id?: string;
  /** The image's USER (`1000`, `nobody`, `1000:1000`), '' for root by default. */
  user?: string;
}

export interface ContainerRuntime {
  /** The engine's identity and the host's capacity, for the Node object. */
  info(): Promise<RuntimeInfo>;

  /** Whether the image is present locally, and its ID. */
  imageStatus(image: string): Promise<ImageStatus>;
  /** Pulls the image (with the registry's credentials, if given); fails with ImagePullError naming the image and the engine's reason. */
  pullImage(image: string, auth?: RegistryAuth): Promise<string>;

  /** Creates a bridge network with this subnet if it does not exist (idempotent). */
  ensureNetwork(name: string, subnet: string, gateway: string): Promise<void>;

  /** Creates and starts the pod's infra container; returns its status (with the pod IP). */
  runPodSandbox(config: SandboxConfig): Promise<SandboxStatus>;
  /** Stops the infra container (idempotent). */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes the infra container (idempotent). */
  removePodSandbox(id: string): Promise<void>;
  listPodSandboxes(filter?: { podUid?: string; nodeName?: string }): Promise<SandboxStatus[]>;

  /** Creates (does not start) an app container joined to the sandbox's namespaces. */
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after gracePeriodSeconds (idempotent). */
  stopContainer(id: string, gracePeriodSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: { podUid?: string; nodeName?: string }): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus>;

  /** The container's stdout and stderr as they were written, as one text stream. */
  containerLogs(id: string, options: LogOptions): Promise<Readable>;
  exec(id: string, options: ExecOptions): Promise<ExecSession>;
  /**
   * Joins the main process's stdin and output from now on (`kubectl attach`, `run -i`). The
   * session ends when the process exits or the container's stdin closes; its exit code is 0:
   * how the container ended is in the pod's status, as with Kubernetes' attach.
   */
  attach(id: string, options: AttachOptions): Promise<ExecSession>;
}
