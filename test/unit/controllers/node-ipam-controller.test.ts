// The node IPAM controller against the real registry and store (in memory), on a ManualClock.
//
// covers: Node spec.podCIDR, spec.podCIDRs

import assert from 'node:assert/strict';
import type { Event, KubeObject, Node } from '../../../lib/api/types.js';
import { NodeIpamController } from '../../../daemon/controllers/node-ipam/node-ipam-controller.js';
import { leaseLedgerName, leaseLedgerNamespace, SubnetLeaseRegistry } from '../../../network/subnet/subnet-lease-registry.js';
import { eventually, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

describe('NodeIpamController (component, LocalClient + ManualClock)', function () {
  this.timeout(20_000);
  let cluster: ControllerCluster;
  let recorder: ReturnType<ControllerCluster['recorderFor']>;

  beforeEach(async () => {
    cluster = await startControllerCluster();
    recorder = cluster.recorderFor('node-ipam-controller');
  });
  afterEach(() => cluster.close());

  function controllerFor(clusterCidr: string): NodeIpamController {
    const registry = new SubnetLeaseRegistry({ client: cluster.client, clusterCidr, clock: cluster.clock });
    return new NodeIpamController({ client: cluster.client, clock: cluster.clock, registry, recorder, onError: () => {} });
  }
  const addNode = (name: string, podCIDR?: string) =>
    cluster.client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
  const podCIDROf = async (name: string) => (await cluster.client.get<Node>('nodes', undefined, name)).spec.podCIDR;
  const ledger = async () => (await cluster.client.get<KubeObject & { data?: Record<string, string> }>('configmaps', leaseLedgerNamespace, leaseLedgerName)).data ?? {};
  async function warningsAbout(name: string): Promise<string[]> {
    await recorder.flush();
    const events = (await cluster.client.list<Event>('events')).items;
    return events.filter((e) => e.involvedObject.name === name && e.type === 'Warning').map((e) => `${e.reason}: ${e.message}`);
  }

  it('leases a subnet to a node without one and records the one a node brought', async () => {
    const controller = controllerFor('10.244.0.0/16');
    await addNode('fixed', '10.244.0.0/24');
    await addNode('worker');
    await controller.reconcile('fixed');
    await controller.reconcile('worker');
    assert.equal(await podCIDROf('fixed'), '10.244.0.0/24');
    assert.equal(await podCIDROf('worker'), '10.244.1.0/24', 'the fixed subnet is never leased again');
    assert.deepEqual(Object.keys(await ledger()).sort(), ['fixed', 'worker']);
  });

  it('a deleted node releases its lease for 5 minutes; coming back in time, it gets the same subnet', async () => {
    const controller = controllerFor('10.244.0.0/16');
    await addNode('a');
    await addNode('b');
    await controller.reconcile('a');
    await controller.reconcile('b');
    await cluster.client.delete('nodes', undefined, 'a');
    await controller.reconcile('a');
    assert.equal(JSON.parse((await ledger()).a).expiresAt, '2025-01-01T00:05:00.000Z');

    await addNode('newcomer');
    await controller.reconcile('newcomer');
    assert.equal(await podCIDROf('newcomer'), '10.244.2.0/24', 'a released subnet is not handed out during its grace period');
    await addNode('a');
    await controller.reconcile('a');
    assert.equal(await podCIDROf('a'), '10.244.0.0/24');
  });

  it('exhaustion and a foreign --pod-subnet are Warning events on the Node, not crashes', async () => {
    const controller = controllerFor('10.9.0.0/24');
    await addNode('first');
    await addNode('second');
    await addNode('stray', '192.168.7.0/24');
    await controller.reconcile('first');
    await controller.reconcile('second');
    await controller.reconcile('stray');
    assert.equal(await podCIDROf('first'), '10.9.0.0/24');
    assert.equal(await podCIDROf('second'), undefined);
    const second = await warningsAbout('second');
    assert.equal(second.length, 1);
    assert.match(second[0], /^CIDRNotAvailable: node second: no free pod subnet: all 1 \/24 subnets of cluster CIDR 10\.9\.0\.0\/24 are leased/);
    assert.match((await warningsAbout('stray'))[0], /^CIDRAssignmentFailed: node stray: pod subnet 192\.168\.7\.0\/24 is not a \/24 inside cluster CIDR 10\.9\.0\.0\/24/);
  });

  it('run(): a node that registers is leased a subnet without anyone calling reconcile; one deleted meanwhile is released on start', async () => {
    const controller = controllerFor('10.244.0.0/16');
    // A lease held by a node deleted while no controller ran.
    await addNode('gone');
    await controller.reconcile('gone');
    await cluster.client.delete('nodes', undefined, 'gone');

    const abort = new AbortController();
    const running = controller.run(abort.signal);
    try {
      await addNode('late');
      await eventually(async () => assert.equal(await podCIDROf('late'), '10.244.1.0/24'), cluster.clock, { stepMs: 0 });
      await eventually(async () => assert.ok(JSON.parse((await ledger()).gone).expiresAt), cluster.clock, { stepMs: 0 });
    } finally {
      abort.abort();
      await running;
    }
  });
});
