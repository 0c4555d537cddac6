// The RBAC authorizer's decision (plugin/pkg/auth/authorizer/rbac/rbac.go), pure: given the
// cluster's roles and bindings, may this user do this?
//
// Kubernetes walks the bindings that apply to the user, in a fixed order, and stops at the first
// rule that allows the request:
//   1. every ClusterRoleBinding naming the user (or one of its groups, or its service account):
//      the rules of its ClusterRole apply in every namespace and at the cluster scope;
//   2. for a request in a namespace, every RoleBinding of that namespace naming the user: the rules
//      of its Role (of that namespace) or ClusterRole apply in that namespace only.
// Nothing denies: no matching rule means "no opinion", and the API server answers 403. A binding
// whose role does not exist grants nothing (a role may be created later and then takes effect).
// An allowed answer names what allowed it, as Kubernetes' reason does:
//   RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"

import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../api/rbac-types.js';
import { ruleAllows, type AccessAttributes } from './rule-matching.js';

/** Who asks (Kubernetes' user.Info). */
export interface RbacUser {
  name: string;
  groups: string[];
}

/** The roles and bindings the decision reads (the authorizer's cache of the store). */
export interface RbacPolicy {
  clusterRoleBindings(): readonly ClusterRoleBinding[];
  roleBindings(namespace: string): readonly RoleBinding[];
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
}

export type RbacDecision = { allowed: true; reason: string } | { allowed: false };

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

/** Does `subject` of a binding in `bindingNamespace` ('' for a ClusterRoleBinding) name this user? */
export function subjectAppliesTo(subject: Subject, user: RbacUser, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // A RoleBinding may leave out the namespace of a service account of its own namespace.
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && user.name === `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `${subject.kind} "${subject.name}/${subject.namespace || bindingNamespace}"`;
  return `${subject.kind} "${subject.name}"`;
}

/** One binding that applies to the user, with the rules its role grants and where they apply. */
export interface AppliedBinding {
  /** `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`. */
  description: string;
  rules: readonly PolicyRule[];
}

/** The bindings that apply to `user` for requests in `namespace` (undefined: the cluster scope), in Kubernetes' order. */
export function bindingsFor(policy: RbacPolicy, user: RbacUser, namespace: string | undefined): AppliedBinding[] {
  const applied: AppliedBinding[] = [];
  for (const binding of policy.clusterRoleBindings()) {
    const subject = (binding.subjects ?? []).find((s) => subjectAppliesTo(s, user, ''));
    if (!subject || binding.roleRef?.kind !== 'ClusterRole') continue;
    const role = policy.clusterRole(binding.roleRef.name);
    if (!role) continue;
    applied.push({
      description: `ClusterRoleBinding "${binding.metadata.name}" of ClusterRole "${binding.roleRef.name}" to ${describeSubject(subject, '')}`,
      rules: role.rules ?? [],
    });
  }
  if (namespace === undefined || namespace === '') return applied;
  for (const binding of policy.roleBindings(namespace)) {
    const subject = (binding.subjects ?? []).find((s) => subjectAppliesTo(s, user, namespace));
    if (!subject) continue;
    const ref = binding.roleRef;
    const role = ref?.kind === 'ClusterRole' ? policy.clusterRole(ref.name) : ref?.kind === 'Role' ? policy.role(namespace, ref.name) : undefined;
    if (!role) continue;
    applied.push({
      description: `RoleBinding "${binding.metadata.name}/${namespace}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, namespace)}`,
      rules: role.rules ?? [],
    });
  }
  return applied;
}

/** May `user` do what `attributes` describe? */
export function decideRbac(policy: RbacPolicy, user: RbacUser, attributes: AccessAttributes): RbacDecision {
  for (const binding of bindingsFor(policy, user, attributes.resource?.namespace)) {
    if (binding.rules.some((rule) => ruleAllows(rule, attributes))) return { allowed: true, reason: `RBAC: allowed by ${binding.description}` };
  }
  return { allowed: false };
}

/** Every rule that applies to `user` in `namespace`: what SelfSubjectRulesReview answers. */
export function rulesFor(policy: RbacPolicy, user: RbacUser, namespace: string | undefined): PolicyRule[] {
  return bindingsFor(policy, user, namespace).flatMap((binding) => binding.rules);
}
