// The controller runtime: the one loop every kubelab controller runs, as controller-runtime and
// client-go's controller pattern (pkg/controller/*: Run, worker, processNextWorkItem) write it.
//
// A controller is three things particular to it: which informers it watches, how their events
// map to keys (the handlers it adds, which only call queue.add), and reconcile(key). Everything
// else is the same for all of them and lives here:
// 1. start the informers and wait until each has delivered its first list, so reconcile never
//    judges a half-filled cache (a ReplicaSet whose pods are not listed yet would create them);
// 2. run `workers` lanes that take keys off the work queue and call reconcile(key); the queue
//    deduplicates, never hands one key to two lanes, and retries a failed key with back-off;
// 3. every resyncMs, enqueue every key again (level-triggered: a missed event, or a decision
//    that depends on time, is caught at the next resync);
// 4. stop when the signal aborts.
// runEvery is the same "forever around one step" loop for periodic passes that have no queue
// (the kubelet's container poll, node heartbeats).

import type { Informer } from './client/informer.js';
import { objectKey } from './client/object-key.js';
import type { Clock } from './clock.js';
import type { WorkQueue } from './work-queue.js';

export interface ControllerLoop {
  /** Started (shared ones only once) and waited for before any worker runs. */
  informers: Informer[];
  queue: WorkQueue;
  /** Converges one key; safe to run again. A throw is retried by the queue with back-off. */
  reconcile: (key: string) => Promise<void>;
  clock: Clock;
  signal: AbortSignal;
  /** Keys reconciled in parallel (never the same key twice). Default 1. */
  workers?: number;
  /** How often resync() runs; no resync without it. */
  resyncMs?: number;
  /** What a resync enqueues; default: the key of every object in the first informer. */
  resync?: () => void | Promise<void>;
  /** Runs once after the caches are filled, before the workers start (adopt, sweep, first scan). */
  onSynced?: () => void | Promise<void>;
  /** Told about a failed onSynced or resync step (the loop goes on). */
  onError?: (error: unknown) => void;
}

/** Starts the informers, waits for their caches, then works the queue and resyncs until `signal` aborts. */
export async function runController(loop: ControllerLoop): Promise<void> {
  const { informers, queue, clock, signal } = loop;
  const running = informers.map((informer) => informer.start(signal));
  await Promise.all(informers.map((informer) => informer.waitForSync(signal)));
  if (signal.aborted) {
    await Promise.all(running);
    return;
  }
  const report = (error: unknown) => loop.onError?.(error);
  await Promise.resolve()
    .then(() => loop.onSynced?.())
    .catch(report);
  const resync = loop.resync ?? (() => informers[0]?.list().forEach((object) => queue.add(objectKey(object))));
  const loops = [...running, queue.process(loop.reconcile, loop.workers ?? 1, signal)];
  if (loop.resyncMs) {
    loops.push(
      runEvery(clock, loop.resyncMs, signal, resync, { onError: report }),
    );
  }
  await Promise.all(loops);
}

export interface RunEveryOptions {
  /** Run the step once at the start instead of after the first period. */
  immediately?: boolean;
  /** Told about a step that threw; the loop goes on. Without it a throw ends the loop. */
  onError?: (error: unknown) => void;
}

/** Runs `step` every `periodMs` on `clock` until `signal` aborts; one step at a time. */
export async function runEvery(clock: Clock, periodMs: number, signal: AbortSignal, step: () => unknown, options: RunEveryOptions = {}): Promise<void> {
  let first = true;
  while (!signal.aborted) {
    if (!first || !options.immediately) {
      await clock.sleep(periodMs, signal);
      if (signal.aborted) return;
    }
    first = false;
    try {
      await step();
    } catch (error) {
      if (!options.onError) throw error;
      options.onError(error);
    }
  }
}
