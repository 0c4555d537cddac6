// The RollingUpdate strategy (Kubernetes' deployment/rolling.go).
//
// Each pass makes at most one kind of move and then reports status:
// 1. scale the new ReplicaSet up, as far as replicas + maxSurge allows;
// 2. otherwise scale old ReplicaSets down, as far as replicas - maxUnavailable available pods
//    allows (removing old pods that are not available anyway first);
// 3. otherwise the rollout is at rest: prune history once it is complete.
// The pods the moves create or remove change the ReplicaSets' status, which wakes the
// Deployment again for the next move, until the new ReplicaSet has every replica.

import type { ReplicaSet } from '../../lib/api/types.js';
import { deploymentComplete } from './progress.js';
import { activeReplicaSets, replicaCount, specReplicas } from './replica-set-lists.js';
import { desiredReplicas, maxScaledDown, newReplicaSetReplicas, planCleanupUnhealthy, planScaleDownOld } from './rolling-plan.js';
import type { DeploymentSync } from './sync.js';

export async function rolloutRolling(sync: DeploymentSync, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await sync.replicaSetsWithRevision(rsList, true);
  const rs = newRS!;
  const allRSs = [...oldRSs, rs];

  if (await scaleUpNewReplicaSet(sync, allRSs, rs)) return sync.syncRolloutStatus();
  if (await scaleDownOldReplicaSets(sync, allRSs, activeReplicaSets(oldRSs), rs)) return sync.syncRolloutStatus();

  if (deploymentComplete(sync.d, sync.d.status ?? {})) await sync.cleanupHistory(oldRSs);
  return sync.syncRolloutStatus();
}

async function scaleUpNewReplicaSet(sync: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const replicas = desiredReplicas(sync.d);
  if (specReplicas(newRS) === replicas) return false;
  // More than wanted (the Deployment was scaled down): straight to the new size.
  const target = specReplicas(newRS) > replicas ? replicas : newReplicaSetReplicas(sync.d, allRSs, newRS);
  return (await sync.scaleReplicaSet(newRS, target)).scaled;
}

async function scaleDownOldReplicaSets(sync: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const limit = maxScaledDown(sync.d, allRSs, newRS);
  if (limit <= 0) return false;

  // Unavailable old pods first: removing them costs no availability.
  let scaled = 0;
  const current = new Map(oldRSs.map((rs) => [rs.metadata.uid, rs]));
  for (const step of planCleanupUnhealthy(oldRSs, limit)) {
    const result = await sync.scaleReplicaSet(step.rs, step.replicas);
    current.set(step.rs.metadata.uid, result.rs);
    scaled += specReplicas(step.rs) - step.replicas;
  }

  const remainingOld = [...current.values()];
  for (const step of planScaleDownOld(sync.d, [...remainingOld, newRS], remainingOld)) {
    await sync.scaleReplicaSet(step.rs, step.replicas);
    scaled += specReplicas(step.rs) - step.replicas;
  }
  return scaled > 0;
}
