// The pod worker: what the kubelet does for one pod in one sync (kubelet's SyncPod and
// SyncTerminatingPod). It reads what the runtime has, asks computePodActions what to do, does
// it through the ContainerRuntime, and writes the pod's status. The Kubelet calls it from its work
// queue, so one pod is never synced by two workers at once, and each sync reads fresh state:
// running it again is always safe.
//
// It also keeps the two pieces of memory a sync needs between runs: the restart back-off of each
// container (CrashLoopBackOff) and the pull back-off of each image (ImagePullBackOff); what they
// mean for this sync is decided by computePodActions, the worker only remembers them. Probe
// results live in the ProbeManager: each sync tells it which containers run, asks it which
// failed liveness (to kill them) and which are ready (for the status).

import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs/promises';
import { parseCpuMillis, parseMemoryBytes } from '../../lib/api/quantity.js';
import { serviceEnvVars } from '../../lib/api/service-env.js';
import type { Container, EphemeralContainer, Pod, PodStatus, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { BackoffWindow } from '../../lib/backoff.js';
import { objectKey } from '../../lib/client/object-key.js';
import type { Clock } from '../../lib/clock.js';
import { errorMessage, isConflict, isNotFound } from '../../lib/errors.js';
import { KUBELET_DEFAULTS } from '../config.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { ImagePullError, type ContainerConfig, type ContainerRuntime, type ContainerStatus, type PodIdentity, type SandboxStatus } from '../runtime/container-runtime.js';
import { parseResolvConf, type ResolvConf } from '../runtime/etc-files.js';
import { expandCommandAndArgs, type NodeAllocatable } from './container-env.js';
import { registryAuthFor, type DockerConfigSecret } from './image-pull-secrets.js';
import { runLifecycleHandler } from './lifecycle-hooks.js';
import { allContainerSpecs, computePodActions, containerFieldPath, goDuration, isSidecar, specHash, type BackoffEntry, type ContainerToStart, type KubeletBackoffPolicy } from './pod-actions.js';
import { podDnsConfig, type ClusterDns } from './pod-dns.js';
import { containerSecurity, verifyRunAsNonRoot } from './security-options.js';
import { readTerminationMessage } from './termination-message.js';
import { computePodStatus, type WaitingReason } from './pod-status.js';
import type { ProbeManager } from './probe-manager.js';
import { ContainerConfigError, VolumeManager, type PreparedVolume } from './volumes.js';

export interface PodWorkerOptions {
  nodeName: string;
  client: ApiClient;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  clock: Clock;
  volumes: VolumeManager;
  backoff: KubeletBackoffPolicy;
  nodeIP: string;
  networkName?: string;
  /** Asks the kubelet to sync this pod again later (the work queue's addAfter). */
  requeueAfter: (key: string, delayMs: number) => void;
  /** Runs the containers' liveness, readiness and startup probes. */
  probes: ProbeManager;
  /** The cluster DNS pods with dnsPolicy ClusterFirst use; undefined: the engine's resolver. */
  clusterDns?: ClusterDns;
  /** Told when this worker writes a pod's phase Running for the first time. */
  onPodRunning?: (pod: Pod) => void;
  /** The node's resolver configuration (dnsPolicy Default with dnsConfig); default: /etc/resolv.conf. */
  resolvConfPath?: string;
}

/** The longest a postStart hook may hold up its container's start: Kubernetes waits without limit, a lab would rather see it fail. */
const POST_START_TIMEOUT_MS = KUBELET_DEFAULTS.postStartHookTimeoutMs;
/** After a preStop hook the container still gets this long to stop (the kubelet's minimumGracePeriodInSeconds). */
const MINIMUM_GRACE_SECONDS = 2;

const DEFAULT_GRACE_SECONDS = KUBELET_DEFAULTS.terminationGracePeriodSeconds;
/** An exit found longer ago than this by a kubelet that just started was told by its previous run. */
const RECENT_EXIT_MS = 60_000;


const isReady = (status: PodStatus | undefined) => status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const identity = (pod: Pod): PodIdentity => ({ uid: pod.metadata.uid!, namespace: pod.metadata.namespace!, name: pod.metadata.name! });
const describePod = (pod: Pod) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

/** `latest` (or no tag) pulls Always, anything else IfNotPresent: Kubernetes' default policy. */
function pullPolicyOf(container: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (container.imagePullPolicy) return container.imagePullPolicy;
  const lastPart = container.image.split('/').pop() ?? '';
  const tag = lastPart.includes('@') ? 'digest' : lastPart.split(':')[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Thrown when a container cannot start yet; the pod worker reports it as the container's waiting state. */
class ContainerWaitingError extends Error {
  constructor(readonly waiting: WaitingReason) {
    super(waiting.message ?? waiting.reason);
  }
}

export class PodWorker {
  /** Restart back-off per `<pod uid>/<container>`. */
  private readonly restartBackoff = new Map<string, BackoffEntry>();
  /** Pull back-off per `<pod uid>/<container>`: the wait and when the last pull failed. */
  private readonly pullBackoff = new Map<string, BackoffWindow>();
  /** Container attempts whose exit was told (`<pod uid>/<container id>`): one Exited event each. */
  private readonly exitsRecorded = new Set<string>();

  constructor(private readonly o: PodWorkerOptions) {}

  /** One sync of a pod bound to this node that is not being deleted. */
  async syncPod(pod: Pod): Promise<void> {
    const { runtime, clock } = this.o;
    const uid = pod.metadata.uid!;
    const waiting = new Map<string, WaitingReason>();
    let sandboxes = await runtime.listPodSandboxes({ podUid: uid });
    let containers = await runtime.listContainers({ podUid: uid });
    const backoff = this.entriesOf(this.restartBackoff, pod);
    const pullBackoff = this.entriesOf(this.pullBackoff, pod);
    const probeFailures = this.o.probes.probeFailures(pod, containers);
    const { started } = this.o.probes.statusOf(pod, containers);
    const actions = computePodActions({ pod, sandboxes, containers, backoff, pullBackoff, policy: this.o.backoff, now: clock.now(), probeFailures, started });

    if (actions.deadlineExceeded) this.o.recorder.record(pod, 'Warning', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
    else this.requeueAtDeadline(pod);
    if (actions.initializing) this.o.requeueAfter(objectKey(pod), KUBELET_DEFAULTS.initContainerPollMs);
    if (actions.killPod) await this.killContainers(pod, containers.filter((c) => c.state === 'running'), 0);
    // A pod that is done stops what still runs (its sidecars, or all past a deadline) while its
    // sandbox still holds the pod's network: a preStop hook may need it.
    const killNow = actions.podDone ? actions.containersToKill : [];
    for (const kill of killNow) await this.killContainers(pod, containers.filter((c) => c.id === kill.id), undefined, kill.reason);
    for (const id of actions.sandboxesToRemove) {
      await runtime.stopPodSandbox(id);
      await runtime.removePodSandbox(id);
    }
    if (actions.podDone) this.forgetBackoff(uid);

    let volumes: Map<string, PreparedVolume> | undefined;
    if (actions.containersToStart.length > 0) {
      try {
        volumes = await this.o.volumes.preparePodVolumes(pod, await this.allocatable());
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        this.o.recorder.record(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume: ${err.message}`);
        for (const c of actions.containersToStart) waiting.set(c.name, { reason: err.reason, message: err.message });
        this.o.requeueAfter(objectKey(pod), KUBELET_DEFAULTS.configErrorRetryMs);
      }
    }

    let sandbox = sandboxes.find((s) => s.state === 'ready' && !actions.sandboxesToRemove.includes(s.id));
    if (actions.createSandbox && volumes) {
      sandbox = await this.createSandbox(pod);
      // Not a Kubernetes event (its kubelet only says SandboxChanged when it replaces one): the
      // pod trace's "sandbox and IP" row.
      const ip = this.podIPOf(pod, sandbox);
      this.o.recorder.record(pod, 'Normal', 'SandboxCreated', `Created pod sandbox ${sandbox.id.slice(0, 12)}${ip ? `, pod IP ${ip}` : ''}`);
    }

    // In order: the plan lists app containers before sidecars, and sidecars in reverse order.
    for (const kill of actions.containersToKill) {
      if (!killNow.includes(kill)) await this.killContainers(pod, containers.filter((c) => c.id === kill.id), undefined, kill.reason);
    }
    if (actions.resyncSoon) this.o.requeueAfter(objectKey(pod), 0);
    for (const id of actions.containersToRemove) await runtime.removeContainer(id);

    if (sandbox && volumes) {
      for (const start of actions.containersToStart) {
        try {
          await this.startContainer(pod, sandbox, start, volumes);
          this.pullBackoff.delete(`${uid}/${start.name}`);
          const update = actions.backoffUpdates.get(start.name);
          if (update) this.restartBackoff.set(`${uid}/${start.name}`, update);
        } catch (err) {
          if (err instanceof ContainerWaitingError) waiting.set(start.name, err.waiting);
          else throw err;
        }
      }
    }
    for (const w of actions.waiting) {
      waiting.set(w.name, { reason: w.reason, message: w.message });
      this.o.recorder.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${w.name} in pod ${describePod(pod)}`);
      this.o.requeueAfter(objectKey(pod), w.retryInMs);
    }

    // The token manager's check, on every sync (the 10 s resync among them): a running pod's
    // projected service account tokens are renewed when 80% of their TTL has gone.
    if (!volumes && sandbox && !actions.podDone) {
      try {
        await this.o.volumes.refreshServiceAccountTokens(pod, await this.allocatable());
      } catch (err) {
        this.o.recorder.record(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume: refreshing the service account token: ${errorMessage(err)}`);
      }
    }

    sandboxes = await runtime.listPodSandboxes({ podUid: uid });
    containers = await runtime.listContainers({ podUid: uid });
    this.recordExits(pod, containers);
    const readySandbox = sandboxes.find((s) => s.state === 'ready');
    this.o.probes.updatePod(pod, containers, this.podIPOf(pod, readySandbox));
    await this.writeStatus(pod, readySandbox, await this.withTerminationMessages(pod, containers), waiting);
  }

  /** A hostNetwork pod's IP is its node's. */
  private podIPOf(pod: Pod, sandbox: SandboxStatus | undefined): string | undefined {
    if (!sandbox) return undefined;
    return pod.spec.hostNetwork ? this.o.nodeIP : sandbox.ip;
  }

  /** Syncs the pod again when its activeDeadlineSeconds runs out. */
  private requeueAtDeadline(pod: Pod): void {
    const deadline = pod.spec.activeDeadlineSeconds;
    const start = pod.status?.startTime;
    if (deadline === undefined || deadline === null || !start) return;
    const leftMs = Date.parse(start) + deadline * 1000 - this.o.clock.now().getTime();
    if (leftMs >= 0) this.o.requeueAfter(objectKey(pod), leftMs + 100);
  }

  /** The node's allocatable CPU and memory (the value of a resourceFieldRef limit the container does not set). */
  private allocatableCache?: NodeAllocatable;
  private async allocatable(): Promise<NodeAllocatable> {
    if (!this.allocatableCache) {
      const info = await this.o.runtime.info();
      this.allocatableCache = { cpuMillis: info.cpus * 1000, memoryBytes: info.memoryBytes };
    }
    return this.allocatableCache;
  }

  /** Exited containers with the message their terminationMessagePath (or log) holds, as the terminated state shows it. */
  private readonly terminationMessages = new Map<string, string | undefined>();
  private async withTerminationMessages(pod: Pod, containers: ContainerStatus[]): Promise<ContainerStatus[]> {
    const specs = allContainerSpecs(pod);
    return Promise.all(
      containers.map(async (c) => {
        const spec = specs.find((s) => s.name === c.name);
        if (c.state !== 'exited' || !spec) return c;
        const key = `${pod.metadata.uid}/${c.id}`;
        if (!this.terminationMessages.has(key)) {
          const file = this.o.volumes.terminationLogPath(pod.metadata.uid!, c.name, c.restartCount);
          this.terminationMessages.set(key, await readTerminationMessage(this.o.runtime, c, spec, file));
        }
        const message = this.terminationMessages.get(key);
        return message ? { ...c, message } : c;
      }),
    );
  }

  /** The back-off entries of this pod's containers, by container name. */
  private entriesOf<T>(entries: Map<string, T>, pod: Pod): Map<string, T> {
    const byName = new Map<string, T>();
    for (const c of allContainerSpecs(pod)) {
      const entry = entries.get(`${pod.metadata.uid}/${c.name}`);
      if (entry) byName.set(c.name, entry);
    }
    return byName;
  }

  private async createSandbox(pod: Pod): Promise<SandboxStatus> {
    const portMappings = pod.spec.containers.flatMap((c) =>
      (c.ports ?? [])
        .filter((p) => p.hostPort)
        .map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort!, protocol: (p.protocol === 'UDP' ? 'UDP' : 'TCP') as 'TCP' | 'UDP', ...(p.hostIP ? { hostIP: p.hostIP } : {}) })),
    );
    const { spec } = pod;
    // Kubernetes' hostname: spec.hostname or the pod's name (cut to 63 characters); with a
    // subdomain the FQDN <hostname>.<subdomain>.<namespace>.svc.<cluster domain> is in /etc/hosts,
    // and is the hostname itself with setHostnameAsFQDN.
    const hostname = (spec.hostname || pod.metadata.name!).slice(0, 63).replace(/[-.]+$/, '');
    const domain = this.o.clusterDns?.domain ?? 'cluster.local';
    const fqdn = spec.subdomain ? `${hostname}.${spec.subdomain}.${pod.metadata.namespace}.svc.${domain}` : undefined;
    const sysctls = Object.fromEntries((spec.securityContext?.sysctls ?? []).map((s) => [s.name, s.value]));
    return this.o.runtime.runPodSandbox({
      pod: identity(pod),
      nodeName: this.o.nodeName,
      hostname: spec.setHostnameAsFQDN && fqdn ? fqdn : hostname,
      ...(this.o.networkName && !spec.hostNetwork ? { networkName: this.o.networkName } : {}),
      ...(portMappings.length && !spec.hostNetwork ? { portMappings } : {}),
      ...podDnsConfig(pod, this.o.clusterDns, await this.nodeResolvConf()),
      hostsFile: { ...(fqdn ? { fqdn } : {}), hostAliases: (spec.hostAliases ?? []).map((a) => ({ ip: a.ip, hostnames: a.hostnames ?? [] })) },
      ...(spec.hostNetwork ? { hostNetwork: true } : {}),
      ...(spec.hostIPC ? { hostIPC: true } : {}),
      ...(Object.keys(sysctls).length ? { sysctls } : {}),
    });
  }

  /** The node's own resolver configuration, for dnsPolicy Default. */
  private async nodeResolvConf(): Promise<ResolvConf> {
    try {
      return parseResolvConf(await fs.readFile(this.o.resolvConfPath ?? '/etc/resolv.conf', 'utf8'));
    } catch {
      return { nameservers: [], searches: [], options: [] };
    }
  }

  private async startContainer(pod: Pod, sandbox: SandboxStatus, start: ContainerToStart, volumes: Map<string, PreparedVolume>): Promise<void> {
    const spec = allContainerSpecs(pod).find((c) => c.name === start.name)!;
    await this.ensureImage(pod, spec, start);
    const podIP = this.podIPOf(pod, sandbox);
    let env: { name: string; value: string }[];
    let mounts;
    let imageUser = '';
    try {
      imageUser = (await this.o.runtime.imageStatus(spec.image)).user ?? '';
      verifyRunAsNonRoot(pod, spec, imageUser);
      const fields = { podIP, podIPs: podIP ? [podIP] : [], hostIP: this.o.nodeIP, hostIPs: [this.o.nodeIP] };
      const result = await this.o.volumes.environment(pod, spec, fields, await this.serviceEnv(pod), await this.allocatable());
      env = result.env;
      for (const warning of result.skippedKeyWarnings) this.o.recorder.record(pod, 'Warning', 'InvalidEnvironmentVariableNames', warning);
      mounts = await this.o.volumes.mountsFor(spec, volumes);
      const terminationLog = await this.o.volumes.ensureTerminationLog(pod.metadata.uid!, spec.name, start.restartCount);
      mounts.push({ hostPath: terminationLog, containerPath: spec.terminationMessagePath || '/dev/termination-log', readOnly: false });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      this.o.recorder.record(pod, 'Warning', 'Failed', `Error: ${err.message}`);
      this.o.requeueAfter(objectKey(pod), KUBELET_DEFAULTS.configErrorRetryMs);
      throw new ContainerWaitingError({ reason: err.reason, message: err.message });
    }
    const pidMode = await this.pidModeOf(pod, spec);
    const limits = spec.resources?.limits ?? {};
    const { command, args } = expandCommandAndArgs(spec, env);
    const id = await this.o.runtime.createContainer(sandbox.id, {
      pod: identity(pod),
      nodeName: this.o.nodeName,
      name: spec.name,
      image: spec.image,
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      env,
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
      mounts,
      ...(limits.memory ? { memoryLimitBytes: parseMemoryBytes(limits.memory) } : {}),
      ...(limits.cpu ? { nanoCpus: parseCpuMillis(limits.cpu) * 1_000_000 } : {}),
      ...(spec.tty ? { tty: true } : {}),
      ...(spec.stdin ? { stdin: true } : {}),
      ...(pidMode ? { pidMode } : {}),
      security: containerSecurity(pod, spec, imageUser),
      ...(spec.stdin && spec.stdinOnce ? { stdinOnce: true } : {}),
      restartCount: start.restartCount,
      specHash: specHash(spec),
    });
    this.o.recorder.record(pod, 'Normal', 'Created', `Created container ${spec.name}`, { fieldPath: containerFieldPath(pod, spec.name) });
    await this.o.runtime.startContainer(id);
    this.o.recorder.record(pod, 'Normal', 'Started', `Started container ${spec.name}`, { fieldPath: containerFieldPath(pod, spec.name) });
    const postStart = spec.lifecycle?.postStart;
    if (postStart) {
      const failure = await runLifecycleHandler(this.o.runtime, postStart, { pod, container: spec, containerId: id, podIP: podIP ?? '' }, POST_START_TIMEOUT_MS);
      if (failure !== undefined) {
        // The kubelet's reaction: the event, then the container is killed; its restartPolicy decides the rest.
        this.o.recorder.record(pod, 'Warning', 'FailedPostStartHook', failure);
        this.o.recorder.record(pod, 'Normal', 'Killing', 'FailedPostStartHook');
        await this.o.runtime.stopContainer(id, pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS);
        this.o.requeueAfter(objectKey(pod), 0);
        throw new ContainerWaitingError({ reason: 'PostStartHookError', message: failure });
      }
    }
  }

  /**
   * Whose processes the container sees: the node's (hostPID), the pod's (shareProcessNamespace),
   * else its own; an ephemeral container with a targetContainerName joins that container's
   * (kubectl debug --target), which must be running: until it is, the debug container waits.
   */
  private async pidModeOf(pod: Pod, spec: EphemeralContainer): Promise<ContainerConfig['pidMode']> {
    if (pod.spec.hostPID) return 'host';
    if (pod.spec.shareProcessNamespace) return 'pod';
    const target = spec.targetContainerName;
    if (!target || !(pod.spec.ephemeralContainers ?? []).some((c) => c.name === spec.name)) return undefined;
    const running = (await this.o.runtime.listContainers({ podUid: pod.metadata.uid })).find((c) => c.name === target && c.state === 'running');
    if (running) return { containerId: running.id };
    const message = `target container "${target}" of ephemeral container "${spec.name}" is not running`;
    this.o.recorder.record(pod, 'Warning', 'Failed', `Error: ${message}`);
    this.o.requeueAfter(objectKey(pod), KUBELET_DEFAULTS.configErrorRetryMs);
    throw new ContainerWaitingError({ reason: 'CreateContainerError', message });
  }

  /** The variables of the Services that exist now in the pod's namespace (and `kubernetes`): fixed at container start. */
  private async serviceEnv(pod: Pod): Promise<{ name: string; value: string }[]> {
    const services = await this.o.client.list<Service>('services');
    const links = (pod.spec as { enableServiceLinks?: boolean }).enableServiceLinks !== false;
    return serviceEnvVars(services.items, pod.metadata.namespace!, { enableServiceLinks: links }).map((v) => ({ name: v.name, value: v.value ?? '' }));
  }

  /**
   * Makes the image present per imagePullPolicy, or throws ContainerWaitingError (ErrImagePull,
   * ImagePullBackOff). Whether a pull may be tried now, and the back-off a failed one earns, is
   * the plan's (`start.imagePull`); this only asks the engine and performs it.
   */
  private async ensureImage(pod: Pod, spec: Container, start: ContainerToStart): Promise<void> {
    const { runtime, recorder, clock } = this.o;
    const image = spec.image;
    const fieldPath = containerFieldPath(pod, spec.name);
    const policy = pullPolicyOf(spec);
    const present = (await runtime.imageStatus(image)).present;
    if (policy === 'Never') {
      if (present) return;
      const text = `Container image "${image}" is not present with pull policy of Never`;
      recorder.record(pod, 'Warning', 'ErrImageNeverPull', text);
      throw new ContainerWaitingError({ reason: 'ErrImageNeverPull', message: text });
    }
    if (policy === 'IfNotPresent' && present) {
      recorder.record(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, { fieldPath });
      return;
    }
    const { backoffRemainingMs, delayAfterFailureMs } = start.imagePull;
    if (backoffRemainingMs > 0) {
      recorder.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      recorder.record(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      this.o.requeueAfter(objectKey(pod), backoffRemainingMs);
      throw new ContainerWaitingError({ reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
    }
    const nowMs = clock.now().getTime();
    recorder.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, { fieldPath });
    try {
      const auth = registryAuthFor(image, await this.pullSecrets(pod));
      await runtime.pullImage(image, ...(auth ? [auth] : []));
      recorder.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${goDuration(clock.now().getTime() - nowMs)}`, { fieldPath });
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      if (present) {
        // kubelab labs have no registry: a local copy of an image pulled Always still runs.
        recorder.record(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine (pulling failed: ${err.message})`, { fieldPath });
        return;
      }
      this.pullBackoff.set(`${pod.metadata.uid}/${spec.name}`, { delayMs: delayAfterFailureMs, failedAtMs: clock.now().getTime() });
      recorder.record(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${err.message}`);
      recorder.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      this.o.requeueAfter(objectKey(pod), delayAfterFailureMs);
      throw new ContainerWaitingError({ reason: 'ErrImagePull', message: err.message });
    }
  }

  /** The docker-registry Secrets the pod names in imagePullSecrets (missing ones are skipped, as the kubelet does). */
  private async pullSecrets(pod: Pod): Promise<DockerConfigSecret[]> {
    const secrets: DockerConfigSecret[] = [];
    for (const ref of pod.spec.imagePullSecrets ?? []) {
      if (!ref.name) continue;
      try {
        secrets.push(await this.o.client.get<DockerConfigSecret>('secrets', pod.metadata.namespace, ref.name));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.o.recorder.record(pod, 'Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${ref.name}); attempting to pull the image may not succeed.`);
      }
    }
    return secrets;
  }

  /**
   * Stops containers (in parallel) with the grace period, recording Killing for each. A
   * container with a preStop hook runs it first; the hook's time comes out of the grace period.
   */
  private async killContainers(pod: Pod, containers: ContainerStatus[], gracePeriodSeconds?: number, reason?: string): Promise<void> {
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    const specs = allContainerSpecs(pod);
    const sandbox = (await this.o.runtime.listPodSandboxes({ podUid: pod.metadata.uid })).find((s) => s.state === 'ready');
    await Promise.all(
      containers.map(async (c) => {
        this.o.recorder.record(pod, 'Normal', 'Killing', reason ?? `Stopping container ${c.name}`, { fieldPath: containerFieldPath(pod, c.name) });
        let remaining = grace;
        const spec = specs.find((s) => s.name === c.name);
        const preStop = spec?.lifecycle?.preStop;
        if (preStop && spec && grace > 0 && c.state === 'running') {
          const startedMs = Date.now();
          const failure = await runLifecycleHandler(this.o.runtime, preStop, { pod, container: spec, containerId: c.id, podIP: this.podIPOf(pod, sandbox) ?? '' }, grace * 1000);
          if (failure !== undefined) this.o.recorder.record(pod, 'Warning', 'FailedPreStopHook', failure);
          remaining = Math.max(MINIMUM_GRACE_SECONDS, grace - Math.round((Date.now() - startedMs) / 1000));
        }
        await this.o.runtime.stopContainer(c.id, remaining);
        this.recordExits(pod, (await this.o.runtime.listContainers({ podUid: pod.metadata.uid })).filter((s) => s.id === c.id));
      }),
    );
  }

  /**
   * `Exited`, with the exit code, once for each container attempt that ended (an init container
   * done, a crash, a kill): the pod trace's rows (the terminated state shows whole seconds, and is
   * gone with the pod once it is deleted). Its time is the engine's, to the millisecond, when the
   * engine knows it; else when the kubelet noticed. Kubernetes records no such event. A kubelet
   * that starts again finds the exits of before: those older than RECENT_EXIT_MS were told by its
   * previous run and are not told again.
   */
  private recordExits(pod: Pod, containers: ContainerStatus[]): void {
    const nowMs = this.o.clock.now().getTime();
    for (const c of containers) {
      if (c.state !== 'exited') continue;
      const key = `${pod.metadata.uid}/${c.id}`;
      if (this.exitsRecorded.has(key)) continue;
      this.exitsRecorded.add(key);
      const finishedMs = c.finishedAtMs ?? (c.finishedAt ? Date.parse(c.finishedAt) : NaN);
      if (!(nowMs - finishedMs <= RECENT_EXIT_MS)) continue;
      const message = `Container ${c.name} exited with code ${c.exitCode ?? 0}${c.reason ? ` (${c.reason})` : ''}`;
      this.o.recorder.record(pod, 'Normal', 'Exited', message, { at: new Date(c.finishedAtMs ?? nowMs), fieldPath: containerFieldPath(pod, c.name) });
    }
  }

  /**
   * A pod being deleted: stop its containers within the grace period (SIGTERM, then SIGKILL),
   * remove everything it had on this node, then finish the delete the API server started.
   */
  async terminatePod(pod: Pod): Promise<void> {
    const { runtime, client } = this.o;
    const uid = pod.metadata.uid!;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    // A container shutting down fails its probes; that must not restart it nor be reported.
    this.o.probes.removePod(uid);
    const containers = await runtime.listContainers({ podUid: uid });
    // The app containers (and plain init containers) first, together; then the sidecars, one by
    // one in reverse order, so they serve the app containers until those have stopped.
    const sidecars = (pod.spec.initContainers ?? []).filter(isSidecar).map((c) => c.name).reverse();
    const running = containers.filter((c) => c.state === 'running');
    const startedMs = Date.now();
    await this.killContainers(pod, running.filter((c) => !sidecars.includes(c.name)), grace);
    for (const name of sidecars) {
      const left = Math.max(0, grace - Math.round((Date.now() - startedMs) / 1000));
      await this.killContainers(pod, running.filter((c) => c.name === name), left);
    }
    const hadSandbox = (await runtime.listPodSandboxes({ podUid: uid })).length > 0;
    await this.removeEverything(uid);
    if (hadSandbox) this.o.recorder.record(pod, 'Normal', 'SandboxRemoved', 'Removed pod sandbox, containers and volumes');
    try {
      await client.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      // Gone already, or replaced by a new pod of the same name: ours is finished either way.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Removes every container, sandbox and volume of a pod uid (a deleted pod, or an orphan). */
  async removeEverything(uid: string, gracePeriodSeconds = 0): Promise<void> {
    const { runtime } = this.o;
    const containers = await runtime.listContainers({ podUid: uid });
    await Promise.all(containers.filter((c) => c.state === 'running').map((c) => runtime.stopContainer(c.id, gracePeriodSeconds)));
    for (const c of containers) await runtime.removeContainer(c.id);
    for (const s of await runtime.listPodSandboxes({ podUid: uid })) {
      await runtime.stopPodSandbox(s.id);
      await runtime.removePodSandbox(s.id);
    }
    await this.o.volumes.cleanupPod(uid);
    this.forgetBackoff(uid);
    this.o.probes.removePod(uid);
  }

  private forgetBackoff(uid: string): void {
    for (const map of [this.restartBackoff, this.pullBackoff, this.terminationMessages, this.exitsRecorded]) {
      for (const key of map.keys()) if (key.startsWith(`${uid}/`)) map.delete(key);
    }
  }

  /** Writes the status if it changed, retrying on a conflict with a fresh copy of the pod. */
  private async writeStatus(pod: Pod, sandbox: SandboxStatus | undefined, containers: ContainerStatus[], waiting: Map<string, WaitingReason>): Promise<void> {
    const { client, clock } = this.o;
    let current = pod;
    for (let attempt = 0; ; attempt++) {
      const { readiness, started } = this.o.probes.statusOf(current, containers);
      const shown = sandbox && current.spec.hostNetwork ? { ...sandbox, ip: this.o.nodeIP } : sandbox;
      const status: PodStatus = computePodStatus({ pod: current, sandbox: shown, containers, waiting, readiness, started, hostIP: this.o.nodeIP, now: clock.now() });
      if (isDeepStrictEqual(status, current.status)) return;
      try {
        // Taken before the write: whoever reacts to it (the endpoints controller) comes later.
        const writtenAt = clock.now();
        await client.updateStatus<Pod>('pods', { ...current, status });
        if (status.phase === 'Running' && current.status?.phase !== 'Running') this.o.onPodRunning?.(current);
        // The Ready condition has a lastTransitionTime in whole seconds; the trace wants the moment.
        if (isReady(status) && !isReady(current.status)) this.o.recorder.record(current, 'Normal', 'PodReady', 'Pod is Ready: every container runs and passes its readiness probe', { at: writtenAt });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 5) throw err;
        current = await client.get<Pod>('pods', pod.metadata.namespace, pod.metadata.name!);
        if (current.metadata.uid !== pod.metadata.uid) return;
      }
    }
  }
}
