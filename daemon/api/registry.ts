// The registry: the API server's "REST storage" layer between the HTTP handlers and the store.
//
// For each resource it applies the kind's strategy (daemon/api/strategies/): defaults,
// validation with field paths, what create/update may change (status only through /status,
// spec only through the main resource), graceful deletion of pods, cascading deletion of a
// namespace's contents, and the /scale subresource. HTTP handlers (daemon/api/server.ts) and the
// in-process LocalClient both call it, so a controller in the daemon and kubectl over HTTPS get
// exactly the same behaviour.
//
// `resource` is the store key (`pods`, `deployments.apps`); errors are ApiError from lib/errors.

import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import type { DeleteOptions, ListOptions, PatchType, WatchEvent, WatchOptions } from '../../lib/client/api-client.js';

export interface RequestContext {
  /** Who asks: `admin`, or `system:node:<name>` for a node agent. */
  user: string;
  /** Strict (kubectl's default) rejects unknown fields; Warn adds warnings; Ignore drops them. */
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  dryRun: boolean;
  /**
   * Who writes, for metadata.managedFields: the `fieldManager` query parameter, else the
   * User-Agent's first word (`kubectl`). Absent (the daemon's own controllers): the write keeps
   * the entries as they are.
   */
  fieldManager?: string;
  /** Warnings to send back (HTTP `Warning: 299 - "..."` headers). */
  warnings: string[];
  /**
   * Judges a user's write before it is stored (the RBAC kinds' privilege-escalation check,
   * rbac-escalation.ts): `next` as it will be stored, `current` on updates; throws to refuse.
   * Set by the HTTP handlers only: the daemon's own writes are not judged.
   */
  checkWrite?: (resource: string, next: KubeObject, current: KubeObject | undefined) => void;
}

export function internalContext(): RequestContext {
  return { user: 'system:kubelabd', fieldValidation: 'Ignore', dryRun: false, warnings: [] };
}

/**
 * The subresources written through update/patch: `status` and `scale`, and pods'
 * `ephemeralcontainers` (kubectl debug), which writes only spec.ephemeralContainers.
 */
export type Subresource = 'status' | 'scale' | 'ephemeralcontainers';

/** A list page as the HTTP handler sends it: each item with its JSON text, encoded once. */
export interface EncodedList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  /** The stored objects themselves (shared: read, never change) and their JSON. */
  items: { object: KubeObject; json: string }[];
}

export interface Registry {
  get(resource: string, namespace: string | undefined, name: string, ctx: RequestContext): Promise<KubeObject>;
  /** Honours limit and continue (paged lists); the items are copies. */
  list(resource: string, options: ListOptions, ctx: RequestContext): Promise<ObjectList>;
  /** The same list for the wire: stored objects with their JSON, no copies (absent: list() is used). */
  listEncoded?(resource: string, options: ListOptions, ctx: RequestContext): Promise<EncodedList>;
  /**
   * Starts a watch; events are delivered in order through onEvent. Throws Gone (410) when the
   * resourceVersion is too old. Returns the function that stops it.
   */
  watch(resource: string, options: WatchOptions, ctx: RequestContext, onEvent: (event: WatchEvent) => void): () => void;
  /** `namespace` is the URL's namespace; a different metadata.namespace in the body is a 400. */
  create(resource: string, namespace: string | undefined, body: KubeObject, ctx: RequestContext): Promise<KubeObject>;
  update(resource: string, namespace: string | undefined, name: string, body: KubeObject, ctx: RequestContext, subresource?: Subresource): Promise<KubeObject>;
  patch(resource: string, namespace: string | undefined, name: string, patch: unknown, type: PatchType, ctx: RequestContext, subresource?: Subresource): Promise<KubeObject>;
  /**
   * Server-side apply of a configuration by ctx.fieldManager: creates the object when it is
   * absent (`created`), else merges the configuration into it; 409 on conflicting fields unless
   * `force`. Absent on registries that do not track field managers.
   */
  apply?(resource: string, namespace: string | undefined, name: string, config: KubeObject, ctx: RequestContext, options: { force: boolean }): Promise<{ object: KubeObject; created: boolean }>;
  /** The Scale object (autoscaling/v1) of a scalable resource. */
  getScale(resource: string, namespace: string, name: string, ctx: RequestContext): Promise<KubeObject>;
  delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions, ctx: RequestContext): Promise<KubeObject>;
  /** The current version of the store, for List/Table metadata. */
  currentResourceVersion(): string;
}
