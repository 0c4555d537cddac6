// A Deployment's status and conditions, as pure functions (Kubernetes' deployment/sync.go
// calculateStatus, progress.go syncRolloutStatus and deployment/util conditions).
//
// The numbers are sums over the owned ReplicaSets. The conditions tell a story `kubelab rollout
// status` and `describe` read:
// - Available: True (MinimumReplicasAvailable) while at least replicas - maxUnavailable pods are
//   available, else False (MinimumReplicasUnavailable).
// - Progressing: True NewReplicaSetCreated / FoundNewReplicaSet when a rollout starts,
//   ReplicaSetUpdated each time it makes progress (lastUpdateTime moves), NewReplicaSetAvailable
//   when it completes; False ProgressDeadlineExceeded when no progress was seen for
//   progressDeadlineSeconds; Unknown DeploymentPaused / DeploymentResumed around a pause (so
//   time spent paused never counts as lack of progress).
// A condition whose status and reason do not change is left alone (its times do not move), so a
// resync that finds nothing new writes nothing.

import type { Deployment, DeploymentCondition, ReplicaSet } from '../../../lib/api/types.js';
import { rfc3339 } from '../../../lib/time.js';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, replicaCount } from './replica-set-lists.js';
import { desiredReplicas, maxUnavailable } from './rolling-plan.js';

export type DeploymentStatus = NonNullable<Deployment['status']> & { collisionCount?: number };

export const REASON = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedReplicaSetCreate: 'ReplicaSetCreateError',
} as const;

/** A progress deadline is set (Kubernetes treats MaxInt32 as "never"). */
export function hasProgressDeadline(deployment: Deployment): boolean {
  const seconds = deployment.spec.progressDeadlineSeconds;
  return seconds !== undefined && seconds !== null && seconds !== 2147483647;
}

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: Date): DeploymentCondition {
  const time = rfc3339(now);
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets the condition unless one with the same status and reason is there already; keeps the
 * transition time when only the reason changes (SetDeploymentCondition).
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** The numbers and the Available condition (calculateStatus). */
export function calculateStatus(deployment: Deployment, allRSs: ReplicaSet[], newReplicaSet: ReplicaSet | undefined, now: Date): DeploymentStatus {
  const previous = (deployment.status ?? {}) as DeploymentStatus;
  const available = availableReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: deployment.metadata.generation ?? 0,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newReplicaSet]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    // More available than asked for happens while scaling down: that is not "minus unavailable".
    unavailableReplicas: Math.max(0, replicaCount(allRSs) - available),
  };
  if (previous.collisionCount !== undefined) status.collisionCount = previous.collisionCount;
  if (previous.conditions) status.conditions = previous.conditions.map((c) => ({ ...c }));

  if (available >= desiredReplicas(deployment) - maxUnavailable(deployment)) {
    setCondition(status, newCondition('Available', 'True', REASON.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every replica updated, present and available, and the newest spec observed. */
export function deploymentComplete(deployment: Deployment, status: DeploymentStatus): boolean {
  const replicas = desiredReplicas(deployment);
  return (
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0)
  );
}

/** Something moved since the last status: more updated, fewer old, more ready or available. */
export function deploymentProgressing(deployment: Deployment, status: DeploymentStatus): boolean {
  const old = deployment.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress for progressDeadlineSeconds since the Progressing condition last moved. */
export function deploymentTimedOut(deployment: Deployment, status: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(deployment)) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition) return false;
  if (condition.reason === REASON.newReplicaSetAvailable) return false;
  if (condition.reason === REASON.timedOut) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return false;
  return from + (deployment.spec.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}

export interface RolloutStatusPlan {
  status: DeploymentStatus;
  /** When to look again to notice a missed deadline (requeueStuckDeployment); undefined: no need. */
  recheckAfterMs?: number;
}

/** The status after a rollout step, with the Progressing condition (syncRolloutStatus). */
export function planRolloutStatus(deployment: Deployment, allRSs: ReplicaSet[], newReplicaSet: ReplicaSet | undefined, now: Date): RolloutStatusPlan {
  const status = calculateStatus(deployment, allRSs, newReplicaSet, now);
  if (!hasProgressDeadline(deployment)) removeCondition(status, 'Progressing');

  const current = getCondition(deployment.status, 'Progressing');
  const alreadyComplete = status.replicas === status.updatedReplicas && current?.reason === REASON.newReplicaSetAvailable;
  if (hasProgressDeadline(deployment) && !alreadyComplete) {
    if (deploymentComplete(deployment, status)) {
      const message = newReplicaSet ? `ReplicaSet "${newReplicaSet.metadata.name}" has successfully progressed.` : `Deployment "${deployment.metadata.name}" has successfully progressed.`;
      setCondition(status, newCondition('Progressing', 'True', REASON.newReplicaSetAvailable, message, now));
    } else if (deploymentProgressing(deployment, status)) {
      const message = newReplicaSet ? `ReplicaSet "${newReplicaSet.metadata.name}" is progressing.` : `Deployment "${deployment.metadata.name}" is progressing.`;
      const condition = newCondition('Progressing', 'True', REASON.replicaSetUpdated, message, now);
      // Progress moves lastUpdateTime even when the reason stays ReplicaSetUpdated.
      if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, 'Progressing');
      setCondition(status, condition);
    } else if (deploymentTimedOut(deployment, status, now)) {
      const message = newReplicaSet ? `ReplicaSet "${newReplicaSet.metadata.name}" has timed out progressing.` : `Deployment "${deployment.metadata.name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', REASON.timedOut, message, now));
    }
  }

  const failure = replicaFailure(allRSs, newReplicaSet);
  if (failure) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');

  return { status, recheckAfterMs: recheckAfter(deployment, status, now) };
}

/** A ReplicaSet's ReplicaFailure condition, the new ReplicaSet's first, as a Deployment condition. */
function replicaFailure(allRSs: ReplicaSet[], newReplicaSet: ReplicaSet | undefined): DeploymentCondition | undefined {
  for (const replicaSet of [newReplicaSet, ...allRSs]) {
    const c = replicaSet?.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    if (c) return { type: c.type, status: c.status as DeploymentCondition['status'], reason: c.reason, message: c.message, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime };
  }
  return undefined;
}

/**
 * A rollout that is stuck produces no events, so nothing would wake the controller to declare the
 * deadline exceeded: ask to be woken when the deadline passes (at least 1 s from now).
 */
function recheckAfter(deployment: Deployment, status: DeploymentStatus, now: Date): number | undefined {
  const current = getCondition(status, 'Progressing');
  if (!hasProgressDeadline(deployment) || !current) return undefined;
  if (deploymentComplete(deployment, status) || current.reason === REASON.timedOut) return undefined;
  const deadline = Date.parse(current.lastUpdateTime ?? '') + (deployment.spec.progressDeadlineSeconds ?? 0) * 1000;
  if (!Number.isFinite(deadline)) return undefined;
  const afterMs = deadline - now.getTime();
  return afterMs < 1000 ? 1000 : afterMs + 1000;
}

/**
 * The Progressing condition a pause or resume sets (checkPausedConditions); undefined when
 * nothing changes. A deadline already reported is never overwritten by a pause.
 */
export function planPausedCondition(deployment: Deployment, now: Date): DeploymentStatus | undefined {
  if (!hasProgressDeadline(deployment)) return undefined;
  const current = getCondition(deployment.status, 'Progressing');
  if (current?.reason === REASON.timedOut) return undefined;
  const pausedNoted = current?.reason === REASON.paused;
  const status = structuredClone((deployment.status ?? {}) as DeploymentStatus);
  if (deployment.spec.paused && !pausedNoted) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused', now));
    return status;
  }
  if (!deployment.spec.paused && pausedNoted) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed', now));
    return status;
  }
  return undefined;
}

/** Status compared for "is a write needed" (key order ignored). */
export function deploymentStatusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return stable(a ?? {}) === stable(b ?? {});
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${k}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
