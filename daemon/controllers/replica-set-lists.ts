// Questions a Deployment asks of the ReplicaSets it owns (Kubernetes' deployment/util and
// controller.ReplicaSetsBy* sort orders): which one runs the current template, which are old,
// how many pods they hold between them, and in which order to scale them.

import type { Deployment, ReplicaSet } from '../../lib/api/types.js';
import { templatesEqual } from '../../lib/api/pod-template-hash.js';
import { DESIRED_REPLICAS_ANNOTATION } from './revision.js';

export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec.replicas ?? 0;
export const statusReplicas = (rs: ReplicaSet | undefined): number => rs?.status?.replicas ?? 0;

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
  return [...replicaSets].sort(byCreation).find((rs) => templatesEqual(rs.spec.template, deployment.spec.template));
}

/** Every owned ReplicaSet except the new one, whatever its size. */
export function findOldReplicaSets(deployment: Deployment, replicaSets: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(deployment, replicaSets);
  return replicaSets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** ReplicaSets that should have pods (spec.replicas > 0). */
export function activeReplicaSets(replicaSets: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return replicaSets.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

/** Sum of spec.replicas: the pods the ReplicaSets are asked for. */
export function replicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, rs) => sum + specReplicas(rs), 0);
}

/** Sum of status.replicas: the pods the ReplicaSets actually have. */
export function actualReplicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, rs) => sum + statusReplicas(rs), 0);
}

export function readyReplicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, rs) => sum + (rs?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicaCount(replicaSets: (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((sum, rs) => sum + (rs?.status?.availableReplicas ?? 0), 0);
}

/**
 * The one ReplicaSet to scale when only one has pods; the newest when none has; undefined when
 * several have pods (a rollout is in flight). Kubernetes' FindActiveOrLatest.
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet holds every replica the Deployment wants, all available (IsSaturated). */
export function isSaturated(deployment: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number.parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] ?? '', 10);
  const replicas = deployment.spec.replicas ?? 1;
  return specReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}
