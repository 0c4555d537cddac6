// Inputs the API fuzzer (test/fuzz/api-fuzzer.ts) found answering 500, each kept as a regression
// test against the real write pipeline: the fix is in the code named by each test.

import assert from 'node:assert/strict';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

describe('API fuzz findings (each once a 500)', function () {
  let api: ApiTestServer<ResourceRegistry>;
  let store: NedbObjectStore;

  before(async () => {
    store = new NedbObjectStore();
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    api = await ApiTestServer.start({ registry });
    await registry.create('secrets', 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'Yg==' } }, internalContext());
  });
  after(async () => {
    await api?.close();
    await store?.close();
  });

  // lib/api/validation.ts looked the type up in an object literal: "constructor" found Object.
  for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`creates a Secret of type "${type}" (an unknown type is allowed, as in Kubernetes) without a 500`, async () => {
      const name = `t-${type.replace(/_/g, '').toLowerCase()}`;
      const res = await api.request('POST', '/api/v1/namespaces/default/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type, data: { a: 'Yg==' } } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json.type, type);
    });
  }

  // daemon/api/request-options.ts looked the patch type up in an object literal.
  for (const contentType of ['constructor', 'toString', '__proto__']) {
    it(`answers 415 for a PATCH with Content-Type "${contentType}"`, async () => {
      const res = await api.request('PATCH', '/api/v1/namespaces/default/secrets/s', { rawBody: '{"data":{"b":"Yw=="}}', contentType });
      assert.equal(res.status, 415, res.text);
    });
  }

  it('updates a Secret to a type named like an Object.prototype member: 422 (type is immutable), not 500', async () => {
    const current = await api.request('GET', '/api/v1/namespaces/default/secrets/s');
    const res = await api.request('PUT', '/api/v1/namespaces/default/secrets/s', { body: { ...current.json, type: 'constructor' } });
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.message, /type/);
  });
});
