// Validation of the controllers that keep pods running: ReplicationController, ReplicaSet and
// Deployment (pkg/apis/core/validation and pkg/apis/apps/validation).
//
// The one rule that matters most: the selector must select the pods the template makes. If it
// did not, the controller would never see its own pods and would create new ones forever.

import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { checkDns1123Subdomain, checkLabelValue, checkQualifiedName } from './name-rules.js';
import { matchesLabels, requirementsFromLabelSelector, requirementsFromMap } from './selectors.js';
import { semanticEqual, validatePodSpec } from './validate-pod-spec.js';
import { checkName, checkNonNegative, isEmpty, isObj, objectsIn, validateLabels, validateObjectMeta, type Obj } from './validate-object-meta.js';
import type { LabelSelector } from './types.js';

export type WorkloadKind = 'ReplicationController' | 'ReplicaSet' | 'Deployment';

export function validateWorkload(kind: WorkloadKind, obj: Obj, old?: Obj): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const errors: FieldError[] = [];
  errors.push(...checkNonNegative('spec.replicas', spec.replicas));
  errors.push(...checkNonNegative('spec.minReadySeconds', spec.minReadySeconds));

  const selects = kind === 'ReplicationController' ? validateMapSelector(spec.selector) : validateLabelSelector(spec.selector, kind);
  errors.push(...selects.errors);
  errors.push(...validateTemplate(spec.template, selects.matches));
  if (kind === 'Deployment') errors.push(...validateDeploymentSpec(spec));

  if (old && kind !== 'ReplicationController') {
    const oldSpec = isObj(old.spec) ? old.spec : {};
    // apps/v1 selectors are immutable: changing one would orphan the pods the old one selected.
    if (!semanticEqual(spec.selector, oldSpec.selector)) errors.push(fieldInvalid('spec.selector', spec.selector, 'field is immutable'));
  }
  return errors;
}

export interface SelectorCheck {
  errors: FieldError[];
  /** Whether the selector selects these labels; undefined when the selector itself is invalid. */
  matches?: (labels: Record<string, string>) => boolean;
}

/** An RC's `selector: {app: web}`. Defaulting copies the template labels when it is absent. */
function validateMapSelector(selector: unknown): SelectorCheck {
  if (isEmpty(selector)) return { errors: [fieldRequired('spec.selector')] };
  const errors = validateLabels(selector, 'spec.selector');
  const requirements = requirementsFromMap(selector as Record<string, string>);
  return { errors, matches: errors.length ? undefined : (labels) => matchesLabels(requirements, labels) };
}

/** A ReplicaSet's or Deployment's `selector: {matchLabels, matchExpressions}`; required and non-empty. */
export function validateLabelSelector(selector: unknown, kind: WorkloadKind | 'DaemonSet'): SelectorCheck {
  if (selector === undefined || selector === null) return { errors: [fieldRequired('spec.selector')] };
  if (!isObj(selector)) return { errors: [fieldInvalid('spec.selector', selector, 'must be a label selector')] };
  const errors = validateLabels(selector.matchLabels, 'spec.selector.matchLabels');
  const expressions = objectsIn(selector.matchExpressions);
  expressions.forEach((e, i) => {
    const at = `spec.selector.matchExpressions[${i}]`;
    if (typeof e.key !== 'string' || e.key === '') errors.push(fieldRequired(`${at}.key`));
    else errors.push(...checkName(`${at}.key`, e.key, checkQualifiedName));
    const values = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) errors.push({ field: `${at}.values`, type: 'FieldValueRequired', message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" });
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) errors.push(fieldForbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errors.push(fieldNotSupported(`${at}.operator`, e.operator, ['DoesNotExist', 'Exists', 'In', 'NotIn']));
    }
    values.forEach((v, j) => errors.push(...checkName(`${at}.values[${j}]`, String(v), checkLabelValue)));
  });
  if (isEmpty(selector.matchLabels) && expressions.length === 0) {
    errors.push(fieldInvalid('spec.selector', selector, `empty selector is invalid for ${kind === 'Deployment' || kind === 'DaemonSet' ? kind.toLowerCase() : 'replicaset'}`));
  }
  const requirements = requirementsFromLabelSelector(selector as LabelSelector);
  return { errors, matches: errors.length ? undefined : (labels) => matchesLabels(requirements, labels) };
}

export function validateTemplate(template: unknown, matches: SelectorCheck['matches']): FieldError[] {
  if (!isObj(template)) return [fieldRequired('spec.template')];
  const errors: FieldError[] = [];
  const metadata = isObj(template.metadata) ? template.metadata : {};
  errors.push(...validateObjectMeta(metadata, checkDns1123Subdomain, 'spec.template.metadata', false));
  const labels = isObj(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
  if (matches && !matches(labels)) {
    errors.push(fieldInvalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errors.push(...validatePodSpec(template.spec, 'spec.template.spec.'));
  // A controller replaces pods that exit; a pod that is meant to stop belongs in a Job.
  const spec = isObj(template.spec) ? template.spec : {};
  if (spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always') {
    errors.push(fieldNotSupported('spec.template.spec.restartPolicy', spec.restartPolicy, ['Always']));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errors.push(fieldForbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Deployment strategy

export const PERCENT = /^[0-9]+%$/;

/** maxSurge and maxUnavailable: a count (`1`) or a share of replicas (`25%`). */
export function checkIntOrPercent(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number') return checkNonNegative(field, value);
  if (typeof value === 'string' && PERCENT.test(value)) return [];
  return [fieldInvalid(field, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
}

const isZero = (v: unknown): boolean => v === 0 || v === '0%';

function validateDeploymentSpec(spec: Obj): FieldError[] {
  const errors: FieldError[] = [];
  errors.push(...checkNonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  errors.push(...checkNonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
  if (typeof spec.progressDeadlineSeconds === 'number' && typeof spec.minReadySeconds === 'number' && spec.progressDeadlineSeconds <= spec.minReadySeconds) {
    errors.push(fieldInvalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  const strategy = isObj(spec.strategy) ? spec.strategy : {};
  const type = strategy.type;
  if (type !== undefined && type !== 'RollingUpdate' && type !== 'Recreate') {
    errors.push(fieldNotSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
  }
  const rolling = strategy.rollingUpdate;
  if (type === 'Recreate' && rolling !== undefined && rolling !== null) {
    errors.push(fieldForbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  if (isObj(rolling)) {
    const { maxSurge, maxUnavailable } = rolling;
    errors.push(...checkIntOrPercent('spec.strategy.rollingUpdate.maxSurge', maxSurge));
    errors.push(...checkIntOrPercent('spec.strategy.rollingUpdate.maxUnavailable', maxUnavailable));
    if (typeof maxUnavailable === 'string' && PERCENT.test(maxUnavailable) && parseInt(maxUnavailable, 10) > 100) {
      errors.push(fieldInvalid('spec.strategy.rollingUpdate.maxUnavailable', maxUnavailable, 'must not be greater than 100%'));
    }
    // With neither extra pods nor missing pods allowed, a rollout could never take a step.
    if (isZero(maxSurge) && isZero(maxUnavailable)) {
      errors.push(fieldInvalid('spec.strategy.rollingUpdate.maxUnavailable', maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  return errors;
}
