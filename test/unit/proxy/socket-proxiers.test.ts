// The proxy's listeners with real bytes through real sockets on loopback.

import assert from 'node:assert/strict';
import net from 'node:net';
import type { Endpoints } from '../../../lib/api/types.js';
import { RoundRobinLoadBalancer, servicePortName } from '../../../network/proxy/load-balancer.js';
import { TcpProxier } from '../../../network/proxy/tcp-proxier.js';
import { UdpProxier } from '../../../network/proxy/udp-proxier.js';
import { closedPort, startTcpEchoBackend, startUdpEchoBackend, tcpRequest, udpRequest, type Backend } from '../../helpers/socket-backends.js';

const WEB = servicePortName('default', 'web');

/** Endpoints for `web` from backends' `ip:port`s (each its own subset, as ports may differ). */
function endpointsFor(endpoints: string[]): Endpoints {
  return {
    metadata: { name: 'web', namespace: 'default' },
    subsets: endpoints.map((e) => ({ addresses: [{ ip: e.split(':')[0] }], ports: [{ port: Number(e.split(':')[1]) }] })),
  };
}

describe('TcpProxier', () => {
  let backends: Backend[] = [];
  let proxier: TcpProxier | undefined;
  let lb: RoundRobinLoadBalancer;

  beforeEach(async () => {
    backends = await Promise.all(['a', 'b', 'c'].map((id, i) => startTcpEchoBackend(`127.0.0.${i + 2}`, id)));
    lb = new RoundRobinLoadBalancer();
    lb.onServiceUpdate(WEB, { type: 'None', timeoutSeconds: 10800 });
    lb.onEndpointsUpdate([endpointsFor(backends.map((b) => b.endpoint))]);
  });
  afterEach(async () => {
    await proxier?.closeAll();
    proxier = undefined;
    await Promise.all(backends.map((b) => b.close()));
  });

  async function startProxier(dialTimeoutsMs?: number[]): Promise<number> {
    proxier = new TcpProxier({ service: WEB, host: '127.0.0.1', port: 0, loadBalancer: lb, dialTimeoutsMs });
    return proxier.listen();
  }

  it('spreads connections round robin over three backends, echoing both ways with half-close', async () => {
    const port = await startProxier();
    const answers: string[] = [];
    for (let i = 0; i < 6; i += 1) answers.push(await tcpRequest('127.0.0.1', port, `hello ${i}`));
    assert.deepEqual(answers, ['a:hello 0', 'b:hello 1', 'c:hello 2', 'a:hello 3', 'b:hello 4', 'c:hello 5']);
  });

  it('skips an endpoint that refuses and tries the next one', async () => {
    const refused = `127.0.0.5:${await closedPort('127.0.0.5')}`;
    lb.onEndpointsUpdate([endpointsFor([refused, backends[0].endpoint])]);
    const port = await startProxier();
    for (let i = 0; i < 4; i += 1) assert.equal(await tcpRequest('127.0.0.1', port, 'x'), 'a:x');
  });

  it('closes the client connection when every attempt fails', async () => {
    lb.onEndpointsUpdate([endpointsFor([`127.0.0.5:${await closedPort('127.0.0.5')}`])]);
    const port = await startProxier([50, 50]);
    assert.equal(await tcpRequest('127.0.0.1', port, 'x'), '');
  });

  it('ClientIP affinity sends one client to one backend', async () => {
    lb.onServiceUpdate(WEB, { type: 'ClientIP', timeoutSeconds: 10800 });
    const port = await startProxier();
    const fromOne = await Promise.all(Array.from({ length: 5 }, () => tcpRequest('127.0.0.1', port, 'x', '127.0.0.10')));
    assert.equal(new Set(fromOne).size, 1);
    const fromOther = await tcpRequest('127.0.0.1', port, 'x', '127.0.0.11');
    assert.notEqual(fromOther, fromOne[0]);
  });

  it('a removed endpoint gets no new connections while its established one finishes', async () => {
    const port = await startProxier();
    // An open connection to backend a.
    const open = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const received: Buffer[] = [];
    open.on('data', (c) => received.push(c));
    await new Promise((r) => open.once('data', r));
    assert.equal(Buffer.concat(received).toString(), 'a:');
    // a leaves the endpoints.
    lb.onEndpointsUpdate([endpointsFor([backends[1].endpoint, backends[2].endpoint])]);
    for (let i = 0; i < 4; i += 1) assert.doesNotMatch(await tcpRequest('127.0.0.1', port, 'y'), /^a:/);
    // The old connection still works to the end.
    const closed = new Promise((r) => open.on('close', r));
    open.end('still here');
    await closed;
    assert.equal(Buffer.concat(received).toString(), 'a:still here');
  });

  it('relays 1000 requests through one listener without losing one', async () => {
    const port = await startProxier();
    let done = 0;
    const counts = new Map<string, number>();
    const worker = async (lane: number) => {
      for (let i = lane; i < 1000; i += 20) {
        const answer = await tcpRequest('127.0.0.1', port, `request-${i}`);
        assert.match(answer, new RegExp(`^[abc]:request-${i}$`));
        counts.set(answer[0], (counts.get(answer[0]) ?? 0) + 1);
        done += 1;
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, lane) => worker(lane)));
    assert.equal(done, 1000);
    assert.deepEqual([...counts.values()].sort(), [333, 333, 334]);
    // Requests, not connections: on a loaded machine a dial can time out after the backend accepted it.
    assert.equal(backends.reduce((n, b) => n + b.requests!, 0), 1000);
  });

  it('relays 16 MiB both ways byte for byte to a client that reads slowly (back-pressure, then half-close)', async () => {
    const port = await startProxier();
    const sent = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < sent.length; i += 4) sent.writeUInt32LE((i * 2654435761) >>> 0, i);
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      socket.on('error', reject);
      // Stop reading for a moment every 64 chunks: the proxy's buffers fill and it must pause the backend.
      let seen = 0;
      socket.on('data', (chunk) => {
        chunks.push(chunk);
        if (++seen % 64 === 0) {
          socket.pause();
          setTimeout(() => socket.resume(), 5);
        }
      });
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.end(sent);
    });
    assert.equal(received.length, 2 + sent.length);
    assert.equal(received.subarray(0, 2).toString(), 'a:');
    assert.ok(received.subarray(2).equals(sent), 'the bytes that came back differ from those sent');
  });
});

describe('UdpProxier', () => {
  let backends: Backend[] = [];
  let proxier: UdpProxier | undefined;

  afterEach(async () => {
    await proxier?.close();
    proxier = undefined;
    await Promise.all(backends.map((b) => b.close()));
  });

  it('echoes through per-client flows round robin, and drops idle flows', async () => {
    backends = await Promise.all(['a', 'b'].map((id, i) => startUdpEchoBackend(`127.0.0.${i + 2}`, id)));
    const lb = new RoundRobinLoadBalancer();
    lb.onServiceUpdate(WEB, { type: 'None', timeoutSeconds: 10800 });
    lb.onEndpointsUpdate([endpointsFor(backends.map((b) => b.endpoint))]);
    proxier = new UdpProxier({ service: WEB, host: '127.0.0.1', port: 0, loadBalancer: lb, idleTimeoutMs: 100 });
    const port = await proxier.listen();
    assert.equal(await udpRequest('127.0.0.1', port, 'ping'), 'a:ping');
    assert.equal(await udpRequest('127.0.0.1', port, 'pong'), 'b:pong');
    assert.equal(proxier.activeFlows, 2);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(proxier.activeFlows, 0);
  });
});
