// Jobs and CronJobs (Kubernetes' pkg/registry/batch/job and cronjob strategies).
//
// The one thing particular to a Job's REST storage is its generated selector. A user writes no
// selector; the API server gives the Job a uid before storing it and selects its pods by that uid
// (`batch.kubernetes.io/controller-uid`), adding the same labels, plus the Job's name, to the pod
// template. Two Jobs therefore never claim each other's pods, even with the same template labels,
// and a Job deleted and created again under the same name does not adopt its predecessor's pods.
// `manualSelector: true` leaves the selector to the user (rarely wise).

import { randomUUID } from 'node:crypto';
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  type Job,
} from '../../../lib/api/batch-types.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { defaultStrategy, type Strategy } from './strategy.js';

/** The selector and template labels of a Job with a generated selector (pure). */
export function generateJobSelector(job: Job): void {
  if (job.spec?.manualSelector === true || !job.metadata.uid || !job.spec?.template) return;
  const uid = job.metadata.uid;
  const name = job.metadata.name ?? '';
  // Like Kubernetes' generateSelector: a selector the user wrote is kept and narrowed to this
  // Job's uid; labels the user set on the template win (a wrong controller-uid then fails validation).
  const selector = job.spec.selector ?? {};
  job.spec.selector = { ...selector, matchLabels: { [CONTROLLER_UID_LABEL]: uid, ...(selector.matchLabels ?? {}) } };
  const template = job.spec.template;
  template.metadata = template.metadata ?? {};
  template.metadata.labels = {
    [CONTROLLER_UID_LABEL]: uid,
    [JOB_NAME_LABEL]: name,
    [LEGACY_CONTROLLER_UID_LABEL]: uid,
    [LEGACY_JOB_NAME_LABEL]: name,
    ...(template.metadata.labels ?? {}),
  };
}

export const jobStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = {};
    // The uid the store will keep: the selector needs it before the object is stored.
    obj.metadata.uid = randomUUID();
  },
  prepareNamedForCreate(obj: KubeObject): void {
    generateJobSelector(obj as Job);
  },
};

export const cronJobStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = {};
  },
};
