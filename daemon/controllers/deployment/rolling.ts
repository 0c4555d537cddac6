// The RollingUpdate strategy (Kubernetes' deployment/rolling.go).
//
// Each pass makes at most one kind of move and then reports status:
// 1. scale the new ReplicaSet up, as far as replicas + maxSurge allows;
// 2. otherwise scale old ReplicaSets down, as far as replicas - maxUnavailable available pods
//    allows (removing old pods that are not available anyway first);
// 3. otherwise the rollout is at rest: prune history once it is complete.
// The pods the moves create or remove change the ReplicaSets' status, which wakes the
// Deployment again for the next move, until the new ReplicaSet has every replica.

import type { ReplicaSet } from '../../../lib/api/types.js';
import { deploymentComplete } from './progress.js';
import { activeReplicaSets, replicaCount, specReplicas } from './replica-set-lists.js';
import { desiredReplicas, maxScaledDown, newReplicaSetReplicas, planCleanupUnhealthy, planScaleDownOld } from './rolling-plan.js';
import type { DeploymentSync } from './deployment-sync.js';

export async function rolloutRolling(sync: DeploymentSync, replicaSetList: ReplicaSet[]): Promise<void> {
  const { newReplicaSet, oldReplicaSets } = await sync.replicaSetsWithRevision(replicaSetList, true);
  const replicaSet = newReplicaSet!;
  const allRSs = [...oldReplicaSets, replicaSet];

  if (await scaleUpNewReplicaSet(sync, allRSs, replicaSet)) return sync.syncRolloutStatus();
  if (await scaleDownOldReplicaSets(sync, allRSs, activeReplicaSets(oldReplicaSets), replicaSet)) return sync.syncRolloutStatus();

  if (deploymentComplete(sync.deployment, sync.deployment.status ?? {})) await sync.cleanupHistory(oldReplicaSets);
  return sync.syncRolloutStatus();
}

async function scaleUpNewReplicaSet(sync: DeploymentSync, allRSs: ReplicaSet[], newReplicaSet: ReplicaSet): Promise<boolean> {
  const replicas = desiredReplicas(sync.deployment);
  if (specReplicas(newReplicaSet) === replicas) return false;
  // More than wanted (the Deployment was scaled down): straight to the new size.
  const target = specReplicas(newReplicaSet) > replicas ? replicas : newReplicaSetReplicas(sync.deployment, allRSs, newReplicaSet);
  return (await sync.scaleReplicaSet(newReplicaSet, target)).scaled;
}

async function scaleDownOldReplicaSets(sync: DeploymentSync, allRSs: ReplicaSet[], oldReplicaSets: ReplicaSet[], newReplicaSet: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldReplicaSets) === 0) return false;
  const limit = maxScaledDown(sync.deployment, allRSs, newReplicaSet);
  if (limit <= 0) return false;

  // Unavailable old pods first: removing them costs no availability.
  let scaled = 0;
  const current = new Map(oldReplicaSets.map((replicaSet) => [replicaSet.metadata.uid, replicaSet]));
  for (const step of planCleanupUnhealthy(oldReplicaSets, limit)) {
    const result = await sync.scaleReplicaSet(step.replicaSet, step.replicas);
    current.set(step.replicaSet.metadata.uid, result.replicaSet);
    scaled += specReplicas(step.replicaSet) - step.replicas;
  }

  const remainingOld = [...current.values()];
  for (const step of planScaleDownOld(sync.deployment, [...remainingOld, newReplicaSet], remainingOld)) {
    await sync.scaleReplicaSet(step.replicaSet, step.replicas);
    scaled += specReplicas(step.replicaSet) - step.replicas;
  }
  return scaled > 0;
}
