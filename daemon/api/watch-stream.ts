// Serving `?watch=true`: one long HTTP response carrying a stream of change events.
//
// The wire format is kube-apiserver's JSON watch (compat §4.1): status 200, Content-Type
// application/json, chunked, one `{"type":"ADDED","object":{...}}` line per event, flushed at once.
// A watch that starts from a resourceVersion older than the store's history cannot be served: the
// real server still answers 200 and sends a single ERROR event carrying a 410 Expired Status, and
// clients (informers) re-list. With the Table Accept header every event's object is a one-row
// Table, with column definitions only in the first event.
//
// The response ends when the client goes away (res 'close': req 'close' fires as soon as the
// request body is read, compat §0.8), when timeoutSeconds elapse, or after an ERROR event.

import type { Response } from 'express';
import type { KubeObject } from '../../lib/api/types.js';
import type { WatchEvent, WatchOptions } from '../../lib/client/api-client.js';
import { ApiError, isGone } from '../../lib/errors.js';
import { toTable, type IncludeObject } from '../../lib/printers/tables.js';
import type { Registry, RequestContext } from './registry.js';
import { encodedJson } from '../store/encoded-json.js';

export interface WatchRequest {
  registry: Registry;
  /** Store key: `pods`, `deployments.apps`. */
  resource: string;
  options: WatchOptions;
  ctx: RequestContext;
  /** End the response after this many seconds (clients re-watch). */
  timeoutSeconds?: number;
  /** Present when the client asked for Tables. */
  table?: { includeObject: IncludeObject; now: () => Date };
  /**
   * allowWatchBookmarks: send a BOOKMARK (carrying the last version sent) every this many ms
   * while nothing else happens. Besides telling the client where to resume, it is a heartbeat:
   * a client that hears nothing for a few intervals knows its connection is dead (a cut cable
   * sends no FIN) and re-watches.
   */
  bookmarkIntervalMs?: number;
  /** The kind and apiVersion a bookmark's object carries. */
  bookmarkType?: { kind: string; apiVersion: string };
  /** Sets the Warning headers of ctx.warnings; called before the first byte goes out. */
  beforeFirstWrite?: () => void;
}

/** The ERROR event a watch ends with when its resourceVersion is too old. */
export function expiredEvent(error: ApiError): WatchEvent {
  return { type: 'ERROR', object: error.toStatus() as unknown as KubeObject };
}

/**
 * Streams the watch into `res`. Errors other than Gone that happen before the first event
 * (bad selector, unknown namespace...) are thrown, so the caller can answer with a Status.
 */
export function serveWatch(res: Response, request: WatchRequest): void {
  let headersWritten = false;
  let ended = false;
  let sentColumns = false;
  let stop: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  let lastVersion = request.options.resourceVersion ?? '';
  let lastWriteMs = Date.now();

  const writeHeaders = () => {
    if (headersWritten) return;
    headersWritten = true;
    request.beforeFirstWrite?.();
    res.status(200);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-cache, private');
    // Without a Content-Length Node sends the body chunked; flushing now tells the client the
    // watch is established even when no event comes for a while.
    res.flushHeaders();
  };

  const finish = () => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    if (bookmarks) clearInterval(bookmarks);
    stop?.();
    writeHeaders();
    res.end();
  };

  const encode = (event: WatchEvent): WatchEvent | undefined => {
    if (!request.table || event.type === 'ERROR') return event;
    if (event.type === 'BOOKMARK') return undefined; // a Table has no row for a bookmark
    const table = toTable(request.resource, [event.object], {
      now: request.table.now(),
      includeObject: request.table.includeObject,
      noHeaders: sentColumns,
    });
    sentColumns = true;
    return { type: event.type, object: table as unknown as KubeObject };
  };

  const onEvent = (event: WatchEvent) => {
    if (ended) return;
    const encoded = encode(event);
    if (!encoded) return;
    writeHeaders();
    lastVersion = event.object?.metadata?.resourceVersion ?? lastVersion;
    lastWriteMs = Date.now();
    // A stored object's JSON is made once per version and shared by every watcher (encoded-json.ts).
    const line = encoded.type === 'ADDED' || encoded.type === 'MODIFIED' || encoded.type === 'DELETED'
      ? `{"type":"${encoded.type}","object":${encodedJson(encoded.object)}}\n`
      : `${JSON.stringify(encoded)}\n`;
    res.write(line);
    if (event.type === 'ERROR') finish();
  };

  res.on('close', () => {
    ended = true;
    if (timer) clearTimeout(timer);
    if (bookmarks) clearInterval(bookmarks);
    stop?.();
  });

  // A watch from "now" starts with an ADDED event per current object: those lines go out in one
  // write, not one TLS record each.
  res.cork();
  try {
    stop = request.registry.watch(request.resource, request.options, request.ctx, onEvent);
  } catch (err) {
    res.uncork();
    if (!isGone(err)) {
      if (!headersWritten) throw err;
      // Events already went out: the only way left to report the error is an ERROR event.
      onEvent({ type: 'ERROR', object: (err instanceof ApiError ? err : new ApiError(500, 'InternalError', String(err))).toStatus() as unknown as KubeObject });
      return;
    }
    onEvent(expiredEvent(err as ApiError));
    return;
  }
  res.uncork();
  // The watch may have ended (ERROR event, client gone) while it was starting.
  if (ended) {
    stop();
    return;
  }
  writeHeaders();
  if (request.timeoutSeconds && request.timeoutSeconds > 0) timer = setTimeout(finish, request.timeoutSeconds * 1000);
  const interval = request.bookmarkIntervalMs;
  if (interval && interval > 0 && !request.table) {
    bookmarks = setInterval(() => {
      if (Date.now() - lastWriteMs < interval || !lastVersion) return;
      const type = request.bookmarkType ?? { kind: '', apiVersion: '' };
      onEvent({ type: 'BOOKMARK', object: { ...type, metadata: { resourceVersion: lastVersion } } as KubeObject });
    }, interval);
  }
}
