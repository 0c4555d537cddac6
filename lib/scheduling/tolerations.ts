// Taints and tolerations (Kubernetes' Toleration.ToleratesTaint), shared by the TaintToleration
// filter and by topology spread's nodeTaintsPolicy.

import type { Node, Pod, Taint, Toleration } from '../api/types.js';

/** Whether one toleration tolerates one taint. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  // An empty key with Exists tolerates every taint.
  if (toleration.operator === 'Exists') return true;
  return (toleration.key ?? '') === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint of the node the pod does not tolerate. */
export function untoleratedTaint(pod: Pod, node: Node): Taint | undefined {
  const tolerations = pod.spec.tolerations ?? [];
  return (node.spec?.taints ?? []).find((taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerations.some((t) => tolerates(t, taint)));
}
