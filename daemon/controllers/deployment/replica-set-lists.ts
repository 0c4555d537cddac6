// Questions a Deployment asks of the ReplicaSets it owns (Kubernetes' deployment/util and
// controller.ReplicaSetsBy* sort orders): which one runs the current template, which are old,
// how many pods they hold between them, and in which order to scale them.

import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';
import { templatesEqual } from '../../../lib/api/pod-template-hash.js';
import { DESIRED_REPLICAS_ANNOTATION } from './revision.js';

export const specReplicas = (replicaSet: ReplicaSet | undefined): number => replicaSet?.spec.replicas ?? 0;
export const statusReplicas = (replicaSet: ReplicaSet | undefined): number => replicaSet?.status?.replicas ?? 0;

/** Oldest first; equal times by name, so the order is total (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Largest first, ties newest first: the order for scaling up (ReplicaSetsBySizeNewer). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Largest first, ties oldest first: the order for scaling down (ReplicaSetsBySizeOlder). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/**
 * The ReplicaSet whose template is the Deployment's. If several are (it can happen after manual
 * edits), the oldest wins, deterministically.
 */
export function findNewReplicaSet(deployment: Deployment, replicaSets: ReplicaSet[]): ReplicaSet | undefined {
  return [...replicaSets].sort(byCreation).find((replicaSet) => templatesEqual(replicaSet.spec.template, deployment.spec.template));
}

/** Every owned ReplicaSet except the new one, whatever its size. */
export function findOldReplicaSets(deployment: Deployment, replicaSets: ReplicaSet[]): ReplicaSet[] {
  const newReplicaSet = findNewReplicaSet(deployment, replicaSets);
  return replicaSets.filter((replicaSet) => replicaSet.metadata.uid !== newReplicaSet?.metadata.uid);
}

/** ReplicaSets that should have pods (spec.replicas > 0). */
export function activeReplicaSets(replicaSets: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return replicaSets.filter((replicaSet): replicaSet is ReplicaSet => replicaSet !== undefined && specReplicas(replicaSet) > 0);
}

/** Sum of spec.replicas: the pods the ReplicaSets are asked for. */
export function replicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, replicaSet) => sum + specReplicas(replicaSet), 0);
}

/** Sum of status.replicas: the pods the ReplicaSets actually have. */
export function actualReplicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, replicaSet) => sum + statusReplicas(replicaSet), 0);
}

export function readyReplicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, replicaSet) => sum + (replicaSet?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, replicaSet) => sum + (replicaSet?.status?.availableReplicas ?? 0), 0);
}

/**
 * The one ReplicaSet to scale when only one has pods; the newest when none has; undefined when
 * several have pods (a rollout is in flight). Kubernetes' FindActiveOrLatest.
 */
export function findActiveOrLatest(newReplicaSet: ReplicaSet | undefined, oldReplicaSets: ReplicaSet[]): ReplicaSet | undefined {
  if (!newReplicaSet && oldReplicaSets.length === 0) return undefined;
  const newestFirst = [...oldReplicaSets].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newReplicaSet]);
  if (active.length === 0) return newReplicaSet ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet holds every replica the Deployment wants, all available (IsSaturated). */
export function isSaturated(deployment: Deployment, replicaSet: ReplicaSet | undefined): boolean {
  if (!replicaSet) return false;
  const desired = Number.parseInt(replicaSet.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] ?? '', 10);
  const replicas = deployment.spec.replicas ?? 1;
  return specReplicas(replicaSet) === replicas && desired === replicas && (replicaSet.status?.availableReplicas ?? 0) === replicas;
}
