// Does one set of RBAC rules cover another? Kubernetes' validation.Covers
// (pkg/registry/rbac/validation/policy_comparator.go), the heart of privilege-escalation
// prevention: a user may grant only what they already hold (lib/rbac/escalation-refusal.ts).
//
// Each rule to be granted is broken down to atoms of one apiGroup, one resource, one verb and at
// most one resourceName (or one nonResourceURL and one verb); an atom is covered when a single
// rule of the owner holds all of it:
//   verbs, apiGroups, resources   the owner lists the atom's value, or `*`
//   resourceNames                 an owner rule without names covers any; one with names covers
//                                 only those names, and never an atom without a name
//   nonResourceURLs               equal, or an owner entry ending in `*` that prefixes the path
// Matching is literal, as in Kubernetes: an owner's `pods` does not cover `pods/log`, and only
// `*` covers `*`. The atoms no rule covers are what the refusal lists.

import type { PolicyRule } from '../api/rbac-types.js';

const ALL = '*';

/** The rule as atoms of one group, resource, verb and name (or one URL and verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        for (const name of names) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
      }
    }
  }
  // URLs combine with verbs only.
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) atoms.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return atoms;
}

const holds = (owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean =>
  (owner ?? []).includes(ALL) || (wanted ?? []).every((value) => (owner ?? []).includes(value));

function urlCovers(ownerUrl: string, url: string): boolean {
  return ownerUrl === url || (ownerUrl.endsWith(ALL) && url.startsWith(ownerUrl.replace(/\*+$/, '')));
}

/** Does one owner rule hold the whole of one atom? */
export function ruleCovers(owner: PolicyRule, atom: PolicyRule): boolean {
  const ownerNames = owner.resourceNames ?? [];
  const atomNames = atom.resourceNames ?? [];
  const namesMatch = ownerNames.length === 0 || (atomNames.length > 0 && atomNames.every((name) => ownerNames.includes(name)));
  const urlsMatch = (atom.nonResourceURLs ?? []).every((url) => (owner.nonResourceURLs ?? []).some((ownerUrl) => urlCovers(ownerUrl, url)));
  return holds(owner.verbs, atom.verbs) && holds(owner.apiGroups, atom.apiGroups) && holds(owner.resources, atom.resources) && namesMatch && urlsMatch;
}

/** Whether `owner` covers every rule of `wanted`, and the atoms it does not. */
export function covers(owner: readonly PolicyRule[], wanted: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = wanted.flatMap(breakdownRule).filter((atom) => !owner.some((rule) => ruleCovers(rule, atom)));
  return { covered: missing.length === 0, missing };
}
