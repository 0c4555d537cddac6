// Validation of a pod's scheduling constraints: spec.affinity and spec.topologySpreadConstraints,
// with kube-apiserver's field paths and wording (pkg/apis/core/validation: validateAffinity,
// validateTopologySpreadConstraints). The types are checked before, by the schema
// (lib/api/schemas/affinity.ts); this checks what the types cannot say.

import { fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { checkDns1123Label, checkLabelValue, checkQualifiedName } from './name-rules.js';
import { checkName, isObj, objectsIn, validateLabels, type Obj } from './validate-object-meta.js';

const required = (field: string, detail: string): FieldError => ({ field, type: 'FieldValueRequired', message: `Required value: ${detail}` });

function validateNodeSelectorRequirement(r: Obj, at: string, byField: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const values = Array.isArray(r.values) ? r.values : [];
  if (byField) {
    if (r.key !== 'metadata.name') errors.push(fieldNotSupported(`${at}.key`, r.key, ['metadata.name']));
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (values.length !== 1) errors.push(required(`${at}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else errors.push(fieldInvalid(`${at}.operator`, r.operator, 'not a valid selector operator'));
    return errors;
  }
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errors.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errors.push(fieldForbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errors.push(required(`${at}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
  }
  if (typeof r.key === 'string') errors.push(...checkName(`${at}.key`, r.key, checkQualifiedName));
  return errors;
}

function validateNodeSelectorTerm(term: Obj, at: string): FieldError[] {
  return [
    ...objectsIn(term.matchExpressions).flatMap((r, i) => validateNodeSelectorRequirement(r, `${at}.matchExpressions[${i}]`, false)),
    ...objectsIn(term.matchFields).flatMap((r, i) => validateNodeSelectorRequirement(r, `${at}.matchFields[${i}]`, true)),
  ];
}

const checkWeight = (weight: unknown, at: string): FieldError[] =>
  typeof weight === 'number' && (weight < 1 || weight > 100) ? [fieldInvalid(at, weight, 'must be in the range 1-100')] : [];

/** A LabelSelector inside a term: operators and values as meta/v1 wants them. */
function validateTermSelector(selector: unknown, at: string): FieldError[] {
  if (!isObj(selector)) return [];
  const errors = validateLabels(selector.matchLabels, `${at}.matchLabels`);
  objectsIn(selector.matchExpressions).forEach((e, i) => {
    const path = `${at}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    if (typeof e.key === 'string') errors.push(...checkName(`${path}.key`, e.key, checkQualifiedName));
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) errors.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) errors.push(fieldForbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    values.forEach((v, j) => errors.push(...checkName(`${path}.values[${j}]`, String(v), checkLabelValue)));
  });
  return errors;
}

/** matchLabelKeys/mismatchLabelKeys: label keys that the labelSelector does not already name, and not both at once. */
function validateLabelKeys(term: Obj, at: string, mismatch: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const selectorKeys = new Set([...Object.keys(isObj(term.labelSelector) && isObj(term.labelSelector.matchLabels) ? term.labelSelector.matchLabels : {}), ...objectsIn(isObj(term.labelSelector) ? term.labelSelector.matchExpressions : undefined).map((e) => e.key)]);
  const matchKeys = Array.isArray(term.matchLabelKeys) ? term.matchLabelKeys : [];
  if (matchKeys.length > 0 && !isObj(term.labelSelector)) errors.push(fieldForbidden(`${at}.matchLabelKeys`, 'must not be specified when labelSelector is not set'));
  matchKeys.forEach((key, i) => {
    errors.push(...checkName(`${at}.matchLabelKeys[${i}]`, String(key), checkQualifiedName));
    if (selectorKeys.has(key)) errors.push(fieldInvalid(`${at}.matchLabelKeys[${i}]`, key, 'exists in both matchLabelKeys and labelSelector'));
  });
  if (mismatch) {
    const mismatchKeys = Array.isArray(term.mismatchLabelKeys) ? term.mismatchLabelKeys : [];
    mismatchKeys.forEach((key, i) => {
      errors.push(...checkName(`${at}.mismatchLabelKeys[${i}]`, String(key), checkQualifiedName));
      if (matchKeys.includes(key)) errors.push(fieldInvalid(`${at}.mismatchLabelKeys[${i}]`, key, 'exists in both matchLabelKeys and mismatchLabelKeys'));
    });
  }
  return errors;
}

function validatePodAffinityTerm(term: Obj, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof term.topologyKey !== 'string' || term.topologyKey === '') errors.push(required(`${at}.topologyKey`, 'can not be empty'));
  else errors.push(...checkName(`${at}.topologyKey`, term.topologyKey, checkQualifiedName));
  (Array.isArray(term.namespaces) ? term.namespaces : []).forEach((ns, i) => errors.push(...checkName(`${at}.namespaces[${i}]`, String(ns), checkDns1123Label)));
  errors.push(...validateTermSelector(term.labelSelector, `${at}.labelSelector`));
  errors.push(...validateTermSelector(term.namespaceSelector, `${at}.namespaceSelector`));
  errors.push(...validateLabelKeys(term, at, true));
  return errors;
}

function validatePodAffinity(affinity: unknown, at: string): FieldError[] {
  if (!isObj(affinity)) return [];
  return [
    ...objectsIn(affinity.requiredDuringSchedulingIgnoredDuringExecution).flatMap((t, i) => validatePodAffinityTerm(t, `${at}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    ...objectsIn(affinity.preferredDuringSchedulingIgnoredDuringExecution).flatMap((w, i) => {
      const path = `${at}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      return [...checkWeight(w.weight, `${path}.weight`), ...(isObj(w.podAffinityTerm) ? validatePodAffinityTerm(w.podAffinityTerm, `${path}.podAffinityTerm`) : [])];
    }),
  ];
}

/** spec.affinity (`path` ends with a dot: `spec.` or `spec.template.spec.`). */
export function validateAffinity(affinity: unknown, path: string): FieldError[] {
  if (!isObj(affinity)) return [];
  const at = `${path}affinity`;
  const errors: FieldError[] = [];
  const nodeAffinity = affinity.nodeAffinity;
  if (isObj(nodeAffinity)) {
    const requiredSelector = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    const requiredAt = `${at}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
    if (isObj(requiredSelector)) {
      const terms = objectsIn(requiredSelector.nodeSelectorTerms);
      if (terms.length === 0) errors.push(required(`${requiredAt}.nodeSelectorTerms`, 'must have at least one node selector term'));
      terms.forEach((t, i) => errors.push(...validateNodeSelectorTerm(t, `${requiredAt}.nodeSelectorTerms[${i}]`)));
    }
    objectsIn(nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).forEach((p, i) => {
      const preferredAt = `${at}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      errors.push(...checkWeight(p.weight, `${preferredAt}.weight`));
      if (isObj(p.preference)) errors.push(...validateNodeSelectorTerm(p.preference, `${preferredAt}.preference`));
    });
  }
  errors.push(...validatePodAffinity(affinity.podAffinity, `${at}.podAffinity`));
  errors.push(...validatePodAffinity(affinity.podAntiAffinity, `${at}.podAntiAffinity`));
  return errors;
}

/** spec.topologySpreadConstraints. */
export function validateTopologySpreadConstraints(constraints: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  objectsIn(constraints).forEach((c, i) => {
    const at = `${path}topologySpreadConstraints[${i}]`;
    if (typeof c.maxSkew === 'number' && c.maxSkew <= 0) errors.push(fieldInvalid(`${at}.maxSkew`, c.maxSkew, 'must be greater than zero'));
    if (typeof c.topologyKey !== 'string' || c.topologyKey === '') errors.push(required(`${at}.topologyKey`, 'can not be empty'));
    else errors.push(...checkName(`${at}.topologyKey`, c.topologyKey, checkQualifiedName));
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (typeof c.minDomains === 'number' && c.minDomains <= 0) errors.push(fieldInvalid(`${at}.minDomains`, c.minDomains, 'must be greater than zero'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errors.push(fieldInvalid(`${at}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${String(c.whenUnsatisfiable)}`));
      }
    }
    const pair = `{${String(c.topologyKey)}, ${String(c.whenUnsatisfiable)}}`;
    if (seen.has(pair)) errors.push(fieldDuplicate(`${at}.{topologyKey, whenUnsatisfiable}`, pair));
    seen.add(pair);
    errors.push(...validateTermSelector(c.labelSelector, `${at}.labelSelector`));
    errors.push(...validateLabelKeys(c, at, false));
  });
  return errors;
}
