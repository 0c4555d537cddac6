// An agent's informer outlives its API server: two real kubelab API servers (the express API over
// a ResourceRegistry) on one real etcd, sharing one CA as joined servers do, behind a RestClient
// that fails over (lib/client/server-endpoints.ts). The agent learns the second server from the
// default/kubernetes Endpoints (follow-api-servers.ts); the second server starts after the
// informer's last event, so its watch cache does not reach back to the informer's version and
// the resumed watch is served from etcd (etcd-store.ts). Needs etcd, not Docker.

import assert from 'node:assert/strict';
import { followApiServers } from '../../daemon/follow-api-servers.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { EtcdObjectStore } from '../../daemon/store/etcd-store.js';
import type { Endpoints, KubeObject } from '../../lib/api/types.js';
import { Informer } from '../../lib/client/informer.js';
import { RestClient, type RequestLog } from '../../lib/client/rest-client.js';
import { ServerEndpoints } from '../../lib/client/server-endpoints.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { ApiTestServer } from '../helpers/api-test-server.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { untilPasses } from '../helpers/until-passes.js';

const PREFIX = '/registry-failover/';

describe('agent failover between API servers on one etcd', function () {
  this.timeout(60_000);
  let etcd: EtcdProcess | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await etcd?.stop();
  });

  /** A server on the shared etcd, and the function that kills it (closes its listener, connections and store). */
  async function apiServer(sharePkiOf?: string): Promise<{ server: ApiTestServer<ResourceRegistry>; kill: () => Promise<void> }> {
    const store = new EtcdObjectStore({ endpoints: [etcd!.endpoint], prefix: PREFIX, compactionIntervalMs: 0 });
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    const server = await ApiTestServer.start({ registry, sharePkiOf });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await server.close();
      await store.close();
    };
    cleanups.push(close);
    return { server, kill: close };
  }

  const urlOf = (server: ApiTestServer<ResourceRegistry>) => `https://127.0.0.1:${server.port}`;
  const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v: name } }) as KubeObject;

  it('the informer resumes on the second server from its resourceVersion, served from etcd: every event once, no relist', async () => {
    const { server: first, kill: killFirst } = await apiServer();
    const config = { server: urlOf(first), caPem: first.caCertPem, token: first.token, insecureSkipTlsVerify: false, namespace: 'default', contextName: '', sources: [] };
    const requests: RequestLog[] = [];
    const servers = new ServerEndpoints([urlOf(first)]);
    const client = new RestClient(config, { servers, onRequest: (log) => requests.push(log) });
    const admin = (server: ApiTestServer<ResourceRegistry>) => new RestClient({ ...config, server: urlOf(server) });
    const abort = new AbortController();
    cleanups.push(() => {
      abort.abort();
      client.close();
    });

    const writer = admin(first);
    await writer.create('configmaps', configMap('one'));
    const informers = new SharedInformerFactory({ client, clock: systemClock, onError: () => undefined });
    const informer = informers.informerFor<KubeObject>('configmaps', { namespace: 'default' });
    const heard: string[] = [];
    informer.addEventHandler({
      onAdd: (o) => heard.push(`ADDED ${o.metadata.name}`),
      onUpdate: (_old, o) => heard.push(`MODIFIED ${o.metadata.name} ${(o as { data?: Record<string, string> }).data?.v}`),
      onDelete: (o) => heard.push(`DELETED ${o.metadata.name}`),
    });
    void informer.start(abort.signal);
    followApiServers(informers, servers, [urlOf(first)], silentLogger, abort.signal);
    await informer.waitForSync();
    const two = await writer.create('configmaps', configMap('two'));
    await untilPasses(() => assert.deepEqual(heard, ['ADDED one', 'ADDED two']));
    // The cluster goes on changing things this informer does not watch (Leases, other namespaces).
    await writer.create('configmaps', { ...configMap('elsewhere'), metadata: { name: 'elsewhere', namespace: 'kube-system' } });
    writer.close();

    // A second server joins (after the informer's last event) and is listed in default/kubernetes.
    const { server: second } = await apiServer(first.dir);
    const secondWriter = admin(second);
    cleanups.push(() => secondWriter.close());
    await secondWriter.create<Endpoints>('endpoints', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default' },
      subsets: [first, second].map((s) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: s.port, protocol: 'TCP' }] })),
    } as Endpoints);
    await untilPasses(() => assert.deepEqual(servers.list(), [urlOf(first), urlOf(second)]), 10_000);

    // The first server dies; the cluster goes on through the second.
    const listsBefore = requests.filter((r) => /\/configmaps\?/.test(r.url) && !/watch=true/.test(r.url)).length;
    await killFirst();
    await secondWriter.create('configmaps', configMap('three'));
    await secondWriter.patch('configmaps', 'default', 'one', { data: { v: 'changed' } }, 'merge');
    await secondWriter.delete('configmaps', 'default', 'two');

    await untilPasses(() => assert.equal(heard.length, 5), 20_000);
    assert.deepEqual(heard, ['ADDED one', 'ADDED two', 'ADDED three', 'MODIFIED one changed', 'DELETED two']);
    assert.equal(servers.current, urlOf(second));
    const resumed = requests.filter((r) => r.url.startsWith(urlOf(second)) && /\/configmaps\?.*watch=true/.test(r.url));
    assert.ok(resumed.length >= 1, 'the watch went to the second server');
    assert.equal(new URL(resumed[0].url).searchParams.get('resourceVersion'), two.metadata.resourceVersion, 'resumed from the last version the informer saw');
    const listsAfter = requests.filter((r) => /\/configmaps\?/.test(r.url) && !/watch=true/.test(r.url)).length;
    assert.equal(listsAfter, listsBefore, 'no relist: the second server served the old version from etcd instead of 410');
    assert.deepEqual(informer.list().map((o) => o.metadata.name).sort(), ['one', 'three']);
  });
});
