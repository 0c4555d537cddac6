// The objects of rbac.authorization.k8s.io/v1 (k8s.io/api/rbac/v1/types.go): who may do what.
//
// A Role (namespaced) or ClusterRole (cluster-wide) is a list of PolicyRules: verbs on resources
// of API groups, optionally only some names, or verbs on non-resource URLs. A RoleBinding or
// ClusterRoleBinding grants one role (roleRef) to subjects: users, groups, service accounts.
// Everything is additive: there are no deny rules.

import type { KubeObject, LabelSelector } from './types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  // `pods`, `pods/log` (a subresource), `*`, `*/scale` (one subresource of every resource).
  resources?: string[];
  resourceNames?: string[];
  /** `/healthz`, `/apis/*` (a trailing `*` is a prefix match); ClusterRoles only. */
  nonResourceURLs?: string[];
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[];
}

export interface Role extends KubeObject {
  rules?: PolicyRule[];
}

export interface ClusterRole extends KubeObject {
  rules?: PolicyRule[];
  aggregationRule?: AggregationRule;
}

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  kind: SubjectKind | string;
  /** `rbac.authorization.k8s.io` for users and groups, `""` for service accounts. */
  apiGroup?: string;
  name: string;
  /** A service account's namespace (a RoleBinding's own namespace when empty). */
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

export interface RoleBinding extends KubeObject {
  subjects?: Subject[];
  roleRef: RoleRef;
}

export type ClusterRoleBinding = RoleBinding;

/** The store keys of the four kinds. */
export const ROLES = `roles.${RBAC_GROUP}`;
export const CLUSTER_ROLES = `clusterroles.${RBAC_GROUP}`;
export const ROLE_BINDINGS = `rolebindings.${RBAC_GROUP}`;
export const CLUSTER_ROLE_BINDINGS = `clusterrolebindings.${RBAC_GROUP}`;
