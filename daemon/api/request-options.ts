// Reading what a request asks for: the query parameters and headers kube-apiserver understands,
// turned into the options the Registry takes. Pure functions of the request, so each rule
// (which Content-Type means which patch, what `dryRun=All` means) is written down once.

import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { managerFromUserAgent } from '../../lib/api/managed-fields.js';
import type { DeleteOptions, ListOptions, PatchType } from '../../lib/client/api-client.js';
import { badRequest, ApiError, errorMessage, invalid, unsupportedMediaType, type FieldError } from '../../lib/errors.js';
import type { IncludeObject } from '../../lib/printers/tables.js';
import { queryBoolean, queryInteger, queryString, type Query } from '../http/query-parameters.js';
import type { RequestContext } from './registry.js';

const FIELD_VALIDATION = ['Ignore', 'Warn', 'Strict'] as const;

/** kube-apiserver's FieldManagerMaxLength. */
const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * Who asks, who manages the fields it writes (`fieldManager`, else the User-Agent's first word),
 * and how strictly to validate: `fieldValidation` (absent = Ignore), `dryRun=All`.
 */
export function requestContext(user: string, query: Query, headers: IncomingHttpHeaders = {}): RequestContext {
  const fieldManager = queryString(query, 'fieldManager') || managerFromUserAgent(headers['user-agent']);
  if (fieldManager.length > FIELD_MANAGER_MAX_LENGTH) {
    throw badRequest(`fieldManager: Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`);
  }
  const fieldValidation = queryString(query, 'fieldValidation') ?? 'Ignore';
  if (!(FIELD_VALIDATION as readonly string[]).includes(fieldValidation)) {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${fieldValidation}"`);
  }
  const dryRun = queryString(query, 'dryRun');
  if (dryRun !== undefined && dryRun !== 'All') throw badRequest(`invalid dry run value "${dryRun}": only "All" is supported`);
  return {
    user,
    fieldValidation: fieldValidation as RequestContext['fieldValidation'],
    dryRun: dryRun === 'All',
    ...(fieldManager ? { fieldManager } : {}),
    warnings: [],
  };
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

export const APPLY_PATCH_MEDIA_TYPE = 'application/apply-patch+yaml';

export const isApplyPatch = (headers: IncomingHttpHeaders): boolean => mediaType(headers) === APPLY_PATCH_MEDIA_TYPE;

/** The patch type of an ordinary (not apply) PATCH; `force` belongs to apply only. */
export function patchTypeOf(headers: IncomingHttpHeaders, query: Query = {}): PatchType {
  const type = mediaType(headers);
  if (type === APPLY_PATCH_MEDIA_TYPE) {
    throw new ApiError(415, 'UnsupportedMediaType', `server-side apply (${APPLY_PATCH_MEDIA_TYPE}) is not supported on this resource by kubelab; use client-side \`kubectl apply\``);
  }
  // Object.hasOwn: a Content-Type of "constructor" must not find Object's constructor.
  if (!Object.hasOwn(PATCH_TYPES, type)) throw unsupportedMediaType(type || '(none)');
  if (queryString(query, 'force') !== undefined) {
    throw patchOptionsInvalid({ field: 'force', type: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch' });
  }
  return PATCH_TYPES[type];
}

/** kube-apiserver's answer to bad PatchOptions: 422 on the PatchOptions "object". */
const patchOptionsInvalid = (error: FieldError): ApiError => invalid('PatchOptions', 'meta.k8s.io', '', [error]);

/** An apply PATCH's options: the field manager must be named in the query (no User-Agent fallback). */
export function applyOptions(query: Query): { force: boolean } {
  if (!queryString(query, 'fieldManager')) {
    throw patchOptionsInvalid({ field: 'fieldManager', type: 'FieldValueRequired', message: 'Required value: is required for apply patch' });
  }
  return { force: queryBoolean(query, 'force') ?? false };
}

/** The body of an apply PATCH: one YAML (or JSON, which is YAML) document holding an object. */
export function parseApplyConfiguration(text: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error decoding YAML: ${errorMessage(err)}`);
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw badRequest('the applied configuration must be an object');
  return document as Record<string, unknown>;
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
