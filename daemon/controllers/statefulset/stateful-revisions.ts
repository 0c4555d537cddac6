// A StatefulSet's history as ControllerRevisions and what it does with its claims: Kubernetes'
// getStatefulSetRevisions, newRevision and updateClaimOwnerRefForSetAndPod, the pure parts.
//
// Revisions work as a DaemonSet's do (daemonset/revisions.ts, whose helpers this reuses): one
// ControllerRevision per distinct template, `data` the patch that restores it, numbered by
// `revision`. Two differences: a StatefulSet's pods carry the revision's *name*
// (`controller-revision-hash: web-6c9f7d8b5`), and its status names two revisions: the one its
// pods were made from before the update began (currentRevision) and the template's now
// (updateRevision). They are the same once every pod has been updated and is ready.
//
// Claims: a claim made from a volumeClaimTemplate is never deleted with its pod. What happens to
// it when the set is deleted or scaled down is persistentVolumeClaimRetentionPolicy's, and
// Kubernetes says it with owner references, so the garbage collector does the deleting:
// - whenDeleted Delete: the claim is owned by the StatefulSet (gone with it);
// - whenScaled Delete: the claim of an ordinal beyond replicas is owned by its pod, so it goes
//   when the scale-down deletes that pod;
// - Retain: no owner at all; the claim stays until a user deletes it.

import { templatesEqual } from '../../../lib/api/pod-template-hash.js';
import type { ControllerRevision, OwnerReference, StatefulSet } from '../../../lib/api/types.js';
import { controllerRefTo } from '../controller-ref.js';
import { revisionData, revisionTemplate } from '../daemonset/revisions.js';
import { CONTROLLER_REVISION_HASH_LABEL } from './stateful-identity.js';

export { historyToClean, maxRevision, pickCurrent, revisionTemplate } from '../daemonset/revisions.js';

/** Revisions of the set's current template (normally one) and the others. */
export function splitStatefulHistory(set: StatefulSet, revisions: ControllerRevision[]): { current: ControllerRevision[]; old: ControllerRevision[] } {
  const split = { current: [] as ControllerRevision[], old: [] as ControllerRevision[] };
  for (const revision of revisions) {
    if (templatesEqual(revisionTemplate(revision), set.spec.template)) split.current.push(revision);
    else split.old.push(revision);
  }
  return split;
}

/** The revision to create for the set's current template: `<set>-<hash>`. */
export function newStatefulRevision(set: StatefulSet, hash: string, revision: number): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${set.metadata.name}-${hash}`,
      namespace: set.metadata.namespace,
      labels: { ...(set.spec.template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      // kubernetes.io/change-cause travels along: it is what `rollout history` prints.
      ...(set.metadata.annotations ? { annotations: { ...set.metadata.annotations } } : {}),
      ownerReferences: [controllerRefTo(set, 'apps/v1', 'StatefulSet')],
    },
    data: revisionData(set.spec.template),
    revision,
  };
}

export type RetentionPolicy = { whenDeleted: 'Retain' | 'Delete'; whenScaled: 'Retain' | 'Delete' };

/** A plain (non-controller) owner reference, as setOwnerRef writes it. */
export const ownerRefTo = (owner: { metadata: { name?: string; uid?: string } }, apiVersion: string, kind: string): OwnerReference => ({
  apiVersion,
  kind,
  name: owner.metadata.name ?? '',
  uid: owner.metadata.uid ?? '',
});

/**
 * updateClaimOwnerRefForSetAndPod: the owner references a claim should have. `setRef` and
 * `podRef` are references to the set and to the claim's pod (undefined when there is no pod);
 * `scaledDown` says the claim's ordinal is beyond the set's replicas. References to other owners
 * are kept as they are (so is a reference to a pod that no longer exists: the collector is removing it).
 */
export function claimOwnerRefs(current: OwnerReference[], setRef: OwnerReference, podRef: OwnerReference | undefined, policy: RetentionPolicy, scaledDown: boolean): OwnerReference[] {
  let refs = current.filter((ref) => ref.uid !== setRef.uid && (!podRef || ref.uid !== podRef.uid));
  const keep = (ref: OwnerReference) => current.find((r) => r.uid === ref.uid) ?? ref;
  const ownedBySet = policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && scaledDown);
  const ownedByPod = policy.whenScaled === 'Delete' && scaledDown && podRef !== undefined;
  if (ownedBySet) refs = [...refs, keep(setRef)];
  if (ownedByPod) refs = [...refs, keep(podRef)];
  return refs;
}

export const sameRefs = (a: OwnerReference[] | undefined, b: OwnerReference[]): boolean =>
  JSON.stringify((a ?? []).map((ref) => ref.uid).sort()) === JSON.stringify(b.map((ref) => ref.uid).sort());
