// The batch/v1 kinds kubelab serves: Job and CronJob. Fields kubelab does not implement
// (podFailurePolicy, successPolicy, backoffLimitPerIndex, maxFailedIndexes, managedBy) are known
// here, so they are no unknown-field warning, and refused with a 422 by lib/api/validate-batch.ts.

import { LabelSelector, ObjectMeta, passThroughStatus } from './meta.js';
import { PodTemplateSpec } from './pod.js';
import { boolean, definition, enumOf, free, int32, int64, kindSchema, object, string, type KindSchema } from './schema.js';

const JobSpec = definition('io.k8s.api.batch.v1.JobSpec', 'JobSpec describes how the job execution will look like.', {
  parallelism: int32('Specifies the maximum desired number of pods the job should run at any given time. Defaults to 1.', { proto: 1, pointer: true }),
  completions: int32('Specifies the desired number of successfully finished pods the job should be run with. Defaults to 1.', { proto: 2, pointer: true }),
  activeDeadlineSeconds: int64('Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be a positive integer.', { proto: 3, pointer: true }),
  podFailurePolicy: free('Specifies the policy of handling failed pods (not supported by kubelab: refused, lib/api/schemas/unsupported-fields.ts).', { proto: 11, pointer: true }),
  successPolicy: free('Specifies the policy when the Job can be declared as succeeded (not supported by kubelab: refused, lib/api/schemas/unsupported-fields.ts).', { proto: 16, pointer: true }),
  backoffLimit: int32('Specifies the number of retries before marking this job failed. Defaults to 6.', { proto: 7, pointer: true }),
  backoffLimitPerIndex: int32('Specifies the limit for the number of retries within an index before marking this index as failed (not supported by kubelab: refused, lib/api/schemas/unsupported-fields.ts).', { proto: 12, pointer: true }),
  maxFailedIndexes: int32('Specifies the maximal number of failed indexes before marking the Job as failed (not supported by kubelab: refused, lib/api/schemas/unsupported-fields.ts).', { proto: 13, pointer: true }),
  selector: object(LabelSelector, 'A label query over pods that should match the pod count. Normally, the system sets this field for you.', { proto: 4, pointer: true }),
  manualSelector: boolean('manualSelector controls generation of pod labels and pod selectors. Leave manualSelector unset unless you are certain what you are doing.', { proto: 5, pointer: true }),
  template: object(PodTemplateSpec, 'Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are "Never" or "OnFailure".', { required: true, proto: 6 }),
  ttlSecondsAfterFinished: int32('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed). If this field is set, the Job is deleted that many seconds after it finishes.', { proto: 8, pointer: true }),
  completionMode: enumOf(['NonIndexed', 'Indexed'], 'completionMode specifies how Pod completions are tracked. It can be NonIndexed (default) or Indexed.', { proto: 9, pointer: true }),
  suspend: boolean('suspend specifies whether the Job controller should create Pods or not. Defaults to false.', { proto: 10, pointer: true }),
  podReplacementPolicy: enumOf(['TerminatingOrFailed', 'Failed'], 'podReplacementPolicy specifies when to create replacement Pods.', { proto: 14, pointer: true }),
  managedBy: string('ManagedBy field indicates the controller that manages a Job (not supported by kubelab: refused, lib/api/schemas/unsupported-fields.ts).', { proto: 15, pointer: true }),
});

export const Job: KindSchema = kindSchema('batch', 'v1', 'Job', 'Job represents the configuration of a single job.', {
  spec: object(JobSpec, 'Specification of the desired behavior of a job.', { proto: 2 }),
  status: passThroughStatus('Current status of a job.', { proto: 3 }),
}, ObjectMeta);

const JobTemplateSpec = definition('io.k8s.api.batch.v1.JobTemplateSpec', 'JobTemplateSpec describes the data a Job should have when created from a template.', {
  metadata: object(ObjectMeta, 'Standard object metadata of the jobs created from this template.', { proto: 1 }),
  spec: object(JobSpec, 'Specification of the desired behavior of the job.', { proto: 2 }),
});

export const CronJob: KindSchema = kindSchema('batch', 'v1', 'CronJob', 'CronJob represents the configuration of a single cron job.', {
  spec: object(
    definition('io.k8s.api.batch.v1.CronJobSpec', 'CronJobSpec describes how the job execution will look like and when it will actually run.', {
      schedule: string('The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', { required: true, proto: 1 }),
      timeZone: string('The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. Defaults to UTC in kubelab.', { proto: 8, pointer: true }),
      startingDeadlineSeconds: int64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason. Missed jobs executions will be counted as failed ones.', { proto: 2, pointer: true }),
      concurrencyPolicy: enumOf(['Allow', 'Forbid', 'Replace'], 'Specifies how to treat concurrent executions of a Job: Allow (default), Forbid or Replace.', { proto: 3 }),
      suspend: boolean('This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.', { proto: 4, pointer: true }),
      jobTemplate: object(JobTemplateSpec, 'Specifies the job that will be created when executing a CronJob.', { required: true, proto: 5 }),
      successfulJobsHistoryLimit: int32('The number of successful finished jobs to retain. Defaults to 3.', { proto: 6, pointer: true }),
      failedJobsHistoryLimit: int32('The number of failed finished jobs to retain. Defaults to 1.', { proto: 7, pointer: true }),
    }),
    'Specification of the desired behavior of a cron job, including the schedule.',
    { proto: 2 },
  ),
  status: passThroughStatus('Current status of a cron job.', { proto: 3 }),
}, ObjectMeta);
