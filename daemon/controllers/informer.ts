// The informer: client-go's Reflector + Indexer + event handlers, reduced to what kubelab's
// controllers need.
//
// It lists a resource once, then watches from the list's resourceVersion, keeping a local copy
// (the cache) of every object and telling the controller what changed. Watches end (the server
// restarts, a connection drops): the informer watches again from the last version it saw. If that
// version is too old for the server's history (410 Gone), it lists again and reports what changed
// in between, including objects that vanished meanwhile (as deletions), so no handler misses a
// delete.
//
// Handlers must only enqueue keys (they run inside the watch callback). Controllers read the cache
// to find which keys to enqueue, and read the API itself in reconcile.

import type { KubeObject } from '../../lib/api/types.js';
import type { ApiClient, WatchEvent } from '../../lib/client/api-client.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** How long to wait before watching again after an error (a closed watch is resumed at once). */
const RETRY_DELAY_MS = 1000;

/** `namespace/name`, or `name` for cluster-scoped objects: the key controllers enqueue. */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name ?? '';
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: ApiClient,
    readonly resource: string,
    private readonly handlers: InformerHandlers<T>,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = (error) => console.error(`informer ${resource}: ${String(error)}`),
  ) {}

  /** Every cached object. */
  list(): T[] {
    return [...this.cache.values()];
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Resolves once the first list has been delivered to the handlers. */
  hasSynced(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Lists and watches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) await this.relist();
        needList = await this.watchUntilEnd(signal);
      } catch (error) {
        this.onError(error);
        await this.clock.sleep(RETRY_DELAY_MS, signal);
      }
    }
  }

  /** Replaces the cache with a fresh list, reporting the differences as add/update/delete. */
  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.resource);
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = keyOf(obj);
      seen.add(key);
      this.apply({ type: 'MODIFIED', object: obj });
    }
    for (const [key, obj] of [...this.cache]) if (!seen.has(key)) this.apply({ type: 'DELETED', object: obj });
    this.resourceVersion = list.metadata.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
  }

  /** Watches from the last version; resolves true when the history is gone and a list is needed. */
  private watchUntilEnd(signal: AbortSignal): Promise<boolean> {
    let gone = false;
    const watch = this.client.watch<T>(this.resource, { resourceVersion: this.resourceVersion }, (event) => {
      if (event.type === 'ERROR') {
        const status = event.object as unknown as { code?: number; message?: string };
        if (status.code === 410) gone = true;
        else this.onError(new ApiError(status.code ?? 500, 'InternalError', status.message ?? 'watch error'));
        return;
      }
      if (event.type === 'BOOKMARK') {
        this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
        return;
      }
      this.apply(event);
    });
    const stop = () => watch.stop();
    signal.addEventListener('abort', stop, { once: true });
    return watch.done.then(
      () => {
        signal.removeEventListener('abort', stop);
        return gone;
      },
      (error: unknown) => {
        signal.removeEventListener('abort', stop);
        if (error instanceof ApiError && error.code === 410) return true;
        throw error;
      },
    );
  }

  private apply(event: WatchEvent<T>): void {
    const obj = event.object;
    const key = keyOf(obj);
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.handlers.onDelete?.(obj);
      return;
    }
    this.cache.set(key, obj);
    if (!old) this.handlers.onAdd?.(obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.handlers.onUpdate?.(old, obj);
  }
}
