// What every ObjectStore backend does to an object the same way, whatever it keeps objects in
// (nedb's datafile, etcd's keys): the object's key, the identity it is stamped with when it is
// created, and the identity an update may not change. kube-apiserver keeps the same rules in its
// generic registry (k8s.io/apiserver/pkg/registry/generic/registry/store.go), above the storage
// backend, so that etcd and the watch cache never disagree about them.

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../lib/api/types.js';
import { conflict } from '../../lib/errors.js';
import { rfc3339 } from '../../lib/time.js';
import type { StorageTransformer } from './storage-transformer.js';

export const copy = <T>(value: T): T => structuredClone(value);

/** No encryption: the JSON as it is. */
export const IDENTITY_TRANSFORMER: StorageTransformer = { toStorage: (_r, _k, json) => json, fromStorage: (_r, _k, json) => ({ json, stale: false }) };

/** Generation counts changes of what the user asked for: everything except metadata and status. */
export function desiredStateChanged(before: KubeObject, after: KubeObject): boolean {
  const { metadata: _m1, status: _s1, ...restBefore } = before;
  const { metadata: _m2, status: _s2, ...restAfter } = after;
  return !isDeepStrictEqual(restBefore, restAfter);
}

/** The key of an object within its resource: `namespace/name`, or `name` for cluster-scoped kinds. */
export const objectPath = (namespace: string | undefined, name: string): string => (namespace ? `${namespace}/${name}` : name);

/**
 * The storage key of an object, `secrets/default/db` (nedb's datafile _id since the first
 * kubelab store). Encryption at rest binds a Secret's ciphertext to it, on either backend.
 */
export function keyOf(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}

/** A new object as the store keeps it: uid, creationTimestamp and generation 1 stamped. */
export function stampCreated(obj: KubeObject, now: Date, resourceVersion: string): KubeObject {
  const created = copy(obj);
  created.metadata = {
    ...created.metadata,
    // The registry strips any uid a client sends; one it set itself (a Job's, which its selector names) is kept.
    uid: created.metadata.uid ?? randomUUID(),
    creationTimestamp: rfc3339(now),
    generation: 1,
    resourceVersion,
  };
  return created;
}

/** The replacement of `current`: identity kept whatever the caller sent, generation bumped when the spec changed. */
export function stampUpdated(current: KubeObject, obj: KubeObject, resourceVersion: string): KubeObject {
  const updated = copy(obj);
  updated.metadata = {
    ...updated.metadata,
    uid: current.metadata.uid,
    creationTimestamp: current.metadata.creationTimestamp,
    generation: (current.metadata.generation ?? 1) + (desiredStateChanged(current, updated) ? 1 : 0),
    resourceVersion,
  };
  return updated;
}

/** A delete's preconditions (DeleteOptions.preconditions) against the current object: Conflict when one does not hold. */
export function checkDeletePreconditions(resource: string, current: KubeObject, preconditions: { uid?: string; resourceVersion?: string }): void {
  const name = current.metadata.name!;
  if (preconditions.uid && preconditions.uid !== current.metadata.uid) {
    throw conflict(resource, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (preconditions.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      resource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  }
}
