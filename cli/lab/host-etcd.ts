// etcd on the lab's server hosts: the replicated store that lets several `kubelabd server`s share
// one cluster state (Kubernetes' "stacked etcd" topology, as kubeadm and k3s's embedded etcd lay
// it out: one member beside each API server). Each member runs inside its host's network
// namespace, as the host's kubelabd does, on the host's lab address: clients on 2379, the other
// members on 2380. So `lab kill` takes a member down with its host, and `lab partition` cuts it
// off from the others exactly as it cuts the host's API server off.
//
// Plain http between members and to the servers: the lab's bridge reaches only the machine and
// the lab's own namespaces (host-network.ts), as the lab's gossip and kubelet traffic do. A real
// cluster gives etcd TLS (--etcd-cafile/--etcd-certfile/--etcd-keyfile on the servers).

import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli-errors.js';
import { netnsPath } from './host-network.js';
import { isRunning } from './host-processes.js';
import { etcdClientUrl, etcdPeerUrl, serverHosts, type LabHostPlan, type LabPlan } from './lab-plan.js';
import { logTail } from './host-engine.js';
import { runAllowingFailure, sleep, spawnDetached } from './run-command.js';

/** Debian's etcd-server (3.4), installed by scripts/setup.sh. */
export const ETCD_BINARY = '/usr/bin/etcd';
export const ETCDCTL_BINARY = '/usr/bin/etcdctl';

export function etcdDataDir(host: LabHostPlan): string {
  return path.join(host.dir, 'etcd');
}

export function etcdLogFile(host: LabHostPlan): string {
  return path.join(host.dir, 'etcd.log');
}

/** Every member's client URL, comma-separated: the servers' --etcd-endpoints. */
export function etcdEndpoints(plan: LabPlan): string {
  return serverHosts(plan).map(etcdClientUrl).join(',');
}

/**
 * The command line of one member. `--initial-cluster*` only matter the first time: a member that
 * finds its data dir already holds a member (after `lab kill` and `lab restart`) rejoins as the
 * member it was, with its own log, and catches up from the leader; so the same line serves both.
 */
export function etcdArgv(plan: LabPlan, host: LabHostPlan): string[] {
  const members = serverHosts(plan);
  return [
    'nsenter', `--net=${netnsPath(host.netns)}`, '--',
    ETCD_BINARY,
    '--name', host.name,
    '--data-dir', etcdDataDir(host),
    // 127.0.0.1 too, so etcdctl inside the host works without naming its address.
    '--listen-client-urls', `${etcdClientUrl(host)},http://127.0.0.1:2379`,
    '--advertise-client-urls', etcdClientUrl(host),
    '--listen-peer-urls', etcdPeerUrl(host),
    '--initial-advertise-peer-urls', etcdPeerUrl(host),
    '--initial-cluster', members.map((m) => `${m.name}=${etcdPeerUrl(m)}`).join(','),
    // The lab's prefix: members of another lab (another subnet anyway) could never join this one.
    '--initial-cluster-token', plan.prefix,
    '--initial-cluster-state', 'new',
  ];
}

export function startEtcdMember(plan: LabPlan, host: LabHostPlan): { pid: number; argv: string[]; logFile: string } {
  fs.mkdirSync(host.dir, { recursive: true });
  const argv = etcdArgv(plan, host);
  const logFile = etcdLogFile(host);
  return { pid: spawnDetached(argv, logFile), argv, logFile };
}

/**
 * Waits until the member answers /health with "true", which etcd 3.4 says only once the cluster
 * has a leader (a majority of members found each other). Starting members must therefore be
 * waited for together, not one by one: the first alone never becomes healthy.
 */
export async function waitForEtcdMember(host: LabHostPlan, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (!isRunning(pid)) throw new CliError(`host ${host.name}: etcd exited while starting:\n${logTail(etcdLogFile(host))}\n(full log: ${etcdLogFile(host)})`);
    try {
      const response = await fetch(`${etcdClientUrl(host)}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { health?: string };
      if (body.health === 'true') return;
      last = JSON.stringify(body);
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new CliError(`host ${host.name}: etcd was not healthy within ${timeoutMs / 1000} s (last: ${last}); see ${etcdLogFile(host)}`);
    await sleep(250);
  }
}

/** One member as `etcdctl endpoint status` sees it, for `lab status`. */
export interface EtcdMemberStatus {
  endpoint: string;
  /** false when the member did not answer (its host killed or cut off). */
  reachable: boolean;
  isLeader: boolean;
  raftTerm?: number;
  dbSizeBytes?: number;
}

interface EndpointStatusJson {
  Endpoint: string;
  Status: { header: { member_id: number | string }; leader: number | string; raftTerm?: number; dbSize?: number };
}

/**
 * `etcdctl endpoint status` against every member, from the machine over the bridge. A member
 * that does not answer is left out of etcdctl's JSON (and etcdctl exits 1): it is listed here
 * as unreachable. A cut-off member may still claim to lead (it has not heard of the new term).
 */
export async function etcdMemberStatus(plan: LabPlan): Promise<EtcdMemberStatus[]> {
  const endpoints = serverHosts(plan).map(etcdClientUrl);
  const result = await runAllowingFailure(ETCDCTL_BINARY, ['--endpoints', endpoints.join(','), '--dial-timeout', '1s', '--command-timeout', '2s', 'endpoint', 'status', '-w', 'json']);
  return parseEndpointStatus(result.stdout, endpoints);
}

/** Pure: etcdctl's JSON (`[]` or nothing when no member answered) onto the list of endpoints. */
export function parseEndpointStatus(stdout: string, endpoints: string[]): EtcdMemberStatus[] {
  let answered: EndpointStatusJson[] = [];
  try {
    answered = stdout.trim() ? (JSON.parse(stdout) as EndpointStatusJson[]) : [];
  } catch {
    answered = [];
  }
  return endpoints.map((endpoint) => {
    const entry = answered.find((a) => a.Endpoint === endpoint);
    if (!entry) return { endpoint, reachable: false, isLeader: false };
    // member ids are uint64s, which JSON.parse rounds to doubles: two equal ids stay equal, and
    // two random 64-bit ids rounding to the same double is a 1-in-2^52 chance.
    return {
      endpoint,
      reachable: true,
      isLeader: String(entry.Status.header.member_id) === String(entry.Status.leader),
      raftTerm: entry.Status.raftTerm,
      dbSizeBytes: entry.Status.dbSize,
    };
  });
}
