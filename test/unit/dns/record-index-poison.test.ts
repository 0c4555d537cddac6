// Poison for the cluster DNS (issue 12): Services and Endpoints of the wrong shape, written straight
// into the store, leave their own names out and are reported once; every other name resolves.

import assert from 'node:assert/strict';
import type { KubeObject, Service } from '../../../lib/api/types.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';
import { buildRecords, RecordIndex } from '../../../network/dns/record-index.js';
import { untilPasses } from '../../helpers/until-passes.js';

describe('cluster DNS with poison Services and Endpoints', () => {
  it('buildRecords leaves out what it cannot read and keeps the rest', () => {
    const good: Service = { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } };
    const badService = { metadata: { name: 'bad', namespace: 'default' }, spec: { clusterIP: ['10.96.0.21'] } } as unknown as Service;
    const headless: Service = { metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 5432 }] } };
    const badEndpoints = { metadata: { name: 'db', namespace: 'default' }, subsets: [{ addresses: '10.244.1.5' }] } as any;
    const { records, unreadable } = buildRecords([badService, good, headless], [badEndpoints]);
    assert.deepEqual(Object.fromEntries(records), { 'web.default.svc.cluster.local': ['10.96.0.20'], 'db.default.svc.cluster.local': [] });
    assert.deepEqual(unreadable.map((u) => `${u.object.metadata.name}: ${u.problem}`).sort(), ['bad: spec.clusterIP is not a string', 'db: subsets[0].addresses is not a list']);
  });

  it('the RecordIndex keeps answering good names with a poison Service in the store, and reports it once', async () => {
    const store = new NedbObjectStore({});
    await store.open();
    const abort = new AbortController();
    let watching: Promise<void> | undefined;
    try {
      const registry = new ResourceRegistry({ store });
      await registry.ensureSystemNamespaces();
      const client = new LocalClient(registry);
      await store.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'poison', namespace: 'default' }, spec: 'not an object' } as unknown as KubeObject);
      await client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: 'default' }, spec: { clusterIP: '10.96.0.30', ports: [{ port: 80 }] } });
      const reports: string[] = [];
      const index = new RecordIndex({ client, onUnreadable: (object, problem) => reports.push(`${object.metadata.name}: ${problem}`) });
      watching = index.run(abort.signal);
      await index.waitForSync();
      assert.deepEqual(index.lookup('hello.default.svc.cluster.local'), ['10.96.0.30']);
      assert.equal(index.lookup('poison.default.svc.cluster.local'), undefined);
      await client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'later', namespace: 'default' }, spec: { clusterIP: '10.96.0.31', ports: [{ port: 80 }] } });
      await untilPasses(() => assert.deepEqual(index.lookup('later.default.svc.cluster.local'), ['10.96.0.31']));
      assert.deepEqual(reports, ['poison: spec is not an object'], 'reported once, though the records were rebuilt');
    } finally {
      abort.abort();
      await watching;
      await store.close();
    }
  });
});
