// `kubelab lab status`: one line per simulated host, what a person would check by hand with
// `ip netns`, `ip link` and `ps`: does its namespace exist, is its cable plugged in, do its
// engine and kubelabd run. With several servers, also the control plane as an operator checks
// it: each etcd member (`etcdctl endpoint status`: who leads the raft group) and who holds the
// kube-scheduler and kube-controller-manager Leases (`kubectl get lease -n kube-system`).

import fs from 'node:fs';
import type { Lease } from '../../lib/api/coordination-types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { etcdMemberStatus, type EtcdMemberStatus } from './host-etcd.js';
import { hostLinkState, netnsPath } from './host-network.js';
import { isRunning } from './host-processes.js';
import { isHighlyAvailable, labApiUrl, serverHosts } from './lab-plan.js';
import type { LabState } from './lab-state.js';

/** The Leases of the control plane's two leader-elected components. */
export const CONTROL_PLANE_LEASES = ['kube-scheduler', 'kube-controller-manager'] as const;

export interface LeaseHolder {
  name: string;
  /** holderIdentity (`<node>_<id>`), or why it is not known. */
  holder: string;
  renewTime?: string;
}

export interface ControlPlaneStatus {
  etcd: (EtcdMemberStatus & { node: string })[];
  leases: LeaseHolder[];
}
export interface LabHostStatus {
  node: string;
  role: string;
  ip: string;
  netns: 'present' | 'missing';
  link: 'up' | 'down' | 'missing';
  engine: string;
  /** `none` on hosts without an etcd member. */
  etcd: string;
  kubelabd: string;
}

export async function labStatus(state: LabState): Promise<LabHostStatus[]> {
  const rows: LabHostStatus[] = [];
  for (const host of state.plan.hosts) {
    const processes = state.processes[host.name] ?? {};
    rows.push({
      node: host.name,
      role: host.role,
      ip: host.ip,
      netns: fs.existsSync(netnsPath(host.netns)) ? 'present' : 'missing',
      link: await hostLinkState(host),
      engine: processState(processes.dockerd?.pid),
      etcd: processes.etcd ? processState(processes.etcd.pid) : 'none',
      kubelabd: processes.kubelabd ? processState(processes.kubelabd.pid) : 'none',
    });
  }
  return rows;
}

/** etcd members and Lease holders of a lab with several servers; undefined for one server. */
export async function controlPlaneStatus(state: LabState): Promise<ControlPlaneStatus | undefined> {
  if (!isHighlyAvailable(state.plan)) return undefined;
  const members = await etcdMemberStatus(state.plan);
  const etcd = members.map((member, i) => ({ ...member, node: serverHosts(state.plan)[i]!.name }));
  return { etcd, leases: await leaseHolders(state) };
}

async function leaseHolders(state: LabState): Promise<LeaseHolder[]> {
  if (!fs.existsSync(state.plan.kubeconfigPath)) return CONTROL_PLANE_LEASES.map((name) => ({ name, holder: '(no kubeconfig yet)' }));
  const client = new RestClient(loadClientConfig({ kubeconfig: state.plan.kubeconfigPath }), { userAgent: 'kubelab-lab/v0.1.0' });
  try {
    return await Promise.all(
      CONTROL_PLANE_LEASES.map(async (name) => {
        try {
          // Bounded: with a server just killed, the first request may wait on it until HAProxy marks it down.
          const lease = await client.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, { signal: AbortSignal.timeout(5_000) });
          return { name, holder: lease.spec?.holderIdentity || '(none)', renewTime: lease.spec?.renewTime ?? undefined };
        } catch (err) {
          return { name, holder: `(unknown: ${(err as Error).message})` };
        }
      }),
    );
  } finally {
    client.close();
  }
}

function processState(pid: number | undefined): string {
  if (!pid) return 'not started';
  return `${pid} ${isRunning(pid) ? 'running' : 'dead'}`;
}

/** The table, kubectl style: upper-case headers, columns padded by three spaces. */
export function formatLabStatus(state: LabState, rows: LabHostStatus[], controlPlane?: ControlPlaneStatus): string {
  const etcdColumn = rows.some((r) => r.etcd !== 'none');
  const lines = formatTable([
    ['NODE', 'ROLE', 'IP', 'NETNS', 'LINK', 'ENGINE', ...(etcdColumn ? ['ETCD'] : []), 'KUBELABD'],
    ...rows.map((r) => [r.node, r.role, r.ip, `${state.plan.prefix}-${r.node} (${r.netns})`, r.link, r.engine, ...(etcdColumn ? [r.etcd] : []), r.kubelabd]),
  ]);
  const controlPlaneLines = controlPlane
    ? [
        '',
        ...formatTable([
          ['ETCD MEMBER', 'ENDPOINT', 'STATUS', 'RAFT TERM'],
          ...controlPlane.etcd.map((m) => [m.node, m.endpoint, m.reachable ? (m.isLeader ? 'leader' : 'follower') : 'unreachable', m.raftTerm === undefined ? '-' : String(m.raftTerm)]),
        ]),
        '',
        ...formatTable([['LEASE (kube-system)', 'HOLDER'], ...controlPlane.leases.map((l) => [l.name, l.holder])]),
      ]
    : [];
  const footer = [
    `lab ${state.plan.prefix} (${state.phase}) on ${state.plan.subnet}, bridge ${state.plan.bridge}, state in ${state.plan.dir}`,
    fs.existsSync(state.plan.kubeconfigPath) ? `kubeconfig: ${state.plan.kubeconfigPath}` : 'kubeconfig: none yet',
  ];
  if (state.plan.apiLoadBalancer) footer.push(`API: ${labApiUrl(state.plan)} (haproxy ${processState(state.loadBalancer?.pid)}, config ${state.plan.apiLoadBalancer.configFile})`);
  return [...lines, ...controlPlaneLines, '', ...footer].join('\n') + '\n';
}

/** kubectl style: columns padded to the widest cell plus three spaces, the last one not padded. */
function formatTable(table: string[][]): string[] {
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  return table.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]! + 3))).join(''));
}
