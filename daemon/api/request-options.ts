// Reading what a request asks for: the query parameters and headers kube-apiserver understands,
// turned into the options the Registry takes. Pure functions of the request, so each rule
// (which Content-Type means which patch, what `dryRun=All` means) is written down once.

import type { IncomingHttpHeaders } from 'node:http';
import type { DeleteOptions, ListOptions, PatchType } from '../../lib/client/api-client.js';
import { badRequest, ApiError, unsupportedMediaType } from '../../lib/errors.js';
import type { IncludeObject } from '../../lib/printers/tables.js';
import { queryBoolean, queryInteger, queryString, type Query } from '../http/query-parameters.js';
import type { RequestContext } from './registry.js';

const FIELD_VALIDATION = ['Ignore', 'Warn', 'Strict'] as const;

/** Who asks and how strictly to validate: `fieldValidation` (absent = Ignore), `dryRun=All`. */
export function requestContext(user: string, query: Query): RequestContext {
  const fieldValidation = queryString(query, 'fieldValidation') ?? 'Ignore';
  if (!(FIELD_VALIDATION as readonly string[]).includes(fieldValidation)) {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${fieldValidation}"`);
  }
  const dryRun = queryString(query, 'dryRun');
  if (dryRun !== undefined && dryRun !== 'All') throw badRequest(`invalid dry run value "${dryRun}": only "All" is supported`);
  return { user, fieldValidation: fieldValidation as RequestContext['fieldValidation'], dryRun: dryRun === 'All', warnings: [] };
}

export function listOptions(query: Query, namespace: string | undefined): ListOptions {
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(queryString(query, 'labelSelector') ? { labelSelector: queryString(query, 'labelSelector') } : {}),
    ...(queryString(query, 'fieldSelector') ? { fieldSelector: queryString(query, 'fieldSelector') } : {}),
  };
}

/** DeleteOptions from the JSON body (kubectl sends `{"propagationPolicy":"Background"}`) and the query. */
export function deleteOptions(body: unknown, query: Query): DeleteOptions {
  const fromBody = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const options: DeleteOptions = {};
  const grace = queryInteger(query, 'gracePeriodSeconds') ?? (fromBody.gracePeriodSeconds as number | undefined);
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || grace < 0) throw badRequest('gracePeriodSeconds must be a non-negative integer');
    options.gracePeriodSeconds = grace;
  }
  const policy = queryString(query, 'propagationPolicy') ?? (fromBody.propagationPolicy as string | undefined);
  if (policy !== undefined && policy !== null) {
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw badRequest(`propagationPolicy must be one of "Background", "Foreground" or "Orphan", got "${policy}"`);
    }
    options.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  }
  if (fromBody.preconditions && typeof fromBody.preconditions === 'object') {
    options.preconditions = fromBody.preconditions as DeleteOptions['preconditions'];
  }
  const dryRun = queryString(query, 'dryRun') ?? (Array.isArray(fromBody.dryRun) ? String(fromBody.dryRun[0]) : undefined);
  if (dryRun === 'All') options.dryRun = true;
  return options;
}

/** The media type of a Content-Type header, lower-case, without parameters. */
export function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
};

export function patchTypeOf(headers: IncomingHttpHeaders): PatchType {
  const type = mediaType(headers);
  // Object.hasOwn: a Content-Type of "constructor" must not find Object's constructor.
  if (Object.hasOwn(PATCH_TYPES, type)) return PATCH_TYPES[type];
  if (type === 'application/apply-patch+yaml') {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      'server-side apply (application/apply-patch+yaml) is not supported by kubelab; use client-side `kubectl apply` (the default, without --server-side)',
    );
  }
  throw unsupportedMediaType(type || '(none)');
}

/** POST and PUT bodies must be JSON objects. */
export function requireJsonObject(headers: IncomingHttpHeaders, body: unknown): Record<string, unknown> {
  const type = mediaType(headers);
  if (type !== 'application/json' && !/^application\/[^/]*\+json$/.test(type)) throw unsupportedMediaType(type || '(none)');
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** `as=Table` in any entry of the Accept header: kubectl's human-readable output. */
export function wantsTable(headers: IncomingHttpHeaders): boolean {
  return (headers.accept ?? '').split(',').some((entry) => entry.split(';').map((p) => p.trim()).includes('as=Table'));
}

export function includeObjectOf(query: Query): IncludeObject {
  const value = queryString(query, 'includeObject') ?? 'Metadata';
  if (value !== 'None' && value !== 'Metadata' && value !== 'Object') {
    throw badRequest(`includeObject must be one of "None", "Metadata" or "Object", got "${value}"`);
  }
  return value;
}
