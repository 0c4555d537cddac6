// Bad input against the real HTTPS API server and the real write pipeline (ResourceRegistry over
// an in-memory store): prototype pollution through every body, patch and query path, writes
// that would change an object's kind, and the reproductions of issue 12 that used to answer 500.
// Every rejected request must answer a 4xx Status and leave the stored object as it was.

import assert from 'node:assert/strict';
import https from 'node:https';
import zlib from 'node:zlib';
import { Authenticator } from '../../daemon/api/auth.js';
import { NodeAuthorizer } from '../../daemon/api/node-authorizer.js';
import { ensurePki } from '../../daemon/pki/pki.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { internalContext } from '../../daemon/api/registry.js';
import { createApiApp, startApiServer } from '../../daemon/api/server.js';
import { parseStreamPath } from '../../daemon/api/streaming/stream-request.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { ApiError } from '../../lib/errors.js';
import { ApiTestServer, eventually, type TestResponse } from '../helpers/api-test-server.js';

const NODE_TOKEN = 'node-n1-token';
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype is exactly as Node made it: no key added, nothing inherited by a fresh object. */
function assertPrototypeClean(what: string): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.k, undefined, `${what}: ({}).k is ${String(probe.k)}`);
  assert.equal(probe.polluted, undefined, `${what}: ({}).polluted is set`);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_NAMES, `${what}: Object.prototype gained keys`);
}

function assertStatus(res: TestResponse, codes: number[], what: string): void {
  assert.ok(codes.includes(res.status), `${what}: expected ${codes.join(' or ')}, got ${res.status} ${res.text.slice(0, 300)}`);
  assert.equal(res.json?.kind, 'Status', `${what}: the answer is not a Status: ${res.text.slice(0, 200)}`);
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } });
const pod = (name: string, container: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'kubelab/busybox:1', ...container }] },
});

describe('API server hardening (real registry over HTTPS)', function () {
  this.timeout(30_000);
  let api: ApiTestServer<ResourceRegistry>;
  let store: NedbObjectStore;

  before(async () => {
    store = new NedbObjectStore();
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    api = await ApiTestServer.start({
      registry,
      tokens: [{ token: NODE_TOKEN, user: 'system:node:n1', groups: ['system:nodes'] }],
      authorizer: new NodeAuthorizer(registry),
    });
    await registry.create('nodes', undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { a: 'b' } } }, internalContext());
    const created = await api.request('POST', '/api/v1/namespaces/default/configmaps', { body: configMap('x') });
    assert.equal(created.status, 201, created.text);
  });
  after(async () => {
    await api?.close();
    await store?.close();
  });
  afterEach(() => assertPrototypeClean('after the test'));

  const storedConfigMap = () => api.registry.get('configmaps', 'default', 'x', internalContext());

  describe('prototype keys never reach a prototype', () => {
    const pollutingDocuments: Record<string, unknown>[] = [
      JSON.parse('{"__proto__": {"k": "v", "polluted": true}}'),
      JSON.parse('{"metadata": {"labels": {"__proto__": {"k": "v"}}}}'),
      JSON.parse('{"constructor": {"prototype": {"k": "v"}}}'),
      JSON.parse('{"data": {"prototype": "v"}}'),
    ];

    for (const [type, contentType] of [['merge', MERGE], ['strategic', STRATEGIC]] as const) {
      it(`refuses a ${type} merge patch holding __proto__, constructor or prototype, as admin and as a node`, async () => {
        for (const doc of pollutingDocuments) {
          const before = await storedConfigMap();
          const res = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { rawBody: JSON.stringify(doc), contentType });
          assertStatus(res, [400], `${type} ${JSON.stringify(doc)}`);
          assert.match(res.json.message, /__proto__|constructor|prototype/);
          assertPrototypeClean(`${type} patch ${JSON.stringify(doc)}`);
          assert.deepEqual(await storedConfigMap(), before, 'nothing written');

          const asNode = await api.request('PATCH', '/api/v1/nodes/n1', { rawBody: JSON.stringify(doc), contentType, token: NODE_TOKEN });
          assertStatus(asNode, [400], `node ${type} ${JSON.stringify(doc)}`);
          assertPrototypeClean(`node ${type} patch ${JSON.stringify(doc)}`);
        }
      });
    }

    it('refuses a strategic merge patch that names __proto__ inside a directive key', async () => {
      const res = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', {
        rawBody: '{"$setElementOrder/__proto__": [{"k": "v"}], "$deleteFromPrimitiveList/constructor": ["x"]}',
        contentType: STRATEGIC,
      });
      assertStatus(res, [400], 'directive');
    });

    it('refuses JSON patch values and paths through a prototype key, as admin and as a node', async () => {
      const patches = [
        [{ op: 'add', path: '/metadata/__proto__/k', value: 'v' }],
        [{ op: 'add', path: '/metadata/constructor/prototype/k', value: 'v' }],
        [{ op: 'add', path: '/metadata/labels', value: JSON.parse('{"__proto__": {"k": "v"}}') }],
        [{ op: 'copy', from: '/__proto__', path: '/metadata/labels/k' }],
      ];
      for (const ops of patches) {
        const before = await storedConfigMap();
        const res = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { rawBody: JSON.stringify(ops), contentType: JSON_PATCH });
        assertStatus(res, [400], `json patch ${JSON.stringify(ops)}`);
        assert.deepEqual(await storedConfigMap(), before, 'nothing written');
        const asNode = await api.request('PATCH', '/api/v1/nodes/n1', { rawBody: JSON.stringify(ops), contentType: JSON_PATCH, token: NODE_TOKEN });
        assertStatus(asNode, [400], `node json patch ${JSON.stringify(ops)}`);
      }
    });

    it('refuses POST and PUT bodies holding a prototype key', async () => {
      const post = await api.request('POST', '/api/v1/namespaces/default/configmaps', {
        rawBody: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p","labels":{"__proto__":{"k":"v"}}}}',
      });
      assertStatus(post, [400], 'POST');
      assert.equal((await api.request('GET', '/api/v1/namespaces/default/configmaps/p')).status, 404, 'nothing created');

      const before = await storedConfigMap();
      const put = await api.request('PUT', '/api/v1/namespaces/default/configmaps/x', {
        rawBody: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"__proto__":{"polluted":true},"data":{"constructor":"v"}}',
      });
      assertStatus(put, [400], 'PUT');
      assert.deepEqual(await storedConfigMap(), before, 'nothing written');

      const nodePut = await api.request('PUT', '/api/v1/nodes/n1', {
        rawBody: '{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","__proto__":{"k":"v"}}}',
        token: NODE_TOKEN,
      });
      assertStatus(nodePut, [400], 'node PUT');
    });

    it('refuses prototype keys in the query and never lets them reach Object.prototype', async () => {
      for (const query of ['__proto__=x', '__proto__[k]=v', 'constructor[prototype][k]=v&a=1', 'constructor=1', 'prototype=1']) {
        const res = await api.request('GET', `/api/v1/namespaces/default/configmaps?${query}`);
        assert.ok(res.status === 400 || res.status === 200, `${query}: ${res.status} ${res.text.slice(0, 200)}`);
        if (/^(__proto__|constructor|prototype)=/.test(query)) assertStatus(res, [400], query);
        assertPrototypeClean(`query ${query}`);
        const asNode = await api.request('GET', `/api/v1/nodes/n1?${query}`, { token: NODE_TOKEN });
        assert.ok(asNode.status < 500, `node ${query}: ${asNode.status}`);
        assertPrototypeClean(`node query ${query}`);
      }
    });
  });

  describe('apiVersion and kind never change', () => {
    const cases: [string, string, string][] = [
      ['merge kind', MERGE, '{"kind":"Secret"}'],
      ['merge apiVersion', MERGE, '{"apiVersion":"v2"}'],
      ['strategic kind', STRATEGIC, '{"kind":"Secret"}'],
      ['strategic apiVersion', STRATEGIC, '{"apiVersion":"apps/v1"}'],
      ['json patch kind', JSON_PATCH, '[{"op":"replace","path":"/kind","value":"Secret"}]'],
      ['json patch apiVersion', JSON_PATCH, '[{"op":"replace","path":"/apiVersion","value":"v2"}]'],
    ];
    for (const [what, contentType, body] of cases) {
      it(`refuses a ${what} patch with 422 Invalid, nothing written`, async () => {
        const before = await storedConfigMap();
        const res = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { rawBody: body, contentType });
        assertStatus(res, [422], what);
        assert.equal(res.json.reason, 'Invalid');
        assert.match(res.json.message, /kind|apiVersion/);
        assert.deepEqual(await storedConfigMap(), before, 'nothing written');
      });
    }

    it('puts back a kind and apiVersion that a patch removes, as kube-apiserver decodes them', async () => {
      const res = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { rawBody: '[{"op":"remove","path":"/apiVersion"},{"op":"remove","path":"/kind"}]', contentType: JSON_PATCH });
      assert.equal(res.status, 200, res.text);
      const stored = await storedConfigMap();
      assert.equal(stored.kind, 'ConfigMap');
      assert.equal(stored.apiVersion, 'v1');
    });

    it('refuses a PUT with another kind or apiVersion with 400, nothing written', async () => {
      const before = await storedConfigMap();
      for (const [kind, apiVersion] of [['Secret', 'v1'], ['ConfigMap', 'v2'], ['Deployment', 'apps/v1']]) {
        const res = await api.request('PUT', '/api/v1/namespaces/default/configmaps/x', { body: { ...configMap('x'), kind, apiVersion } });
        assertStatus(res, [400], `PUT ${apiVersion} ${kind}`);
        assert.match(res.json.message, /does not match the expected/);
      }
      assert.deepEqual(await storedConfigMap(), before, 'nothing written');
    });
  });

  describe('bad input answers 4xx, never 5xx', () => {
    it('answers 400 for a broken percent-encoding in the path', async () => {
      for (const path of ['/api/v1/namespaces/default/pods/%E0%A4%A', '/api/v1/namespaces/%ZZ/pods', '/apis/apps/v1/namespaces/default/deployments/%']) {
        const res = await api.request('GET', path);
        assertStatus(res, [400], path);
        assert.match(res.json.message, /percent-encoded/);
      }
    });

    it('refuses a broken percent-encoding in an exec or port-forward path as a 400, not a 500', () => {
      assert.throws(() => parseStreamPath('/api/v1/namespaces/default/pods/%E0%A4%A/exec'), (err: unknown) => err instanceof ApiError && err.code === 400);
      assert.deepEqual(parseStreamPath('/api/v1/namespaces/default/pods/web%2D1/exec'), { namespace: 'default', name: 'web-1', subresource: 'exec' });
    });

    it('answers 400 for metadata that is not an object, on create, update and patch', async () => {
      const before = await storedConfigMap();
      for (const metadata of ['x', 1, null, [], true]) {
        const post = await api.request('POST', '/api/v1/namespaces/default/configmaps', { body: { ...configMap('m'), metadata } });
        assertStatus(post, metadata === null ? [422] : [400], `POST metadata ${JSON.stringify(metadata)}`);
        // null is JSON for "absent": a PUT takes the name from the URL, a merge patch deletes the field.
        if (metadata === null) continue;
        const put = await api.request('PUT', '/api/v1/namespaces/default/configmaps/x', { body: { ...configMap('x'), metadata } });
        assertStatus(put, [400], `PUT metadata ${JSON.stringify(metadata)}`);
        const patch = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { body: { metadata }, contentType: MERGE });
        assertStatus(patch, [422], `PATCH metadata ${JSON.stringify(metadata)}`);
      }
      assert.deepEqual(await storedConfigMap(), before, 'nothing written');
    });

    it('answers 4xx for metadata {"": ""}', async () => {
      const post = await api.request('POST', '/api/v1/namespaces/default/configmaps', { body: { ...configMap('e'), metadata: { '': '' } } });
      assertStatus(post, [400, 422], 'POST');
      const strict = await api.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { body: { ...configMap('e'), metadata: { name: 'e', '': '' } } });
      assertStatus(strict, [400, 422], 'POST Strict');
      const patch = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x?fieldValidation=Strict', { body: { metadata: { '': '' } }, contentType: MERGE });
      assert.ok(patch.status < 500, `PATCH: ${patch.status} ${patch.text}`);
    });

    it('decodes a gzip body, and answers 400 for a plain body labelled gzip', async () => {
      const body = JSON.stringify(configMap('gz'));
      const gzipped = await api.request('POST', '/api/v1/namespaces/default/configmaps', { rawBody: zlib.gzipSync(body), headers: { 'content-encoding': 'gzip' } });
      assert.equal(gzipped.status, 201, gzipped.text);
      const plain = await api.request('POST', '/api/v1/namespaces/default/configmaps', { rawBody: JSON.stringify(configMap('gz2')), headers: { 'content-encoding': 'gzip' } });
      assertStatus(plain, [400], 'plain body labelled gzip');
      assert.match(plain.json.message, /decompress/);
      const unknown = await api.request('POST', '/api/v1/namespaces/default/configmaps', { rawBody: JSON.stringify(configMap('gz3')), headers: { 'content-encoding': 'br-nope' } });
      assertStatus(unknown, [415], 'unknown encoding');
      // The size limit counts inflated bytes: 4 MiB of zeros (4 KiB gzipped) is too large.
      const bomb = zlib.gzipSync(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bomb"},"data":{"a":"${'0'.repeat(4 * 1024 * 1024)}"}}`);
      assert.ok(bomb.length < 64 * 1024);
      const inflated = await api.request('POST', '/api/v1/namespaces/default/configmaps', { rawBody: bomb, headers: { 'content-encoding': 'gzip' } });
      assertStatus(inflated, [413], 'gzip bomb');
      assert.equal((await api.request('GET', '/api/v1/namespaces/default/configmaps/gz2')).status, 404);
    });

    it('answers 400 for 50,000 levels of nesting in a body and in each patch type', async () => {
      const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
      const deepList = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
      const before = await storedConfigMap();
      const bodies: [string, string, string][] = [
        ['POST', '', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":${deep(50_000)}}`],
        ['PUT', '/x', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"x":${deepList(50_000)}}`],
        ['PATCH', '/x', `{"data":${deep(50_000)}}`],
        ['PATCH', '/x', `[{"op":"add","path":"/x","value":${deep(50_000)}}]`],
      ];
      for (const [method, suffix, rawBody] of bodies) {
        const contentType = method !== 'PATCH' ? 'application/json' : rawBody.startsWith('[') ? JSON_PATCH : MERGE;
        const res = await api.request(method, `/api/v1/namespaces/default/configmaps${suffix}`, { rawBody, contentType });
        assertStatus(res, [400], `${method} ${contentType}`);
        assert.match(res.json.message, /nested more than 100 levels/);
      }
      const strategic = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { rawBody: `{"data":${deep(50_000)}}`, contentType: STRATEGIC });
      assertStatus(strategic, [400], 'strategic');
      // 100 levels is still fine.
      const fine = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { rawBody: `{"metadata":{"annotations":null}, "x": ${deep(97)}}`, contentType: MERGE, headers: {} });
      assert.ok(fine.status < 500, `${fine.status} ${fine.text.slice(0, 200)}`);
      assert.deepEqual((await storedConfigMap()).data, before.data);
    });

    it('answers 422 for a JSON patch that replaces the root with null or a non-object', async () => {
      const before = await storedConfigMap();
      for (const value of [null, 'x', 1, []]) {
        const ops = [{ op: 'replace', path: '', value }];
        const res = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { body: ops, contentType: JSON_PATCH });
        assertStatus(res, [422], `root ${JSON.stringify(value)}`);
        const merge = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/x', { rawBody: JSON.stringify(value), contentType: MERGE });
        assertStatus(merge, [400, 422], `merge root ${JSON.stringify(value)}`);
      }
      assert.deepEqual(await storedConfigMap(), before, 'nothing written');
    });
  });

  describe('wrong JSON types answer 422 naming the field, nothing stored', () => {
    const rc = (spec: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc' },
      spec: { replicas: 1, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, ...spec },
    });
    const deployment = (replicas: unknown) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    const cases: [string, string, object, string][] = [
      ['ports: "80"', '/api/v1/namespaces/default/pods', pod('t1', { ports: '80' }), 'spec.containers[0].ports'],
      ['env: "A=b"', '/api/v1/namespaces/default/pods', pod('t2', { env: 'A=b' }), 'spec.containers[0].env'],
      ['command: "sleep 1"', '/api/v1/namespaces/default/pods', pod('t3', { command: 'sleep 1' }), 'spec.containers[0].command'],
      ['args: {a: b}', '/api/v1/namespaces/default/pods', pod('t4', { args: { a: 'b' } }), 'spec.containers[0].args'],
      ['resources: "big"', '/api/v1/namespaces/default/pods', pod('t5', { resources: 'big' }), 'spec.containers[0].resources'],
      ['containerPort: "80"', '/api/v1/namespaces/default/pods', pod('t6', { ports: [{ containerPort: '80' }] }), 'spec.containers[0].ports[0].containerPort'],
      ['Secret data as a list', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: ['a'] }, 'data'],
      ['ConfigMap data as a number', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' }, data: 5 }, 'data'],
      ['ConfigMap value as a number', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' }, data: { a: 1 } }, 'data[a]'],
      ['RC selector as a list', '/api/v1/namespaces/default/replicationcontrollers', rc({ selector: ['app'] }), 'spec.selector'],
      ['RC replicas 2147483648', '/api/v1/namespaces/default/replicationcontrollers', rc({ replicas: 2_147_483_648 }), 'spec.replicas'],
      ['RC replicas 1.5', '/api/v1/namespaces/default/replicationcontrollers', rc({ replicas: 1.5 }), 'spec.replicas'],
      ['Deployment replicas 2147483648', '/apis/apps/v1/namespaces/default/deployments', deployment(2_147_483_648), 'spec.replicas'],
      ['Deployment replicas "3"', '/apis/apps/v1/namespaces/default/deployments', deployment('3'), 'spec.replicas'],
      ['ReplicaSet replicas -1', '/apis/apps/v1/namespaces/default/replicasets', { ...deployment(-1), kind: 'ReplicaSet' }, 'spec.replicas'],
    ];
    for (const [what, path, body, field] of cases) {
      it(`${what}: 422 naming ${field}`, async () => {
        const res = await api.request('POST', path, { body });
        assertStatus(res, [422], what);
        assert.ok(res.json.details.causes.some((c: { field: string }) => c.field === field), `${what}: causes ${JSON.stringify(res.json.details.causes)}`);
        const name = (body as { metadata: { name: string } }).metadata.name;
        assert.equal((await api.request('GET', `${path}/${name}`)).status, 404, 'nothing stored');
      });
    }

    it('refuses a wrong type that arrives by patch, and replicas beyond int32 through /scale', async () => {
      const created = await api.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment(1) });
      assert.equal(created.status, 201, created.text);
      const patched = await api.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d', {
        body: { spec: { template: { spec: { containers: [{ name: 'c', ports: '80' }] } } } },
        contentType: STRATEGIC,
      });
      assertStatus(patched, [400, 422], 'strategic ports "80"');
      const merge = await api.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d', { body: { spec: { replicas: 2_147_483_648 } }, contentType: MERGE });
      assertStatus(merge, [422], 'merge replicas');
      assert.equal(merge.json.details.causes[0].field, 'spec.replicas');
      for (const replicas of [2_147_483_648, 1.5, '2']) {
        const scale = await api.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d/scale', { body: { spec: { replicas } }, contentType: MERGE });
        assertStatus(scale, [422], `scale ${replicas}`);
        assert.equal(scale.json.details.causes[0].field, 'spec.replicas');
      }
      const ok = await api.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d/scale', { body: { spec: { replicas: 2_147_483_647 } }, contentType: MERGE });
      assert.equal(ok.status, 200, ok.text);
      const stored = await api.registry.get('deployments.apps', 'default', 'd', internalContext());
      assert.equal((stored.spec as { replicas: number }).replicas, 2_147_483_647);
      await api.registry.delete('deployments.apps', 'default', 'd', {}, internalContext());
    });
  });

  it('keeps working after all of it', async () => {
    const res = await api.request('GET', '/api/v1/namespaces/default/configmaps/x');
    assert.equal(res.status, 200);
  });
});

describe('API server request timeouts', function () {
  this.timeout(20_000);
  let api: ApiTestServer;

  before(async () => {
    api = await ApiTestServer.start({ requestTimeoutMs: 400, connectionsCheckingIntervalMs: 50 });
  });
  after(async () => {
    await api?.close();
  });

  it('cuts off a client that sends half a body and stops', async () => {
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const req = https.request({
        host: '127.0.0.1',
        port: api.port,
        method: 'POST',
        path: '/api/v1/namespaces/default/configmaps',
        ca: api.caCertPem,
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json', 'content-length': '1000' },
      });
      req.on('response', (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (err) => resolve(`closed: ${err.message}`));
      req.write('{"apiVersion":"v1",'); // and never the rest
    });
    const elapsedMs = Date.now() - started;
    assert.ok(/status 408|closed/.test(outcome), outcome);
    assert.ok(elapsedMs < 5_000, `cut off after ${elapsedMs} ms`);
  });

  it('keeps an upgraded connection (exec, port-forward) open far longer than the request timeout', async () => {
    const pki = await ensurePki(api.dir + '/upgrade-pki', { hostnames: [], ips: [] });
    const server = await startApiServer({
      app: createApiApp({ registry: api.registry, authenticator: new Authenticator([]) }),
      listen: '127.0.0.1:0',
      tls: { key: pki.serverKeyPem, cert: pki.serverCertPem },
      requestTimeoutMs: 300,
      connectionsCheckingIntervalMs: 50,
      // An echo stream: what the streaming handler does with exec stdin, in miniature.
      onUpgrade: (_req, socket) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
        socket.on('data', (chunk: Buffer) => socket.write(chunk));
      },
    });
    try {
      const socket = await new Promise<import('node:stream').Duplex>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: server.port, ca: pki.caCertPem, headers: { connection: 'Upgrade', upgrade: 'echo' } });
        req.on('upgrade', (_res, upgraded) => resolve(upgraded));
        req.on('error', reject);
        req.end();
      });
      await new Promise((r) => setTimeout(r, 1_000)); // more than three request timeouts
      const echoed = await new Promise<string>((resolve, reject) => {
        socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        socket.once('close', () => reject(new Error('the upgraded connection was closed')));
        socket.write('still here');
      });
      assert.equal(echoed, 'still here');
      socket.destroy();
    } finally {
      await server.close();
    }
  });

  it('keeps a watch open far longer than the request timeout and delivers its events', async () => {
    const watch = api.stream('/api/v1/namespaces/default/configmaps?watch=true');
    assert.equal(await watch.status, 200);
    await new Promise((r) => setTimeout(r, 1_200)); // three request timeouts
    const created = await api.request('POST', '/api/v1/namespaces/default/configmaps', { body: configMap('late') });
    assert.equal(created.status, 201);
    await eventually(() => watch.lines.some((l) => l.type === 'ADDED' && l.object.metadata.name === 'late'), 3000, 'the ADDED event');
    watch.close();
  });
});
