// What the kubelet must do to one pod, decided purely: kubelet's computePodActions.
//
// Inputs are the desired pod and what the runtime has for it (sandboxes, every container attempt
// ever made and not yet removed); the output is a plan the pod worker performs in order:
//   kill the whole pod  →  create a sandbox  →  kill containers  →  remove dead attempts  →  start containers.
//
// The rules, as the kubelet's:
// - A pod needs one ready sandbox (the infra container owning the pod's IP). If it has none, every
//   container is restarted inside a new one.
// - A container that never ran is started. One that exited is restarted if the restartPolicy says
//   so (Always; OnFailure when the exit code was not 0; never for Never), but not before its
//   back-off has passed: CrashLoopBackOff. The first restart is immediate; then the kubelet waits
//   10 s, 20 s, 40 s ... up to 5 minutes, and forgets the back-off once a container ran 10 minutes.
// - An image whose last pull failed is not pulled again before its back-off has passed
//   (ImagePullBackOff), with the same 10 s doubling to 5 minutes. Whether a pull is needed at all
//   depends on the engine (is the image present?), so the plan only says, for each container to
//   start, how long a pull must still wait and which back-off a failing pull now earns; the pod
//   worker asks the engine and performs it.
// - A running container whose liveness (or startup) probe failed is killed; the next sync restarts
//   it like any container that exited, with the same restartPolicy, restart count and back-off.
// - A running container whose spec changed (another image after `kubectl set image`) is killed
//   and started again with the new spec; a running one with the same spec is never touched.
// - Of the exited attempts of a container, the newest is kept for `logs --previous`; older ones go.
// - A pod whose containers have all finished for good is done: nothing restarts; its sandbox stops.
//   Its native sidecars (below) are stopped then, last.
// - Init containers (kubelet's computeInitContainerActions) run one at a time, in order, in the
//   pod's current sandbox, before any app container: the next starts only when the one before
//   exited 0. A failing one is restarted with the same back-off (CrashLoopBackOff) unless the
//   pod's restartPolicy is Never: then the pod is done, Failed, and no app container ever runs.
//   A new sandbox runs them all again from the first.
// - Native sidecars, init containers with `restartPolicy: Always`, start in their place in that
//   order, and the next init container waits until the sidecar has *started* (running, and its
//   startupProbe passed); they are restarted whenever they exit, whatever the pod's policy.
// - Ephemeral containers (kubectl debug) start once, in the pod's current sandbox, as soon as they
//   appear in the spec, even while init containers run; they are never restarted, and a new
//   sandbox does not run them again. They stop with the pod.
// - activeDeadlineSeconds: once the pod has been active that long (since status.startTime), it
//   is done: every container is killed and the pod is Failed with reason DeadlineExceeded.

import type { Container, Pod } from '../../lib/api/types.js';
import { backoffRemainingMs, nextBackoffDelayMs, type BackoffPolicy, type BackoffWindow } from '../../lib/backoff.js';
import { KUBELET_DEFAULTS } from '../config.js';
import type { ContainerStatus, SandboxStatus } from '../runtime/container-runtime.js';

/** The kubelet's back-off for restarts and image pulls (see lib/backoff.ts), plus when a restart back-off is forgotten. */
export interface KubeletBackoffPolicy extends BackoffPolicy {
  /** A container that ran this long is considered healthy again: the back-off starts over. Kubernetes: 10 min. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: KubeletBackoffPolicy = KUBELET_DEFAULTS.backoff;

/** The back-off of one container of one pod: the wait before its next restart. */
export interface BackoffEntry {
  delayMs: number;
}

/** What the pod worker does about the image of a container it starts. */
export interface ImagePullPlan {
  /** ImagePullBackOff: a pull must not be tried for this long (0: it may be tried now). */
  backoffRemainingMs: number;
  /** The pull back-off to remember if a pull tried now fails (ErrImagePull). */
  delayAfterFailureMs: number;
}

export interface ContainerToStart {
  name: string;
  /** The restart count of the new attempt: 0 for the first, previous + 1 after that. */
  restartCount: number;
  /** Why (for the kubelet's events and logs). */
  reason: 'first start' | 'restart' | 'spec changed' | 'new sandbox';
  /** Whether its image may be pulled now, should it need a pull. */
  imagePull: ImagePullPlan;
}

export interface ContainerWaiting {
  name: string;
  reason: 'CrashLoopBackOff';
  message: string;
  /** When to look again. */
  retryInMs: number;
}

export interface PodActions {
  /** Stop every container and sandbox of the pod (the sandbox died; a new one is made). */
  killPod: boolean;
  createSandbox: boolean;
  /** Sandboxes to stop and remove: extra ones, or the one of a pod that is done. */
  sandboxesToRemove: string[];
  containersToKill: { id: string; name: string; reason: string }[];
  containersToRemove: string[];
  containersToStart: ContainerToStart[];
  /** Containers waiting out their back-off. */
  waiting: ContainerWaiting[];
  /** New back-off entries for the containers restarted now (by container name). */
  backoffUpdates: Map<string, BackoffEntry>;
  /** All containers have finished for good (the pod is Succeeded or Failed). */
  podDone: boolean;
  /** A container is killed now to be restarted by the next sync (a failed liveness probe): sync again soon. */
  resyncSoon: boolean;
  /** The pod ran past its activeDeadlineSeconds: it is done and Failed (DeadlineExceeded). */
  deadlineExceeded: boolean;
  /** The pod's init containers are still running or waiting (the app containers wait for them). */
  initializing: boolean;
}

export interface PodActionsInput {
  pod: Pod;
  sandboxes: SandboxStatus[];
  containers: ContainerStatus[];
  /** Back-off per container name (the pod worker keeps it between syncs). */
  backoff: Map<string, BackoffEntry>;
  /** The last failed image pull per container name, and the back-off it earned (the pod worker keeps it). */
  pullBackoff?: Map<string, BackoffWindow>;
  policy: KubeletBackoffPolicy;
  now: Date;
  /** Running containers whose liveness or startup probe failed, by container name (the probe manager's). */
  probeFailures?: Map<string, { containerId: string; probeType: 'liveness' | 'startup' }>;
  /** Whether each running container has started (startup probe passed), by name; absent: started once running. */
  started?: Map<string, boolean>;
}

/** FNV-1a, 32 bits, in hex: the kubelet hashes container specs the same way (HashContainer). */
export function specHash(container: Container): string {
  const text = stableJson(container);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Newest attempt first: the highest restart count, then the latest creation. */
export function attemptsNewestFirst(containers: ContainerStatus[]): ContainerStatus[] {
  return [...containers].sort((a, b) => b.restartCount - a.restartCount || Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** Whether the restartPolicy restarts a container that exited with this code. */
export function shouldRestart(pod: Pod, exitCode: number | undefined): boolean {
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}

const ms = (time: string | undefined): number => (time ? Date.parse(time) : NaN);

/** `10s`, `5m0s`: how Go prints a duration in the CrashLoopBackOff message. */
export function goDuration(durationMs: number): string {
  const seconds = Math.round(durationMs / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${seconds % 60}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m${seconds % 60}s`;
}

export function crashLoopMessage(delayMs: number, containerName: string, pod: Pod): string {
  return `back-off ${goDuration(delayMs)} restarting failed container=${containerName} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/** Native sidecars: init containers with restartPolicy Always. */
export const isSidecar = (container: Container): boolean => container.restartPolicy === 'Always';

/** Every container of the pod's spec: init containers first, then the app containers, then the ephemeral ones. */
export function allContainerSpecs(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])];
}

/** A regular init container failed under restartPolicy Never: the pod is Failed, nothing more runs. */
export function initFailedForGood(pod: Pod, containers: ContainerStatus[]): boolean {
  if ((pod.spec.restartPolicy ?? 'Always') !== 'Never') return false;
  return (pod.spec.initContainers ?? []).some((spec) => {
    if (isSidecar(spec)) return false;
    const newest = attemptsNewestFirst(containers.filter((c) => c.name === spec.name))[0];
    return newest?.state === 'exited' && newest.exitCode !== 0;
  });
}

/** Whether the pod ran past its activeDeadlineSeconds (counted from status.startTime, as the kubelet does). */
export function activeDeadlinePassed(pod: Pod, now: Date): boolean {
  const deadline = pod.spec.activeDeadlineSeconds;
  const start = pod.status?.startTime;
  if (deadline === undefined || deadline === null || !start) return false;
  return now.getTime() - Date.parse(start) >= deadline * 1000;
}

/** Whether the pod has finished for good: no container runs and none will be restarted. */
export function podIsDone(pod: Pod, containers: ContainerStatus[]): boolean {
  if ((pod.spec.restartPolicy ?? 'Always') === 'Always') return false;
  if (initFailedForGood(pod, containers)) return true;
  return pod.spec.containers.every((spec) => {
    const newest = attemptsNewestFirst(containers.filter((c) => c.name === spec.name))[0];
    return newest?.state === 'exited' && !shouldRestart(pod, newest.exitCode);
  });
}

/** ImagePullBackOff: the time left since the last failed pull of this container's image, and the next back-off. */
function planImagePull(input: PodActionsInput, containerName: string): ImagePullPlan {
  const last = input.pullBackoff?.get(containerName);
  return {
    backoffRemainingMs: backoffRemainingMs(last, input.now.getTime()),
    delayAfterFailureMs: nextBackoffDelayMs(input.policy, last?.delayMs),
  };
}

function toStart(input: PodActionsInput, name: string, restartCount: number, reason: ContainerToStart['reason']): ContainerToStart {
  return { name, restartCount, reason, imagePull: planImagePull(input, name) };
}

export function computePodActions(input: PodActionsInput): PodActions {
  const { pod, sandboxes, containers, backoff, policy, now } = input;
  const actions: PodActions = {
    killPod: false,
    createSandbox: false,
    sandboxesToRemove: [],
    containersToKill: [],
    containersToRemove: [],
    containersToStart: [],
    waiting: [],
    backoffUpdates: new Map(),
    podDone: false,
    resyncSoon: false,
    deadlineExceeded: false,
    initializing: false,
  };
  const readySandboxes = sandboxes.filter((s) => s.state === 'ready').sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const sandbox = readySandboxes[0];
  const initSpecs = pod.spec.initContainers ?? [];
  const attemptsOf = (name: string) => attemptsNewestFirst(containers.filter((c) => c.name === name));

  // Containers no longer in the spec (or of unknown name) are killed and removed.
  const specNames = new Set(allContainerSpecs(pod).map((c) => c.name));
  for (const c of containers.filter((c) => !specNames.has(c.name))) {
    if (c.state === 'running') actions.containersToKill.push({ id: c.id, name: c.name, reason: 'not in the pod spec' });
    actions.containersToRemove.push(c.id);
  }

  const phase = pod.status?.phase;
  const deadline = phase !== 'Succeeded' && phase !== 'Failed' && activeDeadlinePassed(pod, now);
  if (phase === 'Succeeded' || phase === 'Failed' || deadline || podIsDone(pod, containers)) {
    // Done: what still runs (sidecars; everything past a deadline) stops, app containers first,
    // then the sidecars in reverse order; nothing restarts.
    actions.podDone = true;
    actions.deadlineExceeded = deadline;
    const running = (specs: Container[]) => specs.flatMap((spec) => attemptsOf(spec.name).filter((c) => c.state === 'running'));
    const reason = deadline ? 'Pod was active on the node longer than the specified deadline' : undefined;
    for (const c of [...running(pod.spec.containers), ...running(pod.spec.ephemeralContainers ?? []), ...running(initSpecs.filter(isSidecar).reverse())]) {
      actions.containersToKill.push({ id: c.id, name: c.name, reason: reason ?? `Stopping container ${c.name}` });
    }
    actions.sandboxesToRemove = sandboxes.map((s) => s.id);
    for (const spec of allContainerSpecs(pod)) removeOldAttempts(attemptsOf(spec.name), actions);
    return actions;
  }

  if (!sandbox) {
    // No sandbox (first sync), or it died: start over in a new one. Old attempts stay for logs.
    // With init containers, only the first starts: the rest follow, one sync at a time.
    actions.killPod = containers.some((c) => c.state === 'running') || sandboxes.length > 0;
    actions.sandboxesToRemove = sandboxes.map((s) => s.id);
    actions.createSandbox = true;
    const first = initSpecs[0];
    if (first) {
      const attempts = attemptsOf(first.name);
      actions.initializing = true;
      actions.containersToStart.push(toStart(input, first.name, attempts[0] ? attempts[0].restartCount + 1 : 0, attempts[0] ? 'new sandbox' : 'first start'));
      removeOldAttempts(attempts, actions);
      return actions;
    }
    for (const spec of pod.spec.containers) {
      const attempts = attemptsOf(spec.name);
      const newest = attempts[0];
      if (newest && newest.state === 'exited' && !shouldRestart(pod, newest.exitCode)) continue;
      actions.containersToStart.push(toStart(input, spec.name, newest ? newest.restartCount + 1 : 0, newest ? 'new sandbox' : 'first start'));
      removeOldAttempts(attempts, actions);
    }
    return actions;
  }
  actions.sandboxesToRemove = readySandboxes.slice(1).map((s) => s.id).concat(sandboxes.filter((s) => s.state !== 'ready').map((s) => s.id));

  if (planInitContainers(input, sandbox, actions)) {
    for (const spec of pod.spec.containers) {
      planContainer(spec, attemptsOf(spec.name), actions, input, specHash(spec), now.getTime(), policy, backoff.get(spec.name));
    }
  } else {
    actions.initializing = true;
  }
  // Ephemeral containers do not wait for initialization (a debugger is most wanted when it hangs).
  for (const spec of pod.spec.ephemeralContainers ?? []) {
    if (attemptsOf(spec.name).length === 0) actions.containersToStart.push(toStart(input, spec.name, 0, 'first start'));
  }
  return actions;
}

/**
 * Walks the init containers in order in the current sandbox; returns whether the pod is
 * initialized (the app containers may run). Once an app container has run in this sandbox the
 * pod stays initialized: only the sidecars are looked after (restarted when they exit).
 */
function planInitContainers(input: PodActionsInput, sandbox: SandboxStatus, actions: PodActions): boolean {
  const { pod, containers, backoff, policy, now } = input;
  const inSandbox = (c: ContainerStatus) => !c.sandboxId || c.sandboxId === sandbox.id;
  const attemptsOf = (name: string) => attemptsNewestFirst(containers.filter((c) => c.name === name));
  const appStarted = pod.spec.containers.some((spec) => containers.some((c) => c.name === spec.name && inSandbox(c)));
  for (const spec of pod.spec.initContainers ?? []) {
    const attempts = attemptsOf(spec.name);
    const current = attempts.filter(inSandbox);
    const newest = current[0];
    const sidecar = isSidecar(spec);
    if (appStarted && !sidecar) continue;
    if (!newest) {
      actions.containersToStart.push(toStart(input, spec.name, attempts[0] ? attempts[0].restartCount + 1 : 0, attempts[0] ? 'new sandbox' : 'first start'));
      removeOldAttempts(attempts, actions);
      if (appStarted) continue;
      return false;
    }
    if (sidecar) {
      // A sidecar is planned like an app container that always restarts.
      const always: PodActionsInput = { ...input, pod: { ...pod, spec: { ...pod.spec, restartPolicy: 'Always' } } };
      planContainer(spec, attempts, actions, always, specHash(spec), now.getTime(), policy, backoff.get(spec.name));
      if (appStarted) continue;
      const started = newest.state === 'running' && (input.started?.get(spec.name) ?? true) && !actions.containersToKill.some((k) => k.id === newest.id);
      if (!started) return false;
      continue;
    }
    if (newest.state === 'running') return false;
    if (newest.state !== 'exited') {
      actions.containersToRemove.push(newest.id);
      actions.containersToStart.push(toStart(input, spec.name, newest.restartCount, 'first start'));
      return false;
    }
    removeOldAttempts(attempts, actions);
    if (newest.exitCode === 0) continue;
    // A failed init container: restarted with back-off (the pod is Never-done before we get here).
    const always: PodActionsInput = { ...input, pod: { ...pod, spec: { ...pod.spec, restartPolicy: 'Always' } } };
    planExited(spec, newest, actions, always, now.getTime(), policy, backoff.get(spec.name));
    return false;
  }
  return true;
}

function planContainer(
  spec: Container,
  attempts: ContainerStatus[],
  actions: PodActions,
  input: PodActionsInput,
  hash: string,
  nowMs: number,
  policy: KubeletBackoffPolicy,
  entry: BackoffEntry | undefined,
): void {
  const newest = attempts[0];
  if (!newest) {
    actions.containersToStart.push(toStart(input, spec.name, 0, 'first start'));
    return;
  }
  if (newest.state === 'running') {
    const failure = input.probeFailures?.get(spec.name);
    if (failure?.containerId === newest.id) {
      // Killed, it exits non-zero: only restartPolicy Never leaves it dead.
      const restart = shouldRestart(input.pod, 137);
      actions.containersToKill.push({ id: newest.id, name: spec.name, reason: `Container ${spec.name} failed ${failure.probeType} probe${restart ? ', will be restarted' : ''}` });
      actions.resyncSoon ||= restart;
    } else if (newest.specHash !== hash) {
      actions.containersToKill.push({ id: newest.id, name: spec.name, reason: `Container ${spec.name} definition changed, will be restarted` });
      actions.containersToStart.push(toStart(input, spec.name, newest.restartCount + 1, 'spec changed'));
    }
    removeOldAttempts(attempts.slice(1), actions);
    return;
  }
  if (newest.state !== 'exited') {
    // Created but never started (the kubelet stopped between create and start), or unknown:
    // remove it and make the same attempt again.
    actions.containersToRemove.push(newest.id);
    actions.containersToStart.push(toStart(input, spec.name, newest.restartCount, 'first start'));
    removeOldAttempts(attempts.slice(1), actions);
    return;
  }
  removeOldAttempts(attempts, actions);
  planExited(spec, newest, actions, input, nowMs, policy, entry);
}

/** An exited container: restarted if its policy says so, once its back-off has passed (CrashLoopBackOff). */
function planExited(spec: Container, newest: ContainerStatus, actions: PodActions, input: PodActionsInput, nowMs: number, policy: KubeletBackoffPolicy, entry: BackoffEntry | undefined): void {
  if (!shouldRestart(input.pod, newest.exitCode)) return;

  // Exited and to be restarted: wait out the back-off first.
  const ranMs = ms(newest.finishedAt) - ms(newest.startedAt);
  const current = entry && !(ranMs >= policy.resetAfterMs) ? entry : undefined;
  if (current) {
    const readyAtMs = ms(newest.finishedAt) + current.delayMs;
    if (nowMs < readyAtMs) {
      actions.waiting.push({ name: spec.name, reason: 'CrashLoopBackOff', message: crashLoopMessage(current.delayMs, spec.name, input.pod), retryInMs: readyAtMs - nowMs });
      return;
    }
  }
  actions.backoffUpdates.set(spec.name, { delayMs: nextBackoffDelayMs(policy, current?.delayMs) });
  actions.containersToStart.push(toStart(input, spec.name, newest.restartCount + 1, 'restart'));
}

/** Keeps the newest exited attempt (for `logs --previous`) and removes the older exited ones. */
function removeOldAttempts(attemptsNewestFirstOrder: ContainerStatus[], actions: PodActions): void {
  const exited = attemptsNewestFirstOrder.filter((c) => c.state === 'exited');
  for (const old of exited.slice(1)) actions.containersToRemove.push(old.id);
}

/** How Kubernetes' kubelet names a container in its events' involvedObject.fieldPath. */
export function containerFieldPath(pod: Pod, name: string): string {
  if ((pod.spec.initContainers ?? []).some((c) => c.name === name)) return `spec.initContainers{${name}}`;
  if ((pod.spec.ephemeralContainers ?? []).some((c) => c.name === name)) return `spec.ephemeralContainers{${name}}`;
  return `spec.containers{${name}}`;
}
