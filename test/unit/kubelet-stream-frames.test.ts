import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import {
  encodeClose,
  encodeExit,
  encodeFrame,
  FrameDecoder,
  FramedSocket,
  FrameProtocolError,
  MAX_FRAME_PAYLOAD_BYTES,
  MAX_SEND_PAYLOAD_BYTES,
  StreamChannel,
  type Frame,
} from '../../daemon/pod-streams/kubelet-stream-frames.js';

const show = (frames: Frame[]) => frames.map((f) => `${f.channel}:${f.payload.toString('utf8')}`);

describe('kubelet stream frames', () => {
  it('encodes a channel byte, a big-endian uint32 length and the payload', () => {
    assert.deepEqual([...encodeFrame(StreamChannel.STDERR, 'hi')], [2, 0, 0, 0, 2, 0x68, 0x69]);
    assert.deepEqual([...encodeFrame(StreamChannel.STDIN)], [0, 0, 0, 0, 0]);
    assert.deepEqual([...encodeClose(StreamChannel.STDIN)], [6, 0, 0, 0, 1, 0]);
    assert.deepEqual([...encodeExit(3)], [5, 0, 0, 0, 4, 0, 0, 0, 3]);
    assert.equal(encodeExit(-1).subarray(5).readInt32BE(0), -1);
  });

  it('decodes several frames from one chunk, and an empty payload', () => {
    const decoder = new FrameDecoder();
    const frames = decoder.push(Buffer.concat([encodeFrame(1, 'out'), encodeFrame(2, 'err'), encodeFrame(0, ''), encodeClose(1)]));
    assert.deepEqual(show(frames), ['1:out', '2:err', '0:', '6:\u0001']);
    assert.equal(decoder.pendingBytes, 0);
  });

  it('decodes the same frames whatever pieces the bytes arrive in, down to one byte at a time', () => {
    const wire = Buffer.concat([encodeFrame(1, 'hello'), encodeFrame(2, 'x'.repeat(300)), encodeExit(7)]);
    const expected = show(new FrameDecoder().push(wire));
    for (const size of [1, 2, 3, 4, 5, 6, 7, 13, 299, wire.length]) {
      const decoder = new FrameDecoder();
      const frames: Frame[] = [];
      for (let offset = 0; offset < wire.length; offset += size) frames.push(...decoder.push(wire.subarray(offset, offset + size)));
      assert.deepEqual(show(frames), expected, `pieces of ${size} bytes`);
      assert.equal(decoder.pendingBytes, 0);
    }
  });

  it('keeps an unfinished frame pending (a connection cut there is detectable)', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(encodeFrame(1, 'abcdef').subarray(0, 8)), []);
    assert.equal(decoder.pendingBytes, 8);
  });

  it('refuses a frame announcing more than 1 MiB instead of buffering it', () => {
    const header = Buffer.from([1, 0, 0, 0, 0]);
    header.writeUInt32BE(MAX_FRAME_PAYLOAD_BYTES + 1, 1);
    assert.throws(() => new FrameDecoder().push(header), (err: unknown) => err instanceof FrameProtocolError && /channel 1 announces 1048577 bytes/.test(err.message));
  });

  describe('FramedSocket over a real loopback connection', () => {
    let server: net.Server;
    let left: net.Socket;
    let right: net.Socket;
    beforeEach(async () => {
      server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
      left = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      right = await accepted;
    });
    afterEach(async () => {
      left.destroy();
      right.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('splits a large write into 64 KiB frames, pumps a stream with a CLOSE at its end, and reports the end', async () => {
      const received: Frame[] = [];
      let endedWith: Error | undefined | 'not yet' = 'not yet';
      const ended = new Promise<void>((resolve) => {
        new FramedSocket(right, {
          onFrame: (f) => received.push(f),
          onEnd: (error) => {
            endedWith = error;
            resolve();
          },
        });
      });
      const sender = new FramedSocket(left, { onFrame: () => undefined, onEnd: () => undefined });
      const big = Buffer.alloc(MAX_SEND_PAYLOAD_BYTES * 2 + 10, 7);
      sender.send(StreamChannel.STDOUT, big);
      const source = new PassThrough();
      const pumped = sender.pump(source, StreamChannel.STDERR);
      source.end('last words');
      await pumped;
      left.end();
      await ended;
      assert.equal(endedWith, undefined);
      assert.deepEqual(received.map((f) => [f.channel, f.payload.length]), [
        [1, MAX_SEND_PAYLOAD_BYTES],
        [1, MAX_SEND_PAYLOAD_BYTES],
        [1, 10],
        [2, 10],
        [6, 1],
      ]);
      assert.equal(received[4].payload[0], StreamChannel.STDERR);
    });

    it('ends with a protocol error when the connection is cut in the middle of a frame', async () => {
      const ended = new Promise<Error | undefined>((resolve) => new FramedSocket(right, { onFrame: () => undefined, onEnd: resolve }));
      left.end(encodeFrame(1, 'abcdef').subarray(0, 7));
      const error = await ended;
      assert.ok(error instanceof FrameProtocolError, String(error));
    });
  });
});
