// Privilege-escalation prevention for RBAC writes: kube-apiserver's policy-based storage of
// roles, clusterroles, rolebindings and clusterrolebindings (pkg/registry/rbac/*/policybased).
// Without it, anyone allowed to create a RoleBinding could bind cluster-admin to themselves.
//
// A user's create or update of
//   a Role or ClusterRole  passes when the user already holds every rule it grants (in the Role's
//                          namespace; cluster-wide for a ClusterRole), or may `escalate` roles
//                          (clusterroles); an aggregationRule can gather anything, so it needs
//                          the rules of cluster-admin;
//   a RoleBinding or ClusterRoleBinding  passes when the user may `bind` the role it names
//                          (resourceNames = the role's name, in the binding's namespace), or holds
//                          every rule of that role there;
// members of system:masters always pass, and an update that changes only what the garbage
// collector writes (ownerReferences, finalizers) is not judged. The check is sync over the RBAC
// authorizer's cache, so it runs inside the registry's read-modify-write. A refusal is a 403:
//   rolebindings.rbac.authorization.k8s.io "b" is forbidden: user "alice" (groups=[...]) is attempting to grant RBAC permissions not currently held:
//   {APIGroups:["*"], Resources:["*"], Verbs:["*"]}
// Only requests over HTTP carry a checker (resource-handlers.ts); the daemon's own writes through
// the LocalClient (controllers, the bootstrap policy) are not user requests and are not judged.

import type { KubeObject } from '../../lib/api/types.js';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, RBAC_GROUP, ROLE_BINDINGS, ROLES, type ClusterRole, type PolicyRule, type RoleBinding } from '../../lib/api/rbac-types.js';
import { rulesFor, type RbacPolicy } from '../../lib/rbac/rbac-decision.js';
import { escalationRefusal } from '../../lib/rbac/escalation-refusal.js';
import { ApiError, notFound } from '../../lib/errors.js';
import { AuthorizerChain, RbacAuthorizer } from './rbac-authorizer.js';
import { MASTERS_GROUP, type UserInfo } from './auth.js';

/** What an aggregationRule needs: everything (cluster-admin's rules). */
const FULL_AUTHORITY: PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  { nonResourceURLs: ['*'], verbs: ['*'] },
];

const plural = (resource: string): string => resource.slice(0, resource.indexOf('.'));

function forbiddenWrite(resource: string, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`, { name, group: RBAC_GROUP, kind: plural(resource) });
}

/** Kubernetes' IsOnlyMutatingGCFields: equal once ownerReferences and finalizers (and what the store sets) are ignored. */
export function onlyGarbageCollectorFields(next: KubeObject, current: KubeObject): boolean {
  const strip = (obj: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, generation: _g, ...metadata } = obj.metadata ?? {};
    return JSON.stringify({ ...obj, metadata });
  };
  return strip(next) === strip(current);
}

export class RbacEscalationCheck {
  constructor(private readonly rbac: Pick<RbacAuthorizer, 'decide' | 'policy'>) {}

  private get policy(): RbacPolicy {
    return this.rbac.policy;
  }

  /** Throws the 403 (or a 404 for a binding to a missing role) when `user` may not write `next`; `current` on updates. */
  check(user: UserInfo, resource: string, next: KubeObject, current: KubeObject | undefined): void {
    if (![ROLES, CLUSTER_ROLES, ROLE_BINDINGS, CLUSTER_ROLE_BINDINGS].includes(resource)) return;
    // system:masters is everything already (kube-apiserver's EscalationAllowed).
    if (user.groups.includes(MASTERS_GROUP)) return;
    if (current && onlyGarbageCollectorFields(next, current)) return;
    const name = next.metadata?.name ?? next.metadata?.generateName ?? '';
    // '' for cluster-scoped kinds: then only ClusterRoleBindings count.
    const namespace = next.metadata?.namespace ?? '';
    const refuse = (granted: readonly PolicyRule[]) => {
      const why = escalationRefusal(user, rulesFor(this.policy, user, namespace || undefined), granted);
      if (why) throw forbiddenWrite(resource, name, why);
    };
    if (resource === ROLES || resource === CLUSTER_ROLES) {
      if (this.may(user, 'escalate', plural(resource), namespace, current ? name : undefined)) return;
      const role = next as ClusterRole;
      refuse(role.rules ?? []);
      if (resource === CLUSTER_ROLES && role.aggregationRule) {
        if (escalationRefusal(user, rulesFor(this.policy, user, undefined), FULL_AUTHORITY)) {
          throw forbiddenWrite(resource, name, 'must have cluster-admin privileges to use the aggregationRule');
        }
      }
      return;
    }
    const ref = (next as RoleBinding).roleRef;
    if (!ref || (ref.kind !== 'Role' && ref.kind !== 'ClusterRole')) return; // validation answers
    if (this.may(user, 'bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', namespace, ref.name, ref.apiGroup ?? RBAC_GROUP)) return;
    const role = ref.kind === 'Role' ? this.policy.role(namespace, ref.name) : this.policy.clusterRole(ref.name);
    if (!role) throw notFound(ref.kind === 'Role' ? ROLES : CLUSTER_ROLES, ref.name);
    refuse(role.rules ?? []);
  }

  /** The RBAC question `verb` on `resource` (escalate, bind), as kube-apiserver asks it. */
  private may(user: UserInfo, verb: string, resource: string, namespace: string, name: string | undefined, group = RBAC_GROUP): boolean {
    return this.rbac.decide(user, {
      verb,
      path: '',
      resource: { group, resource, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) },
    }).allowed;
  }
}

/** The check over the RBAC part of the API server's authorizer; undefined without RBAC (tests with a plain authorizer). */
export function escalationCheckOf(authorizer: unknown): RbacEscalationCheck | undefined {
  if (authorizer instanceof AuthorizerChain) return new RbacEscalationCheck(authorizer.rbac);
  if (authorizer instanceof RbacAuthorizer) return new RbacEscalationCheck(authorizer);
  return undefined;
}
