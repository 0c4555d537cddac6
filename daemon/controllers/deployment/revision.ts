// Revisions: the numbers `kubelab rollout history` lists, kept as annotations on ReplicaSets
// (Kubernetes' deployment/util annotation helpers).
//
// Every ReplicaSet a Deployment owns carries `deployment.kubernetes.io/revision`. The ReplicaSet
// of the current template always has the highest number: when the template changes, the new (or
// re-used) ReplicaSet gets max(old revisions) + 1. Re-using is what `rollout undo` does: the old
// ReplicaSet of revision 1 becomes revision 3, and its former number goes into
// `deployment.kubernetes.io/revision-history`, so history shows 2, 3 and no longer 1.
//
// The ReplicaSet also receives the Deployment's own annotations (that is how
// `kubernetes.io/change-cause` reaches `rollout history`), except those that describe the
// Deployment object itself (the skip list), and two numbers the proportional scaler needs later:
// the Deployment's desired replicas and its maximum (replicas + maxSurge) at the time.
//
// These functions change the copy they are given and say whether anything changed.

import type { KubeObject, ReplicaSet } from '../../../lib/api/types.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';

/** Kubernetes keeps the revision-history annotation under 2000 characters. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const ANNOTATIONS_NOT_COPIED = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

/** The revision of a ReplicaSet; 0 when it has none (or an unreadable one). */
export function revisionOf(obj: KubeObject | undefined): number {
  const value = Number.parseInt(obj?.metadata.annotations?.[REVISION_ANNOTATION] ?? '', 10);
  return Number.isFinite(value) ? value : 0;
}

export function maxRevision(replicaSets: ReplicaSet[]): number {
  return replicaSets.reduce((max, replicaSet) => Math.max(max, revisionOf(replicaSet)), 0);
}

/** Copies the Deployment's annotations onto the ReplicaSet, except the skip list. */
export function copyDeploymentAnnotations(deployment: KubeObject, replicaSet: ReplicaSet): boolean {
  const annotations = (replicaSet.metadata.annotations ??= {});
  let changed = false;
  for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {})) {
    if (ANNOTATIONS_NOT_COPIED.has(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(replicaSet: ReplicaSet, desiredReplicas: number, maxReplicas: number): boolean {
  const annotations = replicaSet.metadata.annotations ?? {};
  return annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desiredReplicas) || annotations[MAX_REPLICAS_ANNOTATION] !== String(maxReplicas);
}

export function setReplicasAnnotations(replicaSet: ReplicaSet, desiredReplicas: number, maxReplicas: number): boolean {
  if (!replicasAnnotationsNeedUpdate(replicaSet, desiredReplicas, maxReplicas)) return false;
  const annotations = (replicaSet.metadata.annotations ??= {});
  annotations[DESIRED_REPLICAS_ANNOTATION] = String(desiredReplicas);
  annotations[MAX_REPLICAS_ANNOTATION] = String(maxReplicas);
  return true;
}

/**
 * Kubernetes' SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision
 * to `newRevision` (never lower it), remember a replaced revision in revision-history, and, for a
 * ReplicaSet about to be created (`exists` false), set the replicas annotations.
 */
export function setNewReplicaSetAnnotations(
  deployment: KubeObject,
  replicaSet: ReplicaSet,
  newRevision: number,
  exists: boolean,
  replicas: { desired: number; max: number },
): boolean {
  let changed = copyDeploymentAnnotations(deployment, replicaSet);
  const annotations = (replicaSet.metadata.annotations ??= {});
  const hadRevision = annotations[REVISION_ANNOTATION] !== undefined;
  const oldRevision = revisionOf(replicaSet);
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    // A ReplicaSet that had a revision and gets a higher one is being rolled back to.
    if (hadRevision) appendRevisionHistory(annotations, String(oldRevision));
  }
  if (!exists && setReplicasAnnotations(replicaSet, replicas.desired, replicas.max)) changed = true;
  return changed;
}

/** Appends to the comma-separated history, dropping the oldest entries beyond the length limit. */
function appendRevisionHistory(annotations: Record<string, string>, oldRevision: string): void {
  const history = annotations[REVISION_HISTORY_ANNOTATION];
  if (!history) {
    annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    return;
  }
  const entries = [...history.split(','), oldRevision];
  while (entries.join(',').length > MAX_REVISION_HISTORY_CHARS && entries.length > 1) entries.shift();
  annotations[REVISION_HISTORY_ANNOTATION] = entries.join(',');
}
