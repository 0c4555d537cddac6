// Privilege-escalation prevention, the message half: Kubernetes' ConfirmNoEscalation
// (pkg/registry/rbac/validation/rule.go) with CompactRules and PolicyRule's CompactString.
//
// A user may create or change a Role, ClusterRole or binding only if the rules it grants are
// covered (lib/rbac/covers.ts) by the rules the user already holds where it takes effect. When
// they are not, the refusal lists the missing atoms, compacted (atoms of one group and resource
// that differ only in their verb become one line) and sorted, in Go's %q notation:
//   user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
//   {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
// The daemon wraps it in a 403 (daemon/api/rbac-escalation.ts).

import type { PolicyRule } from '../api/rbac-types.js';
import { covers } from './covers.js';

/** Go's %q of a string list: `["a" "b"]`. JSON's quoting matches Go's for printable text. */
const quoted = (values: readonly string[]): string => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;

/** A rule as escalation errors print it: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${quoted(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${quoted(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${quoted(rule.resourceNames)}`);
  if (rule.verbs?.length) parts.push(`Verbs:${quoted(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** Rules of exactly one group and one resource, with nothing but verbs besides, merged per group and resource. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const isSimple = !rule.resourceNames?.length && !rule.nonResourceURLs?.length && rule.apiGroups?.length === 1 && rule.resources?.length === 1;
    if (!isSimple) {
      compacted.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups![0], rule.resources![0]]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...(rule.verbs ?? [])];
    else simple.set(key, { apiGroups: [...rule.apiGroups!], resources: [...rule.resources!], verbs: [...(rule.verbs ?? [])] });
  }
  return [...compacted, ...simple.values()];
}

/**
 * Why `user`, holding `held`, may not grant `granted`; undefined when `held` covers it.
 * Distinct lines sorted as Go's sets.String does (byte order).
 */
export function escalationRefusal(user: { name: string; groups: readonly string[] }, held: readonly PolicyRule[], granted: readonly PolicyRule[]): string | undefined {
  const { covered, missing } = covers(held, granted);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `user ${JSON.stringify(user.name)} (groups=${quoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}
