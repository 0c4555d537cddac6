// covers: Service spec.type, spec.loadBalancerIP
import assert from 'node:assert/strict';
import type { Event, Service } from '../../lib/api/types.js';
import { LocalClient } from '../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { ServiceAllocation } from '../../daemon/api/service-allocation.js';
import { allocatingServiceStrategy } from '../../daemon/api/strategies/service-strategy.js';
import { planLoadBalancer } from '../../daemon/controllers/service-lb/plan-load-balancer.js';
import { ServiceLbController } from '../../daemon/controllers/service-lb/service-lb-controller.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { systemClock } from '../../lib/clock.js';
import { defaultLoadBalancerPool } from '../../lib/net/address-pool.js';
import { IpAllocator } from '../../lib/net/ip-allocator.js';
import { eventually } from '../../harness/test-daemon.js';

describe('the default LoadBalancer pool', () => {
  const table: { serviceCidr: string; pool: string[] }[] = [
    { serviceCidr: '10.96.0.0/12', pool: ['10.111.255.1-10.111.255.254'] },
    { serviceCidr: '10.96.0.0/16', pool: ['10.96.255.1-10.96.255.254'] },
    { serviceCidr: '10.96.0.0/20', pool: ['10.96.15.1-10.96.15.254'] },
    { serviceCidr: '10.96.0.0/22', pool: ['10.96.3.192-10.96.3.254'] },
    { serviceCidr: '10.111.7.0/24', pool: ['10.111.7.240-10.111.7.254'] },
    { serviceCidr: '10.96.0.0/27', pool: ['10.96.0.30-10.96.0.30'] },
    { serviceCidr: '10.96.0.0/28', pool: [] },
  ];
  for (const row of table) {
    it(`${row.serviceCidr} → ${row.pool.join(', ') || 'none'}`, () => assert.deepEqual(defaultLoadBalancerPool(row.serviceCidr), row.pool));
  }

  it('its addresses are never ClusterIPs: allocate() skips them, a request for one is a 422 that says why', () => {
    const pool = ['10.96.0.2-10.96.0.5'];
    const ips = new IpAllocator('10.96.0.0/29', [], { excluded: { addresses: ['10.96.0.2', '10.96.0.3', '10.96.0.4', '10.96.0.5'], why: `in the LoadBalancer address pool (${pool})` } });
    assert.equal(ips.allocate(), '10.96.0.6');
    assert.throws(() => ips.allocate(), /range is full/);
    assert.throws(() => ips.allocateSpecific('10.96.0.3'), /spec.clusterIP: Invalid value: "10.96.0.3": provided IP is in the LoadBalancer address pool/);
  });
});

const svc = (name: string, spec: Partial<Service['spec']> = {}, ingress?: string, resourceVersion = '1'): Service => ({
  metadata: { name, namespace: 'default', resourceVersion },
  spec: { type: 'LoadBalancer', clusterIP: '10.96.0.9', ports: [{ port: 80 }], ...spec },
  status: { loadBalancer: ingress ? { ingress: [{ ip: ingress }] } : {} },
});

describe('planLoadBalancer: what the service-lb controller does with a pending Service', () => {
  const pool = ['10.99.0.1-10.99.0.2'];
  const table: { what: string; service: Service; others: Service[]; refusedAt?: string; action: string; message?: RegExp }[] = [
    { what: 'an address is free: ask the API server again', service: svc('a'), others: [svc('b', {}, '10.99.0.1')], action: 'allocate' },
    { what: 'the pool is exhausted: say why', service: svc('a'), others: [svc('b', {}, '10.99.0.1'), svc('c', {}, '10.99.0.2')], action: 'warn', message: /no address is free in the LoadBalancer pool 10\.99\.0\.1-10\.99\.0\.2: all 2 are held/ },
    { what: 'the API server refused at this version: wait for a release', service: svc('a', {}, undefined, '7'), others: [], refusedAt: '7', action: 'warn', message: /no address is free/ },
    { what: 'the requested address is held', service: svc('a', { loadBalancerIP: '10.99.0.1' }), others: [svc('b', {}, '10.99.0.1')], action: 'warn', message: /spec.loadBalancerIP 10\.99\.0\.1 is held by Service default\/b/ },
    { what: 'an address already: nothing', service: svc('a', {}, '10.99.0.2'), others: [], action: 'none' },
    { what: 'not a LoadBalancer: nothing', service: svc('a', { type: 'ClusterIP' }), others: [], action: 'none' },
  ];
  for (const row of table) {
    it(row.what, () => {
      const plan = planLoadBalancer(row.service, [row.service, ...row.others], pool, row.refusedAt);
      assert.equal(plan.action, row.action);
      if (row.message) assert.match(plan.action === 'warn' ? plan.message : '', row.message);
    });
  }

  it('no pool at all: says how to give one', () => {
    const plan = planLoadBalancer(svc('a'), [], []);
    assert.match(plan.action === 'warn' ? plan.message : '', /no LoadBalancer address pool.*--lb-pool/);
  });
});

describe('a LoadBalancer pool through the API server and the service-lb controller', () => {
  let store: NedbObjectStore;
  let client: LocalClient;
  let abort: AbortController;
  let stop: () => void;
  const pool = ['10.99.0.10-10.99.0.11'];

  before(async () => {
    store = new NedbObjectStore({});
    await store.open();
    const allocation = new ServiceAllocation({ serviceCidr: '10.96.0.0/24', nodePortRange: '30000-30099', lbPool: pool });
    stop = await allocation.attach(store);
    const registry = new ResourceRegistry({ store, strategies: { services: allocatingServiceStrategy(allocation) } });
    await registry.ensureSystemNamespaces();
    client = new LocalClient(registry);
    abort = new AbortController();
    const recorder = new EventRecorder(client, { component: 'service-lb-controller' }, systemClock);
    void new ServiceLbController({ client, clock: systemClock, recorder, lbPool: pool, resyncPeriodMs: 60_000 }).run(abort.signal);
  });
  after(async () => {
    abort.abort();
    stop();
    await store.close();
  });

  const create = (name: string) =>
    client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] } });
  const ingressOf = async (name: string) => (await client.get<Service>('services', 'default', name)).status?.loadBalancer?.ingress?.[0]?.ip;

  it('hands out the pool, leaves the next Service pending with an event that says why, and gives it the address a deleted Service frees', async () => {
    assert.equal((await create('one')).status?.loadBalancer?.ingress?.[0]?.ip, '10.99.0.10');
    assert.equal((await create('two')).status?.loadBalancer?.ingress?.[0]?.ip, '10.99.0.11');
    const three = await create('three');
    assert.deepEqual(three.status?.loadBalancer, {});
    await eventually(async () => {
      const events = (await client.list<Event>('events', { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'three');
      assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'AllocationFailed' && /no address is free in the LoadBalancer pool 10\.99\.0\.10-10\.99\.0\.11/.test(e.message ?? '')), JSON.stringify(events));
      return true;
    }, 5_000);
    await client.delete('services', 'default', 'one');
    await eventually(async () => (await ingressOf('three')) === '10.99.0.10', 5_000);
    // The event follows the status write: poll for it too.
    await eventually(async () => {
      const events = (await client.list<Event>('events', { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'three');
      return events.some((e) => e.reason === 'IPAllocated' && e.message === 'Assigned IP 10.99.0.10 from the LoadBalancer pool');
    }, 5_000);
  });
});
