// The store's memory of recent changes: what lets a watcher resume where its LIST left off,
// and what lets the pages of one paged list read the same snapshot.
//
// Kubernetes clients (informers, `kubectl get -w`) first LIST, note the list's resourceVersion N,
// then WATCH from N. Every change after N must reach them, including the ones that happened
// between the two requests. The API server's watch cache keeps a ring buffer of recent events for
// exactly this; when a client asks for a version the buffer no longer holds, it answers
// 410 Gone ("too old resource version") and the client starts over with a fresh LIST.
//
// The same events, read backwards, give the state of any key at any version the buffer still
// covers (each event carries the object before the change): that is how a paged list's later
// pages are read at the first page's version (nedb-store.ts). The buffer is kubelab's "etcd
// compaction window": a continue token older than it gets 410 Expired.
//
// This history is bounded (oldest events fall off; a ring buffer, so appending costs the same
// however full it is) and lives only in memory: after a restart it is empty, so only the current
// version can be resumed from.

import { gone } from '../../lib/errors.js';
import type { StoreEvent } from './object-store.js';

export class WatchHistory {
  private readonly ring: (StoreEvent | undefined)[];
  /** Index of the oldest retained event in `ring`. */
  private head = 0;
  private length = 0;
  /** Every event with a version above this one is retained; older ones were dropped or predate the process. */
  private retainedAfterVersion: number;

  /** `startVersion`: the store's version when it opened (nothing before it is known). */
  constructor(
    private readonly capacity: number,
    startVersion: number,
  ) {
    this.ring = new Array(Math.max(1, capacity));
    this.retainedAfterVersion = startVersion;
  }

  /** The oldest version from which every later change is still known. */
  get retainedAfter(): number {
    return this.retainedAfterVersion;
  }

  append(event: StoreEvent): void {
    if (this.length === this.ring.length) {
      this.retainedAfterVersion = this.ring[this.head]!.resourceVersion;
      this.ring[this.head] = event;
      this.head = (this.head + 1) % this.ring.length;
      return;
    }
    this.ring[(this.head + this.length) % this.ring.length] = event;
    this.length += 1;
  }

  /**
   * Drops every event up to `version` (a backend that compacted its own history, etcd): a watch
   * from an older version then gets 410 Gone, as the backend itself would answer.
   */
  forgetUpTo(version: number): void {
    while (this.length > 0 && this.at(0).resourceVersion <= version) {
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.ring.length;
      this.length -= 1;
    }
    this.retainedAfterVersion = Math.max(this.retainedAfterVersion, version);
  }

  private at(index: number): StoreEvent {
    return this.ring[(this.head + index) % this.ring.length]!;
  }

  /**
   * The events with a version greater than `resourceVersion`, oldest first. Throws Gone when some
   * of them are no longer retained, with the real server's message: requested (oldest known).
   */
  since(resourceVersion: number): StoreEvent[] {
    if (resourceVersion < this.retainedAfterVersion) {
      throw gone(`too old resource version: ${resourceVersion} (${this.retainedAfterVersion})`);
    }
    // Versions are increasing, so the first newer event can be found by binary search.
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).resourceVersion <= resourceVersion) low = middle + 1;
      else high = middle;
    }
    const events: StoreEvent[] = [];
    for (let i = low; i < this.length; i += 1) events.push(this.at(i));
    return events;
  }
}
