import assert from 'node:assert/strict';
import type { Node } from '../../lib/api/types.js';
import { toTable } from '../../lib/printers/tables.js';

const now = new Date('2024-05-01T12:00:00Z');

function node(ready: 'True' | 'False' | 'Unknown' | undefined, options: { unschedulable?: boolean; gossip?: string } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: 'node-2', creationTimestamp: '2024-05-01T11:00:00Z', ...(options.gossip ? { annotations: { 'kubelab.io/gossip-state': options.gossip } } : {}) },
    spec: options.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: ready ? [{ type: 'Ready', status: ready }] : [],
      nodeInfo: { kubeletVersion: 'v1.32.5-kubelab', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'docker://20.10.24' },
      addresses: [{ type: 'InternalIP', address: '10.10.0.3' }],
    },
  };
}

describe('node printer (get nodes, -o wide)', () => {
  it('has kubectl\'s columns, with GOSSIP as a wide column beside STATUS', () => {
    const table = toTable('nodes', [node('True', { gossip: 'alive' })], { now, includeObject: 'Metadata' });
    const all = table.columnDefinitions.map((c) => c.name.toUpperCase());
    const narrow = table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase());
    assert.deepEqual(narrow, ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    assert.deepEqual(all, ['NAME', 'STATUS', 'GOSSIP', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    assert.deepEqual(table.rows[0].cells, ['node-2', 'Ready', 'alive', '<none>', '60m', 'v1.32.5-kubelab', '10.10.0.3', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'docker://20.10.24']);
  });

  it('STATUS as kubectl words it; GOSSIP <none> without the annotation', () => {
    const cells = (n: Node) => toTable('nodes', [n], { now, includeObject: 'None' }).rows[0].cells.slice(1, 3);
    assert.deepEqual(cells(node('Unknown', { gossip: 'dead' })), ['NotReady', 'dead']);
    assert.deepEqual(cells(node('False', { gossip: 'suspect' })), ['NotReady', 'suspect']);
    assert.deepEqual(cells(node('True', { unschedulable: true })), ['Ready,SchedulingDisabled', '<none>']);
    assert.deepEqual(cells(node(undefined)), ['Unknown', '<none>']);
  });
});
