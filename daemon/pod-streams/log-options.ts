// The log query both servers read: `?follow=true&tailLines=10&previous=true...` on the API's
// GET .../pods/{name}/log and on the kubelet's GET /containerLogs/..., turned into LogOptions for
// the container runtime. The API server forwards a user's query to the node's kubelet unchanged
// (daemon/api/kubelet-client.ts), so one reader keeps the two ends in agreement.

import { badRequest } from '../../lib/errors.js';
import { queryBoolean, queryInteger, queryString, type Query } from '../http/query-parameters.js';
import type { LogOptions } from '../runtime/container-runtime.js';

export function logOptionsOf(query: Query): LogOptions & { previous?: boolean } {
  const sinceTime = queryString(query, 'sinceTime');
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`sinceTime must be an RFC 3339 time, got "${sinceTime}"`);
  const options: LogOptions & { previous?: boolean } = {
    follow: queryBoolean(query, 'follow'),
    timestamps: queryBoolean(query, 'timestamps'),
    previous: queryBoolean(query, 'previous'),
  };
  const tailLines = queryInteger(query, 'tailLines');
  const sinceSeconds = queryInteger(query, 'sinceSeconds');
  const limitBytes = queryInteger(query, 'limitBytes');
  if (tailLines !== undefined) options.tailLines = tailLines;
  if (sinceSeconds !== undefined) options.sinceSeconds = sinceSeconds;
  if (sinceTime !== undefined) options.sinceTime = sinceTime;
  if (limitBytes !== undefined) options.limitBytes = limitBytes;
  return options;
}
