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
import { isAlreadyExists, isNotFound } from '../../lib/errors.js';
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

export interface RecordOptions {
  /** When it happened, if earlier than now (the API server takes the time before it stores a pod). */
  at?: Date;
  /** The part of the object it is about, as the kubelet names a container: `spec.containers{web}`. */
  fieldPath?: string;
}

/**
 * Kubernetes names events `<object>.<unix nanoseconds in hex>`. A Date has milliseconds, so a
 * sequence fills the nanoseconds: shared by every recorder of the process, and starting at a
 * random number so that two processes (a server and an agent) rarely draw the same.
 */
let sequence = Math.floor(Math.random() * 1_000_000);
function eventName(objectName: string, at: Date): string {
  const nanos = BigInt(at.getTime()) * 1_000_000n + BigInt(sequence++ % 1_000_000);
  return `${objectName}.${nanos.toString(16).padStart(16, '0')}`;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private pending: Promise<void> = Promise.resolve();
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

  /** Records that something happened to `obj`; never throws, never waits. */
  record(obj: KubeObject, type: EventType, reason: string, message: string, options: RecordOptions = {}): void {
    let event: Event;
    try {
      event = this.buildEvent(obj, type, reason, message, options);
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

  private buildEvent(obj: KubeObject, type: EventType, reason: string, message: string, options: RecordOptions): Event {
    const now = options.at ?? this.clock.now();
    const objectName = obj.metadata.name ?? '';
    const namespace = obj.metadata.namespace || 'default';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(objectName, now), namespace },
      involvedObject: {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: objectName,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
        ...(options.fieldPath ? { fieldPath: options.fieldPath } : {}),
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
    let created: Event;
    try {
      created = await this.client.create<Event>('events', event);
    } catch (error) {
      // Another component named its event for the same object in the same millisecond (the
      // sequence only separates this process's events): draw the name again, once.
      if (!isAlreadyExists(error)) throw error;
      created = await this.client.create<Event>('events', { ...event, metadata: { ...event.metadata, name: eventName(event.involvedObject.name ?? '', new Date(nowMs)) } });
    }
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
