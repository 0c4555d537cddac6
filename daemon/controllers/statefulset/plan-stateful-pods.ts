// What one StatefulSet pass does with its pods: Kubernetes' StatefulSetControl.updateStatefulSet
// (pkg/controller/statefulset/stateful_set_control.go), as a pure planner.
//
// The set's pods split by ordinal into `replicas` (ordinals the set should have) and `condemned`
// (ordinals at or above the end, left by a scale-down). One pass then walks three steps and
// stops at the first one that must wait:
// 1. Replicas, lowest ordinal first. A failed pod is deleted (to be made again with the same
//    name); a missing one is created (its claims first), from the update revision, or from the
//    current revision when its ordinal is below the rolling update's partition.
//    With podManagementPolicy OrderedReady ("monotonic") the walk stops at the first pod that was
//    just created, is terminating, or is not yet Running and Ready (and available for
//    minReadySeconds): web-2 is not made before web-1 is ready. Parallel never waits.
// 2. Condemned pods, highest ordinal first. OrderedReady deletes one at a time, and only while
//    every other pod is healthy; Parallel deletes them all.
// 3. The rolling update (type RollingUpdate only; OnDelete replaces a pod only when the user
//    deletes it): from the highest ordinal down to the partition, the first pod that is not at
//    the update revision is deleted, and step 1 of a later pass makes it again at the new
//    revision. An unhealthy pod on the way stops the update: one pod at a time.

import type { Pod } from '../../../lib/api/types.js';
import { isPodAvailable, isPodReady } from '../pod-state.js';
import { CONTROLLER_REVISION_HASH_LABEL } from './stateful-identity.js';

export interface StatefulPlanInput {
  /** The ordinals the set should have, ascending (wantedOrdinals). */
  ordinals: number[];
  /** The set's pods with their ordinal (other pods are ignored). */
  pods: { ordinal: number; pod: Pod }[];
  podManagementPolicy: 'OrderedReady' | 'Parallel';
  updateStrategy: { type: 'RollingUpdate'; partition: number } | { type: 'OnDelete' };
  currentRevision: string;
  updateRevision: string;
  minReadySeconds: number;
  now: Date;
}

export interface StatefulPlan {
  /** Pods to make, with the revision each is made from. */
  create: { ordinal: number; revision: string }[];
  /** Pods to delete (failed pods to replace, condemned pods, one pod of a rolling update). */
  delete: Pod[];
  /** Why the pass stopped early, for the log and tests; undefined when it ran to the end. */
  waitingFor?: string;
}

const isTerminating = (pod: Pod) => Boolean(pod.metadata.deletionTimestamp);
const isFailed = (pod: Pod) => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
const isRunningAndReady = (pod: Pod) => pod.status?.phase === 'Running' && isPodReady(pod);
export const revisionOf = (pod: Pod): string | undefined => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];

export function planStatefulSet(input: StatefulPlanInput): StatefulPlan {
  const { ordinals, podManagementPolicy, updateStrategy, currentRevision, updateRevision, minReadySeconds, now } = input;
  const monotonic = podManagementPolicy === 'OrderedReady';
  const healthy = (pod: Pod) => !isTerminating(pod) && isRunningAndReady(pod) && isPodAvailable(pod, minReadySeconds, now);
  const byOrdinal = new Map(input.pods.map(({ ordinal, pod }) => [ordinal, pod]));
  const wanted = new Set(ordinals);
  const condemned = input.pods
    .filter(({ ordinal }) => !wanted.has(ordinal))
    .sort((a, b) => b.ordinal - a.ordinal)
    .map(({ pod }) => pod);
  const plan: StatefulPlan = { create: [], delete: [] };
  const revisionFor = (ordinal: number) => (updateStrategy.type === 'RollingUpdate' && ordinal < updateStrategy.partition ? currentRevision : updateRevision);

  // 1. Replicas, lowest ordinal first.
  for (const ordinal of ordinals) {
    const pod = byOrdinal.get(ordinal);
    if (pod && isFailed(pod) && !isTerminating(pod)) {
      plan.delete.push(pod);
      if (monotonic) return { ...plan, waitingFor: `failed pod ${pod.metadata.name} to be replaced` };
      continue;
    }
    if (!pod) {
      plan.create.push({ ordinal, revision: revisionFor(ordinal) });
      if (monotonic) return { ...plan, waitingFor: `ordinal ${ordinal} to be created and become Running and Ready` };
      continue;
    }
    if (isTerminating(pod) && monotonic) return { ...plan, waitingFor: `pod ${pod.metadata.name} to terminate` };
    if (!healthy(pod) && monotonic) return { ...plan, waitingFor: `pod ${pod.metadata.name} to be Running and Ready${minReadySeconds > 0 ? ` for ${minReadySeconds}s` : ''}` };
  }

  // 2. Condemned pods, highest ordinal first.
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return { ...plan, waitingFor: `condemned pod ${pod.metadata.name} to terminate` };
      continue;
    }
    if (monotonic) {
      const unhealthy = [...condemned, ...ordinals.map((o) => byOrdinal.get(o)).filter((p): p is Pod => Boolean(p))].find((p) => p !== pod && !healthy(p));
      if (unhealthy) return { ...plan, waitingFor: `pod ${unhealthy.metadata.name} to be healthy before scaling down` };
    }
    plan.delete.push(pod);
    if (monotonic) return { ...plan, waitingFor: `condemned pod ${pod.metadata.name} to terminate` };
  }

  // 3. Rolling update, highest ordinal first, down to the partition.
  if (updateStrategy.type !== 'RollingUpdate') return plan;
  if (plan.create.length > 0 || plan.delete.length > 0) return { ...plan, waitingFor: 'pods created or deleted in this pass' };
  for (const ordinal of [...ordinals].reverse()) {
    if (ordinal < updateStrategy.partition) break;
    const pod = byOrdinal.get(ordinal);
    if (!pod) continue;
    if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) {
      plan.delete.push(pod);
      return { ...plan, waitingFor: `pod ${pod.metadata.name} to be replaced at revision ${updateRevision}` };
    }
    if (!healthy(pod)) return { ...plan, waitingFor: `updated pod ${pod.metadata.name} to be Running and Ready` };
  }
  return plan;
}

export interface StatefulCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/** The counts of the set's status, as updateStatefulSet counts them over all its pods. */
export function countStatefulPods(pods: Pod[], currentRevision: string, updateRevision: string, minReadySeconds: number, now: Date): StatefulCounts {
  const counts: StatefulCounts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    counts.replicas++;
    if (isRunningAndReady(pod)) counts.readyReplicas++;
    if (isRunningAndReady(pod) && isPodAvailable(pod, minReadySeconds, now)) counts.availableReplicas++;
    if (isTerminating(pod)) continue;
    if (revisionOf(pod) === currentRevision) counts.currentReplicas++;
    if (revisionOf(pod) === updateRevision) counts.updatedReplicas++;
  }
  return counts;
}
