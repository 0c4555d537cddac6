// An informer: client-go's Reflector + Indexer in one small class. It keeps a local copy of the
// objects a component cares about (`pods with spec.nodeName=node-1`) in sync with the API server
// and tells the component about every change, so the component never polls.
//
// The protocol, as client-go does it:
// - List, remember the list's resourceVersion, then watch from that version: no change between
//   the list and the watch is missed.
// - A watch that ends (the server closes it, a connection drops) is resumed from the last version
//   seen, so no event is delivered twice or skipped.
// - A resume that is too old (410 Gone: the server's history no longer has it) lists again; the
//   objects that disappeared meanwhile are reported as DELETED, so nothing is leaked.

import type { KubeObject } from '../api/types.js';
import type { Clock } from '../clock.js';
import { isGone, fromStatus } from '../errors.js';
import type { ApiClient, ListOptions } from './api-client.js';

export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface InformerOptions<T extends KubeObject> {
  client: ApiClient;
  resource: string;
  listOptions?: ListOptions;
  clock: Clock;
  /** Called synchronously for each change; keep it short (enqueue a key). */
  onEvent: (type: InformerEventType, obj: T, previous?: T) => void;
  /** Told about list and watch failures (the informer retries them). */
  onError?: (error: unknown) => void;
  /** Wait between a failed list and the next attempt. */
  retryDelayMs?: number;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key work queues use. */
export const objectKey = (obj: KubeObject): string => (obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!);

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly options: InformerOptions<T>) {}

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  items(): T[] {
    return [...this.cache.values()];
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been delivered. */
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Lists and watches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, retryDelayMs = 1000 } = this.options;
    while (!signal.aborted) {
      try {
        let resourceVersion = await this.listAndReplace();
        for (;;) {
          const result = await this.watchFrom(resourceVersion, signal);
          if (signal.aborted) return;
          if (result.gone) break; // too old to resume: list again
          resourceVersion = result.resourceVersion;
          if (!result.sawEvents) await clock.sleep(retryDelayMs, signal); // a watch that ends at once: do not spin
        }
      } catch (error) {
        if (signal.aborted) return;
        this.options.onError?.(error);
        await clock.sleep(retryDelayMs, signal);
      }
    }
  }

  private async listAndReplace(): Promise<string> {
    const list = await this.options.client.list<T>(this.options.resource, this.options.listOptions);
    const fresh = new Map(list.items.map((obj) => [objectKey(obj), obj]));
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.options.onEvent('DELETED', old);
      }
    }
    for (const [key, obj] of fresh) this.apply('ADDED', obj, key);
    if (!this.synced) {
      this.synced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
    return list.metadata.resourceVersion;
  }

  private apply(type: InformerEventType, obj: T, key = objectKey(obj)): void {
    const previous = this.cache.get(key);
    if (type === 'DELETED') {
      this.cache.delete(key);
      this.options.onEvent('DELETED', obj, previous);
      return;
    }
    this.cache.set(key, obj);
    if (previous && previous.metadata.resourceVersion === obj.metadata.resourceVersion) return; // nothing new
    this.options.onEvent(previous ? 'MODIFIED' : 'ADDED', obj, previous);
  }

  /** One watch, until it ends. Returns the last version seen, and whether a relist is needed. */
  private watchFrom(resourceVersion: string, signal: AbortSignal): Promise<{ resourceVersion: string; gone: boolean; sawEvents: boolean }> {
    return new Promise((resolve, reject) => {
      let last = resourceVersion;
      let gone = false;
      let sawEvents = false;
      let failure: unknown;
      const watch = this.options.client.watch<T>(this.options.resource, { ...this.options.listOptions, resourceVersion }, (event) => {
        sawEvents = true;
        if (event.type === 'ERROR') {
          const error = fromStatus(event.object as never, 500);
          if (isGone(error)) gone = true;
          else failure = error;
          watch.stop();
          return;
        }
        if (event.type === 'BOOKMARK') {
          last = event.object.metadata.resourceVersion ?? last;
          return;
        }
        last = event.object.metadata.resourceVersion ?? last;
        this.apply(event.type, event.object);
      });
      const stop = () => watch.stop();
      signal.addEventListener('abort', stop, { once: true });
      watch.done.then(
        () => {
          signal.removeEventListener('abort', stop);
          if (failure) reject(failure);
          else resolve({ resourceVersion: last, gone, sawEvents });
        },
        (error: unknown) => {
          signal.removeEventListener('abort', stop);
          reject(error);
        },
      );
    });
  }
}
