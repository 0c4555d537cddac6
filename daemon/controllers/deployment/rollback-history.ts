// How much history a Deployment keeps (Kubernetes' cleanupDeployment).
//
// Old ReplicaSets scaled to 0 are kept on purpose: they are what `kubelab rollout undo` rolls back
// to and what `rollout history` lists. spec.revisionHistoryLimit (default 10) bounds how many; the
// ones with the lowest revisions go first. A ReplicaSet is only deleted when it is really idle:
// no replicas asked for, none left, its controller has seen its latest spec, and it is not already
// being deleted.

import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';
import { byCreation, specReplicas } from './replica-set-lists.js';
import { revisionOf } from './revision.js';

export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** The old ReplicaSets to delete now, lowest revision first. */
export function planHistoryCleanup(deployment: Deployment, oldReplicaSets: ReplicaSet[]): ReplicaSet[] {
  const limit = deployment.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  const alive = oldReplicaSets.filter((replicaSet) => !replicaSet.metadata.deletionTimestamp);
  const excess = alive.length - limit;
  if (excess <= 0) return [];
  const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  return byRevision.slice(0, excess).filter(isIdle);
}

function isIdle(replicaSet: ReplicaSet): boolean {
  return (
    specReplicas(replicaSet) === 0 &&
    (replicaSet.status?.replicas ?? 0) === 0 &&
    (replicaSet.metadata.generation ?? 0) <= (replicaSet.status?.observedGeneration ?? 0)
  );
}
