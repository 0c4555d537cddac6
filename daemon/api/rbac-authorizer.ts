// The API server's authorizer chain: the Node authorizer for nodes, then RBAC for everyone
// (kube-apiserver's `--authorization-mode=Node,RBAC`).
//
// RBAC answers from the cluster's Roles and bindings (lib/rbac/rbac-decision.ts over the cache of
// daemon/rbac/rbac-policy-cache.ts). The admin is no exception in the code: its token is in group
// system:masters, and the default ClusterRoleBinding `cluster-admin` grants that group everything
// (lib/rbac/bootstrap-policy.ts), as on a real cluster. Components inside the server process call
// the registry through the LocalClient and never pass through here.
//
// A node (`system:node:<name>` in system:nodes) is first asked of the Node authorizer; what it
// refuses, RBAC may still grant (an admin can bind a role to a node), and a refusal by both keeps
// the Node authorizer's explanation. A refusal is kube-apiserver's 403:
//   pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"

import type { PolicyRule } from '../../lib/api/rbac-types.js';
import { decideRbac, rulesFor, type RbacDecision, type RbacPolicy } from '../../lib/rbac/rbac-decision.js';
import type { AccessAttributes } from '../../lib/rbac/rule-matching.js';
import { ApiError } from '../../lib/errors.js';
import type { Authorizer, RequestAttributes, UserInfo } from './auth.js';
import { forbiddenError, nodeNameOf } from './node-authorizer.js';

/** The attributes RBAC reads, from the API server's RequestAttributes. */
export function accessAttributesOf(attributes: RequestAttributes): AccessAttributes {
  const r = attributes.resource;
  return {
    verb: attributes.verb,
    path: attributes.path,
    ...(r
      ? {
          resource: {
            group: r.group,
            resource: r.plural,
            ...(r.subresource ? { subresource: r.subresource } : {}),
            ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
            ...(r.name !== undefined ? { name: r.name } : {}),
          },
        }
      : {}),
  };
}

/** The API server's RequestAttributes of what an access review asks about. */
export function requestAttributesOfAccess(access: AccessAttributes): RequestAttributes {
  const r = access.resource;
  if (!r) return { verb: access.verb, path: access.path };
  return {
    verb: access.verb,
    path: access.path,
    resource: {
      key: r.group ? `${r.resource}.${r.group}` : r.resource,
      plural: r.resource,
      group: r.group,
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
      ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
    },
  };
}

/** An authorizer that can also answer the access reviews (daemon/api/access-reviews.ts). */
export interface ReviewingAuthorizer extends Authorizer {
  /** Whether `user` may, and what allowed it (empty when nothing explains it). */
  review(user: UserInfo, attributes: RequestAttributes): Promise<{ allowed: boolean; reason: string }>;
  /** The rules that apply to `user` in `namespace`; incomplete when an authorizer cannot list its rules (the Node authorizer). */
  rulesFor(user: UserInfo, namespace: string | undefined): { rules: PolicyRule[]; incomplete: boolean };
}

export class RbacAuthorizer implements Authorizer {
  constructor(readonly policy: RbacPolicy) {}

  decide(user: UserInfo, attributes: AccessAttributes): RbacDecision {
    return decideRbac(this.policy, user, attributes);
  }

  async authorize(user: UserInfo, attributes: RequestAttributes): Promise<void> {
    if (!this.decide(user, accessAttributesOf(attributes)).allowed) throw forbiddenError(user, attributes);
  }
}

/** Node authorizer first for nodes, then RBAC: the first that allows wins. */
export class AuthorizerChain implements ReviewingAuthorizer {
  constructor(
    private readonly nodeAuthorizer: Authorizer,
    readonly rbac: RbacAuthorizer,
  ) {}

  async authorize(user: UserInfo, attributes: RequestAttributes): Promise<void> {
    if (nodeNameOf(user) === undefined) return this.rbac.authorize(user, attributes);
    try {
      await this.nodeAuthorizer.authorize(user, attributes);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 403) throw err;
      if (!this.rbac.decide(user, accessAttributesOf(attributes)).allowed) throw err;
    }
  }

  async review(user: UserInfo, attributes: RequestAttributes): Promise<{ allowed: boolean; reason: string }> {
    const rbac = this.rbac.decide(user, accessAttributesOf(attributes));
    if (rbac.allowed) return { allowed: true, reason: rbac.reason };
    try {
      await this.authorize(user, attributes);
      return { allowed: true, reason: '' };
    } catch (err) {
      if (err instanceof ApiError && err.code === 403) return { allowed: false, reason: '' };
      throw err;
    }
  }

  rulesFor(user: UserInfo, namespace: string | undefined): { rules: PolicyRule[]; incomplete: boolean } {
    return { rules: rulesFor(this.rbac.policy, user, namespace), incomplete: nodeNameOf(user) !== undefined };
  }
}
