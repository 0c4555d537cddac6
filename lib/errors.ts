// The errors every kubelab layer speaks, with stable reasons that map to an HTTP code and to a
// Kubernetes Status body in one place (toStatus), and back (fromStatus, used by clients).
//
// Messages follow the real API server's wording, because kubectl and users grep for it:
// `pods "web" not found`, `deployments.apps "x" already exists`,
// `Pod "p" is invalid: spec.containers[0].image: Required value`.

import type { Status, StatusCause } from './api/types.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'Timeout'
  | 'ServiceUnavailable'
  | 'InternalError';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    options?: { cause?: unknown; listMeta?: { continue?: string } },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.listMeta = options?.listMeta;
  }

  /** The Status's ListMeta: the 410 for an expired continue token carries a new token there. */
  readonly listMeta?: { continue?: string };

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: { ...(this.listMeta ?? {}) },
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** A field-level problem: `spec.containers[0].image: Required value`. */
export interface FieldError {
  field: string;
  /** Kubernetes cause reason: FieldValueRequired, FieldValueInvalid, FieldValueTypeInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueNotFound. */
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueTypeInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueNotFound';
  /** The detail after the field path, e.g. `Required value` or `Invalid value: "Bad_Name": must be ...`. */
  message: string;
}

export const fieldRequired = (field: string): FieldError => ({ field, type: 'FieldValueRequired', message: 'Required value' });
export const fieldInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  field,
  type: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});
export const fieldNotSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  field,
  type: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
});
export const fieldDuplicate = (field: string, value: unknown): FieldError => ({
  field,
  type: 'FieldValueDuplicate',
  message: `Duplicate value: ${JSON.stringify(value)}`,
});
export const fieldForbidden = (field: string, detail: string): FieldError => ({ field, type: 'FieldValueForbidden', message: `Forbidden: ${detail}` });
/** A reference to something that does not exist, e.g. a volumeMount naming no volume: `Not found: "data"`. */
export const fieldNotFound = (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}` });
export const fieldTooLong = (field: string, maxBytes: number): FieldError => ({ field, type: 'FieldValueTooLong', message: `Too long: must have at most ${maxBytes} bytes` });

/** `resource` is the store key (`pods`, `deployments.apps`), as the real server names it in messages. */
function splitResource(resource: string): { kind: string; group?: string } {
  const dot = resource.indexOf('.');
  return dot < 0 ? { kind: resource } : { kind: resource.slice(0, dot), group: resource.slice(dot + 1) };
}

export function notFound(resource: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, ...splitResource(resource) });
}

export function alreadyExists(resource: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, ...splitResource(resource) });
}

export function conflict(resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, ...splitResource(resource) });
}

/** 422 with one cause per field; `kind` is the Kind (`Pod`) and `group` its API group (`apps`) or ''. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  const list = errors.map((e) => `${e.field}: ${e.message}`);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
export const unauthorized = (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (message: string): ApiError => new ApiError(403, 'Forbidden', message);
export const gone = (message: string): ApiError => new ApiError(410, 'Expired', message);
/** kube-apiserver's answer to a continue token whose snapshot is no longer kept (etcd compacted it). */
export const expiredContinue = (newToken: string): ApiError =>
  new ApiError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    undefined,
    { listMeta: { continue: newToken } },
  );
export const methodNotAllowed = (message: string): ApiError => new ApiError(405, 'MethodNotAllowed', message);
export const unsupportedMediaType = (contentType: string): ApiError =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got "${contentType}")`);
export const tooLarge = (limitBytes: number): ApiError =>
  new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes} bytes`);
export const internalError = (message: string, cause?: unknown): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, undefined, { cause });

/** Rebuilds an ApiError from a Status body a server sent back (used by clients). */
export function fromStatus(status: Partial<Status>, httpCode: number): ApiError {
  return new ApiError(
    status.code ?? httpCode,
    (status.reason as StatusReason) ?? 'InternalError',
    status.message ?? `the server answered ${httpCode}`,
    status.details as StatusDetails | undefined,
    typeof status.metadata?.continue === 'string' ? { listMeta: { continue: status.metadata.continue } } : undefined,
  );
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean => e instanceof ApiError && e.code === 410;

/**
 * The message of anything thrown: an Error's message, or the thrown value as text (a rejected
 * promise may carry a string or an object). For logs and for wrapping into another message;
 * keep the original as `cause` when wrapping.
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
