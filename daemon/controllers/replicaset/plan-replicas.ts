// The ReplicaSet controller's decisions, as pure functions (Kubernetes' manageReplicas,
// getPodsToDelete, slowStartBatch and calculateStatus in pkg/controller/replicaset).
//
// The whole idea of a ReplicaSet is one subtraction: `diff = active pods - replicas`. Negative:
// create that many pods; positive: delete that many, choosing the ones whose loss hurts least.
// Everything else here is care around that subtraction:
// - a burst limit, so one pass never creates or deletes more than 500 pods;
// - slow start: creations go out in batches of 1, 2, 4, 8 ... and stop at the first failure, so
//   a template that can never work (quota, bad admission) fails once, not 500 times;
// - a deletion ranking that removes pods that are not doing useful work first.

import type { Pod, ReplicaSetStatus } from '../../../lib/api/types.js';
import { rfc3339 } from '../../../lib/time.js';
import { isPodAvailable, isPodReady, maxContainerRestarts } from '../pod-state.js';

/** Kubernetes' --replicaset-controller burst: the most pods one pass creates or deletes. */
export const BURST_REPLICAS = 500;

/** The annotation users set to say which pods to delete first (lower cost goes first). */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

export type ReplicasPlan =
  | { action: 'none' }
  | { action: 'create'; count: number }
  | { action: 'delete'; pods: Pod[] };

/**
 * `activePods` are the pods this controller owns that still count (see isPodActive); the result
 * creates or deletes at most `burstReplicas` of them.
 */
export function planReplicas(replicas: number, activePods: Pod[], burstReplicas = BURST_REPLICAS): ReplicasPlan {
  const diff = activePods.length - replicas;
  if (diff < 0) return { action: 'create', count: Math.min(-diff, burstReplicas) };
  if (diff > 0) return { action: 'delete', pods: rankPodsForDeletion(activePods).slice(0, Math.min(diff, burstReplicas)) };
  return { action: 'none' };
}

/** Sizes of the creation batches: 1, 2, 4 ... until `count` is reached (slowStartBatch). */
export function slowStartBatches(count: number, initialBatchSize = 1): number[] {
  const batches: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initialBatchSize);
  while (size > 0) {
    batches.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return batches;
}

// ---------------------------------------------------------------------------------------------
// Which pods to delete first (controller.ActivePodsWithRanks)

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Pods in the order they should be deleted:
 * 1. not yet on a node before on a node (nothing is running there yet);
 * 2. Pending before Unknown before Running;
 * 3. not ready before ready;
 * 4. lower pod-deletion-cost annotation first;
 * 5. pods sharing a node with more of their siblings first (spreads what remains);
 * 6. ready for less time first;
 * 7. more container restarts first;
 * 8. newer first (the oldest pods have proved themselves longest).
 * Kubernetes buckets 6 and 8 logarithmically (LogarithmicScaleDown) and breaks ties randomly;
 * kubelab compares exact times, so the choice is deterministic and testable.
 */
export function rankPodsForDeletion(pods: Pod[]): Pod[] {
  const onNode = new Map<string, number>();
  for (const pod of pods) {
    const node = pod.spec.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const rank = (pod: Pod) => onNode.get(pod.spec.nodeName ?? '') ?? 0;
  return [...pods].sort((a, b) => deletionOrder(a, b, rank));
}

function deletionOrder(a: Pod, b: Pod, rank: (pod: Pod) => number): number {
  const nodeA = a.spec.nodeName ?? '';
  const nodeB = b.spec.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;

  const phaseA = PHASE_ORDER[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_ORDER[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;

  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;

  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;

  if (rank(a) !== rank(b)) return rank(b) - rank(a);

  if (readyA && readyB) {
    const byReadyTime = newerFirst(readySince(a), readySince(b));
    if (byReadyTime !== 0) return byReadyTime;
  }

  const restartsA = maxContainerRestarts(a);
  const restartsB = maxContainerRestarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;

  return newerFirst(a.metadata.creationTimestamp ?? undefined, b.metadata.creationTimestamp ?? undefined);
}

function deletionCost(pod: Pod): number {
  const value = Number(pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

function readySince(pod: Pod): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
}

/** A missing time sorts first, then the later time (afterOrZero). */
function newerFirst(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (!a) return -1;
  if (!b) return 1;
  return Date.parse(b) - Date.parse(a);
}

// ---------------------------------------------------------------------------------------------
// Status

export interface ReplicaSetStatusInput {
  /** The active pods the controller owns (after adoption and release). */
  activePods: Pod[];
  /** The template's labels: a pod carrying all of them is "fully labeled". */
  templateLabels: Record<string, string>;
  minReadySeconds: number;
  now: Date;
  generation: number;
  previous: ReplicaSetStatus | undefined;
  /** Set when creating or deleting pods failed in this pass: becomes the ReplicaFailure condition. */
  failure?: { reason: 'FailedCreate' | 'FailedDelete'; message: string };
}

export function calculateReplicaSetStatus(input: ReplicaSetStatusInput): ReplicaSetStatus {
  const { activePods, templateLabels, minReadySeconds, now } = input;
  const fullyLabeled = activePods.filter((pod) =>
    Object.entries(templateLabels).every(([key, value]) => pod.metadata.labels?.[key] === value),
  );
  const ready = activePods.filter(isPodReady);
  const available = ready.filter((pod) => isPodAvailable(pod, minReadySeconds, now));

  const status: ReplicaSetStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled.length,
    readyReplicas: ready.length,
    availableReplicas: available.length,
    observedGeneration: input.generation,
  };

  // ReplicaFailure is set once when a pass fails and removed by the first pass that does not;
  // a condition that is already there keeps its first message and transition time.
  const others = (input.previous?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const existingFailure = input.previous?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const conditions = [...others];
  if (input.failure) {
    conditions.push(
      existingFailure ?? {
        type: 'ReplicaFailure',
        status: 'True',
        reason: input.failure.reason,
        message: input.failure.message,
        lastTransitionTime: rfc3339(now),
      },
    );
  }
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** Status fields compared the way the controller decides whether to write (key order ignored). */
export function replicaSetStatusEqual(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus | undefined): boolean {
  const norm = (s: ReplicaSetStatus | undefined) =>
    JSON.stringify({
      replicas: s?.replicas ?? 0,
      fullyLabeledReplicas: s?.fullyLabeledReplicas ?? 0,
      readyReplicas: s?.readyReplicas ?? 0,
      availableReplicas: s?.availableReplicas ?? 0,
      observedGeneration: s?.observedGeneration ?? 0,
      conditions: (s?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime]),
    });
  return norm(a) === norm(b);
}
