// Failover of a node agent's client between several API servers, on real sockets: three HTTPS
// servers on loopback with one test CA (as HA servers share the cluster CA) serve one shared
// history of pods, the way several kube-apiservers serve one etcd. A server is killed by closing
// it and every connection it holds (a watch stream then breaks mid-response; new connections
// are refused), and the test checks what a client sees.

import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import net from 'node:net';
import type { KubeObject } from '../../lib/api/types.js';
import { Informer } from '../../lib/client/informer.js';
import { failedBeforeReachingServer, RestClient } from '../../lib/client/rest-client.js';
import { ServerEndpoints } from '../../lib/client/server-endpoints.js';
import { systemClock } from '../../lib/clock.js';
import { FakeApiServer, makeTestPki, sendJson, statusBody, type RecordedRequest, type TestPki } from '../helpers/fake-api-server.js';
import { untilPasses } from '../helpers/until-passes.js';

interface Change {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

/** The store every server reads: current pods, every change in order, and the open watch streams. */
class SharedHistory {
  readonly pods = new Map<string, KubeObject>();
  readonly changes: Change[] = [];
  private readonly streams = new Set<{ res: ServerResponse; after: number }>();
  revision = 100;

  write(type: Change['type'], name: string): void {
    this.revision += 1;
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: String(this.revision) } } as KubeObject;
    if (type === 'DELETED') this.pods.delete(name);
    else this.pods.set(name, object);
    this.changes.push({ type, object });
    for (const stream of this.streams) if (!stream.res.destroyed) stream.res.write(JSON.stringify({ type, object }) + '\n');
  }

  list(res: ServerResponse): void {
    sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.revision) }, items: [...this.pods.values()] });
  }

  watch(req: RecordedRequest, res: ServerResponse): void {
    const after = Number(req.query.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    for (const change of this.changes) {
      if (Number(change.object.metadata.resourceVersion) > after) res.write(JSON.stringify(change) + '\n');
    }
    const stream = { res, after };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
  }
}

async function startServer(pki: TestPki, history: SharedHistory): Promise<FakeApiServer> {
  const server = await FakeApiServer.start({ pki });
  server.on('GET', '/api/v1/pods', (req, res) => (req.query.get('watch') === 'true' ? history.watch(req, res) : history.list(res)));
  return server;
}

describe('RestClient failover between API servers', function () {
  this.timeout(20_000);
  let pki: TestPki;
  let history: SharedHistory;
  let servers: FakeApiServer[];
  let client: RestClient;
  let endpoints: ServerEndpoints;
  let abort: AbortController;

  before(() => {
    pki = makeTestPki();
  });

  beforeEach(async () => {
    history = new SharedHistory();
    servers = [await startServer(pki, history), await startServer(pki, history), await startServer(pki, history)];
    endpoints = new ServerEndpoints(servers.map((s) => s.url));
    client = new RestClient(
      { server: 'https://unused.invalid', caPem: pki.caPem, insecureSkipTlsVerify: false, token: 'node-token', namespace: 'default', contextName: '', sources: [] },
      { servers: endpoints, listChunkSize: 0 },
    );
    abort = new AbortController();
  });

  afterEach(async () => {
    abort.abort();
    client.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  const requestsTo = (server: FakeApiServer, method: string) => server.requests.filter((r) => r.method === method);
  const watchesTo = (server: FakeApiServer) => server.requests.filter((r) => r.method === 'GET' && r.query.get('watch') === 'true');

  it('an informer whose server dies mid-watch resumes on the next server from its last resourceVersion: no event lost or seen twice', async () => {
    history.write('ADDED', 'a');
    const errors: unknown[] = [];
    const informer = new Informer({ client, clock: systemClock, resource: 'pods', retryDelayMs: 20, onError: (e) => errors.push(e) });
    const heard: string[] = [];
    informer.addEventHandler({
      onAdd: (o) => heard.push(`ADDED ${o.metadata.name} ${o.metadata.resourceVersion}`),
      onUpdate: (_old, o) => heard.push(`MODIFIED ${o.metadata.name} ${o.metadata.resourceVersion}`),
      onDelete: (o) => heard.push(`DELETED ${o.metadata.name} ${o.metadata.resourceVersion}`),
    });
    void informer.start(abort.signal);
    await informer.waitForSync();
    await untilPasses(() => assert.equal(watchesTo(servers[0]).length, 1));
    history.write('ADDED', 'b'); // 102
    history.write('MODIFIED', 'a'); // 103
    await untilPasses(() => assert.equal(heard.length, 3));

    await servers[0].close(); // the server dies: its watch stream breaks, new connections are refused
    history.write('DELETED', 'b'); // 104, while the informer has no watch
    history.write('ADDED', 'c'); // 105

    await untilPasses(() => assert.equal(heard.length, 5));
    assert.deepEqual(heard, ['ADDED a 101', 'ADDED b 102', 'MODIFIED a 103', 'DELETED b 104', 'ADDED c 105']);
    const resumed = watchesTo(servers[1]);
    assert.equal(resumed.length, 1, 'the watch moved to the next server');
    assert.equal(resumed[0].query.get('resourceVersion'), '103', 'resumed from the last version seen, not from the list');
    assert.equal(requestsTo(servers[1], 'GET').length, 1, 'no new list: the watch resumed');
    assert.equal(endpoints.current, servers[1].url);
    assert.deepEqual([...informer.list().map((p) => p.metadata.name)].sort(), ['a', 'c']);
    assert.match(String(errors[0]), /aborted/, 'the broken watch is reported to onError');

    history.write('MODIFIED', 'c'); // 106: the new watch follows live changes too
    await untilPasses(() => assert.equal(heard.at(-1), 'MODIFIED c 106'));
    assert.equal(heard.length, 6);
  });

  it('a list whose server dies mid-answer is read again from the next server', async () => {
    history.write('ADDED', 'a');
    servers[0].on('GET', '/api/v1/pods', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"kind":"PodList","metadata":{"resourceVersion":"101"},"items":[{"metadata":'); // then the host dies
      res.socket?.destroy();
    });
    const list = await client.list('pods');
    assert.deepEqual(list.items.map((p) => p.metadata.name), ['a']);
    assert.equal(requestsTo(servers[1], 'GET').length, 1);
    assert.equal(endpoints.current, servers[1].url);
  });

  it('a paged list whose server dies between pages gets the next page, with the same continue token, from the next server', async () => {
    const page = (name: string, next?: string) => ({ kind: 'PodList', metadata: { resourceVersion: '101', ...(next ? { continue: next } : {}) }, items: [{ metadata: { name, namespace: 'default' } }] });
    servers[0].on('GET', '/api/v1/pods', (_req, res) => {
      sendJson(res, 200, page('a', 'token-after-a'));
      void servers[0].close(); // dies right after the first page
    });
    servers[1].on('GET', '/api/v1/pods', (req, res) => sendJson(res, req.query.get('continue') === 'token-after-a' ? 200 : 400, page('b')));
    const list = await client.listAll('pods', {}, 1);
    assert.deepEqual(list.items.map((p) => p.metadata.name), ['a', 'b']);
    assert.equal(requestsTo(servers[1], 'GET')[0].query.get('continue'), 'token-after-a');
  });

  it('a list to a dead server goes to the next; the dead one is skipped while it backs off', async () => {
    history.write('ADDED', 'a');
    await servers[0].close();
    assert.equal((await client.list('pods')).items.length, 1);
    assert.equal((await client.list('pods')).items.length, 1);
    assert.equal(requestsTo(servers[1], 'GET').length, 2, 'the second request went straight to the live server');
  });

  it('a write that never reached a server (refused) is sent to the next one, once', async () => {
    await servers[0].close();
    servers[1].onJson('POST', '/api/v1/namespaces/default/configmaps', { kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default', resourceVersion: '7' } }, 201);
    const created = await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } } as KubeObject);
    assert.equal(created.metadata.resourceVersion, '7');
    assert.equal(requestsTo(servers[1], 'POST').length, 1);
    assert.equal(requestsTo(servers[2], 'POST').length, 0);
  });

  it('a server that accepts connections but never completes TLS (a hung host) is given up after connectTimeoutMs; a write goes to the next', async () => {
    const hung = net.createServer(() => undefined); // accepts, then says nothing
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const sockets = new Set<net.Socket>();
    hung.on('connection', (socket) => sockets.add(socket));
    try {
      const hungUrl = `https://127.0.0.1:${(hung.address() as net.AddressInfo).port}`;
      const viaHung = new RestClient(client.config, { servers: new ServerEndpoints([hungUrl, servers[1].url]), connectTimeoutMs: 300 });
      servers[1].onJson('POST', '/api/v1/namespaces/default/configmaps', { kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default', resourceVersion: '8' } }, 201);
      const started = Date.now();
      const created = await viaHung.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } } as KubeObject);
      assert.equal(created.metadata.resourceVersion, '8');
      assert.ok(Date.now() - started < 5_000, 'given up after the connect timeout, not the 30 s idle timeout');
      assert.equal(requestsTo(servers[1], 'POST').length, 1);
      viaHung.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });

  it('a write that reached its server is not sent again when the server dies before answering', async () => {
    servers[0].on('POST', '/api/v1/namespaces/default/configmaps', (_req, res) => void res.socket?.destroy());
    await assert.rejects(
      client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } } as KubeObject),
      (err: Error) => {
        assert.equal(failedBeforeReachingServer(err), false);
        assert.match(err.message, /Unable to connect to the server 127\.0\.0\.1:\d+: socket hang up/);
        return true;
      },
    );
    assert.equal(requestsTo(servers[0], 'POST').length, 1);
    assert.equal(requestsTo(servers[1], 'POST').length + requestsTo(servers[2], 'POST').length, 0, 'it may have been applied: never sent twice');
  });

  it('an HTTP error from a live server is its answer: not retried elsewhere, the server stays current', async () => {
    servers[0].onJson('GET', '/api/v1/pods', statusBody(500, 'InternalError', 'etcd is slow'), 500);
    await assert.rejects(client.list('pods'), /etcd is slow/);
    assert.equal(servers[1].requests.length + servers[2].requests.length, 0);
    assert.equal(endpoints.current, servers[0].url);
  });

  it('when every server is down the request fails naming them all, and works again once one is back', async () => {
    const urls = servers.map((s) => s.url);
    await Promise.all(servers.map((s) => s.close()));
    await assert.rejects(client.list('pods'), (err: Error) => {
      assert.match(err.message, /^no API server answered \(tried 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+\): The connection to the server 127\.0\.0\.1:\d+ was refused/);
      assert.equal(failedBeforeReachingServer(err), true);
      return true;
    });
    // The first server's port comes back (a restarted kubelabd): it is tried although it backs off.
    const port = Number(new URL(urls[0]).port);
    const back = await FakeApiServer.start({ pki, port });
    servers.push(back);
    back.on('GET', '/api/v1/pods', (_req, res) => history.list(res));
    assert.deepEqual((await client.list('pods')).items, []);
    assert.equal(endpoints.current, urls[0]);
  });
});
