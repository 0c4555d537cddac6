// SPDY/3 header compression: one zlib stream per direction for the life of the connection.
//
// Unlike HTTP/2's HPACK, SPDY/3 simply deflates every header block, and it never resets the
// compressor between blocks: the second SYN_STREAM's block is compressed with the history of the
// first one. So each side keeps one deflate stream for what it sends and one inflate stream for
// what it receives, both primed with the SPDY/3 dictionary, and ends every block with a
// Z_SYNC_FLUSH so the peer can decode it without waiting for more. A fresh zlib stream per block
// would fail at the second frame.
//
// Node's zlib streams are asynchronous; callers must not start a block before the previous one
// resolved (SpdySession processes frames one at a time).

import zlib from 'node:zlib';
import { INPUT_CAP_DEFAULTS } from '../../config.js';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';
import { decodeHeaderBlock, encodeHeaderBlock, SpdyProtocolError, type SpdyHeaders } from './spdy-frames.js';

/**
 * Runs `input` through a persistent zlib stream and returns what came out up to a sync flush.
 * More than `maxOutputBytes` of output fails and closes the stream at once (a header bomb): the
 * bytes are counted as they come out, never buffered past the cap.
 */
function syncFlush(stream: zlib.Deflate | zlib.Inflate, input: Buffer, maxOutputBytes = Infinity): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const output: Buffer[] = [];
    let outputBytes = 0;
    let failed = false;
    const onData = (chunk: Buffer): void => {
      outputBytes += chunk.length;
      if (outputBytes > maxOutputBytes) return fail(new RangeError(`the block inflates to more than ${maxOutputBytes} bytes`));
      output.push(chunk);
    };
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      stream.off('data', onData);
      output.length = 0;
      if (err instanceof RangeError) stream.close();
      reject(err);
    };
    stream.on('data', onData);
    stream.once('error', fail);
    stream.write(input);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', fail);
      if (!failed) resolve(Buffer.concat(output));
    });
  });
}

/** Compresses the header blocks this side sends. */
export class HeaderCompressor {
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });

  compress(headers: SpdyHeaders): Promise<Buffer> {
    return syncFlush(this.deflate, encodeHeaderBlock(headers));
  }

  close(): void {
    this.deflate.close();
  }
}

/** Decompresses the header blocks the peer sends. */
export class HeaderDecompressor {
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });

  /** `maxHeaderBlockBytes`: the most a block may inflate to (the connection ends past it). */
  constructor(private readonly maxHeaderBlockBytes: number = INPUT_CAP_DEFAULTS.spdyMaxHeaderBlockBytes) {}

  async decompress(block: Buffer): Promise<SpdyHeaders> {
    if (block.length === 0) return {};
    let raw: Buffer;
    try {
      raw = await syncFlush(this.inflate, block, this.maxHeaderBlockBytes);
    } catch (err) {
      if (err instanceof RangeError) throw new SpdyProtocolError(`a SPDY header block larger than ${this.maxHeaderBlockBytes} bytes once inflated was refused`, { cause: err });
      throw new SpdyProtocolError(`cannot inflate a SPDY header block (is the peer using the SPDY/3 dictionary?): ${(err as Error).message}`, { cause: err });
    }
    return decodeHeaderBlock(raw);
  }

  close(): void {
    this.inflate.close();
  }
}
