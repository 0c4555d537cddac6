// How an exec ends, told to the client: a Status object on the error stream (channel 3 on a
// WebSocket, the `error` stream over SPDY), exactly as the kubelet writes it.
//
// kubectl reads it to choose its own exit code: `Success` → 0; reason `NonZeroExitCode` with a
// cause `ExitCode` whose message is the number → it prints `command terminated with exit code N`
// and exits N; any other failure is printed as an error from the server.

import type { Status } from '../../lib/api/types.js';
import { ApiError, errorMessage, internalError } from '../../lib/errors.js';

/** A Status as the kubelet writes it on the stream: `kind` and `apiVersion` may be absent. */
export type ExecStatus = Omit<Status, 'kind' | 'apiVersion'> & Partial<Pick<Status, 'kind' | 'apiVersion'>>;

/** The Status for a command that exited with `exitCode`. */
export function exitStatus(command: string[], exitCode: number): ExecStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The Status for an exec that could not run at all (no such container, runtime error...). */
export function failureStatus(err: unknown): Status {
  const apiError = err instanceof ApiError ? err : internalError(errorMessage(err), err);
  return apiError.toStatus();
}
