// The serviceaccount controller and the root-ca-cert-publisher: their planners as tables, and
// reconcile against the real registry and store (in memory), through LocalClient.

import assert from 'node:assert/strict';
import type { Namespace } from '../../../lib/api/types.js';
import type { ServiceAccount } from '../../../lib/api/service-account-types.js';
import { systemClock } from '../../../lib/clock.js';
import { isNotFound } from '../../../lib/errors.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { planServiceAccounts, ServiceAccountsController } from '../../../daemon/controllers/serviceaccount/service-accounts-controller.js';
import { planRootCaConfigMap, RootCaCertPublisher, ROOT_CA_CONFIG_MAP } from '../../../daemon/controllers/serviceaccount/root-ca-cert-publisher.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';

const ns = (name: string, extra: Partial<Namespace['metadata']> = {}, phase: 'Active' | 'Terminating' = 'Active'): Namespace =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...extra }, status: { phase } }) as Namespace;
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('planServiceAccounts', () => {
  const cases: [string, Namespace | undefined, string[], string[]][] = [
    ['a new namespace gets default', ns('team'), [], ['default']],
    ['a namespace with default gets nothing', ns('team'), ['default', 'robot'], []],
    ['other accounts do not stand for default', ns('team'), ['robot'], ['default']],
    ['a terminating namespace gets nothing', ns('team', {}, 'Terminating'), [], []],
    ['a namespace being deleted gets nothing', ns('team', { deletionTimestamp: '2026-01-01T00:00:00Z' }), [], []],
    ['a namespace gone gets nothing', undefined, [], []],
  ];
  for (const [name, namespace, existing, wanted] of cases) {
    it(name, () => {
      const planned = planServiceAccounts(namespace, new Set(existing));
      assert.deepEqual(planned.map((a) => a.metadata.name), wanted);
      for (const account of planned) assert.equal(account.metadata.namespace, namespace?.metadata.name);
    });
  }
});

describe('planRootCaConfigMap', () => {
  const right = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIG_MAP, namespace: 'team', annotations: { 'kubernetes.io/description': planRootCaConfigMap(ns('team'), undefined, CA)!.metadata.annotations!['kubernetes.io/description'] } }, data: { 'ca.crt': CA } };
  const cases: [string, Namespace | undefined, object | undefined, Record<string, string> | undefined][] = [
    ['missing: made with the CA', ns('team'), undefined, { 'ca.crt': CA }],
    ['already right: left alone', ns('team'), right, undefined],
    ['edited by a user: written back', ns('team'), { ...right, data: { 'ca.crt': 'not a CA' } }, { 'ca.crt': CA }],
    ['an extra key: taken out', ns('team'), { ...right, data: { 'ca.crt': CA, extra: 'x' } }, { 'ca.crt': CA }],
    ['a terminating namespace: nothing', ns('team', {}, 'Terminating'), undefined, undefined],
  ];
  for (const [name, namespace, current, data] of cases) {
    it(name, () => assert.deepEqual(planRootCaConfigMap(namespace, current as never, CA)?.data, data));
  }
});

describe('ServiceAccountsController and RootCaCertPublisher reconcile', () => {
  let store: NedbObjectStore;
  let client: LocalClient;

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    client = new LocalClient(registry);
  });
  afterEach(() => store.close());

  it('creates default in a namespace, and again after it is deleted; a second run changes nothing', async () => {
    const controller = new ServiceAccountsController({ client, clock: systemClock, onError: () => {} });
    await client.create('namespaces', ns('team'));
    await controller.reconcile('team');
    const first = await client.get<ServiceAccount>('serviceaccounts', 'team', 'default');
    await controller.reconcile('team');
    assert.equal((await client.get<ServiceAccount>('serviceaccounts', 'team', 'default')).metadata.uid, first.metadata.uid);
    await client.delete('serviceaccounts', 'team', 'default');
    await controller.reconcile('team');
    const second = await client.get<ServiceAccount>('serviceaccounts', 'team', 'default');
    assert.notEqual(second.metadata.uid, first.metadata.uid);
  });

  it('a namespace that is gone is nothing to do', async () => {
    const controller = new ServiceAccountsController({ client, clock: systemClock, onError: () => {} });
    await controller.reconcile('nowhere');
    await assert.rejects(client.get('serviceaccounts', 'nowhere', 'default'), isNotFound);
  });

  it('publishes kube-root-ca.crt with the CA and puts it back after an edit', async () => {
    const publisher = new RootCaCertPublisher({ client, clock: systemClock, onError: () => {}, caCertPem: CA });
    await publisher.reconcile('default');
    const published = await client.get<{ data: Record<string, string> } & Namespace>('configmaps', 'default', ROOT_CA_CONFIG_MAP);
    assert.deepEqual(published.data, { 'ca.crt': CA });
    await client.update('configmaps', { ...published, data: { 'ca.crt': 'tampered' } });
    await publisher.reconcile('default');
    assert.deepEqual((await client.get<{ data: Record<string, string> } & Namespace>('configmaps', 'default', ROOT_CA_CONFIG_MAP)).data, { 'ca.crt': CA });
  });
});
