// Which processes belong to a simulated host, and pulling its plug. A host's processes are the
// ones in its network namespace (dockerd, containerd, the shims, kubelabd) plus its containers,
// which live in network namespaces of their own (one per pod) but all sit in cgroups below the
// host's --cgroup-parent. Nothing else is ever in either place, so killing all of them is safe.

import fs from 'node:fs';
import path from 'node:path';
import type { LabHostPlan } from './lab-plan.js';
import { runAllowingFailure, sleep } from './run-command.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** Every pid of the host: in its netns, or in a cgroup below its cgroup parent. */
export async function hostPids(host: Pick<LabHostPlan, 'netns' | 'cgroupParent'>): Promise<number[]> {
  const pids = new Set<number>();
  const inNetns = await runAllowingFailure('ip', ['netns', 'pids', host.netns]);
  if (inNetns.code === 0) for (const word of inNetns.stdout.split(/\s+/)) if (/^\d+$/.test(word)) pids.add(Number(word));
  for (const dir of cgroupDirsNamed(host.cgroupParent.replace(/^\//, ''))) {
    for (const pid of readProcsBelow(dir)) pids.add(pid);
  }
  return [...pids];
}

/**
 * SIGKILL, as a power cut: no process gets to clean up. Repeats until none is left, because a
 * shim may be starting a container while we kill. Resolves with how many processes died.
 */
export async function killHostProcesses(host: Pick<LabHostPlan, 'name' | 'netns' | 'cgroupParent'>, timeoutMs = 15_000): Promise<number> {
  const killed = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = (await hostPids(host)).filter(isRunning);
    if (pids.length === 0) {
      await waitUntilReaped([...killed], 5_000);
      return killed.size;
    }
    if (Date.now() > deadline) {
      throw new Error(`host ${host.name}: processes ${pids.join(', ')} still run ${timeoutMs / 1000} s after SIGKILL (stuck in the kernel, state D?)`);
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // gone already
      }
    }
    await sleep(100);
  }
}

/**
 * Waits until killed processes are gone from /proc, not only dead: a zombie still has its pid,
 * and a restarted dockerd that finds its old containerd's pid "still running" waits on it in vain.
 * Our detached processes are reaped by init; this gives it a moment.
 */
async function waitUntilReaped(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((pid) => fs.existsSync(`/proc/${pid}`)) && Date.now() < deadline) await sleep(50);
}

/** True when `pid` exists and is not a zombie (a killed process whose parent has not reaped it). */
export function isRunning(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * The directories named `name` directly under each cgroup hierarchy: with cgroup v1 one per
 * controller (cpu/NAME, memory/NAME, ...), with v2 the single /sys/fs/cgroup/NAME.
 */
export function cgroupDirsNamed(name: string): string[] {
  return cgroupHierarchies()
    .map((root) => path.join(root, name))
    .filter((dir) => fs.existsSync(dir));
}

/** Cgroup directories of any hierarchy whose name starts with `prefix` (a lab's hosts). */
export function cgroupDirsWithPrefix(prefix: string): string[] {
  const out: string[] = [];
  for (const root of cgroupHierarchies()) {
    for (const entry of safeReaddir(root)) if (entry.startsWith(prefix)) out.push(path.join(root, entry));
  }
  return out;
}

/** Removes a cgroup tree, deepest first: cgroup directories go with rmdir once they hold no process. */
export function removeCgroupTree(dir: string): void {
  for (const entry of safeReaddir(dir)) {
    const child = path.join(dir, entry);
    if (isDirectory(child)) removeCgroupTree(child);
  }
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot remove cgroup ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

function cgroupHierarchies(): string[] {
  if (fs.existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'))) return [CGROUP_ROOT];
  return safeReaddir(CGROUP_ROOT)
    .map((entry) => path.join(CGROUP_ROOT, entry))
    .filter((dir) => !isSymlink(dir) && fs.existsSync(path.join(dir, 'cgroup.procs')));
}

function readProcsBelow(dir: string): number[] {
  const pids: number[] = [];
  try {
    for (const line of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.push(Number(line));
  } catch {
    // removed meanwhile
  }
  for (const entry of safeReaddir(dir)) {
    const child = path.join(dir, entry);
    if (isDirectory(child)) pids.push(...readProcsBelow(child));
  }
  return pids;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
