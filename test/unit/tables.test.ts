import assert from 'node:assert/strict';
import type { Deployment, KubeObject, Node, Pod, Service } from '../../lib/api/types.js';
import { toTable, type Table } from '../../lib/printers/tables.js';

const now = new Date('2024-05-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(status: Pod['status'], extra: { deletionTimestamp?: string; initContainers?: Pod['spec']['containers'] } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: minutesAgo(5), labels: { app: 'web' }, ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}) },
    spec: { containers: [{ name: 'app', image: 'busybox' }], ...(extra.initContainers ? { initContainers: extra.initContainers } : {}) },
    status,
  };
}

const running = { running: { startedAt: minutesAgo(4) } };
const cs = (state: object, more: Partial<{ ready: boolean; restartCount: number; lastState: object }> = {}) => ({
  name: 'app', image: 'busybox', imageID: '', state, lastState: {}, ready: false, restartCount: 0, ...more,
});

/** The cells of the only row, keyed by column name. */
function row(table: Table): Record<string, unknown> {
  assert.equal(table.rows.length, 1);
  return Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, table.rows[0].cells[i]]));
}
const podRow = (p: Pod) => row(toTable('pods', [p], { now, includeObject: 'Metadata' }));

describe('toTable: pods', () => {
  it('Running, ready, with the wide columns', () => {
    const cells = podRow(pod({ phase: 'Running', podIP: '10.244.0.5', containerStatuses: [cs(running, { ready: true })] }));
    assert.deepEqual(cells, {
      Name: 'web', Ready: '1/1', Status: 'Running', Restarts: '0', Age: '5m',
      IP: '10.244.0.5', Node: '<none>', 'Nominated Node': '<none>', 'Readiness Gates': '<none>',
    });
  });

  it('CrashLoopBackOff with the time of the last restart', () => {
    const status = pod({
      phase: 'Running',
      containerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: minutesAgo(2) } } })],
    });
    const cells = podRow(status);
    assert.equal(cells.Ready, '0/1');
    assert.equal(cells.Status, 'CrashLoopBackOff');
    assert.equal(cells.Restarts, '3 (2m ago)');
  });

  it('ContainerCreating while pending', () => {
    assert.equal(podRow(pod({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ContainerCreating' } })] })).Status, 'ContainerCreating');
    assert.equal(podRow(pod({ phase: 'Pending' })).Status, 'Pending');
  });

  it('Completed, Error and ExitCode from terminated containers', () => {
    const completed = pod({ phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] });
    assert.equal(podRow(completed).Status, 'Completed');
    assert.deepEqual(toTable('pods', [completed], { now, includeObject: 'None' }).rows[0].conditions?.[0].type, 'Completed');
    assert.equal(podRow(pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 2, reason: 'Error' } })] })).Status, 'Error');
    assert.equal(podRow(pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 7 } })] })).Status, 'ExitCode:7');
  });

  it('Terminating while a running pod is being deleted, but not once it finished', () => {
    assert.equal(podRow(pod({ phase: 'Running', containerStatuses: [cs(running, { ready: true })] }, { deletionTimestamp: minutesAgo(0) })).Status, 'Terminating');
    assert.equal(podRow(pod({ phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] }, { deletionTimestamp: minutesAgo(0) })).Status, 'Completed');
  });

  it('Init: statuses while init containers run or fail', () => {
    const initContainers = [{ name: 'init-a', image: 'busybox' }, { name: 'init-b', image: 'busybox' }];
    const done = { ...cs({ terminated: { exitCode: 0, reason: 'Completed' } }), name: 'init-a' };
    const runningB = { ...cs(running), name: 'init-b' };
    assert.equal(podRow(pod({ phase: 'Pending', initContainerStatuses: [done, runningB] }, { initContainers })).Status, 'Init:1/2');
    const crashingB = { ...cs({ waiting: { reason: 'CrashLoopBackOff' } }), name: 'init-b' };
    assert.equal(podRow(pod({ phase: 'Pending', initContainerStatuses: [done, crashingB] }, { initContainers })).Status, 'Init:CrashLoopBackOff');
  });

  it('rows carry PartialObjectMetadata by default, the object when asked, nothing for None', () => {
    const p = pod({ phase: 'Running' });
    assert.deepEqual(toTable('pods', [p], { now, includeObject: 'Metadata' }).rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata });
    assert.equal(toTable('pods', [p], { now, includeObject: 'Object' }).rows[0].object, p);
    assert.equal(toTable('pods', [p], { now, includeObject: 'None' }).rows[0].object, undefined);
  });

  it('has the Table envelope, and leaves out column definitions with noHeaders', () => {
    const table = toTable('pods', [], { now, includeObject: 'Metadata', resourceVersion: '42' });
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.metadata, { resourceVersion: '42' });
    assert.deepEqual(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    assert.deepEqual(toTable('pods', [], { now, includeObject: 'Metadata', noHeaders: true }).columnDefinitions, []);
  });
});

describe('toTable: nodes', () => {
  const node = (ready: 'True' | 'False' | undefined, more: Partial<Node['spec']> = {}, labels: Record<string, string> = {}): Node => ({
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: minutesAgo(60 * 24 * 3), labels },
    spec: { ...more },
    status: {
      conditions: ready ? [{ type: 'Ready', status: ready }] : [],
      nodeInfo: { kubeletVersion: 'v1.32.5-kubelab', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'docker://20.10' },
      addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
    },
  });
  const nodeRow = (n: Node) => row(toTable('nodes', [n], { now, includeObject: 'Metadata' }));

  it('Ready, roles, age and version', () => {
    const cells = nodeRow(node('True', {}, { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': 'true' }));
    assert.equal(cells.Status, 'Ready');
    assert.equal(cells.Roles, 'control-plane,worker');
    assert.equal(cells.Age, '3d');
    assert.equal(cells.Version, 'v1.32.5-kubelab');
    assert.equal(cells['Internal-IP'], '192.168.1.10');
    assert.equal(cells['External-IP'], '<none>');
  });

  it('NotReady, Unknown and SchedulingDisabled', () => {
    assert.equal(nodeRow(node('False')).Status, 'NotReady');
    assert.equal(nodeRow(node(undefined)).Status, 'Unknown');
    assert.equal(nodeRow(node('True', { unschedulable: true })).Status, 'Ready,SchedulingDisabled');
    assert.equal(nodeRow(node('True')).Roles, '<none>');
  });
});

describe('toTable: services, deployments and others', () => {
  it('service ports, cluster IP, external IP and selector', () => {
    const svc: Service = {
      metadata: { name: 'web', creationTimestamp: minutesAgo(1) },
      spec: { type: 'NodePort', clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12'], selector: { app: 'web', tier: 'fe' },
        ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30001, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
    };
    assert.deepEqual(row(toTable('services', [svc], { now, includeObject: 'None' })), {
      Name: 'web', Type: 'NodePort', 'Cluster-IP': '10.96.0.12', 'External-IP': '<none>',
      'Port(s)': '80/TCP,443:30001/TCP,53/UDP', Age: '60s', Selector: 'app=web,tier=fe',
    });
    const lb: Service = { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [] } };
    const cells = row(toTable('services', [lb], { now, includeObject: 'None' }));
    assert.equal(cells['External-IP'], '<pending>');
    assert.equal(cells['Port(s)'], '<none>');
    assert.equal(cells.Age, '<unknown>');
  });

  it('deployment READY is ready/desired, with up-to-date and available', () => {
    const d: Deployment = {
      metadata: { name: 'nginx', creationTimestamp: minutesAgo(200) },
      spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } } },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(row(toTable('deployments.apps', [d], { now, includeObject: 'None' })), {
      Name: 'nginx', Ready: '2/3', 'Up-to-date': 3, Available: 2, Age: '3h20m',
      Containers: 'nginx,side', Images: 'nginx:1.25,busybox', Selector: 'app=nginx',
    });
  });

  it('replica sets, endpoints, secrets, config maps, namespaces and events', () => {
    const rs = { metadata: { name: 'nginx-abc', creationTimestamp: minutesAgo(0) }, spec: { replicas: 2, selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }], matchLabels: { app: 'nginx' } }, template: { spec: { containers: [] } } }, status: { replicas: 2, readyReplicas: 1 } };
    const rsCells = row(toTable('replicasets.apps', [rs as KubeObject], { now, includeObject: 'None' }));
    assert.deepEqual([rsCells.Desired, rsCells.Current, rsCells.Ready, rsCells.Selector], [2, 2, 1, 'app=nginx,tier in (be,fe)']);

    const ep = { metadata: { name: 'web' }, subsets: [{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip })), ports: [{ port: 80 }] }] };
    assert.equal(row(toTable('endpoints', [ep as KubeObject], { now, includeObject: 'None' })).Endpoints, '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    assert.equal(row(toTable('endpoints', [{ metadata: { name: 'e' } }], { now, includeObject: 'None' })).Endpoints, '<none>');

    assert.deepEqual(row(toTable('secrets', [{ metadata: { name: 's' }, type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } }], { now, includeObject: 'None' })), { Name: 's', Type: 'Opaque', Data: 2, Age: '<unknown>' });
    assert.equal(row(toTable('configmaps', [{ metadata: { name: 'c' }, data: { a: '1' } }], { now, includeObject: 'None' })).Data, 1);
    assert.equal(row(toTable('namespaces', [{ metadata: { name: 'default' }, status: { phase: 'Active' } }], { now, includeObject: 'None' })).Status, 'Active');

    const event = { metadata: { name: 'web.17a' }, involvedObject: { kind: 'Pod', name: 'web' }, reason: 'Scheduled', type: 'Normal', message: 'Successfully assigned default/web to node-1 ', source: { component: 'default-scheduler' }, firstTimestamp: minutesAgo(10), lastTimestamp: minutesAgo(3) };
    const eventCells = row(toTable('events', [event as KubeObject], { now, includeObject: 'None' }));
    assert.deepEqual(eventCells, {
      'Last Seen': '3m', Type: 'Normal', Reason: 'Scheduled', Object: 'pod/web', Subobject: '', Source: 'default-scheduler',
      Message: 'Successfully assigned default/web to node-1', 'First Seen': '10m', Count: 1, Name: 'web.17a',
    });
  });
});
