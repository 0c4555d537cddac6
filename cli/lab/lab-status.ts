// `kubelab lab status`: one line per simulated host, what a person would check by hand with
// `ip netns`, `ip link` and `ps`: does its namespace exist, is its cable plugged in, do its
// engine and kubelabd run.

import fs from 'node:fs';
import { hostLinkState, netnsPath } from './host-network.js';
import { isRunning } from './host-processes.js';
import type { LabState } from './lab-state.js';

export interface LabHostStatus {
  node: string;
  role: string;
  ip: string;
  netns: 'present' | 'missing';
  link: 'up' | 'down' | 'missing';
  engine: string;
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
      kubelabd: processes.kubelabd ? processState(processes.kubelabd.pid) : 'none',
    });
  }
  return rows;
}

function processState(pid: number | undefined): string {
  if (!pid) return 'not started';
  return `${pid} ${isRunning(pid) ? 'running' : 'dead'}`;
}

/** The table, kubectl style: upper-case headers, columns padded by three spaces. */
export function formatLabStatus(state: LabState, rows: LabHostStatus[]): string {
  const table = [
    ['NODE', 'ROLE', 'IP', 'NETNS', 'LINK', 'ENGINE', 'KUBELABD'],
    ...rows.map((r) => [r.node, r.role, r.ip, `${state.plan.prefix}-${r.node} (${r.netns})`, r.link, r.engine, r.kubelabd]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]! + 3))).join(''));
  const footer = [
    `lab ${state.plan.prefix} (${state.phase}) on ${state.plan.subnet}, bridge ${state.plan.bridge}, state in ${state.plan.dir}`,
    fs.existsSync(state.plan.kubeconfigPath) ? `kubeconfig: ${state.plan.kubeconfigPath}` : 'kubeconfig: none yet',
  ];
  return [...lines, '', ...footer].join('\n') + '\n';
}
