// Turning an HTTP answer that is not 2xx into an ApiError, the way client-go does: a Status
// body is the server's own explanation (reason, message, field causes) and is kept as it is; any
// other body (an HTML 404 from a proxy, plain text) becomes an error with a reason derived from
// the status code, so callers can still test `isNotFound(err)`.

import { ApiError, fromStatus, type StatusReason } from '../errors.js';

const reasonOfCode: Record<number, { reason: StatusReason; message: string }> = {
  400: { reason: 'BadRequest', message: 'the server rejected our request for an unknown reason' },
  401: { reason: 'Unauthorized', message: 'the server has asked for the client to provide credentials' },
  403: { reason: 'Forbidden', message: 'the server does not allow access to the requested resource' },
  404: { reason: 'NotFound', message: 'the server could not find the requested resource' },
  405: { reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' },
  409: { reason: 'Conflict', message: 'the server reported a conflict' },
  410: { reason: 'Expired', message: 'the requested resource version is too old' },
  413: { reason: 'RequestEntityTooLarge', message: 'the request is too large' },
  415: { reason: 'UnsupportedMediaType', message: 'the server does not support the media type of the request' },
  422: { reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  503: { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' },
  504: { reason: 'Timeout', message: 'the server was unable to return a response in the time allotted' },
};

/**
 * `what` names the request for messages about non-Status bodies, kubectl-style:
 * `get pods web` → `the server could not find the requested resource (get pods web)`.
 */
export function errorFromResponse(code: number, body: string, what: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status') {
    return fromStatus(parsed as Parameters<typeof fromStatus>[0], code);
  }
  const known = reasonOfCode[code];
  if (known) return new ApiError(code, known.reason, `${known.message} (${what})`);
  const snippet = body.trim().slice(0, 200);
  return new ApiError(code, 'InternalError', `an error on the server (${JSON.stringify(snippet)}) has prevented the request from succeeding (${what})`);
}

/** `299 - "unknown field \"spec.foo\""` → `unknown field "spec.foo"` (RFC 7234 warn-text). */
export function parseWarningHeader(value: string): string[] {
  const warnings: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) warnings.push(m[1].replace(/\\(.)/g, '$1'));
  if (warnings.length === 0 && value.trim()) warnings.push(value.trim());
  return warnings;
}
