// Picks the sampler's sources from kubelabd's flags (--usage-source, --node-cgroup).

import { DockerStatsUsageSource } from '../../runtime/docker-stats-usage-source.js';
import { CgroupUsageSource } from './cgroup-usage-source.js';
import { nodeUsageSource } from './node-usage-source.js';
import type { ContainerUsageSource, NodeUsageSource } from './usage-source.js';

export interface UsageFlags {
  usageSource: 'cgroup' | 'docker-stats';
  /** The cgroup that is this node (a lab host's engine cgroup parent); absent: the whole machine. */
  nodeCgroup?: string;
  dockerHost?: string;
  housekeepingIntervalMs: number;
}

export interface UsageSources {
  containers: ContainerUsageSource;
  node: NodeUsageSource;
  intervalMs: number;
}

export function usageSources(flags: UsageFlags): UsageSources {
  return {
    containers: flags.usageSource === 'docker-stats' ? new DockerStatsUsageSource(flags.dockerHost) : new CgroupUsageSource(),
    node: nodeUsageSource(flags.nodeCgroup),
    intervalMs: flags.housekeepingIntervalMs,
  };
}
