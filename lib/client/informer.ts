// An informer: client-go's Reflector + Indexer + event handlers in one small class. It keeps a
// local copy (the cache) of the objects a component cares about (`pods with spec.nodeName=node-1`)
// in sync with the API server and tells the component about every change, so no component polls.
//
// The protocol, as client-go does it:
// - List with the component's options (namespace, label and field selectors), remember the
//   list's resourceVersion, then watch with the same options from that version: no change
//   between the list and the watch is missed.
// - A watch that ends (the server closes it, a connection drops) is resumed from the last version
//   seen, so no event is delivered twice or skipped. A watch that ends without a single event is
//   resumed only after retryDelayMs: a server that closes every watch at once must not make us
//   spin.
// - A watch whose connection broke (its server died, the network went silent) is resumed from
//   the last version seen too, after retryDelayMs if it had delivered nothing: the client may by
//   then talk to another server (lib/client/server-endpoints.ts), whose store has the same
//   versions. Only an answer from a server (an ERROR event, an HTTP error) means listing again.
// - A resume that is too old (410 Gone: the server's history no longer has it) lists again; the
//   objects that disappeared meanwhile are reported as deletions, so no handler misses a delete.
//
// Handlers run inside the watch callback: they must only enqueue keys (lib/work-queue.ts). One
// informer may serve several components (shared-informer-factory.ts), so it has a list of
// handlers, and a handler added after the first list is told about every cached object as an
// add, as client-go's AddEventHandler does. Components read the cache to find which keys to
// enqueue, and read the API itself in reconcile.

import type { KubeObject } from '../api/types.js';
import type { Clock } from '../clock.js';
import { ApiError, errorMessage, fromStatus, isGone } from '../errors.js';
import type { ApiClient, ListOptions, WatchEvent } from './api-client.js';
import { objectKey } from './object-key.js';

export interface InformerEventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  /** Only called when the resourceVersion changed: a relist that finds the same object is no news. */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  client: ApiClient;
  /** The store key of the resource: `pods`, `replicasets.apps`. */
  resource: string;
  /** What to list and watch; both requests carry the same selectors. */
  listOptions?: ListOptions;
  clock: Clock;
  /** Told about list and watch failures (the informer retries them). */
  onError?: (error: unknown) => void;
  /** Wait after a failed list, or after a watch that ended without an event, before trying again. */
  retryDelayMs?: number;
}

const DEFAULT_RETRY_DELAY_MS = 1000;

export class Informer<T extends KubeObject = KubeObject> {
  readonly resource: string;
  readonly listOptions: ListOptions;
  private readonly cache = new Map<string, T>();
  private readonly handlers = new Set<InformerEventHandlers<T>>();
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running?: Promise<void>;

  constructor(private readonly options: InformerOptions) {
    this.resource = options.resource;
    this.listOptions = options.listOptions ?? {};
  }

  /**
   * Adds handlers; if the cache is already filled, they hear about every cached object as an add.
   * Returns a function that removes them.
   */
  addEventHandler(handlers: InformerEventHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (this.synced) for (const obj of this.cache.values()) this.notify(handlers, (h) => h.onAdd?.(obj));
    return () => this.handlers.delete(handlers);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.cache.values()];
  }

  /** Whether the first list has been delivered to the handlers. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been delivered, or when `signal` aborts. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.syncWaiters.push(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  /**
   * Starts the list-and-watch loop unless it runs already, and returns it. Shared informers are
   * started by every component that uses them; only the first call starts the loop, which then
   * runs until that caller's `signal` aborts (components that share a factory share a lifetime).
   * Like client-go's, an informer runs once: after it stopped, start() does not start it again.
   */
  start(signal: AbortSignal): Promise<void> {
    this.running ??= this.run(signal);
    return this.running;
  }

  /** Lists and watches until `signal` aborts. Prefer start(), which never runs two loops. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, retryDelayMs = DEFAULT_RETRY_DELAY_MS } = this.options;
    while (!signal.aborted) {
      try {
        const listed = await this.listAndReplace(signal);
        if (listed === undefined) return; // aborted while listing
        let resourceVersion = listed;
        for (;;) {
          const result = await this.watchFrom(resourceVersion, signal);
          if (signal.aborted) return;
          if (result.gone) break; // too old to resume: list again
          resourceVersion = result.resourceVersion;
          if (result.connectionLost) this.options.onError?.(result.connectionLost);
          if (!result.sawEvents) await clock.sleep(retryDelayMs, signal); // a watch that ends at once: do not spin
        }
      } catch (error) {
        if (signal.aborted) return;
        this.options.onError?.(error);
        await clock.sleep(retryDelayMs, signal);
      }
    }
  }

  /** Replaces the cache with a fresh list, reporting the differences; undefined if `signal` aborted first. */
  private async listAndReplace(signal: AbortSignal): Promise<string | undefined> {
    // A list has no signal of its own: stop waiting for it on abort (its answer is dropped).
    const list = await untilAborted(this.options.client.list<T>(this.resource, this.listOptions), signal);
    if (!list) return undefined;
    const fresh = new Map(list.items.map((obj) => [objectKey(obj), obj]));
    for (const [key, old] of [...this.cache]) {
      if (!fresh.has(key)) this.apply({ type: 'DELETED', object: old });
    }
    for (const obj of fresh.values()) this.apply({ type: 'ADDED', object: obj });
    if (!this.synced) {
      this.synced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
    return list.metadata.resourceVersion;
  }

  private apply(event: WatchEvent<T>): void {
    const obj = event.object;
    const key = objectKey(obj);
    const previous = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      for (const handlers of this.handlers) this.notify(handlers, (h) => h.onDelete?.(obj));
      return;
    }
    this.cache.set(key, obj);
    if (!previous) for (const handlers of this.handlers) this.notify(handlers, (h) => h.onAdd?.(obj));
    else if (previous.metadata.resourceVersion !== obj.metadata.resourceVersion) for (const handlers of this.handlers) this.notify(handlers, (h) => h.onUpdate?.(previous, obj));
  }

  /**
   * Calls one handler. A handler that throws (on an object of a shape it did not expect) is
   * reported and the others still hear the event: one component's bug, or one poison object,
   * must not end a watch shared by every component of the daemon.
   */
  private notify(handlers: InformerEventHandlers<T>, call: (handlers: InformerEventHandlers<T>) => void): void {
    try {
      call(handlers);
    } catch (error) {
      this.options.onError?.(new Error(`an event handler of the ${this.resource} informer failed: ${errorMessage(error)}`, { cause: error }));
    }
  }

  /** One watch, until it ends. Returns the last version seen, and whether a relist is needed. */
  private watchFrom(resourceVersion: string, signal: AbortSignal): Promise<{ resourceVersion: string; gone: boolean; sawEvents: boolean; connectionLost?: Error }> {
    return new Promise((resolve, reject) => {
      let last = resourceVersion;
      let gone = false;
      let sawEvents = false;
      let failure: unknown;
      const watch = this.options.client.watch<T>(this.resource, { ...this.listOptions, resourceVersion }, (event) => {
        sawEvents = true;
        if (event.type === 'ERROR') {
          const error = fromStatus(event.object as never, 500);
          if (isGone(error)) gone = true;
          else failure = error;
          watch.stop();
          return;
        }
        last = event.object.metadata.resourceVersion ?? last;
        if (event.type !== 'BOOKMARK') this.apply(event);
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
          // A REST watch refused with 410 (instead of an ERROR event) also means: list again.
          if (isGone(error)) resolve({ resourceVersion: last, gone: true, sawEvents });
          // No answer from a server, only a broken or failed connection: resume from `last`.
          else if (error instanceof Error && !(error instanceof ApiError) && failure === undefined) resolve({ resourceVersion: last, gone: false, sawEvents, connectionLost: error });
          else reject(error);
        },
      );
    });
  }
}

/** The promise's value, or undefined as soon as `signal` aborts. */
function untilAborted<V>(promise: Promise<V>, signal: AbortSignal): Promise<V | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<V | undefined>((resolve, reject) => {
    const abort = () => resolve(undefined);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
