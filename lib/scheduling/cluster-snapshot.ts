// What the scheduler knows about the cluster while it places one pod (kube-scheduler's
// Snapshot): every node, the pods bound to each, and the labels of each namespace (for the
// namespaceSelector of pod affinity terms). Plugins that look beyond one node (inter-pod
// affinity, topology spread) read it; the rest only need the node and its pods.

import type { Node, Pod } from '../api/types.js';
import { matchesLabels, requirementsFromLabelSelector } from '../api/selectors.js';
import type { LabelSelector } from '../api/types.js';

/** Pods on each node, by node name (all of them; plugins skip terminated ones). */
export type PodsOnNodes = Map<string, Pod[]>;

export interface ClusterSnapshot {
  nodes: Node[];
  podsOnNodes: PodsOnNodes;
  /** Labels of each namespace by name; a namespace absent here has none. */
  namespaceLabels?: Map<string, Record<string, string>>;
}

export const isTerminated = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
export const activePods = (pods: Pod[]): Pod[] => pods.filter((p) => !isTerminated(p));

/** A LabelSelector as Kubernetes reads it in affinity and spread constraints: null matches nothing, {} everything. */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  if (selector === null || selector === undefined) return false;
  return matchesLabels(requirementsFromLabelSelector(selector), labels ?? {});
}

/** `selector` narrowed by `matchLabelKeys` (key In the pod's value) and `mismatchLabelKeys` (NotIn), for keys the pod has. */
export function withLabelKeys(selector: LabelSelector | null | undefined, podLabels: Record<string, string> | undefined, matchKeys: string[] = [], mismatchKeys: string[] = []): LabelSelector | null | undefined {
  if (selector === null || selector === undefined) return selector;
  const labels = podLabels ?? {};
  const extra = [
    ...matchKeys.filter((k) => k in labels).map((key) => ({ key, operator: 'In' as const, values: [labels[key]] })),
    ...mismatchKeys.filter((k) => k in labels).map((key) => ({ key, operator: 'NotIn' as const, values: [labels[key]] })),
  ];
  return extra.length === 0 ? selector : { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
}

/** Every active pod bound to a node, with its node. */
export function* boundPods(snapshot: ClusterSnapshot): Generator<{ pod: Pod; node: Node }> {
  for (const node of snapshot.nodes) {
    for (const pod of activePods(snapshot.podsOnNodes.get(node.metadata.name!) ?? [])) yield { pod, node };
  }
}
