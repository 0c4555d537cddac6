// `kubelab lab down`: removes everything a lab made, in the reverse order of `up`: processes
// (HAProxy, then each host's: engine, containers, etcd member, kubelabd)
// first (a namespace, mount or cgroup in use cannot go), then mounts, cgroups, namespaces, links
// and files. It trusts no single record: what lab.json names and what carries the lab's name
// prefix are both removed, so a lab whose `up` crashed before lab.json was complete, or whose
// lab.json is gone, still comes down. Running it twice is fine.

import fs from 'node:fs';
import path from 'node:path';
import { readLabState } from './lab-state.js';
import { deleteLink, deleteNetns, linksWithPrefix, netnsWithPrefix } from './host-network.js';
import { cgroupDirsWithPrefix, killHostProcesses, removeCgroupTree } from './host-processes.js';
import { labPrefix } from './lab-plan.js';
import { stopLoadBalancer } from './lab-load-balancer.js';
import { unmountAllUnder } from './lab-mounts.js';
import { LAB_TOOLS } from './lab-up.js';
import { requireRootAndTools } from './run-command.js';

/** Entries of DIR that a lab creates; anything else in DIR is not ours and stays. */
const LAB_ENTRY = /^(node\d+|images|kubeconfig\.yaml|lab\.json(\.tmp)?|haproxy\.(cfg|pid|log))$/;

export interface LabDownReport {
  processesKilled: number;
  namespacesDeleted: string[];
  linksDeleted: string[];
}

export async function downLab(dirArgument: string, progress: (line: string) => void): Promise<LabDownReport> {
  requireRootAndTools(LAB_TOOLS);
  const dir = realDir(path.resolve(dirArgument));
  const prefix = labPrefix(path.resolve(dirArgument));
  const state = readLabState(dir);

  // The hosts: those lab.json names, and any namespace or cgroup with the lab's prefix.
  const hosts = new Map<string, { name: string; netns: string; cgroupParent: string }>();
  for (const host of state?.plan.hosts ?? []) hosts.set(host.netns, host);
  for (const netns of netnsWithPrefix(`${prefix}-`)) hosts.set(netns, { name: netns.slice(prefix.length + 1), netns, cgroupParent: `/${netns}` });
  for (const cgroup of cgroupDirsWithPrefix(`${prefix}-`)) {
    const netns = path.basename(cgroup);
    hosts.set(netns, { name: netns.slice(prefix.length + 1), netns, cgroupParent: `/${netns}` });
  }

  // HAProxy runs on the machine, in no host: stopped by the pid in its pid file (lab.json may be gone).
  let processesKilled = 0;
  if (await stopLoadBalancer({ pidFile: path.join(dir, 'haproxy.pid'), configFile: path.join(path.resolve(dirArgument), 'haproxy.cfg') })) {
    processesKilled++;
    progress('stopped haproxy');
  }
  // etcd members and kubelabd run in their host's namespace: killed with the host.
  for (const killed of await Promise.all([...hosts.values()].map((host) => killHostProcesses(host)))) processesKilled += killed;
  if (processesKilled > 0) progress(`killed ${processesKilled} process(es)`);

  const execRootBase = `/run/${prefix}`;
  await unmountAllUnder([dir, execRootBase]);
  for (const cgroup of cgroupDirsWithPrefix(`${prefix}-`)) removeCgroupTree(cgroup);

  const namespacesDeleted = netnsWithPrefix(`${prefix}-`);
  for (const netns of namespacesDeleted) await deleteNetns(netns);
  // Deleting one end of a veth deletes both; the bridge goes last, once nothing is plugged in.
  const linksDeleted = await linksWithPrefix(prefix);
  for (const link of linksDeleted.sort((a, b) => Number(a.endsWith('br')) - Number(b.endsWith('br')))) await deleteLink(link);
  if (namespacesDeleted.length || linksDeleted.length) progress(`deleted namespaces [${namespacesDeleted.join(' ')}] and links [${linksDeleted.join(' ')}]`);

  fs.rmSync(execRootBase, { recursive: true, force: true });
  removeLabFiles(dir);
  progress(`lab ${prefix} in ${dir} is gone`);
  return { processesKilled, namespacesDeleted, linksDeleted };
}

/** Deletes what the lab wrote in DIR, then DIR itself if that leaves it empty. */
function removeLabFiles(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) if (LAB_ENTRY.test(entry)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

/** Mount points in /proc/self/mountinfo are real paths: /tmp/x, not a symlink to it. */
function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}
