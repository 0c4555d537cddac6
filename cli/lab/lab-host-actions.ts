// What `lab kill | restart | partition | heal | load` do to the hosts of a running lab. Each
// reads DIR/lab.json to find the host, acts, and says what it did in one line.
//
// kill is a power cut: SIGKILL for every process of the host (engine, containerd, shims,
// containers, kubelabd), and its mounts dropped, as a rebooting machine loses them. The host's
// namespace and cable stay, like a powered-off machine still plugged into the switch.
// restart is the power coming back: the engine starts on its old data root (its containers are
// there, stopped), then kubelabd with the same flags, which finds its pods and reconciles them.
// On a server host of a lab with several servers, its etcd member dies and comes back with it:
// it restarts on its data dir as the member it was and catches up from the others, before the
// host's server starts.

import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli-errors.js';
import { engineClient, loadImages, saveImages, startEngine } from './host-engine.js';
import { waitForEtcdMember } from './host-etcd.js';
import { dataDir, startKubelabd, waitForNodesReady } from './host-kubelabd.js';
import { setHostLink } from './host-network.js';
import { isRunning, killHostProcesses } from './host-processes.js';
import type { LabHostPlan } from './lab-plan.js';
import { readLabState, recordProcess, writeLabState, type LabState } from './lab-state.js';
import { unmountAllUnder } from './lab-mounts.js';
import { LAB_TOOLS } from './lab-up.js';
import { requireRootAndTools, spawnDetached } from './run-command.js';

/** The lab in DIR, or an error that says there is none. */
export function requireLab(dir: string): LabState {
  requireRootAndTools(LAB_TOOLS);
  const state = readLabState(path.resolve(dir));
  if (!state) throw new CliError(`no lab in ${path.resolve(dir)} (no ${path.join(path.resolve(dir), 'lab.json')}); start one with "kubelab lab up --dir ${dir}"`);
  return state;
}

export function requireHost(state: LabState, name: string): LabHostPlan {
  const host = state.plan.hosts.find((h) => h.name === name);
  if (!host) throw new CliError(`no node "${name}" in the lab in ${state.plan.dir}; its nodes are ${state.plan.hosts.map((h) => h.name).join(', ')}`);
  return host;
}

export async function killHost(state: LabState, host: LabHostPlan): Promise<string> {
  const killed = await killHostProcesses(host);
  // The engine's mounts and the kubelet's secret-volume tmpfs (data/pods/): a rebooted machine has neither.
  await unmountAllUnder([path.join(host.dir, 'docker'), host.execRoot, path.join(dataDir(host), 'pods')]);
  // The exec root is the host's /run: a rebooted machine starts with it empty (no stale pid files).
  fs.rmSync(host.execRoot, { recursive: true, force: true });
  const etcd = state.processes[host.name]?.etcd ? ', etcd' : '';
  return `${host.name}: plug pulled, ${killed} process(es) killed (engine, containers${etcd}, kubelabd)`;
}

/** Starts what is not running of a host: its engine, its etcd member, then kubelabd; waits for its Node to be Ready. */
export async function restartHost(state: LabState, host: LabHostPlan, readyTimeoutMs: number, progress: (line: string) => void): Promise<void> {
  const recorded = state.processes[host.name] ?? {};
  if (!isRunning(recorded.dockerd?.pid)) {
    const engine = await startEngine(host);
    recordProcess(state, host.name, 'dockerd', engine);
    progress(`host ${host.name}: Docker Engine up (pid ${engine.pid})`);
  }
  const etcd = recorded.etcd;
  if (etcd && !isRunning(etcd.pid)) {
    // The same command line: its data dir already names it a member, so it rejoins as one.
    const member = { ...etcd, pid: spawnDetached(etcd.argv, etcd.logFile) };
    recordProcess(state, host.name, 'etcd', member);
    progress(`host ${host.name}: etcd member started (pid ${member.pid}) on its data dir, rejoining the cluster`);
    await waitForEtcdMember(host, member.pid, readyTimeoutMs);
  }
  const kubelabd = recorded.kubelabd;
  if (!kubelabd) {
    progress(`host ${host.name}: this lab runs no kubelabd (hosts only)`);
    return;
  }
  let pid = kubelabd.pid;
  if (!isRunning(pid)) {
    pid = startKubelabd(kubelabd.argv, host).pid;
    recordProcess(state, host.name, 'kubelabd', { ...kubelabd, pid });
    progress(`host ${host.name}: kubelabd started (pid ${pid}), waiting for node ${host.name} to be Ready`);
  }
  await waitForNodesReady(state.plan, [host], { [host.name]: pid }, readyTimeoutMs, progress);
}

export async function partitionHost(host: LabHostPlan): Promise<string> {
  await setHostLink(host, false);
  return `${host.name}: cable ${host.hostVeth} cut (link down); "kubelab lab heal ${host.name}" plugs it back`;
}

export async function healHost(host: LabHostPlan): Promise<string> {
  await setHostLink(host, true);
  return `${host.name}: cable ${host.hostVeth} plugged back in (link up)`;
}

/** Copies images from the machine's engine into every running host's engine (kind load docker-image). */
export async function loadIntoLab(state: LabState, images: string[], progress: (line: string) => void): Promise<void> {
  const tarFiles = await saveImages(images, path.join(state.plan.dir, 'images'));
  for (const host of state.plan.hosts) {
    if (!isRunning(state.processes[host.name]?.dockerd?.pid)) {
      progress(`host ${host.name}: engine not running, skipped (restart it, then load again)`);
      continue;
    }
    await loadImages(host, tarFiles);
    progress(`host ${host.name}: loaded ${images.join(', ')}`);
  }
  state.images = [...new Set([...state.images, ...images])];
  writeLabState(state);
}

/** Whether a host's engine answers, for status. */
export async function engineAnswers(host: LabHostPlan): Promise<boolean> {
  try {
    await engineClient(host).ping();
    return true;
  } catch {
    return false;
  }
}
