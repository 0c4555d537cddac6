// Defaults and validation of the RBAC kinds, as kube-apiserver's (pkg/apis/rbac/v1/defaults.go,
// pkg/apis/rbac/validation/validation.go):
//
// - names are path segments, not DNS names: `system:basic-user` is a fine ClusterRole name, only
//   `.`, `..`, `/` and `%` are refused;
// - a rule has verbs, and either API groups and resources, or (ClusterRoles only) non-resource
//   URLs, never both;
// - a binding's roleRef names a Role (RoleBindings only) or a ClusterRole of the
//   rbac.authorization.k8s.io group, and cannot change once written (delete and re-create to
//   point a binding elsewhere);
// - a subject is a User or Group (apiGroup rbac.authorization.k8s.io, the default) or a
//   ServiceAccount (apiGroup "", namespace required in a ClusterRoleBinding).

import { fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { RBAC_GROUP } from './rbac-types.js';
import { checkLabelValue, checkQualifiedName, checkDns1123Subdomain } from './name-rules.js';
import { checkName, isObj, objectsIn, requiredWith, validateLabels, type Obj } from './validate-object-meta.js';
import { semanticEqual } from './validate-pod-spec.js';

/** Kubernetes' path.IsValidPathSegmentName: what an RBAC object's name may be. */
export function checkPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const problems: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) problems.push(`may not contain '${illegal}'`);
  return problems;
}

/** A user's or group's apiGroup, when the manifest leaves it out (a ServiceAccount's stays "", omitted). */
export function defaultRbacObject(obj: Obj): void {
  for (const subject of objectsIn(obj.subjects)) {
    if ((subject.apiGroup === undefined || subject.apiGroup === null) && (subject.kind === 'User' || subject.kind === 'Group')) subject.apiGroup = RBAC_GROUP;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function validatePolicyRule(rule: Obj, namespaced: boolean, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (strings(rule.verbs).length === 0) errors.push(requiredWith(`${at}.verbs`, 'verbs must contain at least one value'));
  const urls = strings(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errors.push(fieldInvalid(`${at}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (strings(rule.apiGroups).length > 0 || strings(rule.resources).length > 0 || strings(rule.resourceNames).length > 0) {
      errors.push(fieldInvalid(`${at}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errors;
  }
  if (strings(rule.apiGroups).length === 0) errors.push(requiredWith(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
  if (strings(rule.resources).length === 0) errors.push(requiredWith(`${at}.resources`, 'resource rules must supply at least one resource'));
  return errors;
}

function validateSelector(selector: Obj, at: string): FieldError[] {
  const errors = validateLabels(selector.matchLabels, `${at}.matchLabels`);
  objectsIn(selector.matchExpressions).forEach((e, i) => {
    const where = `${at}.matchExpressions[${i}]`;
    if (typeof e.key !== 'string' || e.key === '') errors.push(fieldRequired(`${where}.key`));
    else errors.push(...checkName(`${where}.key`, e.key, checkQualifiedName));
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator as string)) errors.push(fieldNotSupported(`${where}.operator`, e.operator, ['DoesNotExist', 'Exists', 'In', 'NotIn']));
    strings(e.values).forEach((v, j) => errors.push(...checkName(`${where}.values[${j}]`, v, checkLabelValue)));
  });
  return errors;
}

/** A Role (`namespaced`) or ClusterRole. */
export function validateRole(role: Obj, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  objectsIn(role.rules).forEach((rule, i) => errors.push(...validatePolicyRule(rule, namespaced, `rules[${i}]`)));
  if (!namespaced && isObj(role.aggregationRule)) {
    const selectors = objectsIn(role.aggregationRule.clusterRoleSelectors);
    if (selectors.length === 0) errors.push(requiredWith('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errors.push(...validateSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errors;
}

function validateSubject(subject: Obj, namespaced: boolean, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const name = typeof subject.name === 'string' ? subject.name : '';
  if (name === '') errors.push(fieldRequired(`${at}.name`));
  const apiGroup = typeof subject.apiGroup === 'string' ? subject.apiGroup : '';
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name !== '') errors.push(...checkName(`${at}.name`, name, checkDns1123Subdomain));
      if (apiGroup !== '') errors.push(fieldNotSupported(`${at}.apiGroup`, apiGroup, ['']));
      if (!namespaced && (typeof subject.namespace !== 'string' || subject.namespace === '')) errors.push(fieldRequired(`${at}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errors.push(fieldNotSupported(`${at}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errors.push(fieldNotSupported(`${at}.kind`, subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errors;
}

/** A RoleBinding (`namespaced`) or ClusterRoleBinding; `old` on update (roleRef is immutable). */
export function validateBinding(binding: Obj, namespaced: boolean, old?: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const ref = isObj(binding.roleRef) ? binding.roleRef : {};
  if (ref.apiGroup !== RBAC_GROUP) errors.push(fieldNotSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind as string)) errors.push(fieldNotSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (typeof ref.name !== 'string' || ref.name === '') errors.push(fieldRequired('roleRef.name'));
  else errors.push(...checkName('roleRef.name', ref.name, checkPathSegmentName));
  objectsIn(binding.subjects).forEach((subject, i) => errors.push(...validateSubject(subject, namespaced, `subjects[${i}]`)));
  if (old && !semanticEqual(old.roleRef, binding.roleRef)) {
    // Kubernetes prints the Go value: rbac.RoleRef{APIGroup:"...", Kind:"...", Name:"..."}.
    const value = `rbac.RoleRef{APIGroup:${JSON.stringify(String(ref.apiGroup ?? ''))}, Kind:${JSON.stringify(String(ref.kind ?? ''))}, Name:${JSON.stringify(String(ref.name ?? ''))}}`;
    errors.push({ field: 'roleRef', type: 'FieldValueInvalid', message: `Invalid value: ${value}: cannot change roleRef` });
  }
  return errors;
}
