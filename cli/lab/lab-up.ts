// `kubelab lab up`: builds a lab of N simulated hosts, in the order a person would: the wiring
// (bridge, namespaces, veths), then each host's Docker Engine with the local images loaded,
// then kubelabd (the server on node1 first, since agents join with its token), then waits until
// every Node is Ready. The whole plan goes to DIR/lab.json before anything is made, so a crash
// half way leaves `lab down` a complete list of what to remove.

import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli-errors.js';
import { LAB_IMAGES, loadImages, saveImages, startEngine } from './host-engine.js';
import { copyKubeconfig, kubelabdArgv, startKubelabd, waitForJoinToken, waitForNodesReady, type LabTimings } from './host-kubelabd.js';
import { ensureBridge, ensureHostNetwork, netnsWithPrefix, rootNetworksInUse } from './host-network.js';
import { labPrefix, pickLabSubnet, planLab } from './lab-plan.js';
import { readLabState, recordProcess, writeLabState, type LabState } from './lab-state.js';
import { requireRootAndTools } from './run-command.js';

export const LAB_TOOLS = ['ip', 'nsenter', 'dockerd', 'umount'];

export interface LabUpOptions {
  dir: string;
  nodes: number;
  /** Images beyond LAB_IMAGES to copy into every host. */
  extraImages: string[];
  timings: LabTimings;
  /** Bound on the wait for all Nodes to be Ready. */
  readyTimeoutMs: number;
  progress: (line: string) => void;
}

/** The host layer alone: wiring and engines with images, no kubelabd (the hosts test uses this). */
export async function upHosts(options: Omit<LabUpOptions, 'timings' | 'readyTimeoutMs'>): Promise<LabState> {
  requireRootAndTools(LAB_TOOLS);
  const dir = path.resolve(options.dir);
  refuseRunningLab(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  const subnet = pickLabSubnet(await rootNetworksInUse());
  const plan = planLab(dir, options.nodes, subnet);
  const images = [...new Set([...LAB_IMAGES, ...options.extraImages])];
  const state: LabState = { phase: 'building', createdAt: new Date().toISOString(), plan, images, processes: {} };
  writeLabState(state);

  const { progress } = options;
  progress(`lab ${plan.prefix}: ${plan.hosts.length} host(s) on ${plan.subnet}, state in ${dir}`);
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

/** The whole lab: hosts, then kubelabd server and agents, until every Node is Ready. */
export async function upLab(options: LabUpOptions): Promise<LabState> {
  const state = await upHosts(options);
  const { plan } = state;
  const { progress, timings } = options;
  const [server, ...agents] = plan.hosts;

  const serverProcess = startKubelabd(kubelabdArgv(plan, server!, timings), server!);
  recordProcess(state, server!.name, 'kubelabd', serverProcess);
  progress(`host ${server!.name}: kubelabd server started (pid ${serverProcess.pid}), waiting for its API`);
  await waitForJoinToken(server!, serverProcess.pid, 60_000); // the agents read it from its file
  await copyKubeconfig(plan, 10_000);

  const pids: Record<string, number> = { [server!.name]: serverProcess.pid };
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

/** A second `up` in the same DIR would fight the first over its names: refuse, and say what to do. */
function refuseRunningLab(dir: string): void {
  const existing = readLabState(dir);
  const leftovers = netnsWithPrefix(`${labPrefix(dir)}-`);
  if (existing || leftovers.length > 0) {
    throw new CliError(`a lab already exists in ${dir} (${existing ? `lab.json, phase ${existing.phase}` : `namespaces ${leftovers.join(', ')}`}); remove it first with "kubelab lab down --dir ${dir}", or use another --dir`);
  }
}
