// The API fuzz suite (issue 12): thousands of mutated requests, seeded, against the real HTTPS
// server over the real write pipeline (ResourceRegistry over an in-memory NedbObjectStore).
// No answer may be >= 500, no rejected request may write, Object.prototype must stay as it was,
// and the server must still answer afterwards.
//
// The seed is printed; replay a run with `KUBELAB_FUZZ_SEED=N`. `KUBELAB_FUZZ_REQUESTS` sets the
// number of requests (2,000 here; `npm run fuzz` sends 10,000).

import assert from 'node:assert/strict';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { FUZZ_NAMESPACE, formatHistogram, runApiFuzz } from '../fuzz/api-fuzzer.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

const REQUESTS = Number(process.env.KUBELAB_FUZZ_REQUESTS ?? 2000);
const SEED = process.env.KUBELAB_FUZZ_SEED !== undefined ? Number(process.env.KUBELAB_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

describe('API fuzzing (seeded, real server and registry)', function () {
  this.timeout(Math.max(60_000, REQUESTS * 30));
  let api: ApiTestServer<ResourceRegistry>;
  let store: NedbObjectStore;

  before(async () => {
    store = new NedbObjectStore();
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    api = await ApiTestServer.start({ registry });
    await registry.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FUZZ_NAMESPACE } }, internalContext());
    await registry.create('nodes', undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }, internalContext());
  });
  after(async () => {
    await api?.close();
    await store?.close();
  });

  it(`answers ${REQUESTS} mutated requests without a 5xx, a write on rejection or prototype pollution`, async () => {
    console.log(`    fuzz seed ${SEED} (replay: KUBELAB_FUZZ_SEED=${SEED}), ${REQUESTS} requests`);
    const result = await runApiFuzz({ port: api.port, caCertPem: api.caCertPem, token: api.token, storeVersion: () => store.currentResourceVersion() }, SEED, REQUESTS);
    const fiveHundreds = Object.entries(result.histogram).filter(([status]) => Number(status) >= 500).reduce((n, [, count]) => n + count, 0);
    console.log(`    ${result.requests} requests in ${result.elapsedMs} ms; statuses ${formatHistogram(result.histogram)}; ${fiveHundreds} answers >= 500`);
    const shown = result.failures.slice(0, 10).map((f) => `#${f.index} ${f.problem}\n      ${f.request}`).join('\n');
    assert.equal(result.failures.length, 0, `seed ${SEED}: ${result.failures.length} failures, the first:\n${shown}`);

    const health = await api.request('GET', '/healthz');
    assert.equal(health.status, 200, 'the server still answers');
    const list = await api.request('GET', `/api/v1/namespaces/${FUZZ_NAMESPACE}/pods`);
    assert.equal(list.status, 200, list.text);
  });
});
