// Service allocation kept in the store (daemon/api/allocation-ledger.ts), on both backends: the
// embedded nedb store and a real etcd (Debian's etcd-server, started here on free loopback
// ports). On etcd, two API servers (two ResourceRegistry instances, each over its own store
// client and its own ServiceAllocation, as two `kubelabd server` processes) share one etcd: they
// must never hand out the same ClusterIP, NodePort, LoadBalancer address or pod subnet.
// No Docker: the registry is driven in process, as kubectl's requests would drive it.

import assert from 'node:assert/strict';
import type { Node, Service } from '../../lib/api/types.js';
import { ApiError } from '../../lib/errors.js';
import { internalContext, type RequestContext } from '../../daemon/api/registry.js';
import { LocalClient } from '../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { ServiceAllocation } from '../../daemon/api/service-allocation.js';
import { AllocationLedger, ALLOCATIONS_RESOURCE } from '../../daemon/api/allocation-ledger.js';
import { allocatingServiceStrategy } from '../../daemon/api/strategies/service-strategy.js';
import { EtcdObjectStore } from '../../daemon/store/etcd-store.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import type { ObjectStore } from '../../daemon/store/object-store.js';
import { SubnetLeaseRegistry } from '../../network/subnet/subnet-lease-registry.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';

const SERVICE_CIDR = '10.96.0.0/24';
const NODE_PORTS = '30000-32767';
const LB_POOL = ['10.99.0.0/26'];

const ctx = (): RequestContext => ({ user: 'admin', fieldValidation: 'Strict', dryRun: false, warnings: [] });

interface ApiServer {
  store: ObjectStore;
  registry: ResourceRegistry;
  allocation: ServiceAllocation;
  create(service: Service): Promise<Service>;
  close(): Promise<void>;
}

/** One API server's allocation and registry over `store` (already open). */
async function startApiServer(store: ObjectStore): Promise<ApiServer> {
  const allocation = new ServiceAllocation({ serviceCidr: SERVICE_CIDR, nodePortRange: NODE_PORTS, lbPool: LB_POOL, repairIntervalMs: 0 });
  const detach = await allocation.attach(store);
  const registry = new ResourceRegistry({ store, strategies: { services: allocatingServiceStrategy(allocation) } });
  await registry.ensureSystemNamespaces();
  return {
    store,
    registry,
    allocation,
    create: (service) => registry.create('services', 'default', service, ctx()) as Promise<Service>,
    async close() {
      detach();
      await store.close();
    },
  };
}

function service(name: string, spec: Partial<Service['spec']> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
  return err;
}

/** The cases every backend must pass; `openStore` opens a new client of the one store. */
function allocationSuite(name: string, openStore: () => Promise<ObjectStore>): void {
  describe(`Service allocation in the store: ${name}`, function () {
    this.timeout(30_000);
    let server: ApiServer;
    beforeEach(async () => {
      server = await startApiServer(await openStore());
    });
    afterEach(() => server.close());

    it('a requested ClusterIP, NodePort or LoadBalancer address that is taken is the 422 kube-apiserver answers', async () => {
      const first = await server.create(service('first', { type: 'LoadBalancer', clusterIP: '10.96.0.50', ports: [{ port: 80, nodePort: 30080 }] }));
      const lbIP = first.status?.loadBalancer?.ingress?.[0]?.ip;
      assert.ok(lbIP, 'the LoadBalancer got an address');
      const taken = await rejection(server.create(service('taken', { type: 'LoadBalancer', clusterIP: '10.96.0.50', loadBalancerIP: lbIP, ports: [{ port: 80, nodePort: 30080 }] })));
      assert.equal(taken.code, 422);
      assert.equal(
        taken.message,
        `Service "taken" is invalid: [spec.clusterIP: Invalid value: "10.96.0.50": provided IP is already allocated, spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated, spec.loadBalancerIP: Invalid value: "${lbIP}": provided IP is already allocated]`,
      );
    });

    it("a deleted Service's ClusterIP and NodePort can be taken again", async () => {
      const web = await server.create(service('web', { type: 'NodePort' }));
      await server.registry.delete('services', 'default', 'web', {}, ctx());
      const again = await server.create(service('again', { type: 'NodePort', clusterIP: web.spec.clusterIP, ports: [{ port: 80, nodePort: web.spec.ports![0].nodePort }] }));
      assert.equal(again.spec.clusterIP, web.spec.clusterIP);
      assert.equal(again.spec.ports?.[0].nodePort, web.spec.ports?.[0].nodePort);
    });

    it('repair frees a leaked reservation only once it has seen it leaked twice, and never one whose write lands in between', async () => {
      const ledger = new AllocationLedger(server.store);
      // A server that died between reserving and storing its Service; and a write in flight.
      assert.ok(await ledger.reserve('ipaddresses', '10.96.0.77', { resource: 'services', namespace: 'default', name: 'crashed', uid: 'uid-crashed' }));
      assert.ok(await ledger.reserve('ipaddresses', '10.96.0.78', { resource: 'services', namespace: 'default', name: 'slow', uid: 'uid-slow' }));
      await server.allocation.repairOnce();
      assert.ok(await ledger.get('ipaddresses', '10.96.0.77'), 'kept after one pass');
      assert.match((await rejection(server.create(service('early', { clusterIP: '10.96.0.77' })))).message, /provided IP is already allocated/);
      // The slow write lands (as the registry would store it: the uid it reserved with).
      await server.store.create('services', { ...service('slow', { clusterIP: '10.96.0.78', clusterIPs: ['10.96.0.78'] }), metadata: { name: 'slow', namespace: 'default', uid: 'uid-slow' } });
      await server.allocation.repairOnce();
      assert.equal(await ledger.get('ipaddresses', '10.96.0.77'), undefined, 'freed at the second pass');
      assert.ok(await ledger.get('ipaddresses', '10.96.0.78'), "the slow write's reservation is kept");
      const late = await server.create(service('late', { clusterIP: '10.96.0.77' }));
      assert.equal(late.spec.clusterIP, '10.96.0.77');
    });

    it('reservations are the API server’s bookkeeping, not a resource the API serves', async () => {
      await server.create(service('visible'));
      assert.ok((await server.store.list(ALLOCATIONS_RESOURCE)).items.length > 0);
      const err = await rejection(server.registry.list(ALLOCATIONS_RESOURCE, {}, ctx()));
      assert.equal(err.code, 404);
    });
  });
}

allocationSuite('nedb', async () => {
  const store = new NedbObjectStore({});
  await store.open();
  return store;
});

describe('Service allocation in the store: etcd, with two API servers', function () {
  this.timeout(60_000);
  let etcd: EtcdProcess | undefined;
  let prefixes = 0;
  let prefix = '';
  const openStore = async () => {
    const store = new EtcdObjectStore({ endpoints: [etcd!.endpoint], prefix, compactionIntervalMs: 0 });
    await store.open();
    return store;
  };
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });
  // Every case gets its own key prefix: a new cluster on the one etcd.
  beforeEach(() => {
    prefixes += 1;
    prefix = `/registry-alloc-${prefixes}/`;
  });

  allocationSuite('etcd', () => openStore());

  describe('two servers on one etcd', () => {
    let servers: ApiServer[] = [];
    beforeEach(async () => {
      servers = [await startApiServer(await openStore()), await startApiServer(await openStore())];
    });
    afterEach(async () => {
      for (const server of servers) await server.close();
    });

    it('100 Services created in parallel, half through each server, never share a ClusterIP, NodePort or LoadBalancer address', async () => {
      const types = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
      const started = Date.now();
      const created = await Promise.all(
        Array.from({ length: 100 }, (_, i) => servers[i % 2].create(service(`s${i}`, { type: types[i % 3], ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }))),
      );
      const elapsedMs = Date.now() - started;
      console.log(`      measured: 100 Services through two API servers on etcd in ${elapsedMs} ms`);
      const clusterIPs = created.map((s) => s.spec.clusterIP!);
      const nodePorts = created.flatMap((s) => (s.spec.ports ?? []).flatMap((p) => (p.nodePort ? [p.nodePort] : [])));
      const lbIPs = created.flatMap((s) => s.status?.loadBalancer?.ingress?.map((i) => i.ip!) ?? []);
      assert.equal(new Set(clusterIPs).size, 100, 'every ClusterIP once');
      assert.equal(nodePorts.length, 2 * 66, 'two node ports for each NodePort and LoadBalancer Service');
      assert.equal(new Set(nodePorts).size, nodePorts.length, 'every NodePort once');
      assert.equal(lbIPs.length, 33, 'every LoadBalancer got an address (the pool has 64)');
      assert.equal(new Set(lbIPs).size, 33, 'every LoadBalancer address once');
      assert.ok(lbIPs.every((ip) => !clusterIPs.includes(ip)), 'no LoadBalancer address is a ClusterIP');
      // The ledger holds exactly these values, each for the Service that has it.
      const { records } = await new AllocationLedger(servers[0].store).list();
      const byValue = new Map(records.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r.spec.holder.name]));
      for (const s of created) {
        assert.equal(byValue.get(`ipaddresses/${s.spec.clusterIP}`), s.metadata.name);
        for (const p of s.spec.ports ?? []) if (p.nodePort) assert.equal(byValue.get(`nodeports/${p.nodePort}`), s.metadata.name);
      }
      assert.equal(records.length, 100 + 33 + 2 * 66);
    });

    it('a ClusterIP taken through one server is a 422 through the other; once deleted through one, the other gives it again', async () => {
      const web = await servers[0].create(service('web', { clusterIP: '10.96.0.100' }));
      const taken = await rejection(servers[1].create(service('copy', { clusterIP: '10.96.0.100' })));
      assert.equal(taken.message, 'Service "copy" is invalid: spec.clusterIP: Invalid value: "10.96.0.100": provided IP is already allocated');
      await servers[0].registry.delete('services', 'default', 'web', {}, ctx());
      const again = await servers[1].create(service('copy', { clusterIP: web.spec.clusterIP }));
      assert.equal(again.spec.clusterIP, '10.96.0.100');
    });

    it('two node IPAM leaders at once never lease one pod subnet twice', async () => {
      const leaders = servers.map((server) => new SubnetLeaseRegistry({ client: new LocalClient(server.registry, internalContext()), clusterCidr: '10.244.0.0/16', maxAttempts: 100 }));
      const names = Array.from({ length: 20 }, (_, i) => `node-${i}`);
      for (const name of names) await servers[0].registry.create('nodes', undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name } } as Node, ctx());
      const leased = await Promise.all(names.map((name, i) => leaders[i % 2].acquire(name)));
      assert.equal(new Set(leased.map((l) => l.subnet)).size, names.length);
      const nodes = (await servers[1].registry.list('nodes', {}, ctx())) as unknown as { items: Node[] };
      assert.equal(new Set(nodes.items.map((n) => n.spec?.podCIDR)).size, names.length);
    });
  });
});
