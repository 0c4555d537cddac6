// NodeAffinity, kube-scheduler's plugin of that name: which nodes a pod may run on by their
// labels (and name), and which it prefers.
//
// Filter: the pod's `nodeSelector` (every pair must match) AND its required node affinity (any one
// of the nodeSelectorTerms must match; inside a term, every matchExpression and matchField must).
// A node that fails says `node(s) didn't match Pod's node affinity/selector`, a reason preemption
// cannot fix: evicting pods does not change a node's labels.
//
// Score: the sum of the weights of the preferred terms a node matches, then scaled so the best
// node gets 100 (the framework's DefaultNormalizeScore).
//
// Operators: In, NotIn (true when the label is absent), Exists, DoesNotExist, and Gt/Lt, which
// compare the label's value as an integer (a missing or non-integer label does not match).
// matchFields knows one field, `metadata.name`.

import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from '../api/affinity-types.js';
import type { Node, Pod } from '../api/types.js';

export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const MAX_NODE_SCORE = 100;

const INTEGER = /^-?\d+$/;

/** Whether one requirement holds for a value (`undefined`: the label is absent). */
export function requirementMatches(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      // Validation guarantees exactly one integer value; the node's label must be an integer too.
      if (value === undefined || !INTEGER.test(value) || values.length !== 1 || !INTEGER.test(values[0])) return false;
      const [have, want] = [BigInt(value), BigInt(values[0])];
      return requirement.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields do; a term with neither matches no node. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const label = (key: string) => (Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined);
  return (
    expressions.every((r) => requirementMatches(r, label(r.key))) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name))
  );
}

/** The terms are ORed. */
export function nodeSelectorMatches(selector: NodeSelector, node: Node): boolean {
  return (selector.nodeSelectorTerms ?? []).some((term) => nodeSelectorTermMatches(term, node));
}

/** nodeSelector and required node affinity together: what TopologySpread's nodeAffinityPolicy Honor also uses. */
export function podMatchesNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const selectorMatches = Object.entries(pod.spec.nodeSelector ?? {}).every(([key, value]) => Object.prototype.hasOwnProperty.call(labels, key) && labels[key] === value);
  if (!selectorMatches) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || nodeSelectorMatches(required, node);
}

/** Filter. */
export function nodeAffinityFilter(pod: Pod, node: Node): string[] {
  return podMatchesNodeAffinity(pod, node) ? [] : [REASON_NODE_AFFINITY];
}

/** Raw score: the weights of the preferred terms this node matches. */
export function preferredNodeAffinityWeight(pod: Pod, node: Node): number {
  const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return preferred.filter((p) => p.weight !== 0 && nodeSelectorTermMatches(p.preference ?? {}, node)).reduce((sum, p) => sum + p.weight, 0);
}

/** DefaultNormalizeScore: the highest raw score becomes 100, the others in proportion; all zero stays zero. */
export function normalizeToMax(raw: number[]): number[] {
  const most = Math.max(0, ...raw);
  return raw.map((score) => (most === 0 ? 0 : Math.floor((score * MAX_NODE_SCORE) / most)));
}

/**
 * One Score plugin's points for each node, in the order of the nodes given: what it counted
 * (`raw`, in the plugin's own units) and the 0-100 its NormalizeScore step made of it.
 */
export interface PluginScores {
  raw: number[];
  normalized: number[];
}

/** Score, normalized over the feasible nodes (0-100 each). */
export function nodeAffinityScores(pod: Pod, nodes: Node[]): PluginScores {
  const raw = nodes.map((node) => preferredNodeAffinityWeight(pod, node));
  return { raw, normalized: normalizeToMax(raw) };
}
