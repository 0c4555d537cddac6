// A container's logs as kubectl logs shows them: stdout and stderr as one text. Docker sends
// them multiplexed in frames unless the container has a TTY (then the bytes are raw); without
// `follow` the engine answers with the whole (filtered) log at once and the stream ends.

import { PassThrough, Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { LogOptions } from './container-runtime.js';
import { demuxDockerBuffer, demuxDockerStream } from './docker-stream.js';

export async function readDockerLogs(container: Docker.Container, options: LogOptions): Promise<Readable> {
  const tty = (await container.inspect()).Config.Tty;
  // Docker takes `since` as UNIX seconds with a fraction, and keeps lines at or after it.
  const since = options.sinceTime
    ? new Date(options.sinceTime).getTime() / 1000
    : options.sinceSeconds !== undefined
      ? Date.now() / 1000 - options.sinceSeconds
      : undefined;
  const query = {
    stdout: true,
    stderr: true,
    timestamps: options.timestamps ?? false,
    // Docker's `tail` is a number of lines, or the string 'all'.
    tail: (options.tailLines ?? 'all') as number,
    ...(since !== undefined ? { since: since.toFixed(3) as unknown as number } : {}),
  };
  let out: Readable;
  if (options.follow) {
    const raw = (await container.logs({ ...query, follow: true })) as unknown as Readable;
    out = tty ? raw : demuxDockerStream(raw);
  } else {
    const raw = (await container.logs({ ...query, follow: false })) as unknown as Buffer;
    out = Readable.from([tty ? raw : demuxDockerBuffer(raw)]);
  }
  return options.limitBytes ? limitStream(out, options.limitBytes) : out;
}

/** Passes at most `limit` bytes, then ends (kubectl logs --limit-bytes). */
function limitStream(source: Readable, limit: number): Readable {
  const out = new PassThrough();
  let left = limit;
  source.on('data', (chunk: Buffer) => {
    if (left <= 0) return;
    const part = chunk.subarray(0, left);
    left -= part.length;
    out.write(part);
    if (left <= 0) {
      out.end();
      source.destroy();
    }
  });
  source.on('end', () => out.end());
  source.on('error', (err) => out.destroy(err));
  return out;
}
