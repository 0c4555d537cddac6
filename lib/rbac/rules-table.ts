// The table `kubectl auth can-i --list` prints (kubectl's cani.go printStatus): the rules of a
// SelfSubjectRulesReview broken down to one resource (or URL) each, verbs of the same
// resource/group/name merged, sorted as kubectl sorts (by the Go String() of each rule, verbs
// first), in a tabwriter with kubectl's padding (minimum width 6, padding 3):
//
//   Resources                          Non-Resource URLs   Resource Names   Verbs
//   selfsubjectaccessreviews.authorization.k8s.io   []     []               [create]
//   pods                               []                  []               [get list watch]

import type { PolicyRule } from '../api/rbac-types.js';

/** Kubernetes' BreakdownRule: one rule per group × resource × name, and per URL. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      const names = rule.resourceNames ?? [];
      if (names.length === 0) out.push({ verbs: rule.verbs, apiGroups: [group], resources: [resource] });
      for (const name of names) out.push({ verbs: rule.verbs, apiGroups: [group], resources: [resource], resourceNames: [name] });
    }
  }
  for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: rule.verbs, nonResourceURLs: [url] });
  return out;
}

/** Kubernetes' CompactRules: the verbs of rules on the same single resource (and name) merged. */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const others: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    if ((rule.nonResourceURLs ?? []).length > 0) {
      others.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames ?? []]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...rule.verbs.filter((v) => !existing.verbs.includes(v))];
    else simple.set(key, { ...rule, verbs: [...rule.verbs] });
  }
  return [...others, ...simple.values()];
}

const goList = (values: readonly string[] | undefined) => `[${(values ?? []).join(' ')}]`;
const goString = (r: PolicyRule) =>
  `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;

/** kubectl's CombineResourceGroup: `deployments.apps`, `pods/log`, `deployments.apps/scale`. */
function resourceGroup(r: PolicyRule): string {
  const resource = r.resources?.[0];
  if (!resource) return '';
  const [base, sub] = resource.split(/\/(.*)/s);
  const group = r.apiGroups?.[0];
  return `${base}${group ? `.${group}` : ''}${sub !== undefined ? `/${sub}` : ''}`;
}

/** Go's text/tabwriter as kubectl configures it: every column but the last padded to its widest cell + 3, at least 6. */
export function tabwriter(lines: string[][]): string {
  const widths: number[] = [];
  for (const line of lines) line.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 6, cell.length + 3)));
  return lines.map((line) => line.map((cell, i) => (i < line.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('')).join('\n') + '\n';
}

export function rulesTable(rules: readonly PolicyRule[], noHeaders = false): string {
  const sorted = compact(rules.flatMap(breakdown)).sort((a, b) => (goString(a) < goString(b) ? -1 : goString(a) > goString(b) ? 1 : 0));
  const lines = sorted.map((r) => [resourceGroup(r), goList(r.nonResourceURLs), goList(r.resourceNames), goList(r.verbs)]);
  return tabwriter(noHeaders ? lines : [['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'], ...lines]);
}
