// The arithmetic of a rolling update, as pure functions (Kubernetes' deployment/util and the
// decisions inside rolling.go).
//
// Two numbers bound every step:
// - maxSurge: how many pods above `replicas` may exist at once (rounded UP from a percentage, so
//   25% of 1 is 1 and a rollout can always start);
// - maxUnavailable: how many of `replicas` may be unavailable at once (rounded DOWN, so 25% of 3
//   is 0 and availability is never lower than asked).
// Both 0 would deadlock (no room to add, no room to remove): validation rejects it, and if
// rounding makes both 0 anyway, maxUnavailable becomes 1 (ResolveFenceposts).
//
// A step of the rollout then is: scale the new ReplicaSet up while the total stays within
// replicas + maxSurge; scale old ReplicaSets down while the available pods stay at least
// replicas - maxUnavailable (and first remove old pods that are not available anyway: losing them
// costs nothing).

import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';
import { byCreation, replicaCount, specReplicas, availableReplicaCount } from './replica-set-lists.js';

export type IntOrPercent = number | string;

/** What the API server's defaulting would fill in when the strategy says nothing. */
export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';

/** intstr.GetScaledValueFromIntOrPercent: an int as is, `N%` of `total` rounded up or down. */
export function scaledValue(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value.trim());
  if (!match) {
    throw new Error(`invalid value "${value}" for maxSurge/maxUnavailable: expected an integer or a percentage such as "25%"`);
  }
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export const isRollingUpdate = (deployment: Deployment): boolean => (deployment.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
export const desiredReplicas = (deployment: Deployment): number => deployment.spec.replicas ?? 1;

/** [maxSurge, maxUnavailable] resolved against `desired`, never both 0. */
export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  // Surge may be impossible (quota); unavailability of one pod always lets the rollout move.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

function fenceposts(deployment: Deployment): [number, number] {
  const rolling = deployment.spec.strategy?.rollingUpdate;
  return resolveFenceposts(rolling?.maxSurge ?? DEFAULT_MAX_SURGE, rolling?.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, desiredReplicas(deployment));
}

/** Pods allowed above `replicas`; 0 for Recreate. */
export function maxSurge(deployment: Deployment): number {
  return isRollingUpdate(deployment) ? fenceposts(deployment)[0] : 0;
}

/** Pods of `replicas` allowed to be unavailable; 0 for Recreate or 0 replicas; never above replicas. */
export function maxUnavailable(deployment: Deployment): number {
  const replicas = desiredReplicas(deployment);
  if (!isRollingUpdate(deployment) || replicas === 0) return 0;
  return Math.min(fenceposts(deployment)[1], replicas);
}

/**
 * The size the new ReplicaSet may grow to now (NewRSNewReplicas): all of `replicas` for
 * Recreate; for RollingUpdate as many as fit under replicas + maxSurge, never above replicas.
 */
export function newReplicaSetReplicas(deployment: Deployment, allRSs: ReplicaSet[], newReplicaSet: ReplicaSet): number {
  const replicas = desiredReplicas(deployment);
  if (!isRollingUpdate(deployment)) return replicas;
  const maxTotalPods = replicas + maxSurge(deployment);
  const currentPods = replicaCount(allRSs);
  if (currentPods >= maxTotalPods) return specReplicas(newReplicaSet);
  const scaleUp = Math.min(maxTotalPods - currentPods, replicas - specReplicas(newReplicaSet));
  return specReplicas(newReplicaSet) + scaleUp;
}

/** One ReplicaSet's new size. */
export interface ScaleStep {
  replicaSet: ReplicaSet;
  replicas: number;
}

/**
 * How many old pods may go now without lowering availability below replicas - maxUnavailable,
 * counting the new ReplicaSet's unavailable pods as already missing (reconcileOldReplicaSets).
 */
export function maxScaledDown(deployment: Deployment, allRSs: ReplicaSet[], newReplicaSet: ReplicaSet): number {
  const minAvailable = desiredReplicas(deployment) - maxUnavailable(deployment);
  const newRSUnavailable = specReplicas(newReplicaSet) - (newReplicaSet.status?.availableReplicas ?? 0);
  return replicaCount(allRSs) - minAvailable - newRSUnavailable;
}

/**
 * Scale old ReplicaSets down by their pods that are not available, oldest first, at most
 * `limit` in total (cleanupUnhealthyReplicas): those pods serve no one, so removing them cannot
 * hurt, and they would otherwise block the rollout.
 */
export function planCleanupUnhealthy(oldReplicaSets: ReplicaSet[], limit: number): ScaleStep[] {
  const steps: ScaleStep[] = [];
  let total = 0;
  for (const replicaSet of [...oldReplicaSets].sort(byCreation)) {
    if (total >= limit) break;
    const unhealthy = specReplicas(replicaSet) - (replicaSet.status?.availableReplicas ?? 0);
    if (specReplicas(replicaSet) === 0 || unhealthy <= 0) continue;
    const count = Math.min(limit - total, unhealthy);
    steps.push({ replicaSet, replicas: specReplicas(replicaSet) - count });
    total += count;
  }
  return steps;
}

/**
 * Scale old ReplicaSets down, oldest first, by as many pods as are available beyond
 * replicas - maxUnavailable (scaleDownOldReplicaSetsForRollingUpdate).
 */
export function planScaleDownOld(deployment: Deployment, allRSs: ReplicaSet[], oldReplicaSets: ReplicaSet[]): ScaleStep[] {
  const minAvailable = desiredReplicas(deployment) - maxUnavailable(deployment);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return [];
  const allowed = available - minAvailable;
  const steps: ScaleStep[] = [];
  let total = 0;
  for (const replicaSet of [...oldReplicaSets].sort(byCreation)) {
    if (total >= allowed) break;
    if (specReplicas(replicaSet) === 0) continue;
    const count = Math.min(specReplicas(replicaSet), allowed - total);
    steps.push({ replicaSet, replicas: specReplicas(replicaSet) - count });
    total += count;
  }
  return steps;
}
