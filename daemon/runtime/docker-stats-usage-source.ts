// Container usage through the Docker Engine's stats endpoint: one
// `GET /containers/{id}/stats?stream=false&one-shot=true` per container and pass. The engine
// reads the same cgroup files (and more: network, block I/O, pids) and answers in JSON, so each
// container costs an HTTP round trip and a few KiB of JSON to parse instead of three small file
// reads. It is the source for an engine on another machine (--docker-host tcp://...), whose
// cgroup files this host cannot read; `npm run bench` compares the two.

import Docker from 'dockerode';
import { workingSetBytes } from '../../lib/metrics/cgroup-files.js';
import type { ContainerUsageSource, Counters, UsageTarget } from '../kubelet/usage/usage-source.js';
import { dockerConnection } from './docker-runtime.js';

/** The part of Docker's stats answer we read (v1 names its file counter total_inactive_file, v2 inactive_file). */
interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/** Counters from one stats answer; undefined when it has none (a stopped container). */
export function countersOfDockerStats(stats: DockerStats): Counters | undefined {
  const cpu = stats.cpu_stats?.cpu_usage?.total_usage;
  const usage = stats.memory_stats?.usage;
  if (cpu === undefined || usage === undefined) return undefined;
  return { cpuUsageNanos: cpu, memoryWorkingSetBytes: workingSetBytes(usage, new Map(Object.entries(stats.memory_stats?.stats ?? {}))) };
}

export class DockerStatsUsageSource implements ContainerUsageSource {
  readonly name = 'docker-stats';
  private readonly docker: Docker;

  constructor(dockerHost?: string) {
    this.docker = new Docker(dockerConnection(dockerHost));
  }

  async read(target: UsageTarget): Promise<Counters | undefined> {
    try {
      // one-shot: answer at once instead of waiting a second to fill precpu_stats, which we do not use.
      const stats = (await this.docker.getContainer(target.id).stats({ stream: false, 'one-shot': true } as { stream: false })) as DockerStats;
      return countersOfDockerStats(stats);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  retain(): void {
    // nothing remembered
  }
}
