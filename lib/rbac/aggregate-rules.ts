// ClusterRole aggregation, the decision (kube-controller-manager's clusterrole-aggregation
// controller, pkg/controller/clusterroleaggregation): an aggregated ClusterRole's rules are the
// rules of every other ClusterRole whose labels match one of its aggregationRule's
// clusterRoleSelectors, each rule once, taken from the roles in name order. Adding a label to a
// ClusterRole (`rbac.authorization.k8s.io/aggregate-to-view: "true"`) is how an extension adds
// its resources to the default view, edit and admin roles.

import type { ClusterRole, PolicyRule } from '../api/rbac-types.js';
import { matchesLabels, requirementsFromLabelSelector } from '../api/selectors.js';

const sameRule = (a: PolicyRule, b: PolicyRule): boolean => JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
const normalise = (r: PolicyRule) => [r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []];

/** The rules `role` should have, or undefined when it is not an aggregated role. */
export function planAggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return undefined;
  const requirements = selectors.map((s) => requirementsFromLabelSelector(s));
  const sources = all
    .filter((other) => other.metadata.name !== role.metadata.name)
    .filter((other) => requirements.some((r) => matchesLabels(r, other.metadata.labels)))
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const rules: PolicyRule[] = [];
  for (const source of sources) {
    for (const rule of source.rules ?? []) if (!rules.some((r) => sameRule(r, rule))) rules.push(structuredClone(rule));
  }
  return rules;
}

/** Does `role` already have exactly these rules? */
export function hasRules(role: ClusterRole, rules: readonly PolicyRule[]): boolean {
  const current = role.rules ?? [];
  return current.length === rules.length && current.every((r, i) => sameRule(r, rules[i]));
}
