// kubelabd on the simulated hosts: `kubelabd server` on node1 (control plane plus node1's own
// agent) and `kubelabd agent` on the others, each inside its host's network namespace, talking
// to its host's engine. The server's certificate names every host's IP (--tls-san), because each
// agent forwards the API on its own IP and the CLI may be pointed at any node.
//
// With --servers M > 1, node1..nodeM each run a server on the lab's etcd cluster (host-etcd.ts),
// each talking to its own host's member:
// node1 first, then the others join it with the join token (`--server --token`, as k3s's
// servers join), sharing its CA and keys. Their certificates also name the load balancer's
// address, and the agents join through the load balancer, as kind's workers do, so an agent
// keeps its API when any one server dies.

import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CliError } from '../cli-errors.js';
import type { Node } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { etcdClientUrl, isHighlyAvailable, LAB_API_PORT, labApiUrl, type LabHostPlan, type LabPlan } from './lab-plan.js';

import { netnsPath } from './host-network.js';
import { engineSocket, logTail } from './host-engine.js';
import { isRunning } from './host-processes.js';
import { sleep, spawnDetached } from './run-command.js';

/** Node lifecycle timings for a lab: short, so a dead host's pods move within a minute. */
export interface LabTimings {
  podEvictionTimeoutSeconds: number;
  nodeMonitorGracePeriodSeconds: number;
}

export const API_PORT = LAB_API_PORT;

/**
 * Leader election for a lab with several servers, in seconds (Kubernetes' defaults: 15/10/2).
 * The lab's servers share one machine and renew a Lease in a few milliseconds, so the margins
 * Kubernetes keeps for slow networks and busy etcds only slow down what the lab is for: watching
 * a leader die and another take over. 4 s lease: a dead leader's scheduler and controllers are
 * replaced about 4 s after its last renewal. 3 s renew deadline: a leader that cannot renew stops
 * acting 1 s before anyone may take over, so two never act at once even with the retry jitter.
 * 1 s retry: three renewal attempts fit in the deadline, so one slow write does not cost the lease.
 */
export const LAB_LEADER_ELECTION = { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 } as const;

export function labLeaderElectionFlags(): string[] {
  return [
    '--leader-elect-lease-duration', String(LAB_LEADER_ELECTION.leaseDurationSeconds),
    '--leader-elect-renew-deadline', String(LAB_LEADER_ELECTION.renewDeadlineSeconds),
    '--leader-elect-retry-period', String(LAB_LEADER_ELECTION.retryPeriodSeconds),
  ];
}

/**
 * The lab's gossip settings, passed to every host's kubelabd (the daemon's own defaults suit a
 * LAN of real machines: network/gossip/gossip-config.ts). The simulated hosts share one machine
 * and answer within a millisecond, so the lab probes five times as often as memberlist's LAN
 * config, which is what lets a killed host be declared dead, and its Node NotReady, within 2 s.
 * Lifeguard keeps that from turning into false alarms: nacks and local health awareness keep a
 * busy or lossy member from accusing healthy ones, and a suspicion nobody confirms lasts 6 times
 * longer. Chosen by measurement (bench/gossip.ts, bench/lab-failure.ts; figures in the README).
 */
export const LAB_GOSSIP = {
  /** Each member probes one other every 200 ms (the daemon's default: 1 s). */
  probeIntervalMs: 200,
  /** A direct ack must come within 80 ms, else others are asked to probe (at most half the interval: their nacks must fit in it). */
  probeTimeoutMs: 80,
  /** A confirmed suspicion lasts 4 x max(1, log10(n)) probe intervals: 800 ms on a 3-host lab. */
  suspicionMult: 4,
  /** Queued rumours go to 3 random members every 200 ms, besides riding on probes. */
  gossipIntervalMs: 200,
  /**
   * Each rumour is sent 6 x ceil(log10(n + 1)) times (the daemon's default: 4 x). At 10 % loss the
   * one message that must reach everyone is a suspect's refutation; with 4 x, 50 simulated members
   * saw about one live member declared dead every 2 minutes, with 6 x none (bench/gossip.ts).
   */
  retransmitMult: 6,
} as const;

/** LAB_GOSSIP as kubelabd flags. */
export function labGossipFlags(): string[] {
  return [
    '--gossip-probe-interval-ms', String(LAB_GOSSIP.probeIntervalMs),
    '--gossip-probe-timeout-ms', String(LAB_GOSSIP.probeTimeoutMs),
    '--gossip-suspicion-mult', String(LAB_GOSSIP.suspicionMult),
    '--gossip-interval-ms', String(LAB_GOSSIP.gossipIntervalMs),
    '--gossip-retransmit-mult', String(LAB_GOSSIP.retransmitMult),
  ];
}

/**
 * Where this file runs from: <repo>/cli/lab/ from source, <repo>/dist/cli/lab/ when built, or a
 * chunk of the bundled CLI under <repo>/dist/bin/ (scripts/bundle-cli.mjs): the repository is
 * the nearest folder above with a package.json.
 */
const here = import.meta.dirname;
const repoRoot = nearestPackageRoot(here);
const runningFromDist = path.relative(path.join(repoRoot, 'dist'), here).split(path.sep)[0] !== '..';

function nearestPackageRoot(dir: string): string {
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, 'package.json'))) return current;
    if (path.dirname(current) === current) return path.resolve(dir, '../..');
  }
}

/** How to run kubelabd: the built daemon next to a built CLI, else the TypeScript source through tsx. */
export function kubelabdCommand(): string[] {
  const builtEntry = path.join(repoRoot, 'dist/daemon/main.js');
  if (runningFromDist && fs.existsSync(builtEntry)) return [process.execPath, builtEntry];
  return [process.execPath, '--import', 'tsx', path.join(repoRoot, 'daemon/main.ts')];
}

export function kubelabdLogFile(host: LabHostPlan): string {
  return path.join(host.dir, 'kubelabd.log');
}

export function dataDir(host: LabHostPlan): string {
  return path.join(host.dir, 'data');
}

export function serverUrl(plan: LabPlan): string {
  return `https://${plan.hosts[0]!.ip}:${API_PORT}`;
}

/**
 * The command line of a host's kubelabd. Agents, and servers after the first (which join it as
 * k3s's servers do: `--server URL --token-file FILE`), read the join token from the file the
 * first server wrote, never from a command line, where `ps` shows it.
 */
export function kubelabdArgv(plan: LabPlan, host: LabHostPlan, timings: LabTimings): string[] {
  const common = [
    '--node-name', host.name,
    '--node-ip', host.ip,
    '--data-dir', dataDir(host),
    '--docker-host', `unix://${engineSocket(host)}`,
    // The host's usage (kubectl top nodes) is its engine's cgroup, not the machine all hosts share.
    '--node-cgroup', host.cgroupParent,
    ...labGossipFlags(),
  ];
  const highlyAvailable = isHighlyAvailable(plan);
  const firstServer = plan.hosts[0]!;
  const otherAddresses = [...plan.hosts.filter((other) => other !== host).map((other) => other.ip), ...(plan.apiLoadBalancer ? [plan.apiLoadBalancer.address] : [])];
  const highAvailability = highlyAvailable && host.role === 'server'
    ? [
        '--store', 'etcd',
        // Its own host's member only, as kubeadm's stacked etcd does (--etcd-servers=127.0.0.1):
        // a server and its member live and die together, and a cut-off server's member, without
        // a majority, refuses its writes, so it cannot act. Given every member, the store's etcd
        // client waits without a deadline on a member whose packets vanish (a partitioned host),
        // and requests through HAProxy to the healthy servers hung for 30 s (measured).
        '--etcd-endpoints', etcdClientUrl(host),
        ...labLeaderElectionFlags(),
        ...(host === firstServer ? [] : ['--server', serverUrl(plan), '--token-file', joinTokenFile(plan)]),
      ]
    : [];
  const role = host.role === 'server'
    ? [
        'server', ...common,
        '--listen', `${host.ip}:${API_PORT}`,
        ...(highlyAvailable ? otherAddresses : plan.hosts.slice(1).map((other) => other.ip)).flatMap((address) => ['--tls-san', address]),
        ...highAvailability,
        '--pod-eviction-timeout', String(timings.podEvictionTimeoutSeconds),
        '--node-monitor-grace-period', String(timings.nodeMonitorGracePeriodSeconds),
        // LoadBalancers out of the box: addresses on the lab bridge, which the machine reaches.
        // (A lab.json written before the pool existed has none: its server keeps the default pool.)
        ...(plan.loadBalancerPool ? ['--lb-pool', plan.loadBalancerPool] : []),
      ]
    : ['agent', ...common, '--server', highlyAvailable ? labApiUrl(plan) : serverUrl(plan), '--token-file', joinTokenFile(plan)];
  return ['nsenter', `--net=${netnsPath(host.netns)}`, '--', ...kubelabdCommand(), ...role];
}

/** The join token node1's server writes in its data dir (the machine's disk is every host's). */
export function joinTokenFile(plan: LabPlan): string {
  return path.join(dataDir(plan.hosts[0]!), 'join-token');
}

export function startKubelabd(argv: string[], host: LabHostPlan): { pid: number; argv: string[]; logFile: string } {
  fs.mkdirSync(dataDir(host), { recursive: true });
  const logFile = kubelabdLogFile(host);
  return { pid: spawnDetached(argv, logFile, repoRoot), argv, logFile };
}

/** Waits for the server's join token file (written once its API is up); returns the token. */
export async function waitForJoinToken(server: LabHostPlan, pid: number, timeoutMs: number): Promise<string> {
  const file = path.join(dataDir(server), 'join-token');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const token = readTrimmed(file);
    if (token) return token;
    if (!isRunning(pid)) throw new CliError(`host ${server.name}: kubelabd server exited while starting:\n${logTail(kubelabdLogFile(server))}\n(full log: ${kubelabdLogFile(server)})`);
    if (Date.now() > deadline) throw new CliError(`host ${server.name}: kubelabd server wrote no join token (${file}) within ${timeoutMs / 1000} s; see ${kubelabdLogFile(server)}`);
    await sleep(250);
  }
}

/**
 * Copies the server's admin kubeconfig to DIR/kubeconfig.yaml, readable by root only, naming the
 * lab's API address (labApiUrl: the load balancer when there are several servers).
 */
export async function copyKubeconfig(plan: LabPlan, timeoutMs: number): Promise<void> {
  const source = path.join(dataDir(plan.hosts[0]!), 'kubeconfig.yaml');
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(source)) {
    if (Date.now() > deadline) throw new CliError(`the server wrote no kubeconfig (${source}); see ${kubelabdLogFile(plan.hosts[0]!)}`);
    await sleep(250);
  }
  const kubeconfig = parseYaml(fs.readFileSync(source, 'utf8')) as { clusters?: { cluster: { server: string } }[] };
  for (const cluster of kubeconfig.clusters ?? []) cluster.cluster.server = labApiUrl(plan);
  fs.writeFileSync(plan.kubeconfigPath, stringifyYaml(kubeconfig), { mode: 0o600 });
  fs.chmodSync(plan.kubeconfigPath, 0o600);
}

/**
 * Waits until every named node is Ready, printing each one as it becomes Ready. On timeout the
 * error names the first node that is not and points at its log.
 */
export async function waitForNodesReady(
  plan: LabPlan,
  hosts: LabHostPlan[],
  pids: Record<string, number>,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<void> {
  const client = new RestClient(loadClientConfig({ kubeconfig: plan.kubeconfigPath }), { userAgent: 'kubelab-lab/v0.1.0' });
  const ready = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  try {
    for (;;) {
      try {
        const nodes = await client.list<Node>('nodes');
        for (const node of nodes.items) {
          const name = node.metadata.name!;
          const isReady = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          if (isReady && !ready.has(name) && hosts.some((h) => h.name === name)) {
            ready.add(name);
            progress(`node ${name} is Ready`);
          }
        }
        lastError = '';
      } catch (err) {
        lastError = (err as Error).message;
      }
      const waiting = hosts.filter((h) => !ready.has(h.name));
      if (waiting.length === 0) return;
      for (const host of waiting) {
        if (!isRunning(pids[host.name])) {
          throw new CliError(`host ${host.name}: kubelabd exited before its node became Ready:\n${logTail(kubelabdLogFile(host))}\n(full log: ${kubelabdLogFile(host)})`);
        }
      }
      if (Date.now() > deadline) {
        const host = waiting[0]!;
        const apiNote = lastError ? ` (the API server last said: ${lastError})` : '';
        throw new CliError(`node ${host.name} did not become Ready within ${timeoutMs / 1000} s${apiNote}; see ${kubelabdLogFile(host)}`);
      }
      await sleep(1_000);
    }
  } finally {
    client.close();
  }
}

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
