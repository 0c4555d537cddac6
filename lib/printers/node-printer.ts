// The rows of `kubelab get nodes` (Kubernetes' printNode in pkg/printers/internalversion), plus
// one column of kubelab's own: GOSSIP, the server's gossip view of the node (alive, suspect, dead,
// left), which the node lifecycle controller mirrors into the annotation kubelab.io/gossip-state.
// It stands beside STATUS under `-o wide`, so a user sees both ways a node proves it lives: its
// kubelet's heartbeat (Ready) and its gossip member's answers to pings.

import type { KubeObject, Node } from '../api/types.js';
import { GOSSIP_STATE_ANNOTATION } from '../scheduling.js';
import { ageOf } from '../time.js';
import { ageColumn, column, nameColumn, type Printer } from './printer.js';

/** Kept equal to the server's gossip view by the node lifecycle controller. */

/** `control-plane,worker` from `node-role.kubernetes.io/<role>` labels (and the old `kubernetes.io/role`). */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (key === 'kubernetes.io/role' && value) {
      roles.add(value);
    }
  }
  return [...roles].sort();
}

/**
 * `Ready`, or `NotReady` for a Ready condition False or Unknown (a node nobody hears from), or
 * `Unknown` without one; plus `SchedulingDisabled` for a cordoned node. kubectl's wording.
 */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const nodeAddress = (node: Node, type: 'InternalIP' | 'ExternalIP'): string =>
  node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodePrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'The status of the node'),
    column('Gossip', 'The gossip membership state of the node as the server sees it (alive, suspect, dead, left).', { wide: true }),
    column('Roles', 'The roles of the node'),
    ageColumn,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', { wide: true }),
    column('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', { wide: true }),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { wide: true }),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { wide: true }),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { wide: true }),
  ],
  cells(obj: KubeObject, now: Date) {
    const node = obj as Node;
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name ?? '',
      nodeStatus(node),
      node.metadata.annotations?.[GOSSIP_STATE_ANNOTATION] || '<none>',
      nodeRoles(node).join(',') || '<none>',
      ageOf(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};
