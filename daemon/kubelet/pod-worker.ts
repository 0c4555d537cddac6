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
import { parseCpuMillis, parseMemoryBytes } from '../../lib/api/quantity.js';
import { serviceEnvVars } from '../../lib/api/service-env.js';
import type { Container, Pod, PodStatus, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { BackoffWindow } from '../../lib/backoff.js';
import { objectKey } from '../../lib/client/object-key.js';
import type { Clock } from '../../lib/clock.js';
import { isConflict, isNotFound } from '../../lib/errors.js';
import { KUBELET_DEFAULTS } from '../config.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { ImagePullError, type ContainerRuntime, type ContainerStatus, type PodIdentity, type SandboxStatus } from '../runtime/container-runtime.js';
import { computePodActions, goDuration, specHash, type BackoffEntry, type ContainerToStart, type KubeletBackoffPolicy } from './pod-actions.js';
import { podDnsConfig, type ClusterDns } from './pod-dns.js';
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
}

const DEFAULT_GRACE_SECONDS = KUBELET_DEFAULTS.terminationGracePeriodSeconds;

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
    const actions = computePodActions({ pod, sandboxes, containers, backoff, pullBackoff, policy: this.o.backoff, now: clock.now(), probeFailures });

    if (actions.killPod) await this.killContainers(pod, containers.filter((c) => c.state === 'running'), 0);
    for (const id of actions.sandboxesToRemove) {
      await runtime.stopPodSandbox(id);
      await runtime.removePodSandbox(id);
    }
    if (actions.podDone) this.forgetBackoff(uid);

    let volumes: Map<string, PreparedVolume> | undefined;
    if (actions.containersToStart.length > 0) {
      try {
        volumes = await this.o.volumes.preparePodVolumes(pod);
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        this.o.recorder.record(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume: ${err.message}`);
        for (const c of actions.containersToStart) waiting.set(c.name, { reason: err.reason, message: err.message });
        this.o.requeueAfter(objectKey(pod), KUBELET_DEFAULTS.configErrorRetryMs);
      }
    }

    let sandbox = sandboxes.find((s) => s.state === 'ready' && !actions.sandboxesToRemove.includes(s.id));
    if (actions.createSandbox && volumes) sandbox = await this.createSandbox(pod);

    for (const kill of actions.containersToKill) await this.killContainers(pod, containers.filter((c) => c.id === kill.id), undefined, kill.reason);
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

    sandboxes = await runtime.listPodSandboxes({ podUid: uid });
    containers = await runtime.listContainers({ podUid: uid });
    const readySandbox = sandboxes.find((s) => s.state === 'ready');
    this.o.probes.updatePod(pod, containers, readySandbox?.ip);
    await this.writeStatus(pod, readySandbox, containers, waiting);
  }

  /** The back-off entries of this pod's containers, by container name. */
  private entriesOf<T>(entries: Map<string, T>, pod: Pod): Map<string, T> {
    const byName = new Map<string, T>();
    for (const c of pod.spec.containers) {
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
    return this.o.runtime.runPodSandbox({
      pod: identity(pod),
      nodeName: this.o.nodeName,
      hostname: pod.spec.hostname ?? pod.metadata.name!,
      ...(this.o.networkName ? { networkName: this.o.networkName } : {}),
      ...(portMappings.length ? { portMappings } : {}),
      ...podDnsConfig(pod, this.o.clusterDns),
    });
  }

  private async startContainer(pod: Pod, sandbox: SandboxStatus, start: ContainerToStart, volumes: Map<string, PreparedVolume>): Promise<void> {
    const spec = pod.spec.containers.find((c) => c.name === start.name)!;
    await this.ensureImage(pod, spec, start);
    let env: { name: string; value: string }[];
    let mounts;
    try {
      env = await this.o.volumes.environment(pod, spec, { podIP: sandbox.ip, hostIP: this.o.nodeIP }, await this.serviceEnv(pod));
      mounts = await this.o.volumes.mountsFor(spec, volumes);
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      this.o.recorder.record(pod, 'Warning', 'Failed', `Error: ${err.message}`);
      this.o.requeueAfter(objectKey(pod), KUBELET_DEFAULTS.configErrorRetryMs);
      throw new ContainerWaitingError({ reason: err.reason, message: err.message });
    }
    const limits = spec.resources?.limits ?? {};
    const id = await this.o.runtime.createContainer(sandbox.id, {
      pod: identity(pod),
      nodeName: this.o.nodeName,
      name: spec.name,
      image: spec.image,
      ...(spec.command ? { command: spec.command } : {}),
      ...(spec.args ? { args: spec.args } : {}),
      env,
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
      mounts,
      ...(limits.memory ? { memoryLimitBytes: parseMemoryBytes(limits.memory) } : {}),
      ...(limits.cpu ? { nanoCpus: parseCpuMillis(limits.cpu) * 1_000_000 } : {}),
      ...(spec.tty ? { tty: true } : {}),
      ...(spec.stdin ? { stdin: true } : {}),
      ...(spec.stdin && spec.stdinOnce ? { stdinOnce: true } : {}),
      restartCount: start.restartCount,
      specHash: specHash(spec),
    });
    this.o.recorder.record(pod, 'Normal', 'Created', `Created container ${spec.name}`);
    await this.o.runtime.startContainer(id);
    this.o.recorder.record(pod, 'Normal', 'Started', `Started container ${spec.name}`);
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
    const policy = pullPolicyOf(spec);
    const present = (await runtime.imageStatus(image)).present;
    if (policy === 'Never') {
      if (present) return;
      const text = `Container image "${image}" is not present with pull policy of Never`;
      recorder.record(pod, 'Warning', 'ErrImageNeverPull', text);
      throw new ContainerWaitingError({ reason: 'ErrImageNeverPull', message: text });
    }
    if (policy === 'IfNotPresent' && present) {
      recorder.record(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
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
    recorder.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    try {
      await runtime.pullImage(image);
      recorder.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${goDuration(clock.now().getTime() - nowMs)}`);
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      if (present) {
        // kubelab labs have no registry: a local copy of an image pulled Always still runs.
        recorder.record(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine (pulling failed: ${err.message})`);
        return;
      }
      this.pullBackoff.set(`${pod.metadata.uid}/${spec.name}`, { delayMs: delayAfterFailureMs, failedAtMs: clock.now().getTime() });
      recorder.record(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${err.message}`);
      recorder.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      this.o.requeueAfter(objectKey(pod), delayAfterFailureMs);
      throw new ContainerWaitingError({ reason: 'ErrImagePull', message: err.message });
    }
  }

  /** Stops containers (in parallel) with the grace period, recording Killing for each. */
  private async killContainers(pod: Pod, containers: ContainerStatus[], gracePeriodSeconds?: number, reason?: string): Promise<void> {
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    await Promise.all(
      containers.map(async (c) => {
        this.o.recorder.record(pod, 'Normal', 'Killing', reason ?? `Stopping container ${c.name}`);
        await this.o.runtime.stopContainer(c.id, grace);
      }),
    );
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
    await this.killContainers(pod, containers.filter((c) => c.state === 'running'), grace);
    await this.removeEverything(uid);
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
    for (const map of [this.restartBackoff, this.pullBackoff]) {
      for (const key of map.keys()) if (key.startsWith(`${uid}/`)) map.delete(key);
    }
  }

  /** Writes the status if it changed, retrying on a conflict with a fresh copy of the pod. */
  private async writeStatus(pod: Pod, sandbox: SandboxStatus | undefined, containers: ContainerStatus[], waiting: Map<string, WaitingReason>): Promise<void> {
    const { client, clock } = this.o;
    let current = pod;
    for (let attempt = 0; ; attempt++) {
      const { readiness, started } = this.o.probes.statusOf(current, containers);
      const status: PodStatus = computePodStatus({ pod: current, sandbox, containers, waiting, readiness, started, hostIP: this.o.nodeIP, now: clock.now() });
      if (isDeepStrictEqual(status, current.status)) return;
      try {
        await client.updateStatus<Pod>('pods', { ...current, status });
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
