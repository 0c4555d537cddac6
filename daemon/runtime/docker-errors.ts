// What dockerode's errors carry: the engine's HTTP status and its JSON message, which is what a
// user should read ("No such image: hello:v3"), not dockerode's "(HTTP code 404) no such image".

interface DockerError {
  statusCode?: number;
  message?: string;
  json?: { message?: string };
}

/** The engine's own message when it sent one, else the error's. */
export function dockerMessage(err: unknown): string {
  const e = err as DockerError;
  return e?.json?.message ?? e?.message ?? String(err);
}

/** The engine's HTTP status (404 missing, 409 conflict, 304 already so), if any. */
export function statusCodeOf(err: unknown): number | undefined {
  return (err as DockerError)?.statusCode;
}
