// Container usage from the kernel's cgroup files, as cAdvisor reads them for the kubelet.
//
// A container's cgroup is found once, from its main process: /proc/<pid>/cgroup names the path
// in each hierarchy, whatever cgroup driver or --cgroup-parent the engine used (a lab host's
// engine puts its containers below /<lab>-<host>). It is remembered by container id, so a pass
// costs three small reads per container: the CPU counter, the memory usage and memory.stat.
// The parsing is pure (lib/metrics/cgroup-files.ts); this file only opens files.

import { readFile } from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import { cpuUsageNanosOfCpuStat, parseFlatKeyed, parseProcCgroup, workingSetBytes } from '../../../lib/metrics/cgroup-files.js';
import type { ContainerUsageSource, Counters, UsageTarget } from './usage-source.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** Where a cgroup's files are: v1 needs the cpuacct and memory hierarchies, v2 one directory. */
export type CgroupLocation = { version: 1; cpuacctDir: string; memoryDir: string } | { version: 2; dir: string };

/** True when /sys/fs/cgroup is the unified (v2) hierarchy itself. */
export function isUnifiedHierarchy(root = CGROUP_ROOT): boolean {
  return fs.existsSync(path.join(root, 'cgroup.controllers'));
}

/** The v1 hierarchy a controller is mounted at (`cpuacct` may be `cpu,cpuacct`, reachable as a link). */
function v1Hierarchy(root: string, controller: string): string {
  return path.join(root, controller);
}

/** The files of a cgroup named by its path (as /proc/<pid>/cgroup or --cgroup-parent write it). */
export function cgroupLocation(cgroupPath: { v1cpuacct?: string; v1memory?: string; unified?: string }, root = CGROUP_ROOT): CgroupLocation | undefined {
  if (isUnifiedHierarchy(root)) return cgroupPath.unified === undefined ? undefined : { version: 2, dir: path.join(root, cgroupPath.unified) };
  if (cgroupPath.v1cpuacct === undefined || cgroupPath.v1memory === undefined) return undefined;
  return { version: 1, cpuacctDir: path.join(v1Hierarchy(root, 'cpuacct'), cgroupPath.v1cpuacct), memoryDir: path.join(v1Hierarchy(root, 'memory'), cgroupPath.v1memory) };
}

/** The same path in every hierarchy: how a cgroup parent like /kubelab-node1 is named. */
export function cgroupLocationOfPath(cgroupPath: string, root = CGROUP_ROOT): CgroupLocation | undefined {
  return cgroupLocation({ v1cpuacct: cgroupPath, v1memory: cgroupPath, unified: cgroupPath }, root);
}

/** A cgroup's counters now; undefined when its directory is gone. */
export async function readCgroupCounters(location: CgroupLocation): Promise<Counters | undefined> {
  try {
    if (location.version === 1) {
      const [usage, memoryUsage, memoryStat] = await Promise.all([
        readFile(path.join(location.cpuacctDir, 'cpuacct.usage'), 'utf8'),
        readFile(path.join(location.memoryDir, 'memory.usage_in_bytes'), 'utf8'),
        readFile(path.join(location.memoryDir, 'memory.stat'), 'utf8'),
      ]);
      return { cpuUsageNanos: Number(usage), memoryWorkingSetBytes: workingSetBytes(Number(memoryUsage), parseFlatKeyed(memoryStat)) };
    }
    const [cpuStat, memoryCurrent, memoryStat] = await Promise.all([
      readFile(path.join(location.dir, 'cpu.stat'), 'utf8'),
      readFile(path.join(location.dir, 'memory.current'), 'utf8'),
      readFile(path.join(location.dir, 'memory.stat'), 'utf8'),
    ]);
    const cpuUsageNanos = cpuUsageNanosOfCpuStat(parseFlatKeyed(cpuStat));
    if (cpuUsageNanos === undefined) return undefined;
    return { cpuUsageNanos, memoryWorkingSetBytes: workingSetBytes(Number(memoryCurrent), parseFlatKeyed(memoryStat)) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // the container stopped between list and read
    throw err;
  }
}

export class CgroupUsageSource implements ContainerUsageSource {
  readonly name = 'cgroup';
  private readonly locations = new Map<string, CgroupLocation>();

  constructor(private readonly root = CGROUP_ROOT) {}

  async read(target: UsageTarget): Promise<Counters | undefined> {
    let location = this.locations.get(target.id);
    if (!location) {
      if (!target.pid) return undefined;
      location = await this.locate(target.pid);
      if (!location) return undefined;
      this.locations.set(target.id, location);
    }
    return readCgroupCounters(location);
  }

  retain(ids: ReadonlySet<string>): void {
    for (const id of this.locations.keys()) if (!ids.has(id)) this.locations.delete(id);
  }

  private async locate(pid: number): Promise<CgroupLocation | undefined> {
    let text: string;
    try {
      text = await readFile(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      return undefined; // the process ended
    }
    const cgroups = parseProcCgroup(text);
    return cgroupLocation({ v1cpuacct: cgroups.v1.cpuacct, v1memory: cgroups.v1.memory, unified: cgroups.unified }, this.root);
  }
}
