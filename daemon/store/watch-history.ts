// The store's memory of recent changes: what lets a watcher resume where its LIST left off.
//
// Kubernetes clients (informers, `kubectl get -w`) first LIST, note the list's resourceVersion N,
// then WATCH from N. Every change after N must reach them, including the ones that happened
// between the two requests. The API server's watch cache keeps a ring buffer of recent events for
// exactly this; when a client asks for a version the buffer no longer holds, it answers
// 410 Gone ("too old resource version") and the client starts over with a fresh LIST.
//
// This history is bounded (oldest events fall off) and lives only in memory: after a restart it
// is empty, so only the current version can be resumed from.

import { gone } from '../../lib/errors.js';
import type { StoreEvent } from './object-store.js';

export class WatchHistory {
  private readonly events: StoreEvent[] = [];
  /** Every event with a version above this one is retained; older ones were dropped or predate the process. */
  private retainedAfter: number;

  /** `startVersion`: the store's version when it opened (nothing before it is known). */
  constructor(
    private readonly capacity: number,
    startVersion: number,
  ) {
    this.retainedAfter = startVersion;
  }

  append(event: StoreEvent): void {
    this.events.push(event);
    if (this.events.length > this.capacity) {
      const dropped = this.events.shift()!;
      this.retainedAfter = dropped.resourceVersion;
    }
  }

  /**
   * The events with a version greater than `resourceVersion`, oldest first. Throws Gone when some
   * of them are no longer retained, with the real server's message: requested (oldest known).
   */
  since(resourceVersion: number): StoreEvent[] {
    if (resourceVersion < this.retainedAfter) {
      throw gone(`too old resource version: ${resourceVersion} (${this.retainedAfter})`);
    }
    // Versions are increasing, so the first newer event can be found by binary search.
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle].resourceVersion <= resourceVersion) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low);
  }
}
