import assert from 'node:assert/strict';
import { MemoryNetwork, UdpTransport } from '../../../network/gossip/transport.js';

describe('gossip transports', () => {
  it('MemoryTransport delivers packets and answers streams', async () => {
    const net = new MemoryNetwork();
    const a = net.endpoint('a');
    const b = net.endpoint('b');
    const got = new Promise<[string, string]>((resolve) => b.onPacket((bytes, from) => resolve([Buffer.from(bytes).toString(), from])));
    b.onStream((bytes) => Buffer.from(`echo ${Buffer.from(bytes).toString()}`));
    a.send('b', Buffer.from('ping'));
    assert.deepEqual(await got, ['ping', 'a']);
    assert.equal(Buffer.from(await a.streamSync('b', Buffer.from('state'))).toString(), 'echo state');
    await b.close();
    await assert.rejects(a.streamSync('b', Buffer.from('x')), /no member listens/);
  });

  it('MemoryTransport drops packets on a lossy link', () => {
    const net = new MemoryNetwork(() => 0.5);
    const a = net.endpoint('a');
    net.endpoint('b');
    net.setDrop('a', 'b', 0.6);
    a.send('b', Buffer.from('lost'));
    assert.equal(net.packetsDropped, 1);
  });

  it('UdpTransport sends packets and syncs over TCP on 127.0.0.1', async () => {
    const a = await UdpTransport.listen('127.0.0.1');
    const b = await UdpTransport.listen('127.0.0.1');
    try {
      const got = new Promise<string>((resolve) => b.onPacket((bytes) => resolve(Buffer.from(bytes).toString())));
      b.onStream((bytes) => Buffer.from(`b has ${Buffer.from(bytes).length} bytes`));
      a.send(b.address, Buffer.from('ping'));
      assert.equal(await got, 'ping');
      const big = Buffer.alloc(200_000, 1);
      assert.equal(Buffer.from(await a.streamSync(b.address, big)).toString(), 'b has 200000 bytes');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
