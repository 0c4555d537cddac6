// The page's copy of the cluster, kept current by one server-sent-events stream
// (/ui/api/watch, daemon/api/ui/live-stream.ts). Each message is a watch event named after its
// resource; `reset` (sent first on every connection, also after a reconnect) empties the copy,
// and the ADDED events that follow refill it. Nothing is polled: a change reaches the page as
// the API server's watch delivers it. Subscribers are told at most once per animation frame.

import { keyOf } from './view-model.js';

export const RESOURCES = ['nodes', 'pods', 'events', 'services', 'endpoints', 'deployments.apps', 'replicasets.apps'];

export class LiveCluster {
  constructor() {
    /** resource -> Map(key -> object) */
    this.objects = new Map(RESOURCES.map((r) => [r, new Map()]));
    this.status = 'connecting';
    this.listeners = new Set();
    this.scheduled = false;
  }

  /** All current objects of one resource. */
  list(resource) {
    return [...(this.objects.get(resource)?.values() ?? [])];
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect() {
    const source = new EventSource(`/ui/api/watch?resources=${RESOURCES.join(',')}`);
    source.addEventListener('reset', () => {
      for (const map of this.objects.values()) map.clear();
      this.setStatus('syncing');
    });
    source.addEventListener('synced', () => this.setStatus('live'));
    for (const resource of RESOURCES) {
      source.addEventListener(resource, (message) => this.apply(resource, JSON.parse(message.data)));
    }
    // EventSource reconnects by itself (after `retry` ms); the page says so meanwhile.
    source.onerror = () => this.setStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    this.source = source;
  }

  apply(resource, event) {
    const map = this.objects.get(resource);
    if (event.type === 'ERROR') {
      this.setStatus('reconnecting');
      return;
    }
    const key = keyOf(event.object);
    if (event.type === 'DELETED') map.delete(key);
    else map.set(key, event.object);
    this.changed();
  }

  setStatus(status) {
    this.status = status;
    this.changed();
  }

  changed() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}
