// Finalizers and the Orphan propagation policy: how DELETE waits for someone else's clean-up
// (Kubernetes' generic registry BeforeDelete / deletion with finalizers).
//
// An object with finalizers is not removed by DELETE: it gets a deletionTimestamp and stays
// until every finalizer is gone. Each finalizer is a promise by some controller to do a job first
// and then remove its name. `propagationPolicy: Orphan` (`kubectl delete --cascade=orphan`) is one
// such job: the API server adds the `orphan` finalizer, the garbage collector removes the object's
// ownerReferences from its dependents and then the finalizer. `propagationPolicy: Foreground`
// (`--cascade=foreground`) is the other: the `foregroundDeletion` finalizer keeps the owner, seen
// deleting, until the garbage collector has deleted every dependent that blocks it
// (blockOwnerDeletion). When an update leaves a deleting object with no finalizers, the registry
// removes it.
//
// Pods keep their own delete conversation with the kubelet (pod-strategy.ts) and namespaces empty
// themselves (namespace-finalizer.ts), so both are left to their strategies.

import type { KubeObject } from '../../../lib/api/types.js';
import type { DeleteOptions } from '../../../lib/client/api-client.js';
import { rfc3339 } from '../../../lib/time.js';
import type { DeletePlan, Strategy } from './strategy.js';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

const OWN_DELETE_RULES = new Set(['pods', 'namespaces']);

/** The strategy of `resource`, with DELETE honouring finalizers and the Orphan policy. */
export function withFinalizers(resource: string, strategy: Strategy): Strategy {
  if (OWN_DELETE_RULES.has(resource)) return strategy;
  return { ...strategy, planDelete: (current, options, now) => planFinalizingDelete(current, options, now) ?? strategy.planDelete(current, options, now) };
}

/** A 'mark' plan when the object must wait for finalizers; undefined when it may go now. */
export function planFinalizingDelete(current: KubeObject, options: DeleteOptions, now: Date): DeletePlan | undefined {
  const finalizers = [...(current.metadata.finalizers ?? [])];
  if (options.propagationPolicy === 'Orphan' && !finalizers.includes(ORPHAN_FINALIZER)) finalizers.push(ORPHAN_FINALIZER);
  if (options.propagationPolicy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER)) finalizers.push(FOREGROUND_FINALIZER);
  if (finalizers.length === 0) return undefined;
  return {
    action: 'mark',
    object: {
      ...current,
      metadata: {
        ...current.metadata,
        finalizers,
        deletionTimestamp: current.metadata.deletionTimestamp ?? rfc3339(now),
        deletionGracePeriodSeconds: 0,
      },
    },
  };
}

/** True when this write removed the last finalizer of an object that is being deleted. */
export function finishesDeletion(resource: string, previous: KubeObject, next: KubeObject): boolean {
  // A pod waits for its kubelet too: only one whose delete was marked with grace 0 (nothing left to stop) goes now.
  if (resource === 'pods' && next.metadata.deletionGracePeriodSeconds !== 0) return false;
  if (OWN_DELETE_RULES.has(resource) && resource !== 'pods') return false;
  return (
    Boolean(next.metadata.deletionTimestamp) &&
    (previous.metadata.finalizers?.length ?? 0) > 0 &&
    (next.metadata.finalizers?.length ?? 0) === 0
  );
}
