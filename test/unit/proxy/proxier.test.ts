// The proxier end to end in one process: Services and Endpoints in the real registry (in memory),
// real listeners on loopback, a recording address manager (the host's lo is never touched).

import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../../../lib/api/types.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';
import type { AddressManager } from '../../../network/proxy/address-manager.js';
import { planListeners } from '../../../network/proxy/plan-listeners.js';
import { Proxier } from '../../../network/proxy/proxier.js';
import { startTcpEchoBackend, startUdpEchoBackend, tcpRequest, udpRequest, type Backend } from '../../helpers/socket-backends.js';
import { untilPasses } from '../../helpers/until-passes.js';

class RecordingAddressManager implements AddressManager {
  readonly addresses = new Set<string>();
  readonly log: string[] = [];
  async ensureAddress(ip: string) {
    this.log.push(`add ${ip}`);
    this.addresses.add(ip);
  }
  async removeAddress(ip: string) {
    this.log.push(`del ${ip}`);
    this.addresses.delete(ip);
  }
  async listAddresses() {
    return [...this.addresses];
  }
}

/** A high port unlikely to be taken (the proxier needs fixed ports, as Services have). */
const somePort = () => 20000 + Math.floor(Math.random() * 9000);

describe('planListeners', () => {
  const svc = (name: string, spec: Partial<Service['spec']>, status?: Service['status']): Service => ({ metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80, protocol: 'TCP' }], ...spec }, status });
  it('ClusterIP on every node; NodePort on each node address and 127.0.0.1; LB ingress IP; nothing for headless or ExternalName', () => {
    const plan = planListeners(
      [
        svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] }, { loadBalancer: { ingress: [{ ip: '10.99.0.10' }] } }),
        svc('db', { clusterIP: 'None' }),
        svc('ext', { type: 'ExternalName', externalName: 'example.org' }),
        svc('dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
      ],
      ['192.168.56.11'],
    );
    assert.deepEqual(plan.listeners.map((l) => `${l.kind} ${l.protocol}/${l.host}:${l.port} ${l.service}`), [
      'ClusterIP UDP/10.96.0.10:53 default/dns:dns',
      'ClusterIP TCP/10.96.0.10:53 default/dns:dns-tcp',
      'ClusterIP TCP/10.96.0.11:80 default/lb:http',
      'NodePort TCP/127.0.0.1:30080 default/lb:http',
      'NodePort TCP/192.168.56.11:30080 default/lb:http',
      'LoadBalancer TCP/10.99.0.10:80 default/lb:http',
    ]);
    assert.deepEqual(plan.addresses, ['10.96.0.10', '10.96.0.11', '10.99.0.10']);
  });
});

describe('Proxier', () => {
  let store: NedbObjectStore;
  let client: LocalClient;
  let addresses: RecordingAddressManager;
  let proxier: Proxier;
  let abort: AbortController;
  let running: Promise<void>;
  let backends: Backend[] = [];

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    client = new LocalClient(registry);
    addresses = new RecordingAddressManager();
    proxier = new Proxier({ client, addressManager: addresses, nodeAddresses: ['127.0.0.1'], udpIdleTimeoutMs: 200, onError: () => {} });
    abort = new AbortController();
    running = proxier.run(abort.signal);
  });
  afterEach(async () => {
    abort.abort();
    await running;
    await Promise.all(backends.map((b) => b.close()));
    backends = [];
    await store.close();
  });

  async function publish(name: string, spec: Partial<Service['spec']>, endpoints: string[], portName = 'http', protocol: 'TCP' | 'UDP' = 'TCP'): Promise<void> {
    await client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: spec as Service['spec'] });
    await client.create<Endpoints>('endpoints', {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' },
      subsets: endpoints.map((e) => ({ addresses: [{ ip: e.split(':')[0] }], ports: [{ name: portName, port: Number(e.split(':')[1]), protocol }] })),
    });
  }

  it('serves a NodePort Service on its ClusterIP and on 127.0.0.1:nodePort, round robin; follows endpoint changes; cleans up on delete', async () => {
    backends = await Promise.all(['a', 'b', 'c'].map((id, i) => startTcpEchoBackend(`127.0.0.${i + 2}`, id)));
    const port = somePort();
    const nodePort = port + 1;
    await publish('web', { type: 'NodePort', clusterIP: '127.0.0.50', ports: [{ name: 'http', port, protocol: 'TCP', nodePort }] }, backends.map((b) => b.endpoint));

    await untilPasses(async () => assert.match(await tcpRequest('127.0.0.50', port, 'hi'), /^[abc]:hi$/));
    const answers = await Promise.all([1, 2, 3].map(() => tcpRequest('127.0.0.1', nodePort, 'n')));
    assert.deepEqual(new Set(answers.map((a) => a[0])).size, 3);

    const description = proxier.describe();
    assert.equal(description.services.length, 1);
    assert.equal(description.services[0].service, 'default/web:http');
    assert.deepEqual(description.services[0].endpoints, backends.map((b) => b.endpoint));
    assert.deepEqual(description.services[0].listeners.map((l) => `${l.kind} ${l.address}:${l.port}`), [`ClusterIP 127.0.0.50:${port}`, `NodePort 127.0.0.1:${nodePort}`]);

    // Only backend c stays: everything goes there.
    const endpoints = await client.get<Endpoints>('endpoints', 'default', 'web');
    await client.update('endpoints', { ...endpoints, subsets: [endpoints.subsets![2]] });
    await untilPasses(async () => assert.deepEqual(proxier.describe().services[0].endpoints, [backends[2].endpoint]));
    for (let i = 0; i < 3; i += 1) assert.equal(await tcpRequest('127.0.0.50', port, 'x'), 'c:x');

    await client.delete('services', 'default', 'web');
    await untilPasses(() => assert.deepEqual(proxier.describe().services, []));
    await assert.rejects(tcpRequest('127.0.0.50', port, 'x'), /ECONNREFUSED/);
  });

  it('puts ClusterIPs and LoadBalancer IPs on the host and takes them off when the Service goes', async () => {
    await publish('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.77', ports: [{ name: 'http', port: somePort(), protocol: 'TCP', nodePort: somePort() }] }, []);
    const lb = await client.get<Service>('services', 'default', 'lb');
    await client.updateStatus('services', { ...lb, status: { loadBalancer: { ingress: [{ ip: '10.99.0.10' }] } } });
    await untilPasses(() => assert.deepEqual(proxier.describe().addresses, ['10.96.0.77', '10.99.0.10']));
    // The test has no such addresses, so those two listeners report why they are not open.
    const listeners = proxier.describe().services[0].listeners;
    assert.ok(listeners.find((l) => l.kind === 'ClusterIP')?.error?.includes('EADDRNOTAVAIL'));
    assert.equal(listeners.find((l) => l.kind === 'NodePort')?.error, undefined);
    await client.delete('services', 'default', 'lb');
    await untilPasses(() => assert.deepEqual([...addresses.addresses], []));
    assert.deepEqual(addresses.log, ['add 10.96.0.77', 'add 10.99.0.10', 'del 10.96.0.77', 'del 10.99.0.10']);
  });

  it('proxies UDP Service ports', async () => {
    backends = [await startUdpEchoBackend('127.0.0.2', 'u')];
    const port = somePort();
    await publish('dns', { clusterIP: '127.0.0.51', ports: [{ name: 'dns', port, protocol: 'UDP' }] }, [backends[0].endpoint], 'dns', 'UDP');
    await untilPasses(async () => assert.equal(await udpRequest('127.0.0.51', port, 'q', 300), 'u:q'));
  });
});
