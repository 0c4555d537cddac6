// A Job made from a CronJob's jobTemplate: what the CronJob controller starts at each scheduled
// time and what `kubelab create job NAME --from=cronjob/X` starts by hand. Both copy the
// template's labels, annotations and spec and make the CronJob the Job's controller (so deleting
// the CronJob deletes its Jobs); they differ only in the annotations they add.

import type { CronJob, Job } from './batch-types.js';

export function jobFromCronJobTemplate(cronJob: CronJob, name: string, annotations: Record<string, string>, options: { blockOwnerDeletion?: boolean } = {}): Job {
  const template = cronJob.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cronJob.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name ?? '', uid: cronJob.metadata.uid ?? '', controller: true,
          ...(options.blockOwnerDeletion ? { blockOwnerDeletion: true } : {}),
        },
      ],
    },
    spec: structuredClone(template.spec),
  };
}
