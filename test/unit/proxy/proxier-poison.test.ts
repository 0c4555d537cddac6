// Poison for the proxier (issue 12): a Service or Endpoints of the wrong shape, written straight
// into the store as it could be before the API checked types, must not stop the other Services
// from being proxied; it is reported once per version.

import assert from 'node:assert/strict';
import type { Endpoints, KubeObject, Service } from '../../../lib/api/types.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';
import type { AddressManager } from '../../../network/proxy/address-manager.js';
import { planListeners } from '../../../network/proxy/plan-listeners.js';
import { Proxier } from '../../../network/proxy/proxier.js';
import { startTcpEchoBackend, tcpRequest, type Backend } from '../../helpers/socket-backends.js';
import { untilPasses } from '../../helpers/until-passes.js';

const noAddresses: AddressManager = { ensureAddress: async () => {}, removeAddress: async () => {}, listAddresses: async () => [] };
const somePort = () => 20000 + Math.floor(Math.random() * 9000);

describe('planListeners with unreadable Services', () => {
  const cases: { name: string; spec: unknown; status?: unknown; problem: RegExp }[] = [
    { name: 'ports a string', spec: { clusterIP: '10.96.0.5', ports: '80' }, problem: /spec\.ports is not a list/ },
    { name: 'a port entry a number', spec: { clusterIP: '10.96.0.5', ports: [80] }, problem: /spec\.ports\[0\] is not an object/ },
    { name: 'port a string', spec: { clusterIP: '10.96.0.5', ports: [{ port: '80' }] }, problem: /spec\.ports\[0\]\.port is not a port number/ },
    { name: 'nodePort out of range', spec: { type: 'NodePort', clusterIP: '10.96.0.5', ports: [{ port: 80, nodePort: 70000 }] }, problem: /nodePort is not a port number/ },
    { name: 'clusterIP a list', spec: { clusterIP: ['10.96.0.5'], ports: [{ port: 80 }] }, problem: /spec\.clusterIP is not a string/ },
    { name: 'spec a string', spec: 'x', problem: /spec is not an object/ },
    { name: 'ingress an object', spec: { type: 'LoadBalancer', clusterIP: '10.96.0.5', ports: [{ port: 80 }] }, status: { loadBalancer: { ingress: { ip: 'x' } } }, problem: /ingress is not a list/ },
  ];
  for (const c of cases) {
    it(`leaves out a Service with ${c.name}, keeps the good one`, () => {
      const bad = { metadata: { name: 'bad', namespace: 'default' }, spec: c.spec, status: c.status } as unknown as Service;
      const good: Service = { metadata: { name: 'good', namespace: 'default' }, spec: { clusterIP: '10.96.0.9', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } };
      const plan = planListeners([bad, good], []);
      assert.deepEqual(plan.listeners.map((l) => `${l.protocol}/${l.host}:${l.port} ${l.service}`), ['TCP/10.96.0.9:80 default/good:http']);
      assert.equal(plan.unreadable.length, 1);
      assert.equal(plan.unreadable[0].object, bad);
      assert.match(plan.unreadable[0].problem, c.problem);
    });
  }
});

describe('Proxier with poison Services and Endpoints in the store', () => {
  let store: NedbObjectStore;
  let client: LocalClient;
  let abort: AbortController;
  let running: Promise<void>;
  let backend: Backend;
  const reports: string[] = [];

  before(async () => {
    store = new NedbObjectStore({});
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    client = new LocalClient(registry);
    backend = await startTcpEchoBackend('127.0.0.2', 'a');
  });
  after(async () => {
    abort?.abort();
    await running;
    await backend.close();
    await store.close();
  });

  it('proxies the good Service while a poison Service and poison Endpoints exist, and reports each once', async () => {
    const plant = (resource: string, object: unknown) => store.create(resource, object as KubeObject);
    await plant('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'poison', namespace: 'default' }, spec: { clusterIP: '127.0.0.60', ports: '80' } });
    await plant('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'poison-ep', namespace: 'default' }, subsets: [{ addresses: '10.0.0.1', ports: [{ port: 80 }] }] });
    const port = somePort();
    await client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.0.0.61', ports: [{ name: 'http', port, protocol: 'TCP' }] } });
    await client.create<Endpoints>('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '127.0.0.2' }], ports: [{ name: 'http', port: Number(backend.endpoint.split(':')[1]), protocol: 'TCP' }] }] });

    const proxier = new Proxier({ client, addressManager: noAddresses, nodeAddresses: [], onError: () => {}, resyncPeriodMs: 20, onUnreadable: (object, problem) => reports.push(`${object.metadata.name}: ${problem}`) });
    abort = new AbortController();
    running = proxier.run(abort.signal);
    await untilPasses(async () => assert.equal(await tcpRequest('127.0.0.61', port, 'hi'), 'a:hi'));
    // Several resyncs later, still one report each.
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(reports.sort(), ['poison-ep: subsets[0].addresses is not a list', 'poison: spec.ports is not a list']);
  });
});
