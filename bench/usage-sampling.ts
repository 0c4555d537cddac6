// The cost of the kubelet's usage sampling (daemon/kubelet/usage/): one pass over 50 running pods,
// read from the cgroup files (kubelab's default) and, side by side, through one Docker stats call
// per container (the baseline, and --usage-source docker-stats). For each pass: the CPU time this
// process (the node agent's sampler) spent, from process.cpuUsage(), and the CPU time the Docker
// Engine spent answering, from /proc/<dockerd>/stat. Medians over several passes after a warm-up.
// The pods are made straight through kubelab's DockerRuntime on a node name of their own, and
// removed by that label afterwards.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { systemClock } from '../lib/clock.js';
import { CgroupUsageSource } from '../daemon/kubelet/usage/cgroup-usage-source.js';
import { ProcNodeUsageSource } from '../daemon/kubelet/usage/node-usage-source.js';
import { UsageSampler } from '../daemon/kubelet/usage/usage-sampler.js';
import type { ContainerUsageSource } from '../daemon/kubelet/usage/usage-source.js';
import { DockerRuntime } from '../daemon/runtime/docker-runtime.js';
import { DockerStatsUsageSource } from '../daemon/runtime/docker-stats-usage-source.js';
import { removeContainersOfNode } from '../harness/test-daemon.js';
import { median } from './stats.js';

const PODS = 50;
const PASSES = 10;
const IMAGE = 'kubelab/busybox:1';

export interface SamplingCost {
  source: string;
  pods: number;
  passes: number;
  /** Median CPU time of the sampler's process per pass, in ms. */
  agentCpuMs: number;
  /** Median CPU time of dockerd per pass, in ms. */
  engineCpuMs: number;
  /** Median wall time of a pass, in ms. */
  wallMs: number;
}

/** dockerd's CPU time so far (utime + stime), in ms; undefined when its pid is unknown. */
function dockerdCpuMs(): number | undefined {
  try {
    const pid = fs.readFileSync('/var/run/docker.pid', 'utf8').trim();
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // fields 14 and 15 of stat, in 1/100 s
  } catch {
    return undefined;
  }
}

async function measure(runtime: DockerRuntime, nodeName: string, containers: ContainerUsageSource): Promise<SamplingCost> {
  const sampler = new UsageSampler({ nodeName, runtime, containers, node: new ProcNodeUsageSource(), clock: systemClock, intervalMs: 10_000 });
  await sampler.sampleOnce(); // warm-up: finds every cgroup, fills the runtime's inspect cache
  const agent: number[] = [];
  const engine: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const engineBefore = dockerdCpuMs();
    const cpuBefore = process.cpuUsage();
    const startedMs = performance.now();
    const report = await sampler.sampleOnce();
    wall.push(performance.now() - startedMs);
    const cpu = process.cpuUsage(cpuBefore);
    agent.push((cpu.user + cpu.system) / 1000);
    const engineAfter = dockerdCpuMs();
    if (engineBefore !== undefined && engineAfter !== undefined) engine.push(engineAfter - engineBefore);
    if (report.pods.length !== PODS) throw new Error(`a ${containers.name} pass reported ${report.pods.length} pods, not ${PODS}`);
  }
  return { source: containers.name, pods: PODS, passes: PASSES, agentCpuMs: median(agent), engineCpuMs: median(engine), wallMs: median(wall) };
}

export async function benchUsageSampling(): Promise<SamplingCost[]> {
  const runtime = new DockerRuntime();
  const nodeName = `kl-bench-usage-${randomUUID().slice(0, 8)}`;
  try {
    for (let start = 0; start < PODS; start += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, PODS - start) }, async (_, i) => {
          const pod = { uid: randomUUID(), namespace: 'bench', name: `usage-${start + i}` };
          const sandbox = await runtime.runPodSandbox({ pod, nodeName, hostname: pod.name });
          const id = await runtime.createContainer(sandbox.id, {
            pod, nodeName, name: 'app', image: IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"],
            env: [], mounts: [], restartCount: 0, specHash: 'bench',
          });
          await runtime.startContainer(id);
        }),
      );
    }
    return [await measure(runtime, nodeName, new CgroupUsageSource()), await measure(runtime, nodeName, new DockerStatsUsageSource())];
  } finally {
    await removeContainersOfNode(nodeName);
  }
}

export function formatUsageSampling(costs: SamplingCost[]): string {
  const [cgroup, stats] = costs;
  const line = (c: SamplingCost) =>
    `  ${c.source.padEnd(12)} agent CPU ${c.agentCpuMs.toFixed(1)} ms, engine CPU ${c.engineCpuMs.toFixed(0)} ms, wall ${c.wallMs.toFixed(1)} ms per pass`;
  const ratio = cgroup && stats ? `\n  cgroup files cost ${((stats.agentCpuMs + stats.engineCpuMs) / (cgroup.agentCpuMs + cgroup.engineCpuMs)).toFixed(1)}x less CPU (agent + engine) than Docker stats` : '';
  return [`usage sampling: one pass over ${cgroup?.pods ?? 0} pods (median of ${cgroup?.passes ?? 0})`, ...costs.map(line)].join('\n') + ratio;
}
