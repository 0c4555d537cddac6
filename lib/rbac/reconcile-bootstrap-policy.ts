// Reconciling the default roles and bindings at server start (kube-apiserver's
// pkg/registry/rbac/reconciliation), the decision: given what Kubernetes ships and what the store
// holds, what to write.
//
//   missing                               create it
//   annotated autoupdate: "false"         leave it alone: the admin owns it now
//   otherwise                             add what is missing (labels, annotations, rules, the
//                                         aggregation selectors, subjects) and keep everything
//                                         else, extra rules and subjects included; a binding
//                                         whose roleRef changed is put back (re-created, since
//                                         roleRef is immutable)
//
// So a user who edits a default role keeps their additions, and one who removes a default rule
// sees it come back at the next start unless they mark the role autoupdate=false.

import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '../api/rbac-types.js';
import type { KubeObject } from '../api/types.js';
import { AUTOUPDATE_ANNOTATION } from './bootstrap-policy.js';

export type ReconcilePlan<T> = { action: 'none' } | { action: 'create'; object: T } | { action: 'update'; object: T } | { action: 'recreate'; object: T };

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const ruleKey = (r: PolicyRule) => JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
const subjectKey = (s: Subject) => JSON.stringify([s.kind, s.apiGroup ?? '', s.name, s.namespace ?? '']);

/** The admin said "hands off" by setting the annotation to "false". */
export const isProtected = (existing: KubeObject): boolean => existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';

/** `existing` with the labels and annotations of `expected` it lacks. */
function withMetadata<T extends KubeObject>(existing: T, expected: T): T {
  const merged = structuredClone(existing);
  merged.metadata.labels = { ...expected.metadata.labels, ...existing.metadata.labels };
  merged.metadata.annotations = { ...expected.metadata.annotations, ...existing.metadata.annotations };
  return merged;
}

const unionBy = <T>(have: readonly T[], want: readonly T[], key: (item: T) => string): T[] => {
  const seen = new Set(have.map(key));
  return [...have, ...want.filter((item) => !seen.has(key(item)))];
};

export function planClusterRole(expected: ClusterRole, existing: ClusterRole | undefined): ReconcilePlan<ClusterRole> {
  if (!existing) return { action: 'create', object: structuredClone(expected) };
  if (isProtected(existing)) return { action: 'none' };
  const merged = withMetadata(existing, expected);
  if (expected.rules) merged.rules = unionBy(existing.rules ?? [], expected.rules, ruleKey);
  const selectors = expected.aggregationRule?.clusterRoleSelectors;
  if (selectors) merged.aggregationRule = { clusterRoleSelectors: unionBy(existing.aggregationRule?.clusterRoleSelectors ?? [], selectors, (s) => JSON.stringify(s)) };
  return sameJson(merged, existing) ? { action: 'none' } : { action: 'update', object: merged };
}

export function planClusterRoleBinding(expected: ClusterRoleBinding, existing: ClusterRoleBinding | undefined): ReconcilePlan<ClusterRoleBinding> {
  if (!existing) return { action: 'create', object: structuredClone(expected) };
  if (isProtected(existing)) return { action: 'none' };
  const merged = withMetadata(existing, expected);
  merged.subjects = unionBy(existing.subjects ?? [], expected.subjects ?? [], subjectKey);
  if (!sameJson(existing.roleRef, expected.roleRef)) {
    merged.roleRef = structuredClone(expected.roleRef);
    return { action: 'recreate', object: merged };
  }
  return sameJson(merged, existing) ? { action: 'none' } : { action: 'update', object: merged };
}
