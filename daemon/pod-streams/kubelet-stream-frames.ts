// The framing of kubelab's kubelet stream protocol: how one upgraded connection between the API
// server and a node's kubelet server carries several byte streams at once (the protocol itself,
// who sends what and when, is described in kubelet-stream-protocol.ts).
//
// Every frame is a 5-byte header and a payload:
//
//   +---------+-------------------------+------------------------+
//   | channel | payload length (uint32, | payload                |
//   | (uint8) | big endian)             | (length bytes)         |
//   +---------+-------------------------+------------------------+
//
// Kubernetes multiplexes the same streams with SPDY streams or WebSocket messages; a TLS socket
// has neither, so a length prefix marks where each piece ends. A CLOSE frame ends one channel
// while the others go on: that is how stdin reaches EOF, and how a forwarded TCP connection is
// half-closed, without closing the connection (TLS cannot half-close reliably).

import type { Duplex, Readable, Writable } from 'node:stream';

export const StreamChannel = {
  /** caller → kubelet: the process's stdin; for port-forward, the bytes sent to the pod. */
  STDIN: 0,
  /** kubelet → caller: the process's stdout; for port-forward, the bytes the pod sends back. */
  STDOUT: 1,
  /** kubelet → caller: the process's stderr (absent with a TTY). */
  STDERR: 2,
  /** kubelet → caller: a Kubernetes Status (JSON) when the stream failed after the upgrade. */
  ERROR: 3,
  /** caller → kubelet: a terminal size, JSON `{"width":W,"height":H}`. */
  RESIZE: 4,
  /** kubelet → caller: the process's exit code (int32, big endian); the last frame of an exec. */
  EXIT: 5,
  /** either way: one byte naming a channel that has ended (EOF on it; the others go on). */
  CLOSE: 6,
} as const;

export type StreamChannelNumber = (typeof StreamChannel)[keyof typeof StreamChannel];

export interface Frame {
  channel: number;
  payload: Buffer;
}

export const FRAME_HEADER_BYTES = 5;
/** Senders split larger writes: a frame never holds up the other channels for long. */
export const MAX_SEND_PAYLOAD_BYTES = 64 * 1024;
/** A frame announcing more than this is a protocol error (a confused or hostile peer), not a reason to buffer. */
export const MAX_FRAME_PAYLOAD_BYTES = 1024 * 1024;

export function encodeFrame(channel: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt8(channel, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

export const encodeClose = (channel: number): Buffer => encodeFrame(StreamChannel.CLOSE, Buffer.from([channel]));

export function encodeExit(exitCode: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeInt32BE(exitCode, 0);
  return encodeFrame(StreamChannel.EXIT, payload);
}

export class FrameProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameProtocolError';
  }
}

/**
 * Cuts a byte stream back into frames. Bytes arrive in arbitrary pieces (TLS records, TCP
 * segments): push() keeps an incomplete frame until the rest comes.
 */
export class FrameDecoder {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    let buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (buffer.length >= FRAME_HEADER_BYTES) {
      const length = buffer.readUInt32BE(1);
      if (length > MAX_FRAME_PAYLOAD_BYTES) {
        throw new FrameProtocolError(`a frame on channel ${buffer[0]} announces ${length} bytes, more than the ${MAX_FRAME_PAYLOAD_BYTES} allowed`);
      }
      if (buffer.length < FRAME_HEADER_BYTES + length) break;
      // Copy the payload out: a subarray would keep the whole received chunk alive.
      frames.push({ channel: buffer[0], payload: Buffer.from(buffer.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length)) });
      buffer = buffer.subarray(FRAME_HEADER_BYTES + length);
    }
    this.pending = Buffer.from(buffer);
    return frames;
  }

  /** Bytes of an unfinished frame: non-zero when the connection ends means it was cut mid-frame. */
  get pendingBytes(): number {
    return this.pending.length;
  }
}

/**
 * One end of a framed connection: sends frames with the socket's back-pressure, and hands every
 * received frame to `onFrame`. `onEnd` runs once, when the socket ends, closes or fails (with
 * the error, if any); the protocol on top decides whether that was expected.
 */
export class FramedSocket {
  private readonly decoder = new FrameDecoder();
  private ended = false;

  constructor(
    readonly socket: Duplex,
    private readonly handlers: { onFrame: (frame: Frame) => void; onEnd: (error?: Error) => void },
  ) {
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.decoder.push(chunk)) this.handlers.onFrame(frame);
      } catch (err) {
        // A malformed frame from the peer ends this connection, never the process.
        socket.destroy(err as Error);
      }
    });
    const finish = (error?: Error) => {
      if (this.ended) return;
      this.ended = true;
      handlers.onEnd(error ?? (this.decoder.pendingBytes > 0 ? new FrameProtocolError('the connection ended in the middle of a frame') : undefined));
    };
    socket.once('end', () => finish());
    socket.once('close', () => finish());
    socket.once('error', (err) => finish(err));
  }

  get isOpen(): boolean {
    return !this.ended && this.socket.writable;
  }

  /** Sends `data` on `channel` (split into frames of at most 64 KiB); false when the socket's buffer is full. */
  send(channel: number, data: Buffer | string, onWritten?: (error?: Error | null) => void): boolean {
    if (!this.isOpen) {
      onWritten?.(new Error('the stream connection is closed'));
      return false;
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let ok = true;
    for (let offset = 0; offset < bytes.length || offset === 0; offset += MAX_SEND_PAYLOAD_BYTES) {
      const last = offset + MAX_SEND_PAYLOAD_BYTES >= bytes.length;
      ok = this.socket.write(encodeFrame(channel, bytes.subarray(offset, offset + MAX_SEND_PAYLOAD_BYTES)), last ? onWritten : undefined);
      if (last) break;
    }
    return ok;
  }

  /** Tells the peer that `channel` has ended. */
  sendClose(channel: number): void {
    if (this.isOpen) this.socket.write(encodeClose(channel));
  }

  sendRaw(frame: Buffer): void {
    if (this.isOpen) this.socket.write(frame);
  }

  /**
   * Sends everything `source` produces on `channel`, pausing it while the socket's buffer is
   * full, then a CLOSE for the channel. Resolves when the source is done (or the socket is gone).
   */
  pump(source: Readable, channel: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (ended: boolean) => {
        if (done) return;
        done = true;
        source.off('data', onData);
        this.socket.off('drain', onDrain);
        if (ended) this.sendClose(channel);
        resolve();
      };
      const onDrain = () => source.resume();
      const onData = (chunk: Buffer | string) => {
        if (!this.send(channel, typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) source.pause();
      };
      this.socket.on('drain', onDrain);
      source.on('data', onData);
      source.once('end', () => finish(true));
      source.once('error', () => finish(true));
      source.once('close', () => finish(true));
      this.socket.once('close', () => finish(false));
    });
  }

  /** Writes a received payload into `target`, pausing the socket until `target` drains. */
  deliver(target: Writable, payload: Buffer): void {
    if (target.destroyed || target.writableEnded) return;
    if (!target.write(payload)) {
      this.socket.pause();
      target.once('drain', () => this.socket.resume());
    }
  }
}
