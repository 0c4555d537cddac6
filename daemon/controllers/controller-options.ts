// What the controller manager gives every controller, and the defaults they share.
//
// A controller needs the API (client), time (clock), somewhere to record events, and the shared
// informers (so its pods informer is everyone's pods informer). The rest tunes the one loop in
// lib/controller-runtime.ts: how many keys are reconciled in parallel, how often every key is
// looked at again, and where a failed reconcile is reported (it is retried with back-off).

import type { ApiClient } from '../../lib/client/api-client.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import type { Clock } from '../../lib/clock.js';
import type { EventRecorder } from '../events/event-recorder.js';

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
export const DEFAULT_RESYNC_PERIOD_MS = 30_000;

/** The factory the controller was given, or one of its own. */
export function informersOf(options: { client: ApiClient; clock: Clock; informers?: SharedInformerFactory }): SharedInformerFactory {
  return options.informers ?? new SharedInformerFactory({ client: options.client, clock: options.clock });
}

/** The default onError: one line naming the controller, the key and what failed. */
export function logSyncError(component: string, what = 'syncing'): (key: string, error: unknown) => void {
  return (key, error) => console.error(`${component}: ${what ? `${what} ` : ''}${key}: ${error instanceof Error ? error.message : String(error)}`);
}
