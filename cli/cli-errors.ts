// How a failed command reads on stderr, in kubectl's words, so users (and scripts that grep
// kubectl output) see the same lines:
//
//   error: the server doesn't have a resource type "bogus"          a mistake on our side
//   Error from server (NotFound): pods "x" not found                 the server said no
//   The Pod "x" is invalid:                                          a 422, one line per field
//   * spec.containers[0].image: Required value
//
// Every command fails by throwing; main() formats the error here, once, and exits 1 (or the
// exit code a CliExit carries, e.g. exec's remote exit code).

import { ApiError } from '../lib/errors.js';

/** A mistake the user can fix: printed as `error: <message>`. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Ends the command with this exit code; the message (if any) was already printed. */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(readonly exitCode: number, message = `exit code ${exitCode}`) {
    super(message);
  }
}

/** The text kubectl prints for an error, without a trailing newline. */
export function formatError(err: unknown): string {
  if (err instanceof ApiError) return formatApiError(err);
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}

function formatApiError(err: ApiError): string {
  if (err.code === 401) return 'error: You must be logged in to the server (the server has asked for the client to provide credentials)';
  const causes = err.details?.causes ?? [];
  if (err.reason === 'Invalid' && (err.details?.kind || err.details?.name)) {
    const kind = err.details.group ? `${err.details.kind}.${err.details.group}` : err.details.kind;
    const lines = causes.map((c) => `* ${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`);
    if (lines.length === 0) return `The ${kind} "${err.details.name}" is invalid: ${err.message}`;
    return [`The ${kind} "${err.details.name}" is invalid: `, ...lines].join('\n');
  }
  return `Error from server (${err.reason}): ${err.message}`;
}

/** The same error with a note on which request failed: `error when creating "pod.yaml": ...`. */
export function withContext(err: unknown, context: string): unknown {
  if (err instanceof ApiError && err.reason !== 'Invalid') {
    return new ApiError(err.code, err.reason, `${context}: ${err.message}`, err.details, { cause: err });
  }
  return err;
}
