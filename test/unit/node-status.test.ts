import assert from 'node:assert/strict';
import type { Node } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { goArch, nodeStatusChanged, NodeStatusManager } from '../../daemon/kubelet/node-status.js';
import { NodeLeaseManager } from '../../daemon/kubelet/node-lease.js';
import { NODE_LEASE_NAMESPACE, type Lease } from '../../lib/api/coordination-types.js';
import { LEASES_RESOURCE } from '../../lib/client/leader-elector.js';
import { newTestCluster, type TestCluster } from '../helpers/test-cluster.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';

describe('NodeStatusManager', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let manager: NodeStatusManager;

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    // What DockerRuntime reports on this engine (the fake's defaults: 2 CPUs, 4 GiB, amd64).
    const runtime = new FakeRuntime({ clock, info: { runtimeVersion: 'docker://20.10.24' } });
    manager = new NodeStatusManager({ nodeName: 'node-1', client: cluster.client, runtime, clock, role: 'server', nodeIP: '192.168.1.10' });
  });
  afterEach(() => cluster.close());

  const getNode = () => cluster.client.get<Node>('nodes', undefined, 'node-1');

  it('registers the node with its labels, capacity, addresses, nodeInfo and a Ready condition', async () => {
    await manager.registerOnce();
    const node = await getNode();
    assert.deepEqual(node.metadata.labels, {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'node-1',
      'kubernetes.io/os': 'linux',
      'node-role.kubernetes.io/control-plane': '',
    });
    assert.deepEqual(node.status?.capacity, { cpu: '2', memory: '4194304Ki', pods: '110' });
    assert.deepEqual(node.status?.allocatable, node.status?.capacity);
    assert.deepEqual(node.status?.addresses, [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'node-1' }]);
    assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.32.5-kubelab');
    assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'docker://20.10.24');
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['True', 'KubeletReady', 'kubelet is posting ready status']);
    assert.deepEqual(node.status?.conditions?.filter((c) => c.type !== 'Ready').map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False']);
  });

  it('publishes the kubelet stream server port in daemonEndpoints when it has one, and nothing otherwise', async () => {
    await manager.registerOnce();
    assert.equal((await getNode()).status?.daemonEndpoints, undefined);
    const runtime = new FakeRuntime({ clock });
    const withPort = new NodeStatusManager({ nodeName: 'node-2', client: cluster.client, runtime, clock, role: 'agent', nodeIP: '192.168.1.11', kubeletPort: 10250 });
    await withPort.registerOnce();
    const node = await cluster.client.get<Node>('nodes', undefined, 'node-2');
    assert.deepEqual(node.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  });

  it('heartbeats move lastHeartbeatTime, not lastTransitionTime; user labels survive a re-registration', async () => {
    await manager.registerOnce();
    await cluster.client.patch('nodes', undefined, 'node-1', { metadata: { labels: { disk: 'ssd' } } }, 'merge');
    clock.set('2025-03-01T10:05:00Z'); // the report interval (5 min): an unchanged status is written again
    await manager.heartbeatOnce();
    let ready = (await getNode()).status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.lastHeartbeatTime, '2025-03-01T10:05:00Z');
    assert.equal(ready?.lastTransitionTime, '2025-03-01T10:00:00Z');
    await manager.registerOnce(); // a kubelet restart
    const node = await getNode();
    assert.equal(node.metadata.labels?.disk, 'ssd');
    ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.lastTransitionTime, '2025-03-01T10:00:00Z');
  });
});

describe('NodeStatusManager and the node lease: the heartbeat moves to the Lease', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let problem: { reason: string; message: string } | undefined;

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    runtime = new FakeRuntime({ clock });
    problem = undefined;
  });
  afterEach(() => cluster.close());

  const getNode = () => cluster.client.get<Node>('nodes', undefined, 'node-1');
  const statusWriter = () =>
    new NodeStatusManager({ nodeName: 'node-1', client: cluster.client, runtime, clock, role: 'agent', nodeIP: '192.168.1.10', readinessProblem: () => problem });

  it('an unchanged status is not written again within 5 minutes; a change is written at once', async () => {
    const manager = statusWriter();
    await manager.registerOnce();
    const written = (await getNode()).metadata.resourceVersion;
    clock.set('2025-03-01T10:04:50Z');
    await manager.heartbeatOnce();
    assert.equal((await getNode()).metadata.resourceVersion, written, 'an unchanged status was written again');
    problem = { reason: 'NetworkNotReady', message: 'the cluster DNS cannot bind port 53' };
    clock.set('2025-03-01T10:04:55Z');
    await manager.heartbeatOnce();
    const ready = (await getNode()).status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.lastHeartbeatTime], ['False', '2025-03-01T10:04:55Z']);
  });

  it('nodeStatusChanged ignores only the heartbeat times', () => {
    const status = (beat: string, ready: string) => ({ conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: beat, lastTransitionTime: 't' }] }) as Node['status'];
    assert.equal(nodeStatusChanged(status('a', 'True'), status('b', 'True')), false);
    assert.equal(nodeStatusChanged(status('a', 'True'), status('a', 'False')), true);
  });

  it('renews kube-node-lease/<node> as its heartbeat, held by the node and owned by its Node', async () => {
    const lease = new NodeLeaseManager({ client: cluster.client, clock, nodeName: 'node-1', renewIntervalMs: 10_000 });
    await lease.renewOnce(); // before the Node exists: no owner yet
    await statusWriter().registerOnce();
    clock.set('2025-03-01T10:00:10.250Z');
    await lease.renewOnce();
    const node = await getNode();
    const stored = await cluster.client.get<Lease>(LEASES_RESOURCE, NODE_LEASE_NAMESPACE, 'node-1');
    assert.deepEqual(stored.spec, { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2025-03-01T10:00:10.250000Z' });
    assert.deepEqual(stored.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}/${o.uid}`), [`Node/node-1/${node.metadata.uid}`]);
  });
});

describe('goArch', () => {
  it("names a machine as Go's GOARCH does, for the kubernetes.io/arch label", () => {
    const cases: [string, string][] = [['x86_64', 'amd64'], ['amd64', 'amd64'], ['aarch64', 'arm64'], ['armv7l', 'arm'], ['i686', '386']];
    assert.deepEqual(cases.map(([machine]) => goArch(machine)), cases.map(([, want]) => want));
  });
});
