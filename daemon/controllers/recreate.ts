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

import type { Pod, ReplicaSet } from '../../lib/api/types.js';
import { deploymentComplete } from './progress.js';
import { activeReplicaSets, actualReplicaCount } from './replica-set-lists.js';
import { desiredReplicas } from './rolling-plan.js';
import type { DeploymentSync } from './sync.js';

export async function rolloutRecreate(sync: DeploymentSync, rsList: ReplicaSet[]): Promise<void> {
  // Do not create the new ReplicaSet yet: scaling up must wait for scaling down.
  let { newRS, oldRSs } = await sync.replicaSetsWithRevision(rsList, false);

  if (await scaleDownOldReplicaSets(sync, activeReplicaSets(oldRSs))) return sync.syncRolloutStatus();

  const pods = await sync.podsByReplicaSet(rsList);
  if (oldPodsRunning(newRS, oldRSs, pods)) return sync.syncRolloutStatus();

  if (!newRS) ({ newRS, oldRSs } = await sync.replicaSetsWithRevision(rsList, true));
  await sync.scaleReplicaSet(newRS!, desiredReplicas(sync.d));

  if (deploymentComplete(sync.d, sync.d.status ?? {})) await sync.cleanupHistory(oldRSs);
  return sync.syncRolloutStatus();
}

async function scaleDownOldReplicaSets(sync: DeploymentSync, activeOldRSs: ReplicaSet[]): Promise<boolean> {
  let scaled = false;
  for (const rs of activeOldRSs) {
    if ((await sync.scaleReplicaSet(rs, 0)).scaled) scaled = true;
  }
  return scaled;
}

/** Any pod of an old ReplicaSet that has not finished, including ones still terminating. */
function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podsByRS: Map<string, Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && uid === newRS.metadata.uid) continue;
    if (pods.some((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')) return true;
  }
  return false;
}
