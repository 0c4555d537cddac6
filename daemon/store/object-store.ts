// The object store: kubelab's etcd.
//
// It keeps every API object under (resource, namespace, name), stamps identity and versions on
// writes, and tells watchers about every change in order. It knows nothing about kinds: defaults,
// validation and what a delete means for a pod are the API registry's job (daemon/api/).
//
// Guarantees:
// - create sets metadata.uid (keeping one the registry set: a Job's, which its selector names),
//   creationTimestamp, generation = 1 and a new resourceVersion.
// - every write takes the next value of one cluster-wide counter as resourceVersion, so
//   versions order all changes of all objects.
// - update with a non-empty metadata.resourceVersion that is not the current one fails with
//   409 Conflict; generation is bumped when anything outside metadata and status changed.
// - a write has reached the disk file (nedb's append-only log) before its promise resolves,
//   and is visible to reads and watches only from then on.
// - watch from version N delivers every change with a version > N, in order; N older than the
//   retained history fails with 410 Gone.

import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import type { ApiError } from '../../lib/errors.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  resource: string;
  /** The object after the change; for DELETED the last state, stamped with the delete's version. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED), so filtered watches can tell "stopped matching". */
  previous?: KubeObject;
  resourceVersion: number;
}

export interface StoreWatchOptions {
  namespace?: string;
  /** Deliver events after this version; undefined or 0 = send ADDED for current objects first. */
  resourceVersion?: number;
  /**
   * Only objects for which this returns true. A MODIFIED object that stops matching is delivered
   * as DELETED, one that starts matching as ADDED, as the real API server does.
   */
  filter?: (obj: KubeObject) => boolean;
  /**
   * Told when the store ends the watch after it started (etcd found the version compacted while
   * serving it from etcd itself: 410 Gone). No more events follow. Without it the store logs.
   */
  onError?: (error: ApiError) => void;
}

export interface StoreListOptions {
  namespace?: string;
  filter?: (obj: KubeObject) => boolean;
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /** Start at this key (`name`, or `namespace/name` across namespaces): a continue token's. */
  startKey?: string;
  /** Read the collection as it was at this version (a continue token's); absent: the latest. */
  resourceVersion?: number;
}

/** One page of a list, with the stored objects themselves: shared, never to be changed. */
export interface StoredListPage {
  resourceVersion: number;
  /** Each object with its JSON text (encoded once, when it was written). */
  items: { object: KubeObject; json: string }[];
  /** Set when keys remain after this page: the key of the last one examined. */
  lastKey?: string;
  /** How many items follow this page; only known without a filter. */
  remainingItemCount?: number;
}

export interface ObjectStore {
  /** Loads the data files; must be called once before anything else. */
  open(): Promise<void>;
  close(): Promise<void>;

  /** The version of the latest write. */
  currentResourceVersion(): number;

  /** Fails with AlreadyExists when (resource, namespace, name) is taken. */
  create(resource: string, obj: KubeObject): Promise<KubeObject>;
  /** Fails with NotFound. Objects are returned as copies: callers may mutate them. */
  get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(resource: string, options?: { namespace?: string; filter?: (obj: KubeObject) => boolean }): Promise<ObjectList>;
  /**
   * One page of a list in key order (namespace/name), read at one version: the latest, or the
   * first page's for the later pages of a paged list. Fails with 410 Gone when that version is
   * older than the history the store keeps. Items are the stored objects, not copies.
   */
  listPage(resource: string, options?: StoreListOptions): Promise<StoredListPage>;
  /**
   * Replaces the object. Fails with NotFound, or Conflict when obj.metadata.resourceVersion is set
   * and stale. uid and creationTimestamp cannot change.
   */
  update(resource: string, obj: KubeObject): Promise<KubeObject>;
  /**
   * Read-modify-write with retry on conflict: `mutate` gets a copy of the current object and
   * returns the new one (or the same object to skip the write). Fails with NotFound.
   */
  guaranteedUpdate(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  ): Promise<KubeObject>;
  /** Removes the object; fails with NotFound, or Conflict when a precondition does not hold. */
  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    preconditions?: { uid?: string; resourceVersion?: string },
  ): Promise<KubeObject>;

  /**
   * Calls onEvent for every matching change, synchronously in version order. Event objects are
   * shared by every watcher: read them, copy them before changing anything. Returns the function
   * that stops the watch. Throws Gone (410) when options.resourceVersion is older than the history.
   * The etcd store serves a version older than its watch cache but not compacted from etcd itself;
   * if etcd then finds it compacted, the watch ends through options.onError with that 410.
   */
  watch(resource: string, options: StoreWatchOptions, onEvent: (event: StoreEvent) => void): () => void;
}
