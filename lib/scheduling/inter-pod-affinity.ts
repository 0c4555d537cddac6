// InterPodAffinity, kube-scheduler's plugin of that name: where a pod may run relative to pods
// already running, by topology domain. A domain is the set of nodes that share one value of the
// term's topologyKey: `kubernetes.io/hostname` makes each node its own domain, a zone label
// makes a zone one.
//
// Filter, for a pod P and a candidate node N (one reason per node, checked in this order):
// 1. P's required podAffinity: every term must find a running pod it selects in N's domain, and N
//    must carry every term's topologyKey. The first pod of a group that selects itself has no one
//    to follow: when no pod in the cluster matches the terms and P matches them itself, it may go
//    anywhere that has the keys. Otherwise `node(s) didn't match pod affinity rules`, which
//    preemption cannot fix.
// 2. P's required podAntiAffinity: no term may find a pod it selects in N's domain:
//    `node(s) didn't match pod anti-affinity rules`.
// 3. Running pods' required anti-affinity: a running pod whose term selects P keeps P out of its
//    own domain: `node(s) didn't satisfy existing pods anti-affinity rules`.
// A term selects pods by labelSelector (null selects none, {} all) in its namespaces: those
// listed, those namespaceSelector matches ({} all), or, when both are empty, the namespace of the
// pod that has the term. matchLabelKeys/mismatchLabelKeys add "key In/NotIn (that pod's value)".
//
// Score: each domain adds the weight of P's preferred affinity terms for every pod they select
// there and subtracts that of the anti-affinity ones; running pods' terms that select P count the
// same way (their required affinity with weight 1, the default hardPodAffinityWeight). A node's
// score is its domains' sum, scaled so the lowest is 0 and the highest 100.

import type { PodAffinityTerm, WeightedPodAffinityTerm } from '../api/affinity-types.js';
import type { Node, Pod } from '../api/types.js';
import { boundPods, selectorMatches, withLabelKeys, type ClusterSnapshot } from './cluster-snapshot.js';
import { MAX_NODE_SCORE, type PluginScores } from './node-affinity.js';

export const REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
/** kube-scheduler's hardPodAffinityWeight default: a running pod's required affinity to P, as a preference. */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** Whether `term`, written in a pod of namespace `ownerNamespace` with labels `ownerLabels`, selects `pod`. */
export function termSelects(term: PodAffinityTerm, ownerNamespace: string, ownerLabels: Record<string, string> | undefined, pod: Pod, snapshot: ClusterSnapshot): boolean {
  const namespace = pod.metadata.namespace ?? 'default';
  const listed = term.namespaces ?? [];
  const nsSelector = term.namespaceSelector;
  const inNamespace =
    listed.length === 0 && (nsSelector === null || nsSelector === undefined)
      ? namespace === ownerNamespace
      : listed.includes(namespace) || selectorMatches(nsSelector, snapshot.namespaceLabels?.get(namespace) ?? {});
  if (!inNamespace) return false;
  const selector = withLabelKeys(term.labelSelector, ownerLabels, term.matchLabelKeys, term.mismatchLabelKeys);
  return selectorMatches(selector, pod.metadata.labels);
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;
const labelOf = (node: Node, key: string): string | undefined => {
  const labels = node.metadata.labels ?? {};
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
};

const requiredAffinity = (pod: Pod): PodAffinityTerm[] => pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
const requiredAntiAffinity = (pod: Pod): PodAffinityTerm[] => pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
const preferredAffinity = (pod: Pod): WeightedPodAffinityTerm[] => pod.spec.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
const preferredAntiAffinity = (pod: Pod): WeightedPodAffinityTerm[] => pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
const namespaceOf = (pod: Pod) => pod.metadata.namespace ?? 'default';

/** What the filter needs, computed once per pod (kube-scheduler's PreFilter state): pod counts per (topologyKey, value). */
export interface InterPodAffinityState {
  affinityCounts: Map<string, number>;
  antiAffinityCounts: Map<string, number>;
  existingAntiAffinityCounts: Map<string, number>;
  /** P's required affinity terms are satisfied by P itself (the first pod of a group). */
  podMatchesOwnAffinity: boolean;
}

export function interPodAffinityPreFilter(pod: Pod, snapshot: ClusterSnapshot): InterPodAffinityState {
  const affinity = requiredAffinity(pod);
  const anti = requiredAntiAffinity(pod);
  const own = { ns: namespaceOf(pod), labels: pod.metadata.labels };
  const state: InterPodAffinityState = { affinityCounts: new Map(), antiAffinityCounts: new Map(), existingAntiAffinityCounts: new Map(), podMatchesOwnAffinity: false };
  const bump = (counts: Map<string, number>, node: Node, key: string) => {
    const value = labelOf(node, key);
    if (value !== undefined) counts.set(pairKey(key, value), (counts.get(pairKey(key, value)) ?? 0) + 1);
  };
  for (const { pod: existing, node } of boundPods(snapshot)) {
    if (existing.metadata.uid && existing.metadata.uid === pod.metadata.uid) continue;
    if (affinity.length > 0 && affinity.every((t) => termSelects(t, own.ns, own.labels, existing, snapshot))) {
      for (const t of affinity) bump(state.affinityCounts, node, t.topologyKey);
    }
    for (const t of anti) if (termSelects(t, own.ns, own.labels, existing, snapshot)) bump(state.antiAffinityCounts, node, t.topologyKey);
    for (const t of requiredAntiAffinity(existing)) {
      if (termSelects(t, namespaceOf(existing), existing.metadata.labels, pod, snapshot)) bump(state.existingAntiAffinityCounts, node, t.topologyKey);
    }
  }
  state.podMatchesOwnAffinity = affinity.every((t) => termSelects(t, own.ns, own.labels, pod, snapshot));
  return state;
}

export function interPodAffinityFilter(pod: Pod, node: Node, state: InterPodAffinityState): string[] {
  const affinity = requiredAffinity(pod);
  let podsExist = true;
  for (const t of affinity) {
    const value = labelOf(node, t.topologyKey);
    // Every topology key must be on the node, even for the first pod of a group.
    if (value === undefined) return [REASON_POD_AFFINITY];
    if ((state.affinityCounts.get(pairKey(t.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (!podsExist && !(state.affinityCounts.size === 0 && state.podMatchesOwnAffinity)) return [REASON_POD_AFFINITY];

  for (const t of requiredAntiAffinity(pod)) {
    const value = labelOf(node, t.topologyKey);
    if (value !== undefined && (state.antiAffinityCounts.get(pairKey(t.topologyKey, value)) ?? 0) > 0) return [REASON_POD_ANTI_AFFINITY];
  }

  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if ((state.existingAntiAffinityCounts.get(pairKey(key, value)) ?? 0) > 0) return [REASON_EXISTING_ANTI_AFFINITY];
  }
  return [];
}

/** Score of each node in `feasible` (0-100), from the preferences of P and of the pods already running. */
export function interPodAffinityScores(pod: Pod, feasible: Node[], snapshot: ClusterSnapshot): PluginScores {
  const topologyScore = new Map<string, number>();
  const add = (node: Node, key: string, weight: number) => {
    const value = labelOf(node, key);
    if (value !== undefined && weight !== 0) topologyScore.set(pairKey(key, value), (topologyScore.get(pairKey(key, value)) ?? 0) + weight);
  };
  const own = { ns: namespaceOf(pod), labels: pod.metadata.labels };
  for (const { pod: existing, node } of boundPods(snapshot)) {
    if (existing.metadata.uid && existing.metadata.uid === pod.metadata.uid) continue;
    for (const { weight, podAffinityTerm: t } of preferredAffinity(pod)) if (termSelects(t, own.ns, own.labels, existing, snapshot)) add(node, t.topologyKey, weight);
    for (const { weight, podAffinityTerm: t } of preferredAntiAffinity(pod)) if (termSelects(t, own.ns, own.labels, existing, snapshot)) add(node, t.topologyKey, -weight);
    const theirs = { ns: namespaceOf(existing), labels: existing.metadata.labels };
    for (const t of requiredAffinity(existing)) if (termSelects(t, theirs.ns, theirs.labels, pod, snapshot)) add(node, t.topologyKey, HARD_POD_AFFINITY_WEIGHT);
    for (const { weight, podAffinityTerm: t } of preferredAffinity(existing)) if (termSelects(t, theirs.ns, theirs.labels, pod, snapshot)) add(node, t.topologyKey, weight);
    for (const { weight, podAffinityTerm: t } of preferredAntiAffinity(existing)) if (termSelects(t, theirs.ns, theirs.labels, pod, snapshot)) add(node, t.topologyKey, -weight);
  }
  const raw = feasible.map((node) =>
    Object.entries(node.metadata.labels ?? {}).reduce((sum, [key, value]) => sum + (topologyScore.get(pairKey(key, value)) ?? 0), 0),
  );
  if (topologyScore.size === 0) return { raw, normalized: raw.map(() => 0) };
  const [least, most] = [Math.min(...raw), Math.max(...raw)];
  return { raw, normalized: raw.map((score) => (most === least ? 0 : Math.floor((MAX_NODE_SCORE * (score - least)) / (most - least)))) };
}
