// Does one RBAC PolicyRule allow one request? Kubernetes' RuleAllows and its helpers
// (pkg/apis/rbac/v1/evaluation_helpers.go), as pure functions over plain data.
//
// A resource request is allowed by a rule when all four match:
//   verbs       the request's verb, or `*`
//   apiGroups   the request's group (`""` is the core group), or `*`
//   resources   `pods`, or `pods/log` for a subresource, or `*`, or `*/log` (that subresource of
//               any resource); `pods` alone does not grant `pods/log`
//   resourceNames  empty (any name), or the request's name; a list or a create has no name, so
//               a rule with names never allows them
// A non-resource request (`/healthz`, `/apis`) is allowed by a rule whose nonResourceURLs hold
// its path, `*`, or a prefix ending in `*` (`/apis/*`), with its verb (the lowercase HTTP method).

import type { PolicyRule } from '../api/rbac-types.js';

/** What an authorizer knows about a request (Kubernetes' authorizer.Attributes). */
export interface AccessAttributes {
  verb: string;
  /** Set for resource requests. */
  resource?: {
    group: string;
    /** The plural: `pods`. */
    resource: string;
    subresource?: string;
    namespace?: string;
    name?: string;
  };
  /** The URL path, what non-resource requests are judged by. */
  path: string;
}

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** `combined` is `pods` or `pods/log`; `subresource` is `log` or empty. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string | undefined): boolean {
  return (rule.resources ?? []).some((r) => r === ALL || r === combined || (!!subresource && r === `*/${subresource}`));
}

export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (name !== undefined && name !== '' && names.includes(name));
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((url) => url === ALL || url === path || (url.endsWith(ALL) && path.startsWith(url.replace(/\*+$/, ''))));
}

export function ruleAllows(rule: PolicyRule, attributes: AccessAttributes): boolean {
  const r = attributes.resource;
  if (!verbMatches(rule, attributes.verb)) return false;
  if (!r) return nonResourceURLMatches(rule, attributes.path);
  const combined = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return apiGroupMatches(rule, r.group) && resourceMatches(rule, combined, r.subresource) && resourceNameMatches(rule, r.name);
}
