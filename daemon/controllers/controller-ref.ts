// ControllerRef: the ownerReference with `controller: true`, which says which controller manages
// an object (Kubernetes' ControllerRefManager in pkg/controller/controller_ref_manager.go).
//
// Labels say which controller *could* manage a pod; the ControllerRef says which one *does*. Two
// ReplicaSets with overlapping selectors therefore never fight over a pod: the first to adopt it
// owns it. The rules, as Kubernetes applies them:
// - a matching object with no controller is adopted (unless either side is being deleted);
// - an owned object whose labels no longer match is released (its ControllerRef removed), so a
//   user can take a pod out of service by relabelling it and its controller makes a replacement;
// - an object controlled by someone else is left alone, whatever its labels.

import type { KubeObject, OwnerReference } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { isNotFound } from '../../lib/errors.js';

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** The ownerReference a controller puts on what it creates or adopts. */
export function controllerRefTo(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export interface ClaimPlan<T extends KubeObject> {
  /** Ours and matching: what the controller counts. */
  owned: T[];
  /** Matching orphans to take over; counted once adopted. */
  adopt: T[];
  /** Ours but no longer matching: to let go. */
  release: T[];
}

/** Sorts candidates into owned, to adopt and to release; pure. */
export function planClaims<T extends KubeObject>(owner: KubeObject, candidates: T[], matches: (obj: T) => boolean): ClaimPlan<T> {
  const plan: ClaimPlan<T> = { owned: [], adopt: [], release: [] };
  const ownerDeleting = Boolean(owner.metadata.deletionTimestamp);
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(obj)) plan.owned.push(obj);
      else if (!ownerDeleting) plan.release.push(obj);
      continue;
    }
    if (ownerDeleting || obj.metadata.deletionTimestamp || !matches(obj)) continue;
    plan.adopt.push(obj);
  }
  return plan;
}

/**
 * Performs a claim plan through the API and returns the objects now owned. Adopting and
 * releasing are read-modify-writes with the listed resourceVersion: if the object changed
 * meanwhile the write fails with a Conflict and the whole reconcile runs again on fresh data.
 * An object that disappeared meanwhile is simply skipped.
 */
export async function performClaims<T extends KubeObject>(
  client: ApiClient,
  resource: string,
  plan: ClaimPlan<T>,
  controllerRef: OwnerReference,
): Promise<T[]> {
  const owned = [...plan.owned];
  for (const obj of plan.adopt) {
    const adopted = await updateIgnoringNotFound(client, resource, {
      ...obj,
      metadata: { ...obj.metadata, ownerReferences: [...(obj.metadata.ownerReferences ?? []), controllerRef] },
    });
    if (adopted) owned.push(adopted);
  }
  for (const obj of plan.release) {
    await updateIgnoringNotFound(client, resource, {
      ...obj,
      metadata: { ...obj.metadata, ownerReferences: (obj.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== controllerRef.uid) },
    });
  }
  return owned;
}

async function updateIgnoringNotFound<T extends KubeObject>(client: ApiClient, resource: string, obj: T): Promise<T | undefined> {
  try {
    return await client.update<T>(resource, obj);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
