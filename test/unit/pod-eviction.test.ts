import assert from 'node:assert/strict';
import { evictPod } from '../../daemon/api/pod-eviction.js';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

const EVICTION_PATH = '/api/v1/namespaces/default/pods/web/eviction';
const eviction = (name: string, deleteOptions?: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'Eviction',
  metadata: { name, namespace: 'default' },
  ...(deleteOptions ? { deleteOptions } : {}),
});

describe('API server: the pods/eviction subresource', function () {
  this.timeout(20_000);
  let api: ApiTestServer;

  before(async () => {
    api = await ApiTestServer.start();
  });
  after(async () => {
    await api?.close();
  });

  it('is published in discovery as kubectl drain looks for it: pods/eviction, policy/v1 Eviction', async () => {
    const res = await api.request('GET', '/api/v1');
    const entry = res.json.resources.find((r: { name: string }) => r.name === 'pods/eviction');
    assert.deepEqual({ kind: entry.kind, group: entry.group, version: entry.version, verbs: entry.verbs }, { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
  });

  it('answers 201 Success over HTTP, and the pod is gone', async () => {
    await api.registry.create('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'i' }] } }, internalContext());
    const res = await api.request('POST', EVICTION_PATH, { body: eviction('web') });
    assert.equal(res.status, 201);
    assert.deepEqual(res.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    assert.equal((await api.request('GET', '/api/v1/namespaces/default/pods/web')).status, 404);
  });

  it('refuses an Eviction that names another pod, and a missing pod is a 404', async () => {
    await api.registry.create('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'i' }] } }, internalContext());
    const wrongName = await api.request('POST', EVICTION_PATH, { body: eviction('other') });
    assert.equal(wrongName.status, 400);
    assert.match(wrongName.json.message, /name in URL does not match name in Eviction object/);
    const missing = await api.request('POST', '/api/v1/namespaces/default/pods/nope/eviction', { body: eviction('nope') });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'pods "nope" not found');
  });
});

describe('evictPod on the real registry: a graceful delete with the Eviction\'s deleteOptions', () => {
  let store: NedbObjectStore;
  let registry: ResourceRegistry;
  const ctx = internalContext;

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    registry = new ResourceRegistry({ store, clock: () => new Date('2025-01-01T00:00:00Z') });
    await registry.ensureSystemNamespaces();
    // Bound to a node and running, so a kubelet has to stop it: the delete is graceful.
    await registry.create('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [{ name: 'app', image: 'i' }] } }, ctx());
  });
  afterEach(() => store.close());

  it("uses the pod's own grace period when the Eviction gives none", async () => {
    await evictPod(registry, 'default', 'web', eviction('web'), ctx());
    const pod = await registry.get('pods', 'default', 'web', ctx());
    assert.equal(pod.metadata.deletionTimestamp, '2025-01-01T00:00:30Z');
    assert.equal(pod.metadata.deletionGracePeriodSeconds, 30);
  });

  it('honours deleteOptions.gracePeriodSeconds (kubectl drain --grace-period)', async () => {
    await evictPod(registry, 'default', 'web', eviction('web', { gracePeriodSeconds: 5 }), ctx());
    assert.equal((await registry.get('pods', 'default', 'web', ctx())).metadata.deletionGracePeriodSeconds, 5);
  });

  it('gracePeriodSeconds 0 removes the pod at once; dryRun leaves it alone', async () => {
    await evictPod(registry, 'default', 'web', eviction('web', { dryRun: ['All'] }), ctx());
    assert.equal((await registry.get('pods', 'default', 'web', ctx())).metadata.deletionTimestamp, undefined);
    await evictPod(registry, 'default', 'web', eviction('web', { gracePeriodSeconds: 0 }), ctx());
    await assert.rejects(registry.get('pods', 'default', 'web', ctx()), /not found/);
  });

  it('refuses a negative grace period and a body that is not an Eviction', async () => {
    await assert.rejects(evictPod(registry, 'default', 'web', eviction('web', { gracePeriodSeconds: -1 }), ctx()), /gracePeriodSeconds must be a non-negative integer/);
    await assert.rejects(evictPod(registry, 'default', 'web', { kind: 'Pod', metadata: { name: 'web' } }, ctx()), /must be a policy\/v1 Eviction/);
  });
});
