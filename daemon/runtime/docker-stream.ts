// Docker's multiplexed stream format: for containers without a TTY, logs and attach/exec output
// arrive as frames of [stream type (1 = stdout, 2 = stderr), 0, 0, 0, length (uint32 BE)]
// followed by the payload. kubectl logs shows both streams as one text, so these helpers keep
// the payloads in order and drop the headers.

import { Transform, type Readable } from 'node:stream';

const HEADER_BYTES = 8;

/** Splits a buffer of whole frames into their payloads, concatenated. */
export function demuxDockerBuffer(buffer: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= buffer.length) {
    const length = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length));
    offset += HEADER_BYTES + length;
  }
  return Buffer.concat(parts);
}

/** A frame parser for a live stream; frames may be split across chunks in any way. */
export class DockerDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= HEADER_BYTES) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + length) break;
      this.push(this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length));
      this.pending = this.pending.subarray(HEADER_BYTES + length);
    }
    done();
  }
}

/** The payloads of a live multiplexed stream, as one stream; destroying it stops the source. */
export function demuxDockerStream(source: Readable): Readable {
  const out = new DockerDemuxer();
  source.pipe(out);
  source.on('error', (err) => out.destroy(err));
  out.on('close', () => source.destroy());
  return out;
}
