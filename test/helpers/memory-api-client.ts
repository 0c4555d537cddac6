// A minimal in-memory ApiClient for component tests of the scheduler, kubelet and event recorder,
// over the real object store kept in memory (uid, resourceVersion, conflicts, watch resume and
// 410 are the store's own). It has only the API server rules those components rely on: status
// only through updateStatus, spec only through update, merge patches, and the graceful delete of
// pods bound to a node. Tests that need every rule use LocalClient over ResourceRegistry instead.

import { compileSelectors } from '../../lib/api/selectors.js';
import type { KubeObject, ObjectList, Pod } from '../../lib/api/types.js';
import type { ApiClient, DeleteOptions, ListOptions, PatchType, Watch, WatchEvent, WatchOptions } from '../../lib/client/api-client.js';
import { ApiError, badRequest, conflict } from '../../lib/errors.js';
import { rfc3339 } from '../../lib/time.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';

const CLUSTER_SCOPED = new Set(['nodes', 'namespaces']);

/** RFC 7386 JSON merge patch: null deletes, objects merge, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export class MemoryApiClient implements ApiClient {
  readonly store: NedbObjectStore;
  /** Every write, as `verb resource ns/name`, for assertions. */
  readonly writes: string[] = [];
  private opened: Promise<void>;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.store = new NedbObjectStore({ clock: now });
    this.opened = this.store.open();
  }

  private ns(resource: string, namespace: string | undefined): string | undefined {
    return CLUSTER_SCOPED.has(resource) ? undefined : (namespace ?? 'default');
  }

  async get<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string): Promise<T> {
    await this.opened;
    return (await this.store.get(resource, this.ns(resource, namespace), name)) as T;
  }

  async list<T extends KubeObject = KubeObject>(resource: string, options: ListOptions = {}): Promise<ObjectList<T>> {
    await this.opened;
    return (await this.store.list(resource, { namespace: options.namespace, filter: compileSelectors(options) })) as ObjectList<T>;
  }

  watch<T extends KubeObject = KubeObject>(resource: string, options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Watch {
    let stopStore: (() => void) | undefined;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      stopStore?.();
      finish();
    };
    void this.opened.then(() => {
      if (stopped) return;
      try {
        stopStore = this.store.watch(
          resource,
          { namespace: options.namespace, resourceVersion: Number(options.resourceVersion ?? 0), filter: compileSelectors(options) },
          (e) => onEvent({ type: e.type, object: structuredClone(e.object) as T }),
        );
      } catch (err) {
        const status = err instanceof ApiError ? err.toStatus() : { kind: 'Status', code: 500, message: String(err) };
        onEvent({ type: 'ERROR', object: status as unknown as T });
        stop();
      }
    });
    return { stop, done };
  }

  async create<T extends KubeObject = KubeObject>(resource: string, obj: T): Promise<T> {
    await this.opened;
    const copy = structuredClone(obj);
    copy.metadata.namespace = this.ns(resource, copy.metadata.namespace);
    if (resource === 'pods') {
      const pod = copy as unknown as Pod;
      pod.status = { phase: 'Pending', ...(pod.status ?? {}) };
      pod.spec.restartPolicy ??= 'Always';
    }
    this.writes.push(`create ${resource} ${copy.metadata.namespace ?? ''}/${copy.metadata.name}`);
    return (await this.store.create(resource, copy)) as T;
  }

  async update<T extends KubeObject = KubeObject>(resource: string, obj: T): Promise<T> {
    return this.write(resource, obj, 'update', (current) => ({ ...structuredClone(obj), status: current.status }));
  }

  async updateStatus<T extends KubeObject = KubeObject>(resource: string, obj: T): Promise<T> {
    return this.write(resource, obj, 'updateStatus', (current) => ({ ...current, status: structuredClone(obj.status) }));
  }

  private async write<T extends KubeObject>(resource: string, obj: T, verb: string, build: (current: KubeObject) => KubeObject): Promise<T> {
    await this.opened;
    const namespace = this.ns(resource, obj.metadata.namespace);
    const name = obj.metadata.name!;
    this.writes.push(`${verb} ${resource} ${namespace ?? ''}/${name}`);
    return (await this.store.guaranteedUpdate(resource, namespace, name, (current) => {
      const wanted = obj.metadata.resourceVersion;
      if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(resource, name);
      const next = build(current);
      next.metadata = verb === 'updateStatus' ? current.metadata : { ...next.metadata, uid: current.metadata.uid };
      return next;
    })) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    options: { subresource?: 'status' | 'scale' } = {},
  ): Promise<T> {
    await this.opened;
    if (type !== 'merge') throw badRequest(`MemoryApiClient supports merge patches only, not ${type}`);
    this.writes.push(`patch${options.subresource === 'status' ? 'Status' : ''} ${resource} ${this.ns(resource, namespace) ?? ''}/${name}`);
    return (await this.store.guaranteedUpdate(resource, this.ns(resource, namespace), name, (current) => {
      const next = mergePatch(current, patch) as KubeObject;
      // Like the API server: /status changes only status, the main resource never status.
      if (options.subresource === 'status') return { ...current, status: next.status };
      return { ...next, status: current.status };
    })) as T;
  }

  async delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
    await this.opened;
    const ns = this.ns(resource, namespace);
    this.writes.push(`delete ${resource} ${ns ?? ''}/${name}`);
    const current = await this.store.get(resource, ns, name);
    if (options.preconditions?.uid && options.preconditions.uid !== current.metadata.uid) {
      throw conflict(resource, name, `Precondition failed: UID in precondition: ${options.preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    const pod = current as Pod;
    const phase = pod.status?.phase;
    const graceful = resource === 'pods' && pod.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed';
    const graceSeconds = options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    if (graceful && graceSeconds > 0) {
      if (current.metadata.deletionTimestamp) return current;
      return this.store.guaranteedUpdate(resource, ns, name, (obj) => ({
        ...obj,
        metadata: { ...obj.metadata, deletionTimestamp: rfc3339(new Date(this.now().getTime() + graceSeconds * 1000)), deletionGracePeriodSeconds: graceSeconds },
      }));
    }
    return this.store.delete(resource, ns, name, options.preconditions);
  }
}
