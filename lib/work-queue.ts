// The work queue of every kubelab controller, scheduler and kubelet: client-go's workqueue.
//
// Event handlers do not act; they only add the *key* of the object that changed (`default/web`).
// Workers take keys off the queue and reconcile them. Three guarantees make this safe:
// - Dedup: a key added ten times before a worker takes it is processed once, because reconcile
//   reads the newest state anyway.
// - One at a time per key: a key is never handed to two workers at once. If it is added again
//   while a worker processes it, it waits ("dirty") and is processed once more afterwards, so the
//   change that came in during the work is not lost.
// - Back-off: a reconcile that fails is retried after 5 ms, 10 ms, 20 ms ... up to a maximum,
//   per key (ItemExponentialFailureRateLimiter, the delays of lib/backoff.ts); a success forgets
//   the failures.

import { setMaxListeners } from 'node:events';
import { backoffDelayMs } from './backoff.js';
import { systemClock, type Clock } from './clock.js';

export interface WorkQueueOptions {
  /** What the queue is for (`replicaset`, `kubelet`): its `name` label in workqueue_depth and workqueue_adds_total. */
  name?: string;
  clock?: Clock;
  /** First retry delay after a failure; it doubles with every further failure of the same key. */
  baseDelayMs?: number;
  /** The longest retry delay (client-go's default controller limiter stops at 1000 s). */
  maxDelayMs?: number;
  /** Told about every failed reconcile (process() retries it); the place to log it once. */
  onError?: (key: string, error: unknown) => void;
}

/** What a metrics provider reads off a queue when it is scraped: nothing is counted twice, nothing allocated per add. */
export interface WorkQueueStats {
  readonly name: string;
  /** Keys waiting to be taken (workqueue_depth). */
  readonly length: number;
  /** Keys added since the queue was made, not counting adds of a key already waiting (workqueue_adds_total). */
  readonly addsTotal: number;
}

/** client-go's workqueue.MetricsProvider: told of every queue made and shut down in this process. */
export interface WorkQueueMetricsProvider {
  register(queue: WorkQueueStats): void;
  unregister(queue: WorkQueueStats): void;
}

let metricsProvider: WorkQueueMetricsProvider | undefined;

/** Sets the process's provider (client-go's workqueue.SetProvider); queues made afterwards report to it. */
export function setWorkQueueMetricsProvider(provider: WorkQueueMetricsProvider | undefined): void {
  metricsProvider = provider;
}

export class WorkQueue implements WorkQueueStats {
  readonly name: string;
  addsTotal = 0;
  private readonly metrics = metricsProvider;
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onError?: (key: string, error: unknown) => void;

  /** Keys ready to be taken, in the order they became ready. */
  private queue: string[] = [];
  /** Keys that need processing (queued, or re-added while in flight). */
  private dirty = new Set<string>();
  /** Keys a worker holds right now. */
  private processing = new Set<string>();
  /** Keys waiting for a delay, with the time they become ready (the earliest request wins). */
  private delayed = new Map<string, number>();
  private failures = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private shuttingDown = false;
  /** Ends every pending delayed add at shutdown; one listener per pending add, so no cap. */
  private readonly stopTimers = unlimitedAbortController();

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    this.onError = options.onError;
    this.name = options.name ?? 'unnamed';
    this.metrics?.register(this);
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addsTotal++;
    // In flight: done() queues it again when the worker finishes.
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  /** Adds the key once `delayMs` has passed (at once when delayMs <= 0). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const readyAtMs = this.clock.now().getTime() + delayMs;
    const already = this.delayed.get(key);
    if (already !== undefined && already <= readyAtMs) return;
    this.delayed.set(key, readyAtMs);
    void this.clock.sleep(delayMs, this.stopTimers.signal).then(() => {
      if (this.delayed.get(key) !== readyAtMs) return; // superseded by an earlier request
      this.delayed.delete(key);
      this.add(key);
    });
  }

  /** Adds the key after its back-off: base, doubling with each failure since the last forget(). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.whenNext(key));
  }

  /** The delay the next addRateLimited(key) waits, counting it as one more failure. */
  private whenNext(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    return backoffDelayMs({ initialMs: this.baseDelayMs, maxMs: this.maxDelayMs }, failures);
  }

  /** Clears the key's failure count: the next failure waits the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys ready to be taken now (not counting delayed or in-flight ones). */
  get length(): number {
    return this.queue.length;
  }

  /** Stops handing out keys; workers finish what they hold and process() resolves. */
  shutDown(): void {
    this.shuttingDown = true;
    this.metrics?.unregister(this);
    this.stopTimers.abort();
    for (const wake of this.waiters.splice(0)) wake();
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Waits for a key; undefined once the queue shuts down. The caller must call done(key). */
  async get(): Promise<string | undefined> {
    while (this.queue.length === 0 && !this.shuttingDown) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.shuttingDown) return undefined;
    const key = this.queue.shift()!;
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  /** Releases a key taken with get(); if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.queue.push(key);
      this.waiters.shift()?.();
    }
  }

  /**
   * Runs `concurrency` workers until `signal` aborts (or shutDown()). A worker that resolves
   * forgets the key's failures; one that throws is retried with back-off (the controller's
   * handleErr), and onError hears about it.
   */
  async process(worker: (key: string) => Promise<void>, concurrency: number, signal: AbortSignal): Promise<void> {
    const stop = () => this.shutDown();
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    const lane = async () => {
      for (;;) {
        const key = await this.get();
        if (key === undefined) return;
        try {
          await worker(key);
          this.forget(key);
        } catch (error) {
          this.onError?.(key, error);
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}

function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
