// Where the kubelet's sampler reads counters from. Two sources implement it:
// - CgroupUsageSource (cgroup-usage-source.ts): the kernel's cgroup files, as cAdvisor does: a
//   few small file reads per container, no engine round trip. The default.
// - DockerStatsUsageSource (daemon/runtime/docker-stats-usage-source.ts): one `GET
//   /containers/{id}/stats?stream=false&one-shot=true` per container. For an engine on another
//   machine (--docker-host tcp://...), whose cgroup files this host cannot read.
// `npm run bench` measures both; the numbers are in README.md ("Resource usage").

/** What a container's reading needs: its engine id and, for the cgroup files, its main process. */
export interface UsageTarget {
  id: string;
  pid?: number;
}

/** Cumulative CPU time and the memory working set of one cgroup, right now. */
export interface Counters {
  cpuUsageNanos: number;
  memoryWorkingSetBytes: number;
}

export interface ContainerUsageSource {
  /** Which implementation (for logs and the bench). */
  readonly name: string;
  /** The container's counters; undefined when it is gone or cannot be read (it is left out of this pass). */
  read(target: UsageTarget): Promise<Counters | undefined>;
  /** Drops what is remembered about containers that no longer exist. */
  retain(ids: ReadonlySet<string>): void;
}

/** The node's own counters (the machine's, or its cgroup's on a simulated lab host). */
export interface NodeUsageSource {
  readonly description: string;
  read(): Promise<Counters | undefined>;
}
