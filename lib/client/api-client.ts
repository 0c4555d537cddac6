// The client every component uses to read and write API objects: client-go's role.
//
// Two implementations share this interface: RestClient (lib/client/rest-client.ts) speaks HTTPS
// to an API server (the CLI, remote node agents); LocalClient (daemon/api/local-client.ts) calls
// the API server's registry in process (the server's own scheduler, controllers and kubelet), so
// both paths go through the same defaults, validation and admission.
//
// `resource` is always the store key of a resource: `pods`, `nodes`, `deployments.apps`
// (see resourceKey in lib/api/resources.ts).
//
// lib/client is the part of lib that does I/O (HTTP, WebSocket, files); lib/README.md says which files.

import type { KubeObject, ObjectList } from '../api/types.js';

export interface ListOptions {
  /** Omit for cluster-scoped resources, or to list across all namespaces. */
  namespace?: string;
  /** Kubernetes label selector syntax: `app=web,tier in (fe,be),!canary`. */
  labelSelector?: string;
  /** `metadata.name=x,spec.nodeName=node-1,status.phase!=Succeeded`. */
  fieldSelector?: string;
  /** At most this many items per answer; the list's metadata.continue then fetches the next page. */
  limit?: number;
  /** The metadata.continue of the previous page. */
  continue?: string;
}

export interface WatchOptions extends ListOptions {
  /**
   * Deliver every change after this version. Absent or "0": first an ADDED event for every
   * current object, then changes. Too old: an ERROR event with a 410 Status, then the end.
   */
  resourceVersion?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** The object; for ERROR a Status object. */
  object: T;
}

export interface Watch {
  /** Stops the watch; `done` then resolves. */
  stop(): void;
  /** Resolves when the watch ends (stopped, server closed it, or error); rejects on transport errors. */
  done: Promise<void>;
}

export interface DeleteOptions {
  /** 0 removes at once; absent uses the object's own grace period (pods: terminationGracePeriodSeconds). */
  gracePeriodSeconds?: number;
  /** Background (default), Foreground or Orphan: what happens to objects this one owns. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface WriteOptions {
  /** Strict rejects unknown fields, Warn accepts with warnings, Ignore drops them silently. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic';

export interface ApiClient {
  get<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(resource: string, options?: ListOptions): Promise<ObjectList<T>>;
  /** Calls onEvent for each event, in order, until stopped. */
  watch<T extends KubeObject = KubeObject>(resource: string, options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Watch;
  /** The namespace comes from obj.metadata.namespace (namespaced resources). */
  create<T extends KubeObject = KubeObject>(resource: string, obj: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object; a stale metadata.resourceVersion fails with 409 Conflict. Status is ignored. */
  update<T extends KubeObject = KubeObject>(resource: string, obj: T, options?: WriteOptions): Promise<T>;
  /** Replaces only the status of the object (the /status subresource). */
  updateStatus<T extends KubeObject = KubeObject>(resource: string, obj: T): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    options?: WriteOptions & { subresource?: 'status' | 'scale' | 'ephemeralcontainers' },
  ): Promise<T>;
  /** Returns the object as it is after the call: with deletionTimestamp set while a graceful delete runs. */
  delete(resource: string, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject>;
}
