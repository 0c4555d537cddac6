import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { RestClient } from '../../lib/client/rest-client.js';
import { WatchDecoder } from '../../lib/client/watch-decoder.js';
import type { WatchEvent } from '../../lib/client/api-client.js';
import { ApiError, isNotFound } from '../../lib/errors.js';
import { FakeApiServer, notFoundBody, sendJson, statusBody } from '../helpers/fake-api-server.js';

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: '5' }, spec: { containers: [] } });

describe('RestClient', function () {
  this.timeout(20_000);
  let fake: FakeApiServer;
  let client: RestClient;

  before(async () => {
    fake = await FakeApiServer.start({ tls: true });
  });
  after(async () => fake.close());
  beforeEach(() => {
    fake.reset();
    client = new RestClient({ server: fake.url, caPem: fake.pki!.caPem, insecureSkipTlsVerify: false, token: 's3cret', namespace: 'default', contextName: 'test', sources: [] });
  });
  afterEach(() => client.close());

  it('trusts the cluster CA and sends the bearer token', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods/web', pod('web'));
    const got = await client.get('pods', 'default', 'web');
    assert.equal(got.metadata.name, 'web');
    assert.equal(fake.requests[0].headers.authorization, 'Bearer s3cret');
    assert.equal(fake.requests[0].headers.accept, 'application/json');
  });

  it('refuses a server whose certificate the CA did not sign, unless insecure', async () => {
    const other = new RestClient({ ...client.config, caPem: undefined });
    fake.onJson('GET', '/api/v1/nodes', { kind: 'NodeList', metadata: { resourceVersion: '1' }, items: [] });
    await assert.rejects(other.list('nodes'), /Unable to connect to the server 127\.0\.0\.1:\d+/);
    other.close();
    const insecure = new RestClient({ ...client.config, caPem: undefined, insecureSkipTlsVerify: true });
    assert.deepEqual((await insecure.list('nodes')).items, []);
    insecure.close();
  });

  it('builds group, namespaced and cluster-scoped paths and selector queries', async () => {
    fake.onJson('GET', '/apis/apps/v1/namespaces/prod/deployments', { metadata: { resourceVersion: '3' }, items: [{ metadata: { name: 'd' } }] });
    fake.onJson('GET', '/api/v1/pods', { metadata: { resourceVersion: '3' }, items: [] });
    const list = await client.list('deployments.apps', { namespace: 'prod', labelSelector: 'app in (a,b)' });
    assert.equal(list.items[0].kind, 'Deployment', 'list items get their kind filled in');
    assert.equal(list.items[0].apiVersion, 'apps/v1');
    assert.equal(fake.requests[0].query.get('labelSelector'), 'app in (a,b)');
    await client.list('pods', { fieldSelector: 'spec.nodeName=n1' });
    assert.equal(fake.requests[1].path, '/api/v1/pods');
    assert.equal(fake.requests[1].query.get('fieldSelector'), 'spec.nodeName=n1');
  });

  it('maps a Status body to an ApiError with reason, message and causes', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods/nope', notFoundBody('pods', 'nope'), 404);
    const causes = [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }];
    fake.onJson('POST', '/api/v1/namespaces/default/pods', statusBody(422, 'Invalid', 'Pod "x" is invalid: ...', { name: 'x', kind: 'Pod', causes }), 422);
    await assert.rejects(client.get('pods', 'default', 'nope'), (err: unknown) => {
      assert.ok(isNotFound(err));
      assert.equal((err as ApiError).message, 'pods "nope" not found');
      return true;
    });
    await assert.rejects(client.create('pods', pod('x')), (err: ApiError) => {
      assert.equal(err.code, 422);
      assert.equal(err.reason, 'Invalid');
      assert.deepEqual(err.details?.causes, causes);
      return true;
    });
  });

  it('maps a non-Status error body to an ApiError from the status code', async () => {
    fake.on('GET', '/api/v1/namespaces/default/pods/plain', (_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
    });
    fake.on('GET', '/api/v1/namespaces/default/pods/boom', (_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<h1>bad gateway</h1>');
    });
    await assert.rejects(client.get('pods', 'default', 'plain'), (err: ApiError) => err.code === 404 && err.reason === 'NotFound' && /could not find the requested resource \(get \/api\/v1\/namespaces\/default\/pods\/plain\)/.test(err.message));
    await assert.rejects(client.get('pods', 'default', 'boom'), (err: ApiError) => err.code === 502 && /bad gateway/.test(err.message));
  });

  it('sends writes with the right verbs, content types and query, and collects warnings', async () => {
    const warnings: string[] = [];
    const warned = new RestClient(client.config, { onWarning: (w) => warnings.push(w) });
    fake.onJson('POST', '/api/v1/namespaces/default/pods', pod('web'), 201, { Warning: '299 - "unknown field \\"spec.foo\\""' });
    fake.onJson('PATCH', '/apis/apps/v1/namespaces/default/deployments/d/scale', { kind: 'Scale', spec: { replicas: 3 } });
    fake.onJson('DELETE', '/api/v1/namespaces/default/pods/web', pod('web'));
    await warned.create('pods', pod('web'), { fieldValidation: 'Warn', fieldManager: 'kubectl-create' });
    assert.deepEqual(warnings, ['unknown field "spec.foo"']);
    assert.deepEqual(warned.warnings, ['unknown field "spec.foo"']);
    assert.equal(fake.requests[0].query.get('fieldValidation'), 'Warn');
    assert.equal(fake.requests[0].query.get('fieldManager'), 'kubectl-create');
    assert.equal(fake.requests[0].headers['content-type'], 'application/json');

    await warned.patchScale('deployments.apps', 'default', 'd', 3);
    assert.equal(fake.requests[1].headers['content-type'], 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(fake.requests[1].body), { spec: { replicas: 3 } });

    await warned.delete('pods', 'default', 'web', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
    assert.deepEqual(JSON.parse(fake.requests[2].body), { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
    warned.close();
  });

  it('asks for a server-side Table', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods', { kind: 'Table', metadata: {}, columnDefinitions: [], rows: [] });
    const table = await client.getTable('pods', 'default', undefined, { labelSelector: 'app=web' });
    assert.equal(table.kind, 'Table');
    assert.match(String(fake.requests[0].headers.accept), /^application\/json;as=Table;v=v1;g=meta\.k8s\.io/);
  });

  it('streams logs', async () => {
    fake.on('GET', '/api/v1/namespaces/default/pods/web/log', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`container=${req.query.get('container')} tail=${req.query.get('tailLines')}\n`);
    });
    const stream = await client.logs('default', 'web', { container: 'c1', tailLines: 2 });
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    assert.equal(text, 'container=c1 tail=2\n');
  });

  it('watches: events in order across chunk boundaries, done when the server closes', async () => {
    const events = [
      { type: 'ADDED', object: pod('a') },
      { type: 'MODIFIED', object: pod('a') },
      { type: 'DELETED', object: pod('ü-name') },
    ];
    const wire = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''));
    fake.on('GET', '/api/v1/namespaces/default/pods', async (req, res: ServerResponse) => {
      assert.equal(req.query.get('watch'), 'true');
      assert.equal(req.query.get('resourceVersion'), '7');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // Cut the stream in 7-byte pieces: through objects, lines and the two bytes of "ü".
      for (let i = 0; i < wire.length; i += 7) {
        res.write(wire.subarray(i, i + 7));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    const seen: WatchEvent[] = [];
    const watch = client.watch('pods', { namespace: 'default', resourceVersion: '7' }, (e) => seen.push(e));
    await watch.done;
    assert.deepEqual(seen, events);
  });

  it('delivers a 410 as an ERROR event, and stop() ends an open watch', async () => {
    const expired = statusBody(410, 'Expired', 'too old resource version: 1 (50)');
    fake.on('GET', '/api/v1/nodes', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'ERROR', object: expired }) + '\n');
      res.end();
    });
    const seen: WatchEvent[] = [];
    await client.watch('nodes', { resourceVersion: '1' }, (e) => seen.push(e)).done;
    assert.deepEqual(seen, [{ type: 'ERROR', object: expired }]);

    fake.onJson('GET', '/api/v1/namespaces/default/secrets', expired, 410);
    const gone: WatchEvent[] = [];
    await client.watch('secrets', { namespace: 'default', resourceVersion: '1' }, (e) => gone.push(e)).done;
    assert.equal(gone[0].type, 'ERROR');
    assert.equal((gone[0].object as unknown as { code: number }).code, 410);

    fake.on('GET', '/api/v1/namespaces/default/pods', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: pod('x') }) + '\n');
    });
    const open: WatchEvent[] = [];
    const watch = client.watch('pods', { namespace: 'default' }, (e) => {
      open.push(e);
      watch.stop();
    });
    await watch.done;
    assert.equal(open.length, 1);
  });

  it('asks for bookmarks, and ends a watch whose server goes silent (a cut cable sends no FIN)', async () => {
    fake.on('GET', '/api/v1/nodes', (req, res) => {
      assert.equal(req.query.get('allowWatchBookmarks'), 'true');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Node', apiVersion: 'v1', metadata: { resourceVersion: '9' } } }) + '\n');
      // ...then nothing, and the connection stays open.
    });
    const quiet = new RestClient(client.config, { watchIdleTimeoutMs: 300 });
    const seen: WatchEvent[] = [];
    const started = Date.now();
    await assert.rejects(quiet.watch('nodes', {}, (e) => seen.push(e)).done, /sent nothing for 0\.3 s/);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(seen[0].type, 'BOOKMARK');
    quiet.close();
  });

  it('rejects a watch the server refuses with a Status', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods', statusBody(403, 'Forbidden', 'no'), 403);
    await assert.rejects(client.watch('pods', { namespace: 'default' }, () => undefined).done, /no/);
  });

  it('explains a refused connection', async () => {
    const dead = new RestClient({ ...client.config, server: 'https://127.0.0.1:1' });
    await assert.rejects(dead.get('pods', 'default', 'x'), /The connection to the server 127\.0\.0\.1:1 was refused - did you specify the right host or port\?/);
    dead.close();
  });
});

describe('WatchDecoder', () => {
  it('keeps an unfinished line until its newline, and a last line without one', () => {
    const d = new WatchDecoder();
    assert.deepEqual(d.push('{"a":1}\n{"b"'), [{ a: 1 }]);
    assert.deepEqual(d.push(':2}\n\n{"c":3}'), [{ b: 2 }]);
    assert.deepEqual(d.end(), [{ c: 3 }]);
  });
});
