// A Strategy is what makes a resource's REST storage specific to its kind (Kubernetes'
// RESTCreateStrategy / RESTUpdateStrategy / RESTGracefulDeleteStrategy, folded into one object).
//
// The registry runs the same pipeline for every kind (decode, defaults, validate, store) and asks
// the strategy only the questions whose answer depends on the kind:
// - which fields belong to a subresource (`status` is written through /status only, so a
//   controller's status and a user's spec edit never overwrite each other);
// - what a client may not set on create (status is the controllers' and the kubelet's to write);
// - what DELETE means (a pod on a node is stopped gracefully first; a namespace empties itself).

import type { KubeObject } from '../../../lib/api/types.js';
import type { DeleteOptions } from '../../../lib/client/api-client.js';

/** The answer to "what does DELETE do to this object now?". */
export type DeletePlan =
  /** Remove it from the store at once. */
  | { action: 'remove' }
  /** Write this object instead (deletionTimestamp set): someone else finishes the delete later. */
  | { action: 'mark'; object: KubeObject };

export interface Strategy {
  /**
   * Dotted paths of the fields the /status subresource owns: a write through /status takes only
   * these from the request; a write through the main resource keeps their stored values. (The
   * /scale subresource is a view of spec.replicas, not a set of owned fields: see scale.ts.)
   */
  readonly statusFields: readonly string[];
  /** Clears or sets what a client may not choose on create (e.g. a new pod is always Pending). */
  prepareForCreate(obj: KubeObject): void;
  /**
   * Optional: the last step of a create before validation, once the name is final (a
   * generateName suffix is drawn after prepareForCreate): a Job's selector names the Job.
   */
  prepareNamedForCreate?(obj: KubeObject): void;
  /** Decides what DELETE does to `current`; pure, so it can be table-tested. */
  planDelete(current: KubeObject, options: DeleteOptions, now: Date): DeletePlan;
  /**
   * Optional: takes what `obj` needs from cluster-wide pools (a Service's ClusterIP and NodePorts)
   * after validation, just before the store write, filling the values in; `old` is the stored
   * version on update. Throws a 422 for values that are taken or out of range. The registry
   * commits the reservation once the store has the object, and rolls it back if the write fails.
   * A dry run checks the values and reserves nothing that others could see.
   */
  reserve?(obj: KubeObject, old: KubeObject | undefined, options: { dryRun: boolean }): Promise<Reservation>;
  /**
   * Optional: runs once the object is gone from the store (kube-apiserver's AfterDelete), on
   * whichever path removed it: a DELETE, or the last finalizer taken off. Gives back what
   * reserve() took. A server that dies before it runs leaves a leak for the repair pass.
   */
  afterDelete?(removed: KubeObject): Promise<void>;
}

/** What a strategy's reserve() took; exactly one of commit() or rollback() follows. */
export interface Reservation {
  /** The write is stored: release what the previous version held and this one does not. */
  commit(): Promise<void>;
  /** The write failed: give back what was taken. */
  rollback(): Promise<void>;
}

/** The plain strategy: status (if the kind has one) belongs to /status, DELETE removes at once. */
export function defaultStrategy(hasStatus: boolean): Strategy {
  return {
    statusFields: hasStatus ? ['status'] : [],
    prepareForCreate() {},
    planDelete: () => ({ action: 'remove' }),
  };
}
