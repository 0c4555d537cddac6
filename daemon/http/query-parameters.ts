// Reading a URL's query parameters the way Kubernetes' servers do, for the two HTTP servers in
// the daemon: the API server (daemon/api/request-options.ts) and the kubelet's stream server
// (daemon/kubelet/kubelet-server.ts). Both read `?follow=true&tailLines=10` for logs, so both read
// it with these functions and agree on what `true`, a repeated parameter or a bad number mean.
//
// A query arrives as express parses it (a value, or an array when repeated) or as
// Object.fromEntries(url.searchParams); either is a Query. A bad value is a 400 naming the
// parameter.

import { badRequest } from '../../lib/errors.js';

export type Query = Record<string, unknown>;

/** The last value of a query parameter (`?a=1&a=2` → `2`), as a string. */
export function queryString(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) return value.length ? String(value[value.length - 1]) : undefined;
  return value === undefined ? undefined : String(value);
}

export function queryBoolean(query: Query, name: string): boolean {
  const value = queryString(query, name);
  return value === 'true' || value === '1';
}

/** A non-negative integer parameter, or a 400 naming it. */
export function queryInteger(query: Query, name: string): number | undefined {
  const value = queryString(query, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`invalid value for ${name}: "${value}" is not a non-negative integer`);
  return Number(value);
}
