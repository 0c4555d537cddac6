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
// - conditions: PodReadyToStartContainers (the sandbox is up), Initialized, ContainersReady and
//   Ready (every container runs and passes its readiness probe), PodScheduled; each keeps its
//   lastTransitionTime while its status does not change.

import type { ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../../lib/api/types.js';
import { rfc3339 } from '../../lib/time.js';
import type { ContainerStatus, SandboxStatus } from '../runtime/container-runtime.js';
import { attemptsNewestFirst } from './pod-actions.js';

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

const containerId = (c: ContainerStatus) => `docker://${c.id}`;

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

function containerStatusOf(input: PodStatusInput, name: string, image: string): ApiContainerStatus {
  const attempts = attemptsNewestFirst(input.containers.filter((c) => c.name === name));
  const [newest, previous] = attempts;
  const waiting = input.waiting?.get(name);
  const base = { name, image, imageID: '', restartCount: 0, ready: false, started: false, lastState: {} as ContainerState };
  if (!newest) {
    return { ...base, state: { waiting: waiting ?? { reason: 'ContainerCreating' } } };
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
  return { ...base, ...ids, state: { waiting: waiting ?? { reason: 'ContainerCreating' } }, lastState: previous?.state === 'exited' ? terminated(previous) : {} };
}

/** kubelet's getPhase. */
export function podPhase(pod: Pod, statuses: ApiContainerStatus[]): PodPhase {
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
  const containerStatuses = pod.spec.containers.map((c) => containerStatusOf(input, c.name, c.image));
  const previousPhase = previous.phase;
  const phase = previousPhase === 'Succeeded' || previousPhase === 'Failed' ? previousPhase : podPhase(pod, containerStatuses);

  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const readiness = done
    ? { status: 'False' as const, reason: 'PodCompleted' }
    : unready.length === 0
      ? { status: 'True' as const }
      : { status: 'False' as const, reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const conditions = [
    condition(previous.conditions, now, { type: 'PodReadyToStartContainers', status: sandbox?.state === 'ready' ? 'True' : 'False' }),
    condition(previous.conditions, now, { type: 'Initialized', status: 'True' }),
    condition(previous.conditions, now, { type: 'Ready', ...readiness }),
    condition(previous.conditions, now, { type: 'ContainersReady', ...readiness }),
    condition(previous.conditions, now, { type: 'PodScheduled', status: 'True' }),
  ];

  const podIP = sandbox?.ip ?? previous.podIP;
  const hostIP = input.hostIP ?? previous.hostIP;
  return {
    phase,
    conditions,
    ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: previous.startTime ?? rfc3339(now),
    containerStatuses,
  };
}
