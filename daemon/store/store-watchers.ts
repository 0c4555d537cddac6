// The watchers of a store and how one change reaches each of them: the part of the API server's
// watch cache (k8s.io/apiserver/pkg/storage/cacher) that both backends share.
//
// A watcher asks for one resource, maybe one namespace and a selector. Every change of that
// resource is seen through the watcher's filter, exactly as the real server's cacher does: a
// MODIFIED object that starts matching arrives as ADDED, one that stops matching as DELETED (its
// previous state, stamped with the new version), so a client's view of "the matching objects"
// stays right without ever seeing the others. Every watcher gets the same event objects: they
// are shared and must not be changed.

import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/logger.js';
import type { StoreEvent, StoreWatchOptions } from './object-store.js';

interface Watcher {
  resource: string;
  options: StoreWatchOptions;
  /** Only events with a greater version: what the watcher's backlog or start already covered. */
  after: number;
  onEvent: (event: StoreEvent) => void;
}

const log = logger('store');

export class StoreWatchers {
  /** Watchers by resource: a write only looks at the watchers of its own resource. */
  private readonly watchers = new Map<string, Set<Watcher>>();

  /**
   * Registers a watcher and delivers its backlog (the changes it asked to catch up on, or the
   * current objects as ADDED); later changes come through publish(). Returns the stop function.
   */
  add(resource: string, options: StoreWatchOptions, onEvent: (event: StoreEvent) => void, backlog: StoreEvent[], after: number): () => void {
    const watcher: Watcher = { resource, options, onEvent, after };
    let set = this.watchers.get(resource);
    if (!set) {
      set = new Set();
      this.watchers.set(resource, set);
    }
    set.add(watcher);
    for (const event of backlog) {
      if (!set.has(watcher)) break;
      this.deliver(watcher, event);
    }
    return () => {
      this.watchers.get(resource)?.delete(watcher);
    };
  }

  publish(event: StoreEvent): void {
    const watchers = this.watchers.get(event.resource);
    if (!watchers) return;
    for (const watcher of watchers) if (event.resourceVersion > watcher.after) this.deliver(watcher, event);
  }

  clear(): void {
    this.watchers.clear();
  }

  /** Sends one event to one watcher, seen through the watcher's namespace and filter. */
  private deliver(watcher: Watcher, event: StoreEvent): void {
    const { namespace, filter } = watcher.options;
    const matches = (obj: KubeObject | undefined): boolean =>
      obj !== undefined && (namespace === undefined || obj.metadata.namespace === namespace) && (!filter || filter(obj));

    let delivered = event;
    if (event.type === 'MODIFIED') {
      const matchedBefore = matches(event.previous);
      const matchesNow = matches(event.object);
      if (!matchedBefore && !matchesNow) return;
      if (!matchedBefore) delivered = { ...event, type: 'ADDED' };
      if (!matchesNow) {
        const object = { ...event.previous!, metadata: { ...event.previous!.metadata, resourceVersion: String(event.resourceVersion) } };
        delivered = { ...event, type: 'DELETED', object };
      }
    } else if (!matches(event.object)) {
      return;
    }
    try {
      watcher.onEvent(delivered);
    } catch (err) {
      // A failing watcher must not fail the write that woke it (the write is already durable):
      // it loses its watch, as a client whose connection broke, and will re-watch.
      this.watchers.get(watcher.resource)?.delete(watcher);
      log.error(`a watch of ${event.resource} failed in its event handler and was stopped`, { err, withStack: true });
    }
  }
}
