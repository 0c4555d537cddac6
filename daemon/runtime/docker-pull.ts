// Pulling an image through the engine. The engine answers a pull with a stream of JSON progress
// lines, the last of which may carry an error; the pull is over when the stream ends.
//
// Without a registry (as on these machines) the engine can fail at once ("no such host") or,
// where DNS or a firewall swallows packets, wait minutes. The kubelet would rather report
// ErrImagePull and back off, so a watchdog abandons a pull that shows no progress for a while;
// a slow but moving pull of a big image is left alone.

import type Docker from 'dockerode';

/** Resolves when the engine has the image; rejects with the engine's reason or the watchdog's. */
/** `authconfig`: the registry's credentials (Docker's X-Registry-Auth), from the pod's imagePullSecrets. */
export async function pullDockerImage(docker: Docker, image: string, idleTimeoutMs: number, authconfig?: Record<string, string>): Promise<void> {
  const abort = new AbortController();
  let watchdog: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    abort.signal.addEventListener('abort', () => reject(new Error(`no progress for ${idleTimeoutMs} ms; is a registry reachable from the engine?`)));
  });
  stalled.catch(() => undefined); // only observed through the race below
  const rearm = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => abort.abort(), idleTimeoutMs);
  };
  const pulled = (async () => {
    const stream = await docker.pull(image, { abortSignal: abort.signal, ...(authconfig ? { authconfig } : {}) });
    rearm();
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null, output: { error?: string }[]) => {
          const failure = err?.message ?? output?.find((line) => line.error)?.error;
          if (failure) reject(new Error(failure));
          else resolve();
        },
        rearm,
      );
    });
  })();
  pulled.catch(() => undefined); // a failure after the watchdog fired has no one to tell
  try {
    rearm();
    await Promise.race([pulled, stalled]);
  } finally {
    clearTimeout(watchdog);
    abort.abort();
  }
}
