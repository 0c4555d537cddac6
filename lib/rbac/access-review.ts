// The access reviews of authorization.k8s.io/v1, the pure part: turning a review's spec into
// the attributes an authorizer judges, and rules into a SelfSubjectRulesReview's status.
//
//   SelfSubjectAccessReview   "may I <verb> <resource> [in <namespace>]?"  (kubectl auth can-i)
//   SelfSubjectRulesReview    "what may I do in <namespace>?"               (kubectl auth can-i --list)
//   SubjectAccessReview       "may <user> in <groups> ...?"                  (for admins and webhooks)
//
// Reviews are never stored: the server fills in `status` and answers with the object.

import type { ResourceInfo } from '../api/resources.js';
import type { PolicyRule } from '../api/rbac-types.js';
import type { AccessAttributes } from './rule-matching.js';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';

const review = (plural: string, kind: string): ResourceInfo => ({
  group: AUTHORIZATION_GROUP, version: 'v1', plural, singular: '', kind, namespaced: false, shortNames: [], categories: [], verbs: ['create'], subresources: [],
});

/** What discovery lists for authorization.k8s.io/v1. */
export const AUTHORIZATION_RESOURCES: readonly ResourceInfo[] = [
  review('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('subjectaccessreviews', 'SubjectAccessReview'),
];

type Loose = Record<string, unknown>;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The attributes a review's spec asks about, or a message saying why it asks about nothing.
 * `resourceAttributes` {verb, group, resource, subresource, namespace, name} or
 * `nonResourceAttributes` {verb, path}: exactly one of them.
 */
export function attributesOfReviewSpec(spec: unknown): AccessAttributes | string {
  const s = (spec ?? {}) as Loose;
  const resource = s.resourceAttributes as Loose | undefined;
  const nonResource = s.nonResourceAttributes as Loose | undefined;
  if (resource && nonResource) return 'exactly one of nonResourceAttributes or resourceAttributes must be specified';
  if (nonResource) return { verb: text(nonResource.verb), path: text(nonResource.path) };
  if (!resource) return 'exactly one of nonResourceAttributes or resourceAttributes must be specified';
  const namespace = text(resource.namespace);
  const name = text(resource.name);
  const subresource = text(resource.subresource);
  return {
    verb: text(resource.verb),
    path: '',
    resource: {
      group: text(resource.group),
      resource: text(resource.resource),
      ...(subresource ? { subresource } : {}),
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
    },
  };
}

export interface RulesReviewStatus {
  resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

/** A SelfSubjectRulesReview's status from the rules that apply (rbac-decision.ts rulesFor). */
export function rulesReviewStatus(rules: readonly PolicyRule[], incomplete = false): RulesReviewStatus {
  const status: RulesReviewStatus = { resourceRules: [], nonResourceRules: [], incomplete };
  for (const rule of rules) {
    if ((rule.nonResourceURLs ?? []).length > 0) {
      status.nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs!] });
    } else {
      status.resourceRules.push({
        verbs: [...rule.verbs],
        ...(rule.apiGroups ? { apiGroups: [...rule.apiGroups] } : {}),
        ...(rule.resources ? { resources: [...rule.resources] } : {}),
        ...(rule.resourceNames?.length ? { resourceNames: [...rule.resourceNames] } : {}),
      });
    }
  }
  return status;
}
