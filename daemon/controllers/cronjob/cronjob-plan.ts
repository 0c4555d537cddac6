// The CronJob controller's decisions, pure (Kubernetes' pkg/controller/cronjob, syncCronJob and
// utils.go): from a CronJob, the Jobs it owns and the time, which Job to start, which to delete,
// what status to write and when to look again.
//
// There is no timer per CronJob. Each pass computes the schedule times that passed since the last
// one it started (status.lastScheduleTime, or the CronJob's creation) and asks the work queue to
// come back at the next one. A Job's name is the CronJob's name and the scheduled minute
// (NAME-<minutes since 1970>), so a pass that runs twice for the same time, or after a restart
// that lost the status write, finds the Job already there instead of starting a second one.
// Times missed while the controller was down are caught up, but only the most recent one is
// started; more than 100 missed times is reported (TooManyMissedTimes), since it usually means a
// clock jumped. startingDeadlineSeconds says how late a start may still be.

import { CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION, type CronJob, type CronJobStatus, type Job } from '../../../lib/api/batch-types.js';
import { CronSchedule } from '../../../lib/api/cron-schedule.js';
import { jobFromCronJobTemplate } from '../../../lib/api/job-from-cronjob.js';
import { rfc3339 } from '../../../lib/time.js';
import { isJobFinished, findCondition } from '../job/job-plan.js';

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronJobPlanInput {
  cronJob: CronJob;
  /** The Jobs the CronJob owns (its ControllerRef). */
  jobs: Job[];
  now: Date;
  /** More missed times than this: start only the latest, with a warning (Kubernetes: 100). */
  tooManyMissed?: number;
}

export interface CronJobPlan {
  status: CronJobStatus;
  /** The Job to start now, if any: its name and the time it was scheduled for. */
  start?: { name: string; scheduledTime: Date };
  /** Jobs to delete: replaced (concurrencyPolicy Replace) or beyond the history limits. */
  delete: Job[];
  events: CronJobEvent[];
  /** When the next schedule time comes; undefined when suspended or unparseable. */
  requeueAfterMs?: number;
}

/** A Job's name for a scheduled time: NAME-<minutes since the epoch>, as Kubernetes names it. */
export function jobNameFor(cronJobName: string, scheduledTime: Date): string {
  return `${cronJobName}-${Math.floor(scheduledTime.getTime() / 60_000)}`;
}

/**
 * The schedule times after `earliest` up to `now`: how many, and the latest. Counting stops past
 * `cap`; the latest is then found directly.
 */
export function missedScheduleTimes(schedule: CronSchedule, earliest: Date, now: Date, cap: number): { missed: number; mostRecent?: Date } {
  let t = schedule.next(earliest);
  let missed = 0;
  let mostRecent: Date | undefined;
  while (t.getTime() <= now.getTime()) {
    missed += 1;
    mostRecent = t;
    if (missed > cap) return { missed, mostRecent: schedule.previous(now) };
    t = schedule.next(t);
  }
  return { missed, mostRecent };
}

const isSucceeded = (job: Job): boolean => findCondition(job.status, 'Complete')?.status === 'True';
const startOf = (job: Job): string => job.status?.startTime ?? job.metadata.creationTimestamp ?? '';

export function planCronJob({ cronJob, jobs, now, tooManyMissed = 100 }: CronJobPlanInput): CronJobPlan {
  const spec = cronJob.spec;
  const name = cronJob.metadata.name ?? '';
  const status: CronJobStatus = structuredClone(cronJob.status ?? {});
  const plan: CronJobPlan = { status, delete: [], events: [] };

  // 1. The active list follows the Jobs: finished ones leave it, running ones it forgot join it.
  const byUid = new Map(jobs.map((job) => [job.metadata.uid, job]));
  const active = (status.active ?? []).filter((ref) => {
    const job = byUid.get(ref.uid);
    if (!job) {
      plan.events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
      return false;
    }
    if (isJobFinished(job)) {
      const word = isSucceeded(job) ? 'Complete' : 'Failed';
      plan.events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, condition: ${word}` });
      return false;
    }
    return true;
  });
  for (const job of jobs) {
    if (!isJobFinished(job) && !active.some((ref) => ref.uid === job.metadata.uid) && !job.metadata.deletionTimestamp) active.push(refTo(job));
    const completed = job.status?.completionTime;
    if (isSucceeded(job) && completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) {
      status.lastSuccessfulTime = completed;
    }
  }
  status.active = active;

  // 2. History: keep the newest successfulJobsHistoryLimit and failedJobsHistoryLimit finished Jobs.
  const finished = jobs.filter((job) => isJobFinished(job) && !job.metadata.deletionTimestamp);
  const overLimit = (list: Job[], limit: number | undefined) =>
    limit === undefined ? [] : [...list].sort((a, b) => startOf(a).localeCompare(startOf(b))).slice(0, Math.max(0, list.length - limit));
  plan.delete.push(...overLimit(finished.filter(isSucceeded), spec.successfulJobsHistoryLimit));
  plan.delete.push(...overLimit(finished.filter((job) => !isSucceeded(job)), spec.failedJobsHistoryLimit));

  if (cronJob.metadata.deletionTimestamp || spec.suspend) return plan;

  // 3. Which schedule time is due, if any?
  let schedule: CronSchedule;
  try {
    schedule = new CronSchedule(spec.schedule, spec.timeZone);
  } catch (error) {
    plan.events.push({ type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: ${JSON.stringify(spec.schedule)}: ${String(error)}` });
    return plan;
  }
  const untilNext = () => schedule.next(now).getTime() - now.getTime() + 100;
  let earliest = new Date(status.lastScheduleTime ?? cronJob.metadata.creationTimestamp ?? now);
  if (spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null) {
    const deadline = now.getTime() - spec.startingDeadlineSeconds * 1000;
    if (deadline > earliest.getTime()) earliest = new Date(deadline);
  }
  const { missed, mostRecent } = missedScheduleTimes(schedule, earliest, now, tooManyMissed);
  plan.requeueAfterMs = untilNext();
  if (!mostRecent) return plan;
  if (missed > tooManyMissed) {
    plan.events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: `too many missed start times: more than ${tooManyMissed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew` });
  }
  if (spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null && mostRecent.getTime() + spec.startingDeadlineSeconds * 1000 < now.getTime()) {
    plan.events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc3339(mostRecent)}` });
    return plan;
  }
  const jobName = jobNameFor(name, mostRecent);
  // Started already (the status write after it was lost, or this pass runs again): nothing to do.
  if (jobs.some((job) => job.metadata.name === jobName)) {
    status.lastScheduleTime = laterOf(status.lastScheduleTime, mostRecent);
    return plan;
  }

  // 4. The concurrency policy decides about the Jobs still running.
  if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
    plan.events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return plan;
  }
  if (spec.concurrencyPolicy === 'Replace') {
    for (const ref of active) {
      const job = byUid.get(ref.uid);
      if (job) plan.delete.push(job);
    }
    status.active = [];
  }

  plan.start = { name: jobName, scheduledTime: mostRecent };
  status.lastScheduleTime = rfc3339(mostRecent);
  return plan;
}

function laterOf(current: string | undefined, time: Date): string {
  return current && Date.parse(current) >= time.getTime() ? current : rfc3339(time);
}

function refTo(job: Job) {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion };
}

/** The Job a CronJob starts for `scheduledTime` (pure): its template, its name, owned by the CronJob. */
export function jobFromTemplate(cronJob: CronJob, name: string, scheduledTime: Date): Job {
  const annotations = { ...(cronJob.spec.jobTemplate.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339(scheduledTime) };
  return jobFromCronJobTemplate(cronJob, name, annotations, { blockOwnerDeletion: true });
}
