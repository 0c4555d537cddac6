// SPDY/3.1 frames: the byte layout, and nothing else.
//
// kubectl's port-forward (and its exec fallback) speak SPDY/3.1, the multiplexing protocol that
// became HTTP/2: many independent byte streams over one connection, each opened by a SYN_STREAM
// carrying headers, fed by DATA frames and closed by a FIN flag (half-close) or an RST_STREAM
// (abort). Every frame starts with 8 bytes:
//
//   control frame: |1| version=3 (15 bits) | type (16 bits) | flags (8) | length (24) | payload
//   data frame:    |0| stream id (31 bits)                  | flags (8) | length (24) | payload
//
// This module encodes and decodes those frames and the (uncompressed) name/value header blocks.
// It is pure: header compression lives in spdy-header-codec.ts and the session logic (which
// frame answers which) in spdy.ts.

export const SPDY_VERSION = 3;

/** Control frame types of SPDY/3 (type 5, NOOP, existed only in SPDY/2). */
export const ControlType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

/** FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS: the sender will send nothing more on this stream. */
export const FLAG_FIN = 0x01;
/** UNIDIRECTIONAL on SYN_STREAM: the receiver may not send on this stream. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes used here. */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;

/** Header blocks travel compressed inside frames; `headerBlock` here is the compressed bytes. */
export type SpdyFrame =
  | { type: 'DATA'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'SYN_STREAM'; streamId: number; associatedStreamId: number; priority: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'SYN_REPLY'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'RST_STREAM'; streamId: number; status: number }
  | { type: 'SETTINGS'; entries: { id: number; flags: number; value: number }[] }
  | { type: 'PING'; id: number }
  | { type: 'GOAWAY'; lastGoodStreamId: number; status: number }
  | { type: 'HEADERS'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'WINDOW_UPDATE'; streamId: number; deltaWindowSize: number }
  /** A control frame type this implementation does not know; the spec says to ignore it. */
  | { type: 'UNKNOWN'; controlType: number; flags: number; payload: Buffer };

const FRAME_HEADER_BYTES = 8;
/** The length field has 24 bits. */
export const MAX_FRAME_PAYLOAD_BYTES = 0xffffff;
const STREAM_ID_MASK = 0x7fffffff;

/** Headers as the session sees them: lower-case names; several values of one name are joined by NUL in SPDY. */
export type SpdyHeaders = Record<string, string>;

export class SpdyProtocolError extends Error {
  override name = 'SpdyProtocolError';
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE((((flags & 0xff) << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([header, payload]);
}

function uint32s(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buffer.writeUInt32BE(v >>> 0, i * 4));
  return buffer;
}

/** Encodes one frame; header blocks must already be compressed. */
export function encodeFrame(frame: SpdyFrame): Buffer {
  switch (frame.type) {
    case 'DATA': {
      if (frame.data.length > MAX_FRAME_PAYLOAD_BYTES) throw new SpdyProtocolError(`DATA frame of ${frame.data.length} bytes exceeds the 24-bit length field`);
      const header = Buffer.alloc(FRAME_HEADER_BYTES);
      header.writeUInt32BE(frame.streamId & STREAM_ID_MASK, 0);
      header.writeUInt32BE((((frame.fin ? FLAG_FIN : 0) << 24) | frame.data.length) >>> 0, 4);
      return Buffer.concat([header, frame.data]);
    }
    case 'SYN_STREAM': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId & STREAM_ID_MASK, 0);
      fixed.writeUInt32BE(frame.associatedStreamId & STREAM_ID_MASK, 4);
      fixed.writeUInt8((frame.priority & 0x7) << 5, 8); // 3 bits of priority, 5 unused; then the slot byte (0)
      const flags = (frame.fin ? FLAG_FIN : 0) | (frame.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return controlFrame(ControlType.SYN_STREAM, flags, Buffer.concat([fixed, frame.headerBlock]));
    }
    case 'SYN_REPLY':
      return controlFrame(ControlType.SYN_REPLY, frame.fin ? FLAG_FIN : 0, Buffer.concat([uint32s(frame.streamId & STREAM_ID_MASK), frame.headerBlock]));
    case 'HEADERS':
      return controlFrame(ControlType.HEADERS, frame.fin ? FLAG_FIN : 0, Buffer.concat([uint32s(frame.streamId & STREAM_ID_MASK), frame.headerBlock]));
    case 'RST_STREAM':
      return controlFrame(ControlType.RST_STREAM, 0, uint32s(frame.streamId & STREAM_ID_MASK, frame.status));
    case 'SETTINGS':
      return controlFrame(
        ControlType.SETTINGS,
        0,
        uint32s(frame.entries.length, ...frame.entries.flatMap((e) => [(((e.flags & 0xff) << 24) | (e.id & 0xffffff)) >>> 0, e.value])),
      );
    case 'PING':
      return controlFrame(ControlType.PING, 0, uint32s(frame.id));
    case 'GOAWAY':
      return controlFrame(ControlType.GOAWAY, 0, uint32s(frame.lastGoodStreamId & STREAM_ID_MASK, frame.status));
    case 'WINDOW_UPDATE':
      return controlFrame(ControlType.WINDOW_UPDATE, 0, uint32s(frame.streamId & STREAM_ID_MASK, frame.deltaWindowSize & STREAM_ID_MASK));
    case 'UNKNOWN':
      return controlFrame(frame.controlType, frame.flags, frame.payload);
  }
}

function requireLength(type: string, payload: Buffer, minimum: number): void {
  if (payload.length < minimum) throw new SpdyProtocolError(`${type} frame too short: ${payload.length} bytes, need at least ${minimum}`);
}

function decodeControl(controlType: number, flags: number, payload: Buffer): SpdyFrame {
  const fin = (flags & FLAG_FIN) !== 0;
  switch (controlType) {
    case ControlType.SYN_STREAM:
      requireLength('SYN_STREAM', payload, 10);
      return {
        type: 'SYN_STREAM',
        streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        associatedStreamId: payload.readUInt32BE(4) & STREAM_ID_MASK,
        priority: payload.readUInt8(8) >> 5,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: payload.subarray(10),
      };
    case ControlType.SYN_REPLY:
    case ControlType.HEADERS:
      requireLength(controlType === ControlType.SYN_REPLY ? 'SYN_REPLY' : 'HEADERS', payload, 4);
      return {
        type: controlType === ControlType.SYN_REPLY ? 'SYN_REPLY' : 'HEADERS',
        streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        fin,
        headerBlock: payload.subarray(4),
      };
    case ControlType.RST_STREAM:
      requireLength('RST_STREAM', payload, 8);
      return { type: 'RST_STREAM', streamId: payload.readUInt32BE(0) & STREAM_ID_MASK, status: payload.readUInt32BE(4) };
    case ControlType.SETTINGS: {
      requireLength('SETTINGS', payload, 4);
      const count = payload.readUInt32BE(0);
      requireLength('SETTINGS', payload, 4 + count * 8);
      const entries = [];
      for (let i = 0; i < count; i++) {
        const idAndFlags = payload.readUInt32BE(4 + i * 8);
        entries.push({ flags: idAndFlags >>> 24, id: idAndFlags & 0xffffff, value: payload.readUInt32BE(8 + i * 8) });
      }
      return { type: 'SETTINGS', entries };
    }
    case ControlType.PING:
      requireLength('PING', payload, 4);
      return { type: 'PING', id: payload.readUInt32BE(0) };
    case ControlType.GOAWAY:
      requireLength('GOAWAY', payload, 4);
      // SPDY/3 added a status code; tolerate its absence.
      return { type: 'GOAWAY', lastGoodStreamId: payload.readUInt32BE(0) & STREAM_ID_MASK, status: payload.length >= 8 ? payload.readUInt32BE(4) : 0 };
    case ControlType.WINDOW_UPDATE:
      requireLength('WINDOW_UPDATE', payload, 8);
      return { type: 'WINDOW_UPDATE', streamId: payload.readUInt32BE(0) & STREAM_ID_MASK, deltaWindowSize: payload.readUInt32BE(4) & STREAM_ID_MASK };
    default:
      return { type: 'UNKNOWN', controlType, flags, payload };
  }
}

/**
 * Cuts a byte stream into frames. Bytes arrive in arbitrary pieces (TCP segments, or WebSocket
 * messages that split frames anywhere), so the parser keeps what it has not consumed yet.
 */
export class SpdyFrameParser {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds bytes and returns every frame completed by them, in order. */
  push(chunk: Buffer): SpdyFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.pending.length >= FRAME_HEADER_BYTES) {
      const length = this.pending.readUInt32BE(4) & 0xffffff;
      if (this.pending.length < FRAME_HEADER_BYTES + length) break;
      const flags = this.pending.readUInt8(4);
      const payload = this.pending.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
      const first = this.pending.readUInt32BE(0);
      if ((first & 0x80000000) === 0) {
        frames.push({ type: 'DATA', streamId: first & STREAM_ID_MASK, fin: (flags & FLAG_FIN) !== 0, data: payload });
      } else {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version} (only 3 is spoken here)`);
        frames.push(decodeControl(first & 0xffff, flags, payload));
      }
      this.pending = this.pending.subarray(FRAME_HEADER_BYTES + length);
    }
    return frames;
  }
}

/** The uncompressed name/value block: uint32 count, then per pair uint32 length + name, uint32 length + value. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [uint32s(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name.toLowerCase(), 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    parts.push(uint32s(nameBytes.length), nameBytes, uint32s(valueBytes.length), valueBytes);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let offset = 0;
  const readString = (what: string): string => {
    if (offset + 4 > block.length) throw new SpdyProtocolError(`header block truncated before the length of a ${what}`);
    const length = block.readUInt32BE(offset);
    offset += 4;
    if (offset + length > block.length) throw new SpdyProtocolError(`header block truncated inside a ${what} of ${length} bytes`);
    const text = block.toString('utf8', offset, offset + length);
    offset += length;
    return text;
  };
  if (block.length < 4) throw new SpdyProtocolError('header block shorter than its 4-byte pair count');
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = readString('header name').toLowerCase();
    headers[name] = readString(`value of header "${name}"`);
  }
  return headers;
}
