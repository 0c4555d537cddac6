// The event recorder: client-go's record.EventRecorder, which every component uses to leave a
// trail that `kubelab describe` and `kubelab get events` show: `Scheduled`, `Pulling`, `Started`,
// `BackOff`, `FailedScheduling` ...
//
// Two ideas from Kubernetes:
// - Fire and forget. Recording is never worth failing the work it describes, so record() returns
//   at once, writes in the background, one event at a time, and only logs a failed write.
// - Precise time. firstTimestamp and lastTimestamp have whole seconds, as in Kubernetes; every
//   event also carries `eventTime`, a MicroTime (as the events.k8s.io recorder writes it, with
//   `action` and `reportingInstance`, which Kubernetes requires once eventTime is set). It is the
//   time of the first occurrence, so a folded repeat keeps it. `kubelab trace pod` orders a pod's
//   life by it (lib/trace/pod-trace.ts).
// - Aggregation. A crash-looping container says "Back-off restarting failed container" every few
//   seconds; instead of thousands of objects, the same (object, reason, message, source) seen
//   again within 10 minutes bumps `count` and `lastTimestamp` of the Event already written
//   (the EventCorrelator's EventLogger). `kubectl describe` then prints `x5 over 2m`.

import type { Event, KubeObject } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { isNotFound } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { logger } from '../../lib/logger.js';
import { microTime, rfc3339 } from '../../lib/time.js';
import { EVENT_DEFAULTS } from '../config.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  component: string;
  host?: string;
}

/** How long a repeated event is folded into the previous one (Kubernetes: 10 minutes). */
const AGGREGATION_WINDOW_MS = EVENT_DEFAULTS.aggregationWindowMs;
/** The most (object, reason, message) keys remembered; the oldest go first (an LRU, as in client-go). */
const MAX_REMEMBERED = 4096;

interface Seen {
  namespace: string;
  name: string;
  count: number;
  lastSeenMs: number;
}

export interface EventRecorderOptions {
  /** Where failed writes are reported; the source component's log by default. */
  onError?: (error: unknown, event: Event) => void;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private pending: Promise<void> = Promise.resolve();
  private sequence = 0;
  private readonly onError: (error: unknown, event: Event) => void;

  constructor(
    private readonly client: ApiClient,
    private readonly source: EventSource,
    private readonly clock: Clock,
    options: EventRecorderOptions = {},
  ) {
    this.onError =
      options.onError ??
      ((err, event) => logger(this.source.component).warn(`could not record event ${event.reason} on ${event.involvedObject.kind} ${event.involvedObject.name}`, { err }));
  }

  /**
   * Records that something happened to `obj`; never throws, never waits. `at` is when it happened
   * when that was earlier than now (the API server takes the time before it stores a pod).
   */
  record(obj: KubeObject, type: EventType, reason: string, message: string, at?: Date): void {
    let event: Event;
    try {
      event = this.buildEvent(obj, type, reason, message, at);
    } catch (error) {
      this.onError(error, { metadata: {}, involvedObject: {}, reason } as Event);
      return;
    }
    this.pending = this.pending.then(() => this.write(event)).catch((error: unknown) => this.onError(error, event));
  }

  /** Resolves when every event recorded so far has been written (or has failed): for tests and shutdown. */
  flush(): Promise<void> {
    return this.pending;
  }

  private buildEvent(obj: KubeObject, type: EventType, reason: string, message: string, at?: Date): Event {
    const now = at ?? this.clock.now();
    const objectName = obj.metadata.name ?? '';
    const namespace = obj.metadata.namespace || 'default';
    // Kubernetes names events `<object>.<unix nanoseconds in hex>`; the sequence keeps two events
    // of the same millisecond apart.
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${objectName}.${nanos.toString(16).padStart(16, '0')}`, namespace },
      involvedObject: {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: objectName,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      eventTime: microTime(now),
      count: 1,
      type,
      action: reason,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? this.source.component,
    };
  }

  /** What makes two events "the same" for aggregation. */
  private aggregationKey(event: Event): string {
    const o = event.involvedObject;
    return JSON.stringify([o.kind, o.namespace, o.name, o.uid, event.type, event.reason, event.message, event.source?.component, event.source?.host]);
  }

  private async write(event: Event): Promise<void> {
    const key = this.aggregationKey(event);
    const nowMs = new Date(event.lastTimestamp!).getTime();
    this.forgetOld(nowMs);
    const previous = this.seen.get(key);
    if (previous && nowMs - previous.lastSeenMs <= AGGREGATION_WINDOW_MS) {
      try {
        await this.client.patch('events', previous.namespace, previous.name, { count: previous.count + 1, lastTimestamp: event.lastTimestamp }, 'merge');
        this.remember(key, { ...previous, count: previous.count + 1, lastSeenMs: nowMs });
        return;
      } catch (error) {
        // Someone deleted the event (or its namespace was emptied): start a new one.
        if (!isNotFound(error)) throw error;
      }
    }
    const created = await this.client.create<Event>('events', event);
    this.remember(key, { namespace: event.metadata.namespace!, name: created.metadata.name!, count: 1, lastSeenMs: nowMs });
  }

  private remember(key: string, seen: Seen): void {
    this.seen.delete(key); // re-insert: Map order is the LRU order
    this.seen.set(key, seen);
    if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
  }

  private forgetOld(nowMs: number): void {
    for (const [key, seen] of this.seen) {
      if (nowMs - seen.lastSeenMs <= AGGREGATION_WINDOW_MS) break; // oldest first: the rest are newer
      this.seen.delete(key);
    }
  }
}
