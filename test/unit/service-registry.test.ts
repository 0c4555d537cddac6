// The registry with a ServiceAllocation: what kubectl sees when it creates, changes and deletes Services.

import assert from 'node:assert/strict';
import type { Service } from '../../lib/api/types.js';
import { ApiError } from '../../lib/errors.js';
import type { RequestContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { ServiceAllocation } from '../../daemon/api/service-allocation.js';
import { allocatingServiceStrategy } from '../../daemon/api/strategies/service-strategy.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';

const ctx = (overrides: Partial<RequestContext> = {}): RequestContext => ({ user: 'admin', fieldValidation: 'Strict', dryRun: false, warnings: [], ...overrides });

function service(name: string, spec: Record<string, unknown> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected the call to fail');
}

describe('Service allocation through the registry', () => {
  let store: NedbObjectStore;
  let registry: ResourceRegistry;
  let stop: () => void;

  async function start(lbPool?: string[]): Promise<void> {
    const allocation = new ServiceAllocation({ serviceCidr: '10.96.0.0/24', nodePortRange: '30000-30099', lbPool });
    stop = await allocation.attach(store);
    registry = new ResourceRegistry({ store, strategies: { services: allocatingServiceStrategy(allocation) } });
    await registry.ensureSystemNamespaces();
  }

  beforeEach(async () => {
    store = new NedbObjectStore({});
    await store.open();
    await start(['10.99.0.10-10.99.0.20']);
  });
  afterEach(async () => {
    stop();
    await store.close();
  });

  const create = (svc: Service, context = ctx()) => registry.create('services', 'default', svc, context) as Promise<Service>;

  it('takes a LoadBalancer Service as kubectl expose sends it, and one exported from a cluster with its defaulted policies', async () => {
    // The defaults (externalTrafficPolicy and internalTrafficPolicy Cluster,
    // allocateLoadBalancerNodePorts true) are what kubelab does, so they pass the refusals of
    // lib/api/schemas/unsupported-fields.ts; the other values of those fields are refused.
    const exposed = await create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } });
    assert.equal(exposed.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(exposed.spec.internalTrafficPolicy, 'Cluster');
    assert.equal(exposed.spec.allocateLoadBalancerNodePorts, true);
    assert.equal(typeof exposed.spec.ports?.[0].nodePort, 'number');
    const exported = await create(service('api', { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, loadBalancerSourceRanges: [], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None' }));
    assert.equal(exported.spec.type, 'LoadBalancer');
    const plain = await create(service('db'));
    assert.equal(plain.spec.internalTrafficPolicy, 'Cluster');
    const refused = await rejection(create(service('local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' })));
    assert.equal(refused.code, 422);
    assert.match(`${refused.message} ${JSON.stringify(refused.details?.causes ?? [])}`, /spec\.externalTrafficPolicy.*kubelab does not support this field/);
  });

  it('stores the allocated ClusterIP, NodePort and LoadBalancer ingress', async () => {
    const lb = await create(service('web', { type: 'LoadBalancer' }));
    assert.equal(lb.spec.clusterIP, '10.96.0.2');
    assert.deepEqual(lb.spec.clusterIPs, ['10.96.0.2']);
    assert.equal(lb.spec.ports?.[0].nodePort, 30000);
    assert.deepEqual(lb.status, { loadBalancer: { ingress: [{ ip: '10.99.0.10' }] } });
    const stored = (await registry.get('services', 'default', 'web', ctx())) as Service;
    assert.deepEqual(stored.status, lb.status);
  });

  it('a taken or foreign ClusterIP or NodePort is a 422 naming the field', async () => {
    await create(service('a', { type: 'NodePort', clusterIP: '10.96.0.50', ports: [{ port: 80, nodePort: 31001 - 1000 }] }));
    const taken = await rejection(create(service('b', { clusterIP: '10.96.0.50' })));
    assert.equal(taken.code, 422);
    assert.equal(taken.message, 'Service "b" is invalid: spec.clusterIP: Invalid value: "10.96.0.50": provided IP is already allocated');
    const far = await rejection(create(service('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 31001 }] })));
    assert.deepEqual(far.details?.causes, [
      { reason: 'FieldValueInvalid', field: 'spec.ports[0].nodePort', message: 'Invalid value: 31001: provided port is not in the valid range. The range of valid ports is 30000-30099' },
    ]);
    const port = await rejection(create(service('d', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] })));
    assert.match(port.message, /spec\.ports\[0\]\.nodePort: Invalid value: 30001: provided port is already allocated/);
  });

  it('a refused write leaks nothing: validation errors, name clashes and dry runs give their allocations back', async () => {
    await create(service('web', { clusterIP: '10.96.0.7' }));
    await rejection(create(service('web', { clusterIP: '10.96.0.8' }))); // AlreadyExists after allocation
    await rejection(create(service('bad', { clusterIP: '10.96.0.9', ports: [{ port: 80, protocol: 'ICMP' }] }))); // 422 from validation
    const dry = await create(service('dry', { clusterIP: '10.96.0.10' }), ctx({ dryRun: true }));
    assert.equal(dry.spec.clusterIP, '10.96.0.10');
    for (const [i, ip] of ['10.96.0.8', '10.96.0.9', '10.96.0.10'].entries()) await create(service(`ok${i}`, { clusterIP: ip }));
  });

  it('delete releases; re-creating gets a new ClusterIP unless the old one is asked for', async () => {
    const first = await create(service('web', { type: 'NodePort' }));
    await registry.delete('services', 'default', 'web', {}, ctx());
    const second = await create(service('web', { type: 'NodePort' }));
    assert.notEqual(second.spec.clusterIP, first.spec.clusterIP);
    await registry.delete('services', 'default', 'web', {}, ctx());
    const fixed = await create(service('web', { type: 'NodePort', clusterIP: first.spec.clusterIP, ports: [{ port: 80, nodePort: first.spec.ports![0].nodePort }] }));
    assert.equal(fixed.spec.clusterIP, first.spec.clusterIP);
  });

  it('updates keep the address, take node ports on a type change and free them on the way back', async () => {
    const web = await create(service('web'));
    const replaced = await registry.update('services', 'default', 'web', service('web', { type: 'NodePort' }), ctx()) as Service;
    assert.equal(replaced.spec.clusterIP, web.spec.clusterIP);
    const nodePort = replaced.spec.ports?.[0].nodePort;
    assert.equal(nodePort, 30000);
    await registry.update('services', 'default', 'web', service('web', { type: 'ClusterIP' }), ctx());
    const other = await create(service('other', { type: 'NodePort', ports: [{ port: 80, nodePort }] }));
    assert.equal(other.spec.ports?.[0].nodePort, nodePort);
  });

  it('a restarted server rebuilds from the stored Services', async () => {
    const web = await create(service('web', { type: 'LoadBalancer' }));
    stop();
    await start(['10.99.0.10-10.99.0.20']);
    const taken = await rejection(create(service('b', { clusterIP: web.spec.clusterIP })));
    assert.match(taken.message, /already allocated/);
    const next = await create(service('next', { type: 'LoadBalancer' }));
    assert.notEqual(next.spec.clusterIP, web.spec.clusterIP);
    assert.notEqual(next.spec.ports?.[0].nodePort, web.spec.ports?.[0].nodePort);
    assert.equal(next.status?.loadBalancer?.ingress?.[0].ip, '10.99.0.11');
  });
});
