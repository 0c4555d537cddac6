import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../daemon/api/streaming/spdy-dictionary.js';
import {
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  SpdyFrameParser,
  SpdyProtocolError,
  type SpdyFrame,
} from '../../daemon/api/streaming/spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor } from '../../daemon/api/streaming/spdy-header-codec.js';

describe('SPDY/3.1 frames', () => {
  const frames: SpdyFrame[] = [
    { type: 'DATA', streamId: 3, fin: false, data: Buffer.from('hello') },
    { type: 'DATA', streamId: 0x7fffffff, fin: true, data: Buffer.alloc(0) },
    { type: 'SYN_STREAM', streamId: 1, associatedStreamId: 0, priority: 7, fin: true, unidirectional: false, headerBlock: Buffer.from([1, 2, 3]) },
    { type: 'SYN_STREAM', streamId: 5, associatedStreamId: 1, priority: 0, fin: false, unidirectional: true, headerBlock: Buffer.alloc(0) },
    { type: 'SYN_REPLY', streamId: 1, fin: false, headerBlock: Buffer.from([9, 9]) },
    { type: 'HEADERS', streamId: 7, fin: true, headerBlock: Buffer.from([4]) },
    { type: 'RST_STREAM', streamId: 3, status: 5 },
    { type: 'SETTINGS', entries: [{ id: 7, flags: 1, value: 65536 }, { id: 4, flags: 0, value: 100 }] },
    { type: 'PING', id: 0xfffffffe },
    { type: 'GOAWAY', lastGoodStreamId: 9, status: 0 },
    { type: 'WINDOW_UPDATE', streamId: 3, deltaWindowSize: 1 << 20 },
    { type: 'UNKNOWN', controlType: 77, flags: 0x80, payload: Buffer.from('??') },
  ];

  for (const frame of frames) {
    it(`round-trips ${frame.type}`, () => {
      const [decoded, ...rest] = new SpdyFrameParser().push(encodeFrame(frame));
      assert.deepEqual(rest, []);
      assert.deepEqual(decoded, frame);
    });
  }

  it('lays out a control frame header as the spec says: control bit, version 3, type, flags, 24-bit length', () => {
    const bytes = encodeFrame({ type: 'PING', id: 1 });
    assert.deepEqual([...bytes], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
    const data = encodeFrame({ type: 'DATA', streamId: 3, fin: true, data: Buffer.from('x') });
    assert.deepEqual([...data], [0, 0, 0, 3, 0x01, 0, 0, 1, 0x78]);
  });

  it('reassembles frames split anywhere across chunks, and several frames in one chunk', () => {
    const all = Buffer.concat(frames.map(encodeFrame));
    const parser = new SpdyFrameParser();
    const decoded: SpdyFrame[] = [];
    for (let i = 0; i < all.length; i += 5) decoded.push(...parser.push(all.subarray(i, i + 5)));
    assert.deepEqual(decoded, frames);
    assert.deepEqual(new SpdyFrameParser().push(all), frames);
  });

  it('refuses another SPDY version', () => {
    const bytes = encodeFrame({ type: 'PING', id: 1 });
    bytes.writeUInt16BE(0x8002, 0);
    assert.throws(() => new SpdyFrameParser().push(bytes), SpdyProtocolError);
  });

  it('encodes name/value header blocks with lower-case names', () => {
    const block = encodeHeaderBlock({ StreamType: 'data', port: '80' });
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: 'data', port: '80' });
    assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), /truncated/);
  });
});

describe('SPDY/3 header compression', () => {
  it('uses the 1423-byte SPDY/3 dictionary of the draft and moby/spdystream', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(crypto.createHash('sha256').update(SPDY3_DICTIONARY).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  it('compresses blocks that plain zlib with the dictionary reads back, keeping one stream across blocks', async () => {
    const compressor = new HeaderCompressor();
    const first = await compressor.compress({ streamtype: 'error', port: '80', requestid: '0' });
    const second = await compressor.compress({ streamtype: 'data', port: '80', requestid: '0' });
    // The peer's view: one inflate stream over the concatenation of both blocks.
    const raw = zlib.inflateSync(Buffer.concat([first, second]), { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const firstRaw = encodeHeaderBlock({ streamtype: 'error', port: '80', requestid: '0' });
    assert.deepEqual(decodeHeaderBlock(raw.subarray(0, firstRaw.length)), { streamtype: 'error', port: '80', requestid: '0' });
    assert.deepEqual(decodeHeaderBlock(raw.subarray(firstRaw.length)), { streamtype: 'data', port: '80', requestid: '0' });
    // The second block refers back to the first: on its own it cannot be inflated.
    assert.throws(() => zlib.inflateSync(second, { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    compressor.close();
  });

  it('decompresses blocks a peer compressed with its own persistent stream', async () => {
    const peer = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
    const blocks: Buffer[] = [];
    for (const id of ['1', '3', '5']) {
      peer.write(encodeHeaderBlock({ streamtype: 'stdout', requestid: id }));
      blocks.push(await new Promise<Buffer>((resolve) => peer.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(peer.read() as Buffer))));
    }
    const decompressor = new HeaderDecompressor();
    for (const [i, id] of ['1', '3', '5'].entries()) {
      assert.deepEqual(await decompressor.decompress(blocks[i]), { streamtype: 'stdout', requestid: id });
    }
    decompressor.close();
    peer.close();
  });

  it('fails with a message naming the dictionary when a block was compressed with another one', async () => {
    const wrong = zlib.deflateSync(encodeHeaderBlock({ a: 'b' }), { dictionary: Buffer.from('not the spdy dictionary') });
    await assert.rejects(new HeaderDecompressor().decompress(wrong), /SPDY\/3 dictionary/);
  });
});
