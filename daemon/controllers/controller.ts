// What every controller is: kube-controller-manager's controller pattern as one small base class.
//
// A controller is three things particular to it, and only those are written in its file:
// - which informers it watches (watched()), taken from the shared informer factory, so its pods
//   informer is every controller's pods informer;
// - how their events map to keys: handlers that only call this.queue.add(key);
// - reconcile(key): read the store, ask a planner, act, write status; safe to run again.
// Everything else (start the informers, wait for their caches, workers on the queue, periodic
// resync, stop on abort) is runController's (lib/controller-runtime.ts), which run() calls with
// this controller's settings. A test builds a controller with an in-memory API and calls
// reconcile(key) directly, or run(signal) on a ManualClock.
//
// Poison: a reconcile that fails with a TypeError or RangeError met an object its code cannot
// handle (a wrong type stored before the API validated it, a field combination the planner does
// not expect); one that fails with 400 or 422 wrote something the API refuses, derived from an
// object the API would refuse today (its own status, pods from its template). The key is retried with the queue's exponential back-off like any failure, and
// the object gets a Warning event (reason ReconcileError) once per version, so the user sees why
// on `kubelab describe`; the other keys are never held up.

import type { ApiClient } from '../../lib/client/api-client.js';
import type { Informer } from '../../lib/client/informer.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import type { Clock } from '../../lib/clock.js';
import { runController } from '../../lib/controller-runtime.js';
import { WorkQueue } from '../../lib/work-queue.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { logger } from '../../lib/logger.js';
import { ApiError, errorMessage } from '../../lib/errors.js';
import { ReportedOnce } from '../../lib/unreadable-objects.js';
import { CONTROLLER_DEFAULTS } from '../config.js';

export interface ControllerOptions {
  client: ApiClient;
  clock: Clock;
  /** The controller's EventRecorder (its component name is the event source). */
  recorder: EventRecorder;
  /** Shared informers; without it the controller makes its own, unshared ones (as a test does). */
  informers?: SharedInformerFactory;
  /** Keys reconciled in parallel (never the same key twice). */
  workers?: number;
  /** How often every object is reconciled again even without events. */
  resyncPeriodMs?: number;
  /** Where a failed reconcile is reported (it is retried with back-off). */
  onError?: (key: string, error: unknown) => void;
}

/** kube-controller-manager's --min-resync-period is 12 h; a lab wants a missed event fixed in 30 s. */
export const DEFAULT_RESYNC_PERIOD_MS = CONTROLLER_DEFAULTS.resyncPeriodMs;

export interface ControllerIdentity {
  /** The name its log lines start with: `deployment-controller: syncing default/web: ...`. */
  component: string;
  /** What the log line of a failed key says before the key; `syncing` by default. */
  failing?: string;
  /** Workers when the options name none; 2 by default. */
  workers?: number;
}

export abstract class Controller {
  readonly queue: WorkQueue;
  protected readonly client: ApiClient;
  protected readonly clock: Clock;
  /** Where the controller gets its informers: the manager's shared ones, or its own. */
  protected readonly informers: SharedInformerFactory;
  private readonly component: string;
  private readonly workers: number;
  private readonly resyncPeriodMs: number;
  private readonly poisonRecorder?: EventRecorder;
  private readonly reported = new ReportedOnce();

  constructor(options: Omit<ControllerOptions, 'recorder'> & { recorder?: EventRecorder }, identity: ControllerIdentity) {
    const { client, clock } = options;
    this.client = client;
    this.clock = clock;
    this.informers = options.informers ?? new SharedInformerFactory({ client, clock });
    this.component = identity.component;
    this.workers = options.workers ?? identity.workers ?? 2;
    this.resyncPeriodMs = options.resyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS;
    this.poisonRecorder = options.recorder;
    const failing = identity.failing ?? 'syncing';
    const onError =
      options.onError ?? ((key: string, err: unknown) => logger(identity.component).error(`${failing ? `${failing} ` : ''}${key}`, { err }));
    this.queue = new WorkQueue({ clock, onError, name: identity.component });
  }

  /** The informers this controller watches; a resync enqueues every key of the first by default. */
  protected abstract watched(): Informer[];

  /** Converges one key; safe to run any number of times. */
  abstract reconcile(key: string): Promise<void>;

  /** What a periodic resync enqueues, when it is not every key of the first watched informer. */
  protected resync?(): void | Promise<void>;

  /** Runs once the caches are filled, before the first reconcile. */
  protected onSynced?(): void | Promise<void>;

  /** reconcile(key); a failure that shows an object the code cannot handle is also told on the object. */
  async reconcileReportingPoison(key: string): Promise<void> {
    try {
      await this.reconcile(key);
    } catch (error) {
      if (showsPoison(error)) {
        const object = this.watched()[0]?.get(key);
        if (object && this.reported.firstTime(object)) {
          this.poisonRecorder?.record(
            object,
            'Warning',
            'ReconcileError',
            `${this.component} cannot handle this object: ${errorMessage(error)}; it retries with growing delays. A field probably has a shape the API accepted before it checked types: fix it or recreate the object`,
          );
        }
      }
      throw error;
    }
  }

  /** Watches, reconciles and resyncs until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    return runController({
      informers: this.watched(),
      queue: this.queue,
      reconcile: (key) => this.reconcileReportingPoison(key),
      workers: this.workers,
      resyncMs: this.resyncPeriodMs,
      resync: this.resync && (() => this.resync!()),
      onSynced: this.onSynced && (() => this.onSynced!()),
      onError: (err) => logger(this.component).error('resync', { err }),
      clock: this.clock,
      signal,
    });
  }
}


/** A failure that says the object itself is the problem, not the cluster or the network. */
function showsPoison(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || (error instanceof ApiError && (error.code === 400 || error.code === 422));
}
