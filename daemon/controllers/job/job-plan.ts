// The Job controller's decisions, pure (Kubernetes' pkg/controller/job, syncJob and
// trackJobStatusAndRemoveFinalizers): from a Job, its pods and the time, what to create, what to
// delete, which finalizers to remove and what status to write.
//
// The rules, in the order they are applied:
// 1. Counting. Every pod the controller makes carries the batch.kubernetes.io/job-tracking
//    finalizer, so a finished pod stays in the store until it is counted, even if someone deletes
//    it. Counting takes two passes so that a crash never counts a pod twice or never: a finished
//    pod's uid is first written to status.uncountedTerminatedPods, then its finalizer is removed,
//    then (next pass) the uid moves into succeeded or failed. A deleted pod that had not succeeded
//    counts as failed (it never had the chance to finish), unless the Job was suspended or done.
// 2. Finishing. A Job fails when it ran longer than activeDeadlineSeconds (DeadlineExceeded; it
//    wins when both apply) or when more than backoffLimit pods failed (BackoffLimitExceeded; with
//    restartPolicy OnFailure, backoffLimit container restarts in running pods are enough). It completes when `completions` pods
//    succeeded (Indexed: every index 0..completions-1 once). The interim condition
//    (FailureTarget / SuccessCriteriaMet) is written at once and the remaining pods deleted; the
//    terminal one (Failed / Complete) once no pod of the Job is left running, as Kubernetes 1.32.
// 3. Suspending deletes the running pods; resuming starts the clock (startTime) again.
// 4. Otherwise keep min(parallelism, what is left to do) pods running. After a failure, new pods
//    wait out a back-off: 10 s, doubling per failure since the last success, at most 6 min,
//    counted from the last failure.

import {
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_TRACKING_FINALIZER,
  type Job,
  type JobCondition,
  type JobConditionType,
  type JobStatus,
} from '../../../lib/api/batch-types.js';
import type { Pod } from '../../../lib/api/types.js';
import { backoffDelayMs, type BackoffPolicy } from '../../../lib/backoff.js';
import { rfc3339 } from '../../../lib/time.js';
import { isPodReady } from '../pod-state.js';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface JobPlanInput {
  job: Job;
  /** The pods the Job owns (its ControllerRef), any phase, terminating ones included. */
  pods: Pod[];
  now: Date;
  /** The re-create delay after failures (10 s doubling to 6 min in Kubernetes). */
  backoff: BackoffPolicy;
}

export interface JobPlan {
  /** The status to write (first, before any other action). */
  status: JobStatus;
  /** Pods whose finalizer may go: their uid is in the written status. */
  removeFinalizers: Pod[];
  /** Pods to create: one entry each, with the completion index of an Indexed Job. */
  create: { index?: number }[];
  /** Running pods to delete (suspended, finished, or more than parallelism). */
  delete: Pod[];
  /** Look again after this long: the deadline, or the end of a back-off. */
  requeueAfterMs?: number;
  events: JobEvent[];
}

/**
 * At most this many pods are created, or deleted, in one sync (Kubernetes' job controller
 * MaxPodCreateDeletePerSync): a Job with parallelism 2147483647 starts 500 pods, and the pod
 * events of those bring the next sync, instead of one pass asking for two billion.
 */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export const REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
export const REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
const MESSAGES: Record<string, string> = {
  [REASON_BACKOFF_LIMIT_EXCEEDED]: 'Job has reached the specified backoff limit',
  [REASON_DEADLINE_EXCEEDED]: 'Job was active longer than specified deadline',
  [REASON_COMPLETIONS_REACHED]: 'Reached expected number of succeeded pods',
};

// ---------------------------------------------------------------------------------------------
// Pods

/** Succeeded, failed, or still running (terminating pods that have not succeeded count as failed). */
export function podOutcome(pod: Pod, countDeletedAsFailed: boolean): 'succeeded' | 'failed' | 'running' {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed') return 'failed';
  if (pod.metadata.deletionTimestamp && countDeletedAsFailed) return 'failed';
  return 'running';
}

const hasTrackingFinalizer = (pod: Pod): boolean => (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** An Indexed Job's pod's index, from its annotation; undefined when absent or not a number. */
export function podIndex(pod: Pod): number | undefined {
  const value = pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (value === undefined || !/^[0-9]+$/.test(value)) return undefined;
  return Number(value);
}

/** When a pod finished: its containers' last finishedAt, else its Ready condition's change, else its creation. */
export function podFinishTimeMs(pod: Pod): number {
  const finished = (pod.status?.containerStatuses ?? [])
    .map((s) => s.state?.terminated?.finishedAt)
    .filter((t): t is string => Boolean(t))
    .map((t) => Date.parse(t));
  if (finished.length > 0) return Math.max(...finished);
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  if (ready) return Date.parse(ready);
  return Date.parse(pod.metadata.deletionTimestamp ?? pod.metadata.creationTimestamp ?? '') || 0;
}

// ---------------------------------------------------------------------------------------------
// Index sets ("0-2,5", Kubernetes' completedIndexes format)

export function parseIndexes(text: string | undefined): Set<number> {
  const indexes = new Set<number>();
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [from, to] = part.split('-').map(Number);
    for (let i = from; i <= (to ?? from); i += 1) indexes.add(i);
  }
  return indexes;
}

export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

// ---------------------------------------------------------------------------------------------
// Conditions

export function findCondition(status: JobStatus | undefined, type: JobConditionType): JobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

const isTrue = (status: JobStatus | undefined, type: JobConditionType): boolean => findCondition(status, type)?.status === 'True';

/** Complete or Failed: nothing will change any more. */
export function isJobFinished(job: Job): boolean {
  return isTrue(job.status, 'Complete') || isTrue(job.status, 'Failed');
}

/** Sets a condition; the transition time changes only when its status does. */
function setCondition(status: JobStatus, type: JobConditionType, value: 'True' | 'False', reason: string, message: string, now: string): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  if (existing && existing.status === value && existing.reason === reason) return;
  const next: JobCondition = { type, status: value, lastProbeTime: now, lastTransitionTime: existing?.status === value ? existing.lastTransitionTime : now, reason, message };
  status.conditions = existing ? conditions.map((c) => (c.type === type ? next : c)) : [...conditions, next];
}

// ---------------------------------------------------------------------------------------------
// The plan

export function planJob({ job, pods, now, backoff }: JobPlanInput): JobPlan {
  const nowText = rfc3339(now);
  const spec = job.spec;
  const previous = job.status ?? {};
  const status: JobStatus = structuredClone(previous);
  const plan: JobPlan = { status, removeFinalizers: [], create: [], delete: [], events: [] };
  const indexed = spec.completionMode === 'Indexed';
  const finishedAlready = isJobFinished(job);
  const suspended = spec.suspend === true && !finishedAlready;
  const countDeletedAsFailed = !suspended && !finishedAlready && !isTrue(previous, 'SuccessCriteriaMet');

  // 1. Counting: flush uids whose finalizer is gone, record the newly finished ones.
  const byUid = new Map(pods.map((pod) => [pod.metadata.uid ?? '', pod]));
  const uncounted = { succeeded: [...(previous.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(previous.uncountedTerminatedPods?.failed ?? [])] };
  let succeeded = previous.succeeded ?? 0;
  let failed = previous.failed ?? 0;
  const stillHeld = (uid: string) => {
    const pod = byUid.get(uid);
    return pod !== undefined && hasTrackingFinalizer(pod);
  };
  succeeded += uncounted.succeeded.filter((uid) => !stillHeld(uid)).length;
  failed += uncounted.failed.filter((uid) => !stillHeld(uid)).length;
  uncounted.succeeded = uncounted.succeeded.filter(stillHeld);
  uncounted.failed = uncounted.failed.filter(stillHeld);
  const recorded = new Set([...uncounted.succeeded, ...uncounted.failed]);
  const active: Pod[] = [];
  let terminating = 0;
  for (const pod of pods) {
    const outcome = podOutcome(pod, countDeletedAsFailed);
    if (outcome === 'running') {
      if (!pod.metadata.deletionTimestamp) active.push(pod);
      else {
        terminating += 1;
        // Deleted while suspended or done: not a failure, and nothing to count; let it go.
        if (hasTrackingFinalizer(pod)) plan.removeFinalizers.push(pod);
      }
      continue;
    }
    if (pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') terminating += 1;
    if (!hasTrackingFinalizer(pod)) continue;
    const uid = pod.metadata.uid ?? '';
    if (!recorded.has(uid)) uncounted[outcome].push(uid);
    plan.removeFinalizers.push(pod);
  }
  if (indexed) {
    const completed = parseIndexes(previous.completedIndexes);
    for (const pod of pods) {
      const index = podIndex(pod);
      if (pod.status?.phase === 'Succeeded' && index !== undefined && index < (spec.completions ?? 0)) completed.add(index);
    }
    status.completedIndexes = formatIndexes(completed);
    // An Indexed Job counts indexes, not pods: two pods succeeding for one index are one completion.
    succeeded = completed.size;
    uncounted.succeeded = [];
  }
  const totalSucceeded = succeeded + uncounted.succeeded.length;
  const totalFailed = failed + uncounted.failed.length;
  status.succeeded = succeeded;
  status.failed = failed;
  status.uncountedTerminatedPods = uncounted;
  status.terminating = terminating;

  // 2. Finished already: only the bookkeeping above, and no pods left running.
  if (finishedAlready) {
    plan.delete = active;
    return finish(plan, active, previous, nowText);
  }

  // 3. Suspended: no pods; the condition says so.
  if (suspended) {
    plan.delete = active;
    if (!isTrue(previous, 'Suspended')) plan.events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
    setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowText);
    return finish(plan, [], previous, nowText);
  }
  if (isTrue(previous, 'Suspended')) {
    setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowText);
    plan.events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
    status.startTime = nowText; // activeDeadlineSeconds counts from the resume
  }
  status.startTime = status.startTime ?? nowText;

  // 4. Has it failed, or succeeded?
  const failure = failureReason(job, status.startTime, now, totalFailed, active);
  const completions = spec.completions;
  const complete =
    !failure &&
    (completions === undefined || completions === null ? totalSucceeded > 0 && active.length === 0 : totalSucceeded >= completions);
  if (failure) {
    if (!isTrue(previous, 'FailureTarget')) plan.events.push({ type: 'Warning', reason: failure, message: MESSAGES[failure] });
    setCondition(status, 'FailureTarget', 'True', failure, MESSAGES[failure], nowText);
  }
  if (complete) setCondition(status, 'SuccessCriteriaMet', 'True', REASON_COMPLETIONS_REACHED, MESSAGES[REASON_COMPLETIONS_REACHED], nowText);
  if (failure || complete || isTrue(status, 'FailureTarget') || isTrue(status, 'SuccessCriteriaMet')) {
    plan.delete = active;
    return finish(plan, [], previous, nowText);
  }

  // 5. Keep the right number of pods running.
  const parallelism = spec.parallelism ?? 1;
  const remaining = completions === undefined || completions === null ? (totalSucceeded > 0 ? 0 : parallelism) : completions - totalSucceeded;
  const wantActive = Math.max(0, Math.min(parallelism, remaining));
  if (active.length > wantActive) {
    // The newest first: the older ones have done more of their work.
    const excess = Math.min(active.length - wantActive, MAX_POD_CREATE_DELETE_PER_SYNC);
    plan.delete = [...active].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')).slice(0, excess);
  } else if (active.length < wantActive) {
    const waitMs = backoffRemainingMs(pods, backoff, now);
    const missing = Math.min(wantActive - active.length, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (waitMs > 0) plan.requeueAfterMs = waitMs;
    else plan.create = indexed ? pendingIndexes(spec.completions ?? 0, status.completedIndexes, active, missing) : Array.from({ length: missing }, () => ({}));
  }

  // The deadline passes by time alone: look again then.
  if (spec.activeDeadlineSeconds) {
    const untilDeadline = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now.getTime();
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, Math.max(untilDeadline, 0) + 100);
  }
  return finish(plan, active.filter((pod) => !plan.delete.includes(pod)), previous, nowText);
}

/** active / ready counts, and the terminal condition once no pod is left running. */
function finish(plan: JobPlan, stillActive: Pod[], previous: JobStatus, nowText: string): JobPlan {
  const status = plan.status;
  status.active = stillActive.length + plan.create.length;
  status.ready = stillActive.filter(isPodReady).length;
  const nothingRunning = stillActive.length === 0 && plan.delete.length === 0 && (status.terminating ?? 0) === 0;
  const counted = (status.uncountedTerminatedPods?.succeeded?.length ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0) === 0;
  if (nothingRunning && counted) {
    const target = findCondition(status, 'FailureTarget');
    if (target?.status === 'True' && !isTrue(status, 'Failed')) {
      setCondition(status, 'Failed', 'True', target.reason ?? '', target.message ?? '', nowText);
    } else if (isTrue(status, 'SuccessCriteriaMet') && !isTrue(status, 'Complete')) {
      setCondition(status, 'Complete', 'True', REASON_COMPLETIONS_REACHED, MESSAGES[REASON_COMPLETIONS_REACHED], nowText);
      status.completionTime = findCondition(status, 'Complete')?.lastTransitionTime;
      plan.events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
    }
  }
  if (isTrue(previous, 'Complete') || isTrue(previous, 'Failed')) status.active = 0;
  return plan;
}

/**
 * DeadlineExceeded if the Job ran longer than activeDeadlineSeconds (checked first: it wins), else
 * BackoffLimitExceeded if more pods failed than backoffLimit allows, else undefined.
 */
export function failureReason(job: Job, startTime: string | undefined, now: Date, failed: number, active: Pod[]): string | undefined {
  const { activeDeadlineSeconds, backoffLimit = 6 } = job.spec;
  if (activeDeadlineSeconds && startTime && now.getTime() >= Date.parse(startTime) + activeDeadlineSeconds * 1000) return REASON_DEADLINE_EXCEEDED;
  if (failed > backoffLimit) return REASON_BACKOFF_LIMIT_EXCEEDED;
  // restartPolicy OnFailure: the kubelet restarts containers in place, and those restarts are the failures.
  if (job.spec.template?.spec?.restartPolicy === 'OnFailure') {
    const restarts = active.reduce((sum, pod) => sum + (pod.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0), 0);
    if (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit) return REASON_BACKOFF_LIMIT_EXCEEDED;
  }
  return undefined;
}

/**
 * How long new pods must still wait: initial · 2^(n-1), capped, after the n-th failure since the
 * last success, counted from the last failure. 0 when no pod failed since the last success.
 */
export function backoffRemainingMs(pods: Pod[], policy: BackoffPolicy, now: Date): number {
  const lastSuccessMs = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Succeeded').map(podFinishTimeMs));
  const failures = pods
    .filter((p) => p.status?.phase === 'Failed' || (p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded'))
    .map(podFinishTimeMs)
    .filter((t) => t >= lastSuccessMs);
  if (failures.length === 0) return 0;
  const delay = backoffDelayMs(policy, failures.length);
  return Math.max(0, Math.max(...failures) + delay - now.getTime());
}

/** The lowest indexes neither completed nor running, at most `count` of them. */
export function pendingIndexes(completions: number, completedIndexes: string | undefined, active: Pod[], count: number): { index: number }[] {
  const taken = parseIndexes(completedIndexes);
  for (const pod of active) {
    const index = podIndex(pod);
    if (index !== undefined) taken.add(index);
  }
  const result: { index: number }[] = [];
  for (let index = 0; index < completions && result.length < count; index += 1) if (!taken.has(index)) result.push({ index });
  return result;
}
