// Writing a list to the wire without encoding it again.
//
// The store keeps the JSON text of every object it holds (encoded once, when it was written), so
// a list response is assembled from those texts: the list's envelope around the items joined by
// commas. Nothing is copied or stringified per request; a big list (no limit) is written in
// slices, letting other requests run in between, so 11,000 objects never hold the event loop
// for the whole response.
//
// Paging parameters (`limit`, `continue`) are read here too: they belong to the list verb only.

import type { Response } from 'express';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { badRequest } from '../../lib/errors.js';
import { queryString, type Query } from '../http/query-parameters.js';
import type { EncodedList } from './registry.js';

/** Items written per slice of a long list response. */
const ITEMS_PER_WRITE = 500;

/** `limit` and `continue` of a list request, checked as kube-apiserver checks them. */
export function pageOptions(query: Query): { limit?: number; continue?: string } {
  const limitText = queryString(query, 'limit');
  const token = queryString(query, 'continue');
  const options: { limit?: number; continue?: string } = {};
  if (limitText !== undefined && limitText !== '') {
    const limit = Number(limitText);
    if (!/^-?\d+$/.test(limitText) || !Number.isSafeInteger(limit)) throw badRequest(`invalid value for limit: "${limitText}": must be an integer`);
    // Kubernetes treats a limit of 0 or less as "no limit".
    if (limit > 0) options.limit = limit;
  }
  if (token) {
    const resourceVersion = queryString(query, 'resourceVersion');
    if (resourceVersion && resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    options.continue = token;
  }
  return options;
}

/** The list envelope around the items' stored JSON; `prefix` is everything up to the items. */
export async function sendEncodedList(res: Response, status: number, list: EncodedList): Promise<void> {
  const envelope = JSON.stringify({ kind: list.kind, apiVersion: list.apiVersion, metadata: list.metadata });
  const head = `${envelope.slice(0, -1)},"items":[`;
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  if (list.items.length <= ITEMS_PER_WRITE) {
    res.end(`${head}${list.items.map((item) => item.json).join(',')}]}`);
    return;
  }
  res.write(head);
  for (let from = 0; from < list.items.length; from += ITEMS_PER_WRITE) {
    if (from > 0) {
      await yieldToEventLoop();
      if (res.destroyed) return; // the client went away
    }
    const slice = list.items.slice(from, from + ITEMS_PER_WRITE).map((item) => item.json);
    res.write((from > 0 ? ',' : '') + slice.join(','));
  }
  res.end(']}');
}
