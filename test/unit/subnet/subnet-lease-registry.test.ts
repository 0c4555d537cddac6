import assert from 'node:assert/strict';
import type { KubeObject, Node } from '../../../lib/api/types.js';
import { ManualClock } from '../../../lib/clock.js';
import { OutOfSubnetsError } from '../../../network/subnet/allocate-subnet.js';
import { InvalidPodSubnetError, leaseLedgerName, leaseLedgerNamespace, SubnetLeaseRegistry } from '../../../network/subnet/subnet-lease-registry.js';
import { newTestCluster, type TestCluster } from '../../helpers/test-cluster.js';

describe('SubnetLeaseRegistry', () => {
  let cluster: TestCluster;
  let clock: ManualClock;
  let registry: SubnetLeaseRegistry;

  const addNode = (name: string) => cluster.client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
  const nodeSpec = async (name: string) => (await cluster.client.get<Node>('nodes', undefined, name)).spec;
  const ledger = () => cluster.client.get<KubeObject & { data?: Record<string, string> }>('configmaps', leaseLedgerNamespace, leaseLedgerName);

  beforeEach(async () => {
    clock = new ManualClock('2025-01-01T00:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    registry = new SubnetLeaseRegistry({ client: cluster.client, clusterCidr: '10.244.0.0/16', clock });
  });
  afterEach(() => cluster.close());

  it('leases the lowest free /24 and publishes it as the Node podCIDR', async () => {
    await addNode('n1');
    await addNode('n2');
    assert.deepEqual(await registry.acquire('n1'), { subnet: '10.244.0.0/24' });
    assert.deepEqual(await registry.acquire('n2'), { subnet: '10.244.1.0/24' });
    assert.equal((await nodeSpec('n2')).podCIDR, '10.244.1.0/24');
    assert.deepEqual((await nodeSpec('n2')).podCIDRs, ['10.244.1.0/24']);
    assert.deepEqual(await registry.list(), [
      { nodeName: 'n1', subnet: '10.244.0.0/24' },
      { nodeName: 'n2', subnet: '10.244.1.0/24' },
    ]);
  });

  it('acquire is idempotent: the same subnet, and nothing rewritten', async () => {
    await addNode('n1');
    await registry.acquire('n1');
    const ledgerVersion = (await ledger()).metadata.resourceVersion;
    const nodeVersion = (await cluster.client.get<Node>('nodes', undefined, 'n1')).metadata.resourceVersion;
    assert.deepEqual(await registry.acquire('n1'), { subnet: '10.244.0.0/24' });
    assert.equal((await ledger()).metadata.resourceVersion, ledgerVersion);
    assert.equal((await cluster.client.get<Node>('nodes', undefined, 'n1')).metadata.resourceVersion, nodeVersion);
  });

  it('concurrent acquires for different nodes get different subnets (conflicts retried)', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names) await addNode(name);
    const subnets = (await Promise.all(names.map((name) => registry.acquire(name)))).map((r) => r.subnet);
    assert.equal(new Set(subnets).size, names.length, `duplicate subnets: ${subnets.join(', ')}`);
    for (const [index, name] of names.entries()) assert.equal((await nodeSpec(name)).podCIDR, subnets[index]);
  });

  it('a released lease stays taken for its grace period, then is free', async () => {
    await addNode('n1');
    await registry.acquire('n1');
    await cluster.client.delete('nodes', undefined, 'n1');
    await registry.release('n1', 60_000);
    assert.deepEqual(await registry.list(), [{ nodeName: 'n1', subnet: '10.244.0.0/24', expiresAt: new Date('2025-01-01T00:01:00Z') }]);

    await addNode('n2');
    assert.deepEqual(await registry.acquire('n2'), { subnet: '10.244.1.0/24' });

    await clock.advance(60_000);
    await addNode('n3');
    assert.deepEqual(await registry.acquire('n3'), { subnet: '10.244.0.0/24' });
    assert.equal((await ledger()).data?.n1, undefined, 'the expired lease is dropped from the ledger');
  });

  it('a node that comes back within the grace period gets its subnet back', async () => {
    await addNode('n1');
    await addNode('n2');
    await registry.acquire('n1');
    await registry.acquire('n2');
    await cluster.client.delete('nodes', undefined, 'n1');
    await registry.release('n1', 60_000);
    await addNode('n1');
    assert.deepEqual(await registry.acquire('n1'), { subnet: '10.244.0.0/24' });
    assert.deepEqual(await registry.list(), [
      { nodeName: 'n1', subnet: '10.244.0.0/24' },
      { nodeName: 'n2', subnet: '10.244.1.0/24' },
    ]);
  });

  it('releasing a node without a lease is success', async () => {
    await registry.release('never-seen', 1_000);
    assert.deepEqual(await registry.list(), []);
  });

  it('refuses a node that is not registered, saying what to do', async () => {
    await assert.rejects(registry.acquire('ghost'), /node ghost: cannot lease a pod subnet to a node that is not registered; create the Node/);
  });

  it('runs out of subnets with OutOfSubnets on a small cluster CIDR', async () => {
    const small = new SubnetLeaseRegistry({ client: cluster.client, clusterCidr: '10.9.0.0/23', clock });
    for (const name of ['n1', 'n2', 'n3']) await addNode(name);
    await small.acquire('n1');
    await small.acquire('n2');
    await assert.rejects(small.acquire('n3'), (error: unknown) => error instanceof OutOfSubnetsError && /all 2 \/24 subnets of cluster CIDR 10\.9\.0\.0\/23/.test(error.message));
  });

  it('record keeps a subnet a node chose itself (--pod-subnet) in the ledger, so nobody else is leased it', async () => {
    await cluster.client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'fixed' }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } });
    await registry.record('fixed', '10.244.0.0/24');
    assert.deepEqual(JSON.parse((await ledger()).data!.fixed), { subnet: '10.244.0.0/24' });
    const version = (await ledger()).metadata.resourceVersion;
    await registry.record('fixed', '10.244.0.0/24');
    assert.equal((await ledger()).metadata.resourceVersion, version, 'recording again writes nothing');

    // Even once its Node is gone (released, in its grace period), the subnet is not handed out.
    await cluster.client.delete('nodes', undefined, 'fixed');
    await registry.release('fixed', 60_000);
    await addNode('n1');
    assert.deepEqual(await registry.acquire('n1'), { subnet: '10.244.1.0/24' });
  });

  it('record refuses a subnet outside the cluster CIDR, of the wrong size, or leased to another node', async () => {
    await addNode('n1');
    await registry.acquire('n1');
    await assert.rejects(registry.record('n2', '10.99.0.0/24'), (error: unknown) => error instanceof InvalidPodSubnetError && /not a \/24 inside cluster CIDR 10\.244\.0\.0\/16/.test(error.message));
    await assert.rejects(registry.record('n2', '10.244.8.0/23'), InvalidPodSubnetError);
    await assert.rejects(registry.record('n2', '10.244.0.0/24'), /node n2: pod subnet 10\.244\.0\.0\/24 is already leased to node n1; start the node with another --pod-subnet/);
  });
});
