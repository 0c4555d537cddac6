// Caps before trust (issue 12): what a peer can make the daemon buffer before anything it sent
// is checked. A SPDY header bomb, an oversized WebSocket message, an endless gossip TCP message.

import assert from 'node:assert/strict';
import net from 'node:net';
import { WebSocket } from 'ws';
import { UdpTransport } from '../../network/gossip/transport.js';
import type { PodStreams } from '../../daemon/pod-streams/pod-streams.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../lib/api/types.js';
import { Authenticator } from '../../daemon/api/auth.js';
import { internalContext } from '../../daemon/api/registry.js';
import { createApiApp, startApiServer } from '../../daemon/api/server.js';
import { createUpgradeHandler } from '../../daemon/api/streaming/upgrade-handler.js';
import { ensurePki } from '../../daemon/pki/pki.js';
import { MemoryRegistry } from '../helpers/memory-registry.js';
import { httpsRequest } from '../helpers/https-request.js';
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

describe('gossip full-state sync over TCP is capped before its HMAC is checked', () => {
  const connect = (address: string) => {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    return net.connect(port, host);
  };
  const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

  it('closes a connection that announces a frame over the limit, before reading it, and never calls the handler', async () => {
    const transport = await UdpTransport.listen('127.0.0.1', 0, { maxStreamMessageBytes: 1024 });
    let handled = 0;
    transport.onStream(() => {
      handled += 1;
      return Buffer.from('ok');
    });
    try {
      const socket = connect(transport.address);
      socket.on('error', () => {});
      const header = Buffer.alloc(4);
      header.writeUInt32BE(1025);
      socket.write(header);
      socket.write(Buffer.alloc(512));
      await closed(socket);
      assert.equal(handled, 0);
      // A frame within the limit is still answered.
      assert.equal(Buffer.from(await (await UdpTransport.listen('127.0.0.1')).streamSync(transport.address, Buffer.alloc(1000))).toString(), 'ok');
    } finally {
      await transport.close();
    }
  });

  it('closes a connection that sends more than its frame announced', async () => {
    const transport = await UdpTransport.listen('127.0.0.1', 0, { maxStreamMessageBytes: 1024 });
    transport.onStream(async () => new Promise<Buffer>(() => {}));
    try {
      const socket = connect(transport.address);
      socket.on('error', () => {});
      const header = Buffer.alloc(4);
      header.writeUInt32BE(10);
      socket.write(Buffer.concat([header, Buffer.alloc(5000)]));
      await closed(socket);
    } finally {
      await transport.close();
    }
  });

  it('serves at most maxInboundStreams connections at once; more are closed at once', async () => {
    const transport = await UdpTransport.listen('127.0.0.1', 0, { maxInboundStreams: 2 });
    transport.onStream(() => Buffer.from('ok'));
    const sockets: net.Socket[] = [];
    try {
      for (let i = 0; i < 2; i += 1) {
        const socket = connect(transport.address);
        socket.on('error', () => {});
        sockets.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const third = connect(transport.address);
      third.on('error', () => {});
      await closed(third);
      assert.equal(sockets.filter((s) => !s.destroyed).length, 2, 'the first two are still open');
    } finally {
      for (const socket of sockets) socket.destroy();
      await transport.close();
    }
  });
});

describe('WebSocket messages to exec are capped', function () {
  this.timeout(20_000);
  it(`closes the connection with 1009 when a message is over ${INPUT_CAP_DEFAULTS.websocketMaxPayloadBytes} bytes`, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-ws-cap-'));
    const pki = await ensurePki(dir, { hostnames: [], ips: [] });
    const registry = new MemoryRegistry();
    await registry.create('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } } as KubeObject, internalContext());
    // exec never starts: the cap is the WebSocket layer's, before any byte reaches a container.
    const never = () => new Promise<never>(() => {});
    const podStreams = { logs: never, exec: never, portForward: never } as unknown as PodStreams;
    const server = await startApiServer({
      app: createApiApp({ registry, authenticator: new Authenticator([]) }),
      listen: '127.0.0.1:0',
      tls: { key: pki.serverKeyPem, cert: pki.serverCertPem },
      onUpgrade: createUpgradeHandler({ registry, podStreams, authenticate: () => 'admin' }),
    });
    try {
      const socket = new WebSocket(`wss://127.0.0.1:${server.port}/api/v1/namespaces/default/pods/p/exec?command=sh&stdin=true&stdout=true`, ['v4.channel.k8s.io'], { ca: pki.caCertPem });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.on('error', () => {});
      socket.send(Buffer.alloc(INPUT_CAP_DEFAULTS.websocketMaxPayloadBytes + 1));
      assert.equal(await closed, 1009);
      // The refusal was the connection's, not the process's: an unheard 'error' used to be thrown.
      const health = await httpsRequest({ port: server.port, ca: pki.caCertPem, method: 'GET', path: '/healthz', headers: {} });
      assert.equal(health.status, 200);
    } finally {
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
