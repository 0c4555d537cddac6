// The web view's live data: several watches multiplexed into one server-sent-events stream.
//
// The page needs pods, nodes, events, services, endpoints, Deployments and ReplicaSets at once.
// Seven `?watch=true` responses would take seven of the six connections a browser opens to one
// origin over HTTP/1.1, so the page opens one EventSource instead, and this module runs one
// registry watch per resource behind it (the same Registry.watch a `kubectl get -w` uses) and
// forwards each change as an SSE message named after its resource:
//
//   event: pods
//   data: {"type":"MODIFIED","object":{...}}
//
// A watch from "now" starts with an ADDED event per current object, so a new stream (first load,
// or the browser reconnecting after a dropped connection) first sends `event: reset`, and the
// page rebuilds its state from the ADDED events that follow: a list-then-watch in one stream.
// When a watch ends with an ERROR (its history expired), the stream ends and the browser's
// EventSource reconnects by itself, which is the informer's re-list. Nothing is polled.

import type { Response } from 'express';
import type { KubeObject } from '../../../lib/api/types.js';
import type { WatchEvent } from '../../../lib/client/api-client.js';
import { encodedJson } from '../../store/encoded-json.js';
import type { Registry, RequestContext } from '../registry.js';

/** What the web view may watch: the resources its pages draw. */
export const LIVE_RESOURCES: readonly string[] = ['nodes', 'pods', 'events', 'services', 'endpoints', 'deployments.apps', 'replicasets.apps'];

export interface LiveStreamRequest {
  registry: Registry;
  resources: readonly string[];
  ctx: RequestContext;
  heartbeatIntervalMs: number;
}

/** Streams `resources` into `res` as server-sent events until the client goes away. */
export function serveLiveStream(res: Response, request: LiveStreamRequest): void {
  const stops: (() => void)[] = [];
  let ended = false;
  let heartbeat: NodeJS.Timeout | undefined;
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();

  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    for (const stop of stops) stop();
    res.end();
  };
  res.on('close', end);

  const send = (resource: string, event: WatchEvent) => {
    if (ended || event.type === 'BOOKMARK') return;
    // A stored object's JSON is made once per version and shared by every watcher; JSON has no
    // raw newline, so one `data:` line carries it.
    const data = event.type === 'ERROR' ? JSON.stringify(event) : `{"type":"${event.type}","object":${encodedJson(event.object as KubeObject)}}`;
    res.write(`event: ${resource}\ndata: ${data}\n\n`);
    if (event.type === 'ERROR') end();
  };

  // Tell the page to drop what it holds: the ADDED events of the new watches are the whole truth.
  res.cork();
  res.write(`retry: 1000\nevent: reset\ndata: {}\n\n`);
  try {
    for (const resource of request.resources) stops.push(request.registry.watch(resource, {}, request.ctx, (event) => send(resource, event)));
  } finally {
    res.uncork();
  }
  if (!ended) res.write(`event: synced\ndata: {}\n\n`);
  if (!ended) heartbeat = setInterval(() => void res.write(`: heartbeat\n\n`), request.heartbeatIntervalMs);
}
