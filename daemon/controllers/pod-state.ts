// What a controller reads off a pod: is it still running (active), is it ready, has it been ready
// long enough to count as available? Kubernetes' pkg/api/v1/pod helpers and
// controller.FilterActivePods, shared by the ReplicaSet and Deployment controllers.

import type { Pod } from '../../lib/api/types.js';

/** Neither finished nor being deleted: a pod that still counts towards `replicas`. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The pod's Ready condition, if the kubelet has reported one. */
export function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * Ready for at least minReadySeconds, counted from the Ready condition's lastTransitionTime:
 * a pod that passes its readiness probe once and then crashes should not count as available.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readyCondition(pod)?.lastTransitionTime;
  if (!since) return false;
  return Date.parse(since) + minReadySeconds * 1000 <= now.getTime();
}

/** The largest restart count of the pod's containers. */
export function maxContainerRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}
