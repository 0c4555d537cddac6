// Rows of the batch/v1 kinds, as kubectl 1.32 prints them (Kubernetes' printJob / printCronJob).
// A Job shows how far it got (COMPLETIONS `succeeded/completions`) and how long it ran
// (DURATION, from startTime to completionTime, or to now while it runs); a CronJob its schedule,
// whether it is suspended, how many of its Jobs run and when it last started one.

import type { CronJob, Job, JobConditionType } from '../api/batch-types.js';
import type { KubeObject } from '../api/types.js';
import { ageOf, humanDuration } from '../time.js';
import { ageColumn, column, containerCells, formatLabelSelector, nameColumn, type Printer } from './printer.js';

const containersColumn = column('Containers', 'Names of each container in the template.', { wide: true });
const imagesColumn = column('Images', 'Images referenced by each container in the template.', { wide: true });
const selectorColumn = column('Selector', 'Label selector for pods. Existing pods whose labels match it are counted as replicas.', { wide: true });

const hasCondition = (job: Job, type: JobConditionType): boolean => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** The STATUS column: the first that holds of Complete, Failed, Terminating, FailureTarget, SuccessCriteriaMet, Suspended, else Running. */
export function jobStatusWord(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  return 'Running';
}

/** `2/4`; a Job without completions (the work-queue pattern) shows `1/1 of 3` for parallelism 3. */
export function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined && job.spec.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(job: Job, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'Status of the job.'),
    column('Completions', 'The completion status of the job.'),
    column('Duration', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  cells(obj: KubeObject, now: Date) {
    const job = obj as Job;
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [
      job.metadata.name ?? '',
      jobStatusWord(job),
      jobCompletions(job),
      jobDuration(job, now),
      ageOf(job.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn,
    column('Schedule', 'The schedule for running the job.'),
    column('Timezone', 'The time zone for the given schedule.'),
    column('Suspend', 'Whether the cron job is suspended.', { type: 'boolean' }),
    column('Active', 'The number of currently running jobs.', { type: 'integer' }),
    column('Last Schedule', 'When the last job was successfully scheduled.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  cells(obj: KubeObject, now: Date) {
    const cronJob = obj as CronJob;
    const [names, images] = containerCells(cronJob.spec?.jobTemplate?.spec?.template?.spec?.containers);
    const last = cronJob.status?.lastScheduleTime;
    return [
      cronJob.metadata.name ?? '',
      cronJob.spec?.schedule ?? '',
      cronJob.spec?.timeZone || '<none>',
      cronJob.spec?.suspend ? 'True' : 'False',
      cronJob.status?.active?.length ?? 0,
      last ? ageOf(last, now) : '<none>',
      ageOf(cronJob.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(cronJob.spec?.jobTemplate?.spec?.selector),
    ];
  },
};
