// Reading a container's usage out of the kernel's cgroup files, as cAdvisor does for the kubelet.
//
// The kernel counts, for every cgroup, the CPU time its processes used (a counter that only
// grows) and the memory charged to it. A container is one cgroup; so is a lab host's engine
// (its --cgroup-parent). Two layouts exist:
// - cgroup v1: one hierarchy per controller. CPU time is `cpuacct.usage` (nanoseconds) under the
//   cpuacct hierarchy; memory is `memory.usage_in_bytes` and `memory.stat` under memory.
// - cgroup v2: one unified hierarchy. CPU time is `usage_usec` in `cpu.stat` (microseconds);
//   memory is `memory.current` and `memory.stat`.
//
// The "working set" is what kubectl top and the kubelet's eviction call memory in use: the usage
// minus the page cache the kernel may drop at once (inactive_file). It is never below zero.
//
// Everything here is pure: it parses text the caller read. daemon/kubelet/usage/ reads the files.

/** Which cgroup a process is in, from /proc/<pid>/cgroup: v1 paths by controller, or the v2 path. */
export interface ProcessCgroups {
  /** v1: controller name (`cpuacct`, `memory`, ...) → path inside that hierarchy. */
  v1: Record<string, string>;
  /** v2: the path in the unified hierarchy (the `0::` line), when there is one. */
  unified?: string;
}

/**
 * Parses /proc/<pid>/cgroup. Each line is `id:controllers:path`; v1 lines name their controllers
 * (comma-separated, `cpu,cpuacct` when mounted together), the v2 line has id 0 and none.
 */
export function parseProcCgroup(text: string): ProcessCgroups {
  const result: ProcessCgroups = { v1: {} };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const cgroupPath = line.slice(second + 1);
    if (line.slice(0, first) === '0' && controllers === '') result.unified = cgroupPath;
    else for (const controller of controllers.split(',')) if (controller) result.v1[controller] = cgroupPath;
  }
  return result;
}

/** `key value` lines (memory.stat, cpu.stat) as numbers by key. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) values.set(line.slice(0, space), value);
  }
  return values;
}

/**
 * The working set from a cgroup's memory usage and its memory.stat: usage minus inactive file
 * pages. v1 reports the cgroup's own and its children's pages as `total_inactive_file` (what the
 * kubelet uses); v2 has one `inactive_file` that includes children.
 */
export function workingSetBytes(usageBytes: number, memoryStat: Map<string, number>): number {
  const inactiveFile = memoryStat.get('total_inactive_file') ?? memoryStat.get('inactive_file') ?? 0;
  return Math.max(0, usageBytes - inactiveFile);
}

/** CPU time used, in nanoseconds, from v2's cpu.stat (`usage_usec`). */
export function cpuUsageNanosOfCpuStat(cpuStat: Map<string, number>): number | undefined {
  const usec = cpuStat.get('usage_usec');
  return usec === undefined ? undefined : usec * 1000;
}

/**
 * The kernel reports CPU time in /proc/stat in USER_HZ ticks, which is 100 per second on every
 * Linux architecture kubelab runs on (it is part of the ABI, unlike the kernel's internal HZ).
 */
export const USER_HZ = 100;

/**
 * The whole machine's busy CPU time in nanoseconds, from the first (`cpu `) line of /proc/stat:
 * user + nice + system + irq + softirq + steal. Idle and iowait are time the CPUs did not work;
 * guest time is already inside user. Undefined when the line is missing.
 */
export function busyCpuNanosOfProcStat(text: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) * (1e9 / USER_HZ);
}

/**
 * The machine's memory working set from /proc/meminfo, defined as for the root cgroup: memory in
 * use (total minus free) minus the inactive file pages, in bytes. Undefined when a field is missing.
 */
export function workingSetBytesOfMeminfo(text: string): number | undefined {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([^:]+):\s+(\d+)/.exec(line);
    if (match) kib.set(match[1]!, Number(match[2]));
  }
  const total = kib.get('MemTotal');
  const free = kib.get('MemFree');
  const inactiveFile = kib.get('Inactive(file)');
  if (total === undefined || free === undefined || inactiveFile === undefined) return undefined;
  return Math.max(0, total - free - inactiveFile) * 1024;
}
