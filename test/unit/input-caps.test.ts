// Caps before trust (issue 12): what a peer can make the daemon buffer before anything it sent
// is checked. A SPDY header bomb, an oversized WebSocket message, an endless gossip TCP message.

import assert from 'node:assert/strict';
import { HeaderCompressor, HeaderDecompressor } from '../../daemon/api/streaming/spdy-header-codec.js';
import { SpdyProtocolError } from '../../daemon/api/streaming/spdy-frames.js';
import { INPUT_CAP_DEFAULTS } from '../../daemon/config.js';

describe('SPDY header blocks are capped once inflated', () => {
  it('refuses a block that inflates past the cap (a few KiB of zlib for MiBs of headers), and still reads normal blocks', async () => {
    const compressor = new HeaderCompressor();
    const bomb = await compressor.compress({ 'x-bomb': 'a'.repeat(8 * 1024 * 1024) });
    assert.ok(bomb.length < 64 * 1024, `the bomb is small on the wire: ${bomb.length} bytes`);
    const decompressor = new HeaderDecompressor();
    await assert.rejects(decompressor.decompress(bomb), (err: unknown) => err instanceof SpdyProtocolError && /larger than 262144 bytes once inflated/.test(err.message));
    compressor.close();

    const sender = new HeaderCompressor();
    const receiver = new HeaderDecompressor();
    for (let i = 0; i < 3; i += 1) {
      const headers = { streamtype: 'stdout', port: String(8000 + i) };
      assert.deepEqual(await receiver.decompress(await sender.compress(headers)), headers);
    }
    sender.close();
    receiver.close();
  });

  it('the cap is the configured one, and a block just under it passes', async () => {
    assert.equal(INPUT_CAP_DEFAULTS.spdyMaxHeaderBlockBytes, 256 * 1024);
    const sender = new HeaderCompressor();
    const receiver = new HeaderDecompressor(64 * 1024);
    const headers = { big: 'b'.repeat(60 * 1024) };
    assert.deepEqual(await receiver.decompress(await sender.compress(headers)), headers);
    sender.close();
    receiver.close();
  });
});
