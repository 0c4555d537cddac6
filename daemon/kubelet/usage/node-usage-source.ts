// The node's own usage, for NodeMetrics (`kubectl top nodes`).
//
// On a real host, the node is the machine: busy CPU time from /proc/stat and the working set from
// /proc/meminfo, as the kubelet reports its root cgroup. A simulated lab host shares the machine's
// /proc with its neighbours, so /proc would give all three the same numbers; what is its own is
// its engine's cgroup parent (--cgroup-parent /<lab>-<host>), under which every container of the
// host runs. `kubelabd --node-cgroup PATH` (which `kubelab lab` passes) makes that cgroup the node.

import { readFile } from 'node:fs/promises';
import { busyCpuNanosOfProcStat, workingSetBytesOfMeminfo } from '../../../lib/metrics/cgroup-files.js';
import { CGROUP_ROOT, cgroupLocationOfPath, readCgroupCounters } from './cgroup-usage-source.js';
import type { Counters, NodeUsageSource } from './usage-source.js';

export class ProcNodeUsageSource implements NodeUsageSource {
  readonly description = 'the whole machine (/proc/stat, /proc/meminfo)';

  async read(): Promise<Counters | undefined> {
    const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
    const cpuUsageNanos = busyCpuNanosOfProcStat(stat);
    const memoryWorkingSetBytes = workingSetBytesOfMeminfo(meminfo);
    if (cpuUsageNanos === undefined || memoryWorkingSetBytes === undefined) return undefined;
    return { cpuUsageNanos, memoryWorkingSetBytes };
  }
}

export class CgroupNodeUsageSource implements NodeUsageSource {
  readonly description: string;

  constructor(private readonly cgroupPath: string, private readonly root = CGROUP_ROOT) {
    this.description = `cgroup ${cgroupPath}`;
  }

  async read(): Promise<Counters | undefined> {
    const location = cgroupLocationOfPath(this.cgroupPath, this.root);
    return location ? readCgroupCounters(location) : undefined;
  }
}

/** The node's source: its cgroup when --node-cgroup names one, else the machine. */
export function nodeUsageSource(nodeCgroup: string | undefined): NodeUsageSource {
  return nodeCgroup ? new CgroupNodeUsageSource(nodeCgroup) : new ProcNodeUsageSource();
}
