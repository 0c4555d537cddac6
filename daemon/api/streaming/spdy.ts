// A small SPDY/3.1 session, server side: enough of the protocol for kubectl's port-forward and
// exec fallback, which use moby/spdystream underneath.
//
// The client opens every stream (SYN_STREAM with headers such as `streamtype: data`); the server
// answers each with a SYN_REPLY (spdystream's CreateStream waits for it), then both sides send
// DATA frames; a DATA frame with the FIN flag half-closes one direction and RST_STREAM aborts the
// stream. PINGs are echoed, SETTINGS and WINDOW_UPDATE are ignored: spdystream does no flow
// control, so neither do we (data arriving faster than a consumer reads is buffered; TCP's own
// window is the only brake). GOAWAY or the end of the connection aborts every stream.
//
// The transport is any byte Duplex: the upgraded TCP/TLS socket of `Upgrade: SPDY/3.1`, or a
// WebSocket turned into a byte stream (kubectl 1.32 tunnels SPDY through binary WebSocket
// messages, `SPDY/3.1+portforward.k8s.io`). Frames may be split anywhere between chunks.
//
// Each SPDY stream is a Node Duplex (SpdyStream), so callers pipe it like a socket.

import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { encodeFrame, RstStatus, SpdyFrameParser, type SpdyFrame, type SpdyHeaders } from './spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor } from './spdy-header-codec.js';

/** DATA frames are cut to this size so one large write does not hold the connection for long. */
const MAX_DATA_FRAME_BYTES = 32 * 1024;

/** One SPDY stream, readable (the peer's DATA) and writable (our DATA). */
export class SpdyStream extends Duplex {
  private replied = false;
  /** Set when the peer reset the stream, so destroying it does not send an RST back. */
  private resetByPeer = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
    // A write racing the end of the connection fails; the stream is destroyed with the session
    // anyway, and an unhandled 'error' event would take the whole daemon down.
    this.on('error', () => {});
  }

  /** Accepts the stream with a SYN_REPLY; the peer waits for it before using the stream. */
  reply(headers: SpdyHeaders = {}): Promise<void> {
    if (this.replied) return Promise.resolve();
    this.replied = true;
    return this.session.sendHeaders(this.id, headers);
  }

  /** Aborts the stream (RST_STREAM CANCEL) and discards anything still buffered. */
  reset(): void {
    this.destroy();
  }

  /** The peer sent RST_STREAM: stop at once, without answering. */
  abortByPeer(): void {
    this.resetByPeer = true;
    this.destroy();
  }

  override _read(): void {
    // Data is pushed as frames arrive (no flow control), so there is nothing to ask for.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.session.sendData(this.id, Buffer.alloc(0), true).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const finishedCleanly = this.readableEnded && this.writableFinished;
    if (!finishedCleanly && !this.resetByPeer) this.session.sendReset(this.id, RstStatus.CANCEL);
    this.session.forget(this.id);
    callback(error);
  }
}

export interface SpdySessionEvents {
  /** The peer opened a stream; call stream.reply() to accept it. */
  stream: [stream: SpdyStream];
  /** The connection is gone; every stream has been destroyed. */
  close: [];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly parser = new SpdyFrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private lastPeerStreamId = 0;
  /** Frames are handled one at a time, in order: header blocks decompress asynchronously. */
  private inbound: Promise<void> = Promise.resolve();
  /** Frames are written one at a time, in order: header blocks compress asynchronously. */
  private outbound: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly transport: Duplex) {
    super();
    transport.on('data', (chunk: Buffer) => this.onBytes(chunk));
    transport.on('end', () => this.destroy());
    transport.on('close', () => this.destroy());
    transport.on('error', () => this.destroy());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Says goodbye (GOAWAY), ends the connection once everything queued is written, aborts all streams. */
  close(): void {
    if (this.closed) return;
    this.send(() => encodeFrame({ type: 'GOAWAY', lastGoodStreamId: this.lastPeerStreamId, status: 0 }))
      .then(() => this.transport.end())
      .catch(() => this.transport.destroy())
      .finally(() => this.destroy());
  }

  /** Tears everything down at once; safe to call more than once. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.abortByPeer();
    this.streams.clear();
    this.compressor.close();
    this.decompressor.close();
    if (!this.transport.destroyed && !this.transport.writableEnded) this.transport.destroy();
    this.emit('close');
  }

  sendHeaders(streamId: number, headers: SpdyHeaders): Promise<void> {
    return this.send(async () => encodeFrame({ type: 'SYN_REPLY', streamId, fin: false, headerBlock: await this.compressor.compress(headers) }));
  }

  async sendData(streamId: number, data: Buffer, fin: boolean): Promise<void> {
    for (let offset = 0; offset < data.length; offset += MAX_DATA_FRAME_BYTES) {
      const piece = data.subarray(offset, offset + MAX_DATA_FRAME_BYTES);
      const last = offset + MAX_DATA_FRAME_BYTES >= data.length;
      await this.send(() => encodeFrame({ type: 'DATA', streamId, fin: fin && last, data: piece }));
    }
    if (data.length === 0 && fin) await this.send(() => encodeFrame({ type: 'DATA', streamId, fin: true, data }));
  }

  sendReset(streamId: number, status: number): void {
    this.send(() => encodeFrame({ type: 'RST_STREAM', streamId, status })).catch(() => {});
  }

  forget(streamId: number): void {
    this.streams.delete(streamId);
  }

  /** Queues one frame; resolves once the transport accepted it (after 'drain' when it was full). */
  private send(build: () => Buffer | Promise<Buffer>): Promise<void> {
    const written = this.outbound.then(async () => {
      if (this.closed) throw new Error('the SPDY connection is closed');
      const bytes = await build();
      if (!this.transport.write(bytes)) await drainOrClose(this.transport);
    });
    this.outbound = written.catch(() => {});
    return written;
  }

  private onBytes(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      this.destroy(); // not SPDY/3: nothing sensible can follow
      return;
    }
    for (const frame of frames) {
      this.inbound = this.inbound.then(() => (this.closed ? undefined : this.handleFrame(frame))).catch(() => this.destroy());
    }
  }

  private async handleFrame(frame: SpdyFrame): Promise<void> {
    switch (frame.type) {
      case 'SYN_STREAM': {
        const headers = await this.decompressor.decompress(frame.headerBlock);
        this.lastPeerStreamId = Math.max(this.lastPeerStreamId, frame.streamId);
        const stream = new SpdyStream(this, frame.streamId, headers);
        this.streams.set(frame.streamId, stream);
        if (frame.fin) stream.push(null);
        this.emit('stream', stream);
        return;
      }
      case 'SYN_REPLY':
      case 'HEADERS':
        // Still decompress: the shared zlib history must see every block.
        await this.decompressor.decompress(frame.headerBlock);
        return;
      case 'DATA': {
        // Data for a stream we already reset may still be in flight: drop it.
        const stream = this.streams.get(frame.streamId);
        if (!stream || stream.destroyed) return;
        if (frame.data.length > 0) stream.push(frame.data);
        if (frame.fin) stream.push(null);
        return;
      }
      case 'RST_STREAM':
        this.streams.get(frame.streamId)?.abortByPeer();
        return;
      case 'PING':
        // kubectl pings every few seconds to keep tunnels alive; echo the id back unchanged.
        this.send(() => encodeFrame(frame)).catch(() => {});
        return;
      case 'GOAWAY':
        // The client is leaving (kubectl sends this when it exits): nothing more will be read.
        this.close();
        return;
      case 'SETTINGS':
      case 'WINDOW_UPDATE':
      case 'UNKNOWN':
        return;
    }
  }
}

function drainOrClose(transport: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      transport.off('drain', done);
      transport.off('close', done);
      resolve();
    };
    transport.once('drain', done);
    transport.once('close', done);
  });
}
