// Defaults and validation of the batch/v1 kinds, Job and CronJob (pkg/apis/batch/v1/defaults.go
// and pkg/apis/batch/validation). Field types and names are in the kinds' schemas
// (lib/api/schemas/batch.ts); this file holds the rules a schema cannot say.
//
// A Job runs pods until enough of them succeed, so its pods must be allowed to end: restartPolicy
// Never or OnFailure, never Always. A CronJob's schedule is parsed here, at the API, so a typo is a
// 422 naming spec.schedule instead of a controller that silently never runs.

import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { isTimeZone, parseSchedule } from './cron-schedule.js';
import { checkDns1123Subdomain } from './name-rules.js';
import { matchesLabels, requirementsFromLabelSelector } from './selectors.js';
import type { LabelSelector } from './types.js';
import { checkNonNegative, checkPositive, isObj, validateLabels, validateObjectMeta, type Obj } from './validate-object-meta.js';
import { semanticEqual, validatePodSpec } from './validate-pod-spec.js';

/** Indexed Jobs keep one bit per index in status: Kubernetes caps them at 100,000 completions. */
const MAX_INDEXED_COMPLETIONS = 100_000;
/** A CronJob's Jobs are named NAME-<11 digits>, and a Job name must stay a valid label value (63). */
const MAX_CRONJOB_NAME_LENGTH = 52;

const setDefault = (obj: Obj, key: string, value: unknown): void => {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
};
const child = (obj: Obj, key: string): Obj => {
  if (!isObj(obj[key])) obj[key] = {};
  return obj[key] as Obj;
};

// ---------------------------------------------------------------------------------------------
// Defaults

/**
 * A Job's spec defaults: one pod, one completion (both only when neither is set: `parallelism: 3`
 * alone is the work-queue pattern, with completions left unset), six retries, NonIndexed, not
 * suspended. The pod template's defaults are the pod's (`defaultPodSpec`).
 */
export function defaultJobSpec(spec: Obj, defaultPodSpec: (spec: Obj) => void): void {
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'manualSelector', false);
  setDefault(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  if (isObj(spec.template)) defaultPodSpec(child(spec.template, 'spec'));
}

export function defaultJob(job: Obj, defaultPodSpec: (spec: Obj) => void): void {
  const spec = child(job, 'spec');
  defaultJobSpec(spec, defaultPodSpec);
  // A Job's labels default to its template's, as Kubernetes does.
  const templateLabels = isObj(spec.template) && isObj((spec.template as Obj).metadata) ? ((spec.template as Obj).metadata as Obj).labels : undefined;
  const metadata = child(job, 'metadata');
  if (isObj(templateLabels) && (!isObj(metadata.labels) || Object.keys(metadata.labels).length === 0)) metadata.labels = { ...templateLabels };
}

/**
 * Allow, not suspended, keep 3 successful and 1 failed Job. The jobTemplate's own fields are not
 * defaulted (Kubernetes' SetDefaults_Job is for Job objects): each Job made from it is, when it is
 * created. Its pod template is, as every pod template is.
 */
export function defaultCronJob(cronJob: Obj, defaultPodSpec: (spec: Obj) => void): void {
  const spec = child(cronJob, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
  if (jobSpec && isObj(jobSpec.template)) defaultPodSpec(child(jobSpec.template, 'spec'));
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Every problem of a Job's spec; `old` is the stored Job on update. */
export function validateJob(job: Obj, old?: Obj): FieldError[] {
  const spec = isObj(job.spec) ? job.spec : {};
  const errors = validateJobSpec(spec, 'spec', true);
  if (old) {
    const oldSpec = isObj(old.spec) ? old.spec : {};
    for (const field of ['selector', 'completionMode', 'template'] as const) {
      // The template may change only while the Job is suspended and never started (Kubernetes allows scheduling fields then; kubelab all of it).
      if (field === 'template' && spec.suspend === true && !(isObj(old.status) && (old.status as Obj).startTime)) continue;
      if (!semanticEqual(spec[field], oldSpec[field])) errors.push(fieldInvalid(`spec.${field}`, spec[field], 'field is immutable'));
    }
    if (spec.completions !== oldSpec.completions && !(spec.completionMode === 'Indexed' && spec.completions === spec.parallelism)) {
      errors.push(fieldInvalid('spec.completions', spec.completions, 'field is immutable'));
    }
  }
  return errors;
}

/** The spec of a Job, or of a CronJob's jobTemplate (`path` is where it sits); only a Job has a selector. */
function validateJobSpec(spec: Obj, path: string, isJob: boolean): FieldError[] {
  const errors: FieldError[] = [];
  errors.push(...checkNonNegative(`${path}.parallelism`, spec.parallelism));
  errors.push(...checkNonNegative(`${path}.completions`, spec.completions));
  errors.push(...checkPositive(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds));
  errors.push(...checkNonNegative(`${path}.backoffLimit`, spec.backoffLimit));
  errors.push(...checkNonNegative(`${path}.ttlSecondsAfterFinished`, spec.ttlSecondsAfterFinished));

  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errors.push(fieldNotSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) {
      errors.push({ field: `${path}.completions`, type: 'FieldValueRequired', message: 'Required value: when completion mode is Indexed' });
    } else if (typeof spec.completions === 'number' && spec.completions > MAX_INDEXED_COMPLETIONS) {
      errors.push(fieldInvalid(`${path}.completions`, spec.completions, `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`));
    }
  }
  // Fields kubelab does not implement (podFailurePolicy, successPolicy, ...) are refused by the
  // central list, lib/api/schemas/unsupported-fields.ts.

  let matches: ((labels: Record<string, string>) => boolean) | undefined;
  if (isJob) {
    if (!isObj(spec.selector)) errors.push(fieldRequired(`${path}.selector`));
    else {
      const selector = spec.selector as LabelSelector;
      errors.push(...validateLabels(selector.matchLabels, `${path}.selector.matchLabels`));
      const requirements = requirementsFromLabelSelector(selector);
      if (requirements.length === 0) errors.push(fieldInvalid(`${path}.selector`, selector, 'empty selector is invalid for job'));
      else matches = (labels) => matchesLabels(requirements, labels);
    }
  } else if (spec.selector !== undefined && spec.selector !== null && spec.manualSelector !== true) {
    errors.push(fieldForbidden(`${path}.selector`, '`selector` will be auto-generated'));
  }

  const template = spec.template;
  if (!isObj(template)) return [...errors, fieldRequired(`${path}.template`)];
  const metadata = isObj(template.metadata) ? template.metadata : {};
  errors.push(...validateObjectMeta(metadata, checkDns1123Subdomain, `${path}.template.metadata`, false));
  const labels = isObj(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
  if (matches && !matches(labels)) errors.push(fieldInvalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'));
  errors.push(...validatePodSpec(template.spec, `${path}.template.spec.`));
  const podSpec = isObj(template.spec) ? template.spec : {};
  // A Job's pods run to completion: Always would restart a finished pod for ever.
  if (podSpec.restartPolicy !== 'Never' && podSpec.restartPolicy !== 'OnFailure') {
    errors.push(
      podSpec.restartPolicy === undefined || podSpec.restartPolicy === 'Always'
        ? { field: `${path}.template.spec.restartPolicy`, type: 'FieldValueRequired', message: 'Required value: valid values: "OnFailure", "Never"' }
        : fieldNotSupported(`${path}.template.spec.restartPolicy`, podSpec.restartPolicy, ['OnFailure', 'Never']),
    );
  }
  return errors;
}

export function validateCronJob(cronJob: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const name = isObj(cronJob.metadata) ? (cronJob.metadata as Obj).name : undefined;
  if (typeof name === 'string' && name.length > MAX_CRONJOB_NAME_LENGTH) {
    errors.push(fieldInvalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
  }
  const spec = isObj(cronJob.spec) ? cronJob.spec : {};
  if (typeof spec.schedule !== 'string' || spec.schedule === '') errors.push(fieldRequired('spec.schedule'));
  else {
    const parsed = parseSchedule(spec.schedule);
    if ('error' in parsed) errors.push(fieldInvalid('spec.schedule', spec.schedule, parsed.error));
  }
  if (spec.timeZone !== undefined && spec.timeZone !== null) {
    if (typeof spec.timeZone !== 'string' || !isTimeZone(spec.timeZone)) {
      errors.push(fieldInvalid('spec.timeZone', spec.timeZone, 'unknown time zone: must be an IANA time zone name such as "Europe/Berlin" or "UTC"'));
    }
  }
  const policy = spec.concurrencyPolicy;
  if (policy !== 'Allow' && policy !== 'Forbid' && policy !== 'Replace') {
    errors.push(policy === undefined ? fieldRequired('spec.concurrencyPolicy') : fieldNotSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  }
  errors.push(...checkNonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds));
  errors.push(...checkNonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit));
  errors.push(...checkNonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit));
  const jobTemplate = spec.jobTemplate;
  if (!isObj(jobTemplate)) return [...errors, fieldRequired('spec.jobTemplate')];
  if (isObj(jobTemplate.metadata)) {
    errors.push(...validateObjectMeta(jobTemplate.metadata, checkDns1123Subdomain, 'spec.jobTemplate.metadata', false));
  }
  errors.push(...validateJobSpec(isObj(jobTemplate.spec) ? jobTemplate.spec : {}, 'spec.jobTemplate.spec', false));
  return errors;
}
