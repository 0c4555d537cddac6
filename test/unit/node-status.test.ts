import assert from 'node:assert/strict';
import type { Node } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { goArch, NodeStatusManager } from '../../daemon/kubelet/node-status.js';
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
    clock.set('2025-03-01T10:00:10Z');
    await manager.heartbeatOnce();
    let ready = (await getNode()).status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.lastHeartbeatTime, '2025-03-01T10:00:10Z');
    assert.equal(ready?.lastTransitionTime, '2025-03-01T10:00:00Z');
    await manager.registerOnce(); // a kubelet restart
    const node = await getNode();
    assert.equal(node.metadata.labels?.disk, 'ssd');
    ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.lastTransitionTime, '2025-03-01T10:00:00Z');
  });
});

describe('goArch', () => {
  it("names a machine as Go's GOARCH does, for the kubernetes.io/arch label", () => {
    const cases: [string, string][] = [['x86_64', 'amd64'], ['amd64', 'amd64'], ['aarch64', 'arm64'], ['armv7l', 'arm'], ['i686', '386']];
    assert.deepEqual(cases.map(([machine]) => goArch(machine)), cases.map(([, want]) => want));
  });
});
