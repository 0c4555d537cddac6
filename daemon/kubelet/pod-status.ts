// The status the kubelet reports for a pod, computed purely from what the runtime shows:
// kubelet's generateAPIPodStatus + getPhase.
//
// - containerStatuses: per container of the spec, its newest attempt as `state` (waiting /
//   running / terminated), the attempt before as `lastState`, and `restartCount`. A container
//   that is not running can be waiting for a reason the pod worker knows (ErrImagePull,
//   ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError) or just ContainerCreating.
// - phase: Pending while a container has not started yet; Running while any runs (or will be
//   restarted); Succeeded when all exited 0 and none will restart; Failed when all stopped, one
//   failed and none will restart. A phase that reached Succeeded or Failed never changes again.
// - ready / started per container: a running container has `started` once its startup probe
//   passed (at once without one) and is `ready` once started and passing its readiness probe
//   (at once without one); the probe manager supplies the results.
// - conditions: PodReadyToStartContainers (the sandbox is up), Initialized (every init container
//   exited 0 and every sidecar started, or an app container already ran), ContainersReady and
//   Ready (every container, sidecars included, runs and passes its readiness probe),
//   PodScheduled; each keeps its lastTransitionTime while its status does not change.
// - initContainerStatuses: the same per init container; an init container that finished is
//   `ready`. While they run, the app containers wait with reason PodInitializing and the phase is
//   Pending; a failed one under restartPolicy Never makes the pod Failed.
// - ephemeralContainerStatuses: the same per ephemeral container (kubectl debug waits for its
//   `running` state before it attaches); never ready, and no part of the phase or conditions.
// - activeDeadlineSeconds passed: phase Failed, reason DeadlineExceeded.

import type { ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../../lib/api/types.js';
import { rfc3339 } from '../../lib/time.js';
import type { ContainerStatus, SandboxStatus } from '../runtime/container-runtime.js';
import { activeDeadlinePassed, attemptsNewestFirst, isSidecar } from './pod-actions.js';

export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface PodStatusInput {
  pod: Pod;
  /** The pod's ready sandbox, if any. */
  sandbox?: SandboxStatus;
  containers: ContainerStatus[];
  /** Why a container that is not running waits, as the pod worker knows it. */
  waiting?: Map<string, WaitingReason>;
  /** Readiness probe results by container name; a container without one is ready when running. */
  readiness?: Map<string, boolean>;
  /** Startup probe results by container name; a container without one has started when running. */
  started?: Map<string, boolean>;
  hostIP?: string;
  now: Date;
}

/** The containerID a pod's status shows for a runtime container (`docker://<id>`). */
export const containerIdOf = (c: Pick<ContainerStatus, 'id'>) => `docker://${c.id}`;
const containerId = containerIdOf;

function imageIdOf(c: ContainerStatus): string {
  if (!c.imageId) return '';
  return c.imageId.includes('@') ? `docker-pullable://${c.imageId}` : c.imageId;
}

function terminated(c: ContainerStatus): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      containerID: containerId(c),
    },
  };
}

function containerStatusOf(input: PodStatusInput, name: string, image: string, notStartedReason = 'ContainerCreating'): ApiContainerStatus {
  const attempts = attemptsNewestFirst(input.containers.filter((c) => c.name === name));
  const [newest, previous] = attempts;
  const waiting = input.waiting?.get(name);
  const base = { name, image, imageID: '', restartCount: 0, ready: false, started: false, lastState: {} as ContainerState };
  if (!newest) {
    return { ...base, state: { waiting: waiting ?? { reason: notStartedReason } } };
  }
  const ids = { image, imageID: imageIdOf(newest), containerID: containerId(newest), restartCount: newest.restartCount };
  if (newest.state === 'running') {
    // Ready = running, started (startup probe passed) and passing its readiness probe.
    const started = input.started?.get(name) ?? true;
    const ready = started && (input.readiness?.get(name) ?? true);
    return { ...base, ...ids, state: { running: { startedAt: newest.startedAt } }, lastState: previous?.state === 'exited' ? terminated(previous) : {}, ready, started };
  }
  if (newest.state === 'exited') {
    // Waiting to be restarted (CrashLoopBackOff ...): the exit becomes lastState.
    if (waiting) return { ...base, ...ids, state: { waiting }, lastState: terminated(newest) };
    return { ...base, ...ids, state: terminated(newest), lastState: previous?.state === 'exited' ? terminated(previous) : {} };
  }
  return { ...base, ...ids, state: { waiting: waiting ?? { reason: notStartedReason } }, lastState: previous?.state === 'exited' ? terminated(previous) : {} };
}

/**
 * The init containers that have not finished their part: a regular one until it exited 0, a
 * sidecar until it runs and has started. Empty: the pod is initialized.
 */
function incompleteInitContainers(pod: Pod, statuses: ApiContainerStatus[]): string[] {
  return (pod.spec.initContainers ?? [])
    .filter((spec, i) => {
      const s = statuses[i];
      if (isSidecar(spec)) return !(s.state.running && s.started);
      return s.state.terminated?.exitCode !== 0;
    })
    .map((spec) => spec.name);
}

/** kubelet's getPhase. */
export function podPhase(pod: Pod, statuses: ApiContainerStatus[], initStatuses: ApiContainerStatus[] = []): PodPhase {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const regularStarted = statuses.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  let pendingInit = 0;
  let failedInit = 0;
  (pod.spec.initContainers ?? []).forEach((spec, i) => {
    const s = initStatuses[i];
    if (!s) return;
    if (isSidecar(spec)) {
      if (!s.state.running) pendingInit++;
      return;
    }
    if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState.terminated && s.lastState.terminated.exitCode !== 0) failedInit++;
    else pendingInit++;
  });
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if ((pendingInit > 0 || failedInit > 0) && !regularStarted) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++; // waiting to restart after an exit
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    // OnFailure: a failed container will be restarted.
    return 'Running';
  }
  return 'Pending';
}

function condition(previous: PodCondition[] | undefined, now: Date, wanted: Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>): PodCondition {
  const before = previous?.find((c) => c.type === wanted.type);
  const lastTransitionTime = before && before.status === wanted.status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now);
  return { type: wanted.type, status: wanted.status, ...(wanted.reason ? { reason: wanted.reason } : {}), ...(wanted.message ? { message: wanted.message } : {}), lastProbeTime: null, lastTransitionTime };
}

export function computePodStatus(input: PodStatusInput): PodStatus {
  const { pod, sandbox, now } = input;
  const previous = pod.status ?? {};
  const initSpecs = pod.spec.initContainers ?? [];
  const ephemeralSpecs = pod.spec.ephemeralContainers ?? [];
  const initContainerStatuses = initSpecs.map((c) => {
    const status = containerStatusOf(input, c.name, c.image, 'PodInitializing');
    // A regular init container that finished its work counts as ready, as in Kubernetes.
    if (!isSidecar(c) && status.state.terminated?.exitCode === 0) return { ...status, ready: true, started: false };
    if (!isSidecar(c)) return { ...status, ready: false };
    return status;
  });
  const incomplete = incompleteInitContainers(pod, initContainerStatuses);
  const appRan = pod.spec.containers.some((c) => input.containers.some((x) => x.name === c.name));
  const initialized = incomplete.length === 0 || appRan;
  const containerStatuses = pod.spec.containers.map((c) => containerStatusOf(input, c.name, c.image, initialized ? 'ContainerCreating' : 'PodInitializing'));
  const previousPhase = previous.phase;
  const terminal = previousPhase === 'Succeeded' || previousPhase === 'Failed';
  const deadline = !terminal && activeDeadlinePassed(pod, now);
  const phase = terminal ? previousPhase : deadline ? 'Failed' : podPhase(pod, containerStatuses, initContainerStatuses);
  const failure = deadline
    ? { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' }
    : terminal && previous.reason
      ? { reason: previous.reason, ...(previous.message ? { message: previous.message } : {}) }
      : {};

  const sidecarStatuses = initContainerStatuses.filter((_, i) => isSidecar(initSpecs[i]));
  const unready = [...sidecarStatuses, ...containerStatuses].filter((s) => !s.ready).map((s) => s.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const readiness = done
    ? { status: 'False' as const, reason: 'PodCompleted' }
    : unready.length === 0
      ? { status: 'True' as const }
      : { status: 'False' as const, reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const conditions = [
    condition(previous.conditions, now, { type: 'PodReadyToStartContainers', status: sandbox?.state === 'ready' ? 'True' : 'False' }),
    condition(previous.conditions, now, initialized ? { type: 'Initialized', status: 'True' } : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` }),
    condition(previous.conditions, now, { type: 'Ready', ...readiness }),
    condition(previous.conditions, now, { type: 'ContainersReady', ...readiness }),
    condition(previous.conditions, now, { type: 'PodScheduled', status: 'True' }),
  ];

  const podIP = sandbox?.ip ?? previous.podIP;
  const hostIP = input.hostIP ?? previous.hostIP;
  return {
    phase,
    ...failure,
    conditions,
    ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: previous.startTime ?? rfc3339(now),
    ...(initSpecs.length ? { initContainerStatuses } : {}),
    containerStatuses,
    ...(ephemeralSpecs.length ? { ephemeralContainerStatuses: ephemeralSpecs.map((c) => ({ ...containerStatusOf(input, c.name, c.image), ready: false })) } : {}),
  };
}
