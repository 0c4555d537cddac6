// covers: Service spec.clusterIPs, spec.clusterIP, spec.ports.nodePort

import assert from 'node:assert/strict';
import type { Service, ServicePort } from '../../lib/api/types.js';
import { ApiError } from '../../lib/errors.js';
import { ServiceAllocation, type ServiceAllocationOptions } from '../../daemon/api/service-allocation.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';

function newService(name: string, spec: Partial<Service['spec']> = {}, ports: ServicePort[] = [{ port: 80, protocol: 'TCP' }]): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'ClusterIP', ports, ...spec } };
}

/** The 422's causes as `field: message` lines. */
async function causesOf(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 422, `expected a 422, got ${String(err)}`);
    return (err.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail('expected a 422');
}

describe('ServiceAllocation', () => {
  // Each allocation keeps its reservations in its own in-memory store.
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function attached(options: ServiceAllocationOptions, stored: Service[] = []): Promise<ServiceAllocation> {
    const store = new NedbObjectStore({});
    await store.open();
    for (const service of stored) await store.create('services', service);
    const a = new ServiceAllocation({ repairIntervalMs: 0, ...options });
    const stop = await a.attach(store);
    cleanups.push(async () => {
      stop();
      await store.close();
    });
    return a;
  }
  const allocation = (lbPool?: string[]) => attached({ serviceCidr: '10.96.0.0/24', nodePortRange: '30000-30009', lbPool });

  it('gives a ClusterIP (clusterIPs too), none to headless and ExternalName Services', async () => {
    const a = await allocation();
    const web = newService('web');
    await (await a.onCreate(web)).commit();
    assert.equal(web.spec.clusterIP, '10.96.0.2');
    assert.deepEqual(web.spec.clusterIPs, ['10.96.0.2']);
    const headless = newService('db', { clusterIP: 'None' });
    await (await a.onCreate(headless)).commit();
    assert.deepEqual([headless.spec.clusterIP, headless.spec.clusterIPs], ['None', ['None']]);
    const external = newService('ext', { type: 'ExternalName', externalName: 'example.org' }, []);
    await (await a.onCreate(external)).commit();
    assert.equal(external.spec.clusterIP, undefined);
  });

  it('NodePort and LoadBalancer Services get a node port per port; LoadBalancer gets a pool address in status', async () => {
    const a = await allocation(['10.99.0.10-10.99.0.11']);
    const np = newService('np', { type: 'NodePort' }, [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
    await (await a.onCreate(np)).commit();
    assert.deepEqual(np.spec.ports?.map((p) => p.nodePort), [30000, 30001]);
    const lb = newService('lb', { type: 'LoadBalancer' });
    await (await a.onCreate(lb)).commit();
    assert.equal(lb.spec.ports?.[0].nodePort, 30002);
    assert.deepEqual(lb.status, { loadBalancer: { ingress: [{ ip: '10.99.0.10' }] } });
  });

  it('a LoadBalancer with no pool left stays pending (no ingress), as without a cloud', async () => {
    const a = await allocation([]);
    const lb = newService('lb', { type: 'LoadBalancer' });
    await (await a.onCreate(lb)).commit();
    assert.deepEqual(lb.status, { loadBalancer: {} });
  });

  it('explicit values that are taken or out of range are a 422 naming the field, and nothing is kept', async () => {
    const a = await allocation();
    await (await a.onCreate(newService('first', { type: 'NodePort', clusterIP: '10.96.0.50' }, [{ port: 80, nodePort: 30005 }]))).commit();
    assert.deepEqual(await causesOf(() => a.onCreate(newService('taken', { clusterIP: '10.96.0.50' }))), [
      'spec.clusterIP: Invalid value: "10.96.0.50": provided IP is already allocated',
    ]);
    assert.deepEqual(await causesOf(() => a.onCreate(newService('far', { clusterIP: '10.0.0.1' }))), [
      'spec.clusterIP: Invalid value: "10.0.0.1": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/24',
    ]);
    assert.deepEqual(
      await causesOf(() => a.onCreate(newService('ports', { type: 'NodePort', clusterIP: '10.96.0.60' }, [{ name: 'a', port: 80, nodePort: 30005 }, { name: 'b', port: 81, nodePort: 31001 }]))),
      [
        'spec.ports[0].nodePort: Invalid value: 30005: provided port is already allocated',
        'spec.ports[1].nodePort: Invalid value: 31001: provided port is not in the valid range. The range of valid ports is 30000-30009',
      ],
    );
    // The failed create's good parts (10.96.0.60) were given back.
    await (await a.onCreate(newService('again', { clusterIP: '10.96.0.60' }))).commit();
  });

  it('the message reads like the API server', async () => {
    const a = await allocation();
    try {
      await a.onCreate(newService('far', { clusterIP: '10.0.0.1' }));
      assert.fail('expected a 422');
    } catch (err) {
      assert.equal(
        (err as Error).message,
        'Service "far" is invalid: spec.clusterIP: Invalid value: "10.0.0.1": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/24',
      );
    }
  });

  it('one node port may serve the TCP and UDP port of the same Service', async () => {
    const a = await allocation();
    const dns = newService('dns', { type: 'NodePort' }, [{ name: 'udp', port: 53, protocol: 'UDP', nodePort: 30007 }, { name: 'tcp', port: 53, protocol: 'TCP', nodePort: 30007 }]);
    await (await a.onCreate(dns)).commit();
    await a.onDelete(dns);
    await (await a.onCreate(newService('x', { type: 'NodePort' }, [{ port: 1, nodePort: 30007 }]))).commit();
  });

  it('delete releases; a re-created Service gets a new ClusterIP unless it asks for its old one', async () => {
    const a = await allocation();
    const web = newService('web', { type: 'NodePort' });
    await (await a.onCreate(web)).commit();
    const { clusterIP, ports } = web.spec;
    await a.onDelete(web);
    const again = newService('web', { type: 'NodePort' });
    await (await a.onCreate(again)).commit();
    assert.notEqual(again.spec.clusterIP, clusterIP);
    const fixed = newService('fixed', { clusterIP, type: 'NodePort' }, [{ port: 80, nodePort: ports![0].nodePort }]);
    await (await a.onCreate(fixed)).commit();
    assert.equal(fixed.spec.clusterIP, clusterIP);
  });

  it('a rolled-back create (the store refused it) leaks nothing', async () => {
    const a = await allocation();
    const first = newService('a', { clusterIP: '10.96.0.9', type: 'NodePort' }, [{ port: 80, nodePort: 30003 }]);
    await (await a.onCreate(first)).rollback();
    await (await a.onCreate(newService('b', { clusterIP: '10.96.0.9', type: 'NodePort' }, [{ port: 80, nodePort: 30003 }]))).commit();
  });

  it('update keeps allocated values left out, takes what a type change needs, and releases on commit what only the old held', async () => {
    const a = await allocation(['10.99.0.10']);
    const old = newService('web', { type: 'LoadBalancer' }, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    await (await a.onCreate(old)).commit();
    assert.equal(old.status?.loadBalancer?.ingress?.[0].ip, '10.99.0.10');

    // kubectl replace with the original file: no clusterIP, no nodePort, status as stored.
    const replaced = newService('web', { type: 'LoadBalancer' }, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    replaced.status = structuredClone(old.status);
    await (await a.onUpdate(old, replaced)).commit();
    assert.equal(replaced.spec.clusterIP, old.spec.clusterIP);
    assert.equal(replaced.spec.ports?.[0].nodePort, old.spec.ports?.[0].nodePort);
    assert.equal(replaced.status?.loadBalancer?.ingress?.[0].ip, '10.99.0.10');

    // Back to ClusterIP: the node port and the LB address are free after commit, not before.
    const plain = newService('web', { type: 'ClusterIP', clusterIP: old.spec.clusterIP }, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    plain.status = structuredClone(replaced.status);
    const reservation = await a.onUpdate(replaced, plain);
    assert.deepEqual(plain.status, { loadBalancer: {} });
    assert.deepEqual((await causesOf(() => a.onCreate(newService('steal', { type: 'NodePort' }, [{ port: 1, nodePort: old.spec.ports![0].nodePort }])))).length, 1);
    await reservation.commit();
    const other = newService('other', { type: 'LoadBalancer' }, [{ port: 1, nodePort: old.spec.ports![0].nodePort }]);
    await (await a.onCreate(other)).commit();
    assert.equal(other.status?.loadBalancer?.ingress?.[0].ip, '10.99.0.10');
  });

  it('attach reserves what stored Services hold (stored before reservations were kept), so they are not handed out twice', async () => {
    const stored: Service[] = [
      { ...newService('a', { clusterIP: '10.96.0.2', type: 'NodePort' }, [{ port: 80, nodePort: 30000 }]) },
      { ...newService('lb', { clusterIP: '10.96.0.3', type: 'LoadBalancer' }, [{ port: 80, nodePort: 30001 }]), status: { loadBalancer: { ingress: [{ ip: '10.99.0.10' }] } } },
      newService('h', { clusterIP: 'None' }),
    ];
    const a = await attached({ serviceCidr: '10.96.0.0/24', nodePortRange: '30000-30009', lbPool: ['10.99.0.10-10.99.0.12'] }, stored);
    const next = newService('next', { type: 'LoadBalancer' });
    await (await a.onCreate(next)).commit();
    assert.equal(next.spec.clusterIP, '10.96.0.4');
    assert.equal(next.spec.ports?.[0].nodePort, 30002);
    assert.equal(next.status?.loadBalancer?.ingress?.[0].ip, '10.99.0.11');
    assert.equal(a.kubernetesServiceIP, '10.96.0.1');
  });

  it('a full range is a 500 that says what to do, and rolls back the rest of the Service', async () => {
    const a = await attached({ serviceCidr: '10.96.0.0/29', nodePortRange: '30000-30000' });
    await (await a.onCreate(newService('np', { type: 'NodePort' }))).commit();
    await assert.rejects(
      () => a.onCreate(newService('np2', { type: 'NodePort' })),
      (err: unknown) => err instanceof ApiError && err.code === 500 && /failed to allocate a nodePort: range is full/.test(err.message),
    );
    // The ClusterIP np2 took before its node port failed went back: four more fit (.3 .. .6).
    for (let i = 0; i < 4; i += 1) await (await a.onCreate(newService(`c${i}`))).commit();
  });
});
