import assert from 'node:assert/strict';
import net from 'node:net';
import { startApiForwarder, type RunningApiForwarder } from '../../daemon/api-forwarder.js';
import type { Endpoints } from '../../lib/api/types.js';
import { ServerEndpoints } from '../../lib/client/server-endpoints.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { followApiServers } from '../../daemon/follow-api-servers.js';
import { ScriptedApiClient } from '../helpers/scripted-api-client.js';
import { untilPasses } from '../helpers/until-passes.js';

/** A TCP server on loopback that answers every line with `<name>:<line>`. */
async function echoServer(name: string): Promise<{ address: string; server: net.Server }> {
  const server = net.createServer((socket) => socket.on('data', (chunk) => socket.write(`${name}:${chunk.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, server };
}

/** A loopback port nothing listens on (bound, then closed). */
async function deadAddress(): Promise<string> {
  const { address, server } = await echoServer('dead');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address;
}

function ask(address: string, line: string): Promise<string> {
  const colon = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }, () => socket.write(line));
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed without an answer')));
  });
}

describe('API forwarder: an agent\'s port 6443 reaches a live server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function forwarder(targets: () => string[], onUnreachable?: (t: string) => void): Promise<RunningApiForwarder> {
    const running = await startApiForwarder({ host: '127.0.0.1', port: 0, targets, onUnreachable, connectTimeoutMs: 1000, log: silentLogger });
    cleanups.push(() => running.close());
    return running;
  }

  it('dials the servers in order: a dead first one is reported and the client is served by the next', async () => {
    const dead = await deadAddress();
    const live = await echoServer('server-2');
    cleanups.push(() => new Promise<void>((resolve) => live.server.close(() => resolve())));
    const unreachable: string[] = [];
    const running = await forwarder(() => [dead, live.address], (t) => unreachable.push(t));
    assert.equal(await ask(running.address, 'hello'), 'server-2:hello');
    assert.deepEqual(unreachable, [dead]);
  });

  it('no server answers: the client\'s connection is closed', async () => {
    const dead = await deadAddress();
    const running = await forwarder(() => [dead]);
    await assert.rejects(ask(running.address, 'hello'), /closed without an answer/);
  });

  it('with the agent\'s ServerEndpoints, a failure seen by the forwarder moves the agent\'s client too', async () => {
    const dead = await deadAddress();
    const live = await echoServer('server-2');
    cleanups.push(() => new Promise<void>((resolve) => live.server.close(() => resolve())));
    const servers = new ServerEndpoints([`https://${dead}`, `https://${live.address}`]);
    const running = await forwarder(
      () => servers.order().map((u) => new URL(u).host),
      (target) => servers.markFailed(`https://${target}`),
    );
    assert.equal(await ask(running.address, 'x'), 'server-2:x');
    assert.equal(servers.current, `https://${live.address}`);
  });
});

describe('followApiServers: the agent\'s list follows default/kubernetes', () => {
  it('every change of default/kubernetes is planned into the list; other Endpoints are ignored', async () => {
    const client = new ScriptedApiClient();
    const kubernetes = (ips: string[], rv: string): Endpoints => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', resourceVersion: rv },
      subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port: 6443 }] }],
    });
    client.setList('endpoints', '10', [kubernetes(['10.0.0.1'], '5')]);
    const informers = new SharedInformerFactory({ client, clock: new ManualClock() });
    const servers = new ServerEndpoints(['https://10.0.0.1:6443']);
    const abort = new AbortController();
    try {
      followApiServers(informers, servers, ['https://10.0.0.1:6443'], silentLogger, abort.signal);
      await untilPasses(() => assert.equal(client.openWatches.length, 1));
      client.openWatches[0].emit('MODIFIED', kubernetes(['10.0.0.1', '10.0.0.2', '10.0.0.3'], '11'));
      assert.deepEqual(servers.list(), ['https://10.0.0.1:6443', 'https://10.0.0.2:6443', 'https://10.0.0.3:6443']);
      client.openWatches[0].emit('ADDED', { ...kubernetes(['10.9.9.9'], '12'), metadata: { name: 'web', namespace: 'default', resourceVersion: '12' } });
      assert.equal(servers.list().length, 3, 'another Service\'s Endpoints are not servers');
      client.openWatches[0].emit('MODIFIED', kubernetes(['10.0.0.2', '10.0.0.3'], '13'));
      assert.deepEqual(servers.list(), ['https://10.0.0.2:6443', 'https://10.0.0.3:6443', 'https://10.0.0.1:6443'], 'a given server stays, last');
    } finally {
      abort.abort();
    }
  });
});
