// The Recreate strategy (Kubernetes' deployment/recreate.go): all old pods go before any new pod
// starts. Use it when two versions must never run side by side (a schema migration, a single
// writer).
//
// Read it as the steps a person would take:
// 1. Scale every old ReplicaSet down to zero.
// 2. Wait until no old pod is running any more (terminating pods still count: they may still
//    be writing).
// 3. Only then create the new ReplicaSet if it does not exist yet, and scale it up to replicas.
// 4. When the rollout is complete, prune old history.
// Every step ends by reporting status; the next pod or ReplicaSet event wakes the next step.

import type { Pod, ReplicaSet } from '../../../lib/api/types.js';
import { deploymentComplete } from './progress.js';
import { activeReplicaSets, actualReplicaCount } from './replica-set-lists.js';
import { desiredReplicas } from './rolling-plan.js';
import type { DeploymentSync } from './deployment-sync.js';

export async function rolloutRecreate(sync: DeploymentSync, replicaSetList: ReplicaSet[]): Promise<void> {
  // Do not create the new ReplicaSet yet: scaling up must wait for scaling down.
  let { newReplicaSet, oldReplicaSets } = await sync.replicaSetsWithRevision(replicaSetList, false);

  if (await scaleDownOldReplicaSets(sync, activeReplicaSets(oldReplicaSets))) return sync.syncRolloutStatus();

  const pods = await sync.podsByReplicaSet(replicaSetList);
  if (oldPodsRunning(newReplicaSet, oldReplicaSets, pods)) return sync.syncRolloutStatus();

  if (!newReplicaSet) ({ newReplicaSet, oldReplicaSets } = await sync.replicaSetsWithRevision(replicaSetList, true));
  await sync.scaleReplicaSet(newReplicaSet!, desiredReplicas(sync.deployment));

  if (deploymentComplete(sync.deployment, sync.deployment.status ?? {})) await sync.cleanupHistory(oldReplicaSets);
  return sync.syncRolloutStatus();
}

async function scaleDownOldReplicaSets(sync: DeploymentSync, activeOldRSs: ReplicaSet[]): Promise<boolean> {
  let scaled = false;
  for (const replicaSet of activeOldRSs) {
    if ((await sync.scaleReplicaSet(replicaSet, 0)).scaled) scaled = true;
  }
  return scaled;
}

/** Any pod of an old ReplicaSet that has not finished, including ones still terminating. */
function oldPodsRunning(newReplicaSet: ReplicaSet | undefined, oldReplicaSets: ReplicaSet[], podsByRS: Map<string, Pod[]>): boolean {
  if (actualReplicaCount(oldReplicaSets) > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newReplicaSet && uid === newReplicaSet.metadata.uid) continue;
    if (pods.some((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')) return true;
  }
  return false;
}
