// `kubelab lab up`: builds a lab of N simulated hosts, in the order a person would: the wiring
// (bridge, namespaces, veths), then each host's Docker Engine with the local images loaded,
// then kubelabd (the server on node1 first, since agents join with its token), then waits until
// every Node is Ready. The whole plan goes to DIR/lab.json before anything is made, so a crash
// half way leaves `lab down` a complete list of what to remove.
//
// With --servers M > 1 the control plane comes up as an HA cluster does: the etcd members of
// node1..nodeM together (each waits for a majority), the first server, the load balancer in
// front of the servers, then the other servers, which join the first, and the agents.

import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli-errors.js';
import { LAB_IMAGES, loadImages, saveImages, startEngine } from './host-engine.js';
import { etcdEndpoints, startEtcdMember, waitForEtcdMember } from './host-etcd.js';
import { copyKubeconfig, kubelabdArgv, startKubelabd, waitForJoinToken, waitForNodesReady, type LabTimings } from './host-kubelabd.js';
import { ensureBridge, ensureHostNetwork, netnsWithPrefix, rootNetworksInUse } from './host-network.js';
import { startLoadBalancer, waitForLoadBalancer } from './lab-load-balancer.js';
import { checkServerCount, labApiUrl, labPrefix, pickLabSubnet, planLab, serverHosts, type LabPlan } from './lab-plan.js';
import { readLabState, recordProcess, writeLabState, type LabState } from './lab-state.js';
import { requireRootAndTools } from './run-command.js';

export const LAB_TOOLS = ['ip', 'nsenter', 'dockerd', 'umount'];
/** Also needed by a lab with several servers (scripts/setup.sh installs them). */
export const HA_TOOLS = ['etcd', 'etcdctl', 'haproxy'];

export interface LabUpOptions {
  dir: string;
  nodes: number;
  /** How many of the hosts run a server (1, or an odd number up to `nodes`); default 1. */
  servers?: number;
  /** Images beyond LAB_IMAGES to copy into every host. */
  extraImages: string[];
  timings: LabTimings;
  /** Bound on the wait for all Nodes to be Ready. */
  readyTimeoutMs: number;
  progress: (line: string) => void;
}

/** The host layer alone: wiring and engines with images, no kubelabd (the hosts test uses this). */
export async function upHosts(options: Omit<LabUpOptions, 'timings' | 'readyTimeoutMs'>): Promise<LabState> {
  const servers = options.servers ?? 1;
  checkServerCount(servers, options.nodes); // before anything is made
  requireRootAndTools(servers > 1 ? [...LAB_TOOLS, ...HA_TOOLS] : LAB_TOOLS);
  const dir = path.resolve(options.dir);
  refuseRunningLab(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  const subnet = pickLabSubnet(await rootNetworksInUse());
  const plan = planLab(dir, options.nodes, subnet, servers);
  const images = [...new Set([...LAB_IMAGES, ...options.extraImages])];
  const state: LabState = { phase: 'building', createdAt: new Date().toISOString(), plan, images, processes: {} };
  writeLabState(state);

  const { progress } = options;
  progress(`lab ${plan.prefix}: ${plan.hosts.length} host(s), ${servers} server(s), on ${plan.subnet}, state in ${dir}`);
  await ensureBridge(plan);
  progress(`bridge ${plan.bridge} ${plan.gatewayIp}/24`);
  for (const host of plan.hosts) {
    await ensureHostNetwork(plan, host);
    progress(`host ${host.name}: netns ${host.netns}, eth0 ${host.ip}, cable ${host.hostVeth}`);
  }

  const tarFiles = await saveImages(images, path.join(dir, 'images'));
  await Promise.all(
    plan.hosts.map(async (host) => {
      const engine = await startEngine(host);
      recordProcess(state, host.name, 'dockerd', engine);
      progress(`host ${host.name}: Docker Engine up (pid ${engine.pid})`);
      await loadImages(host, tarFiles);
      progress(`host ${host.name}: images loaded (${images.join(', ')})`);
    }),
  );
  return state;
}

/** The whole lab: hosts, then kubelabd server(s) and agents, until every Node is Ready. */
export async function upLab(options: LabUpOptions): Promise<LabState> {
  const state = await upHosts(options);
  const { plan } = state;
  const { progress, timings } = options;
  const servers = serverHosts(plan);
  const [firstServer, ...joiningServers] = servers;
  const agents = plan.hosts.filter((h) => h.role === 'agent');

  if (servers.length > 1) await upEtcd(state, progress);
  const serverProcess = startKubelabd(kubelabdArgv(plan, firstServer!, timings), firstServer!);
  recordProcess(state, firstServer!.name, 'kubelabd', serverProcess);
  progress(`host ${firstServer!.name}: kubelabd server started (pid ${serverProcess.pid}), waiting for its API`);
  await waitForJoinToken(firstServer!, serverProcess.pid, 60_000); // the other servers and the agents read it from its file
  if (plan.apiLoadBalancer) await upLoadBalancer(state, progress);
  await copyKubeconfig(plan, 10_000);

  const pids: Record<string, number> = { [firstServer!.name]: serverProcess.pid };
  for (const server of joiningServers) {
    const joined = startKubelabd(kubelabdArgv(plan, server, timings), server);
    recordProcess(state, server.name, 'kubelabd', joined);
    pids[server.name] = joined.pid;
    progress(`host ${server.name}: kubelabd server started (pid ${joined.pid}), joining ${firstServer!.name}`);
  }
  for (const agent of agents) {
    const agentProcess = startKubelabd(kubelabdArgv(plan, agent, timings), agent);
    recordProcess(state, agent.name, 'kubelabd', agentProcess);
    pids[agent.name] = agentProcess.pid;
    progress(`host ${agent.name}: kubelabd agent started (pid ${agentProcess.pid})`);
  }
  progress(`waiting for ${plan.hosts.length} node(s) to be Ready`);
  await waitForNodesReady(plan, plan.hosts, pids, options.readyTimeoutMs, progress);

  state.phase = 'up';
  writeLabState(state);
  progress(`lab is up; try:  kubelab --kubeconfig ${plan.kubeconfigPath} get nodes -o wide`);
  return state;
}

/** Every server host's etcd member, started together: each becomes healthy once a majority runs. */
async function upEtcd(state: LabState, progress: (line: string) => void): Promise<void> {
  const members = serverHosts(state.plan);
  const started = members.map((host) => {
    const member = startEtcdMember(state.plan, host);
    recordProcess(state, host.name, 'etcd', member);
    progress(`host ${host.name}: etcd member started (pid ${member.pid})`);
    return member;
  });
  await Promise.all(members.map((host, i) => waitForEtcdMember(host, started[i]!.pid, 60_000)));
  progress(`etcd cluster of ${members.length} members healthy: ${etcdEndpoints(state.plan)}`);
}

async function upLoadBalancer(state: LabState, progress: (line: string) => void): Promise<void> {
  const plan: LabPlan = state.plan;
  const balancer = startLoadBalancer(plan);
  state.loadBalancer = balancer;
  writeLabState(state);
  await waitForLoadBalancer(plan, balancer.pid, 10_000);
  progress(`haproxy (pid ${balancer.pid}) fronts the API servers at ${labApiUrl(plan)}`);
}

/** A second `up` in the same DIR would fight the first over its names: refuse, and say what to do. */
function refuseRunningLab(dir: string): void {
  const existing = readLabState(dir);
  const leftovers = netnsWithPrefix(`${labPrefix(dir)}-`);
  if (existing || leftovers.length > 0) {
    throw new CliError(`a lab already exists in ${dir} (${existing ? `lab.json, phase ${existing.phase}` : `namespaces ${leftovers.join(', ')}`}); remove it first with "kubelab lab down --dir ${dir}", or use another --dir`);
  }
}
