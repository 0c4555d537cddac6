// Density (issue 19): how many pods one kubelabd carries, and what it costs at rest.
//
// - one node: 100 pods created at once on a kubelabd of its own (its node allows 110), time until
//   all are Running, against the same 100 pods' containers started straight through the Docker
//   API, 100 at once (bench/docker-pods.ts: pause infra on the daemon's pod network with a
//   shareable IPC namespace, hello app joined to it), interleaved rounds;
// - at rest: the daemon's RSS and CPU with no pod and with 50 Running pods, sampled from
//   /proc/PID after 20 s of quiet (server and node agent in one process, as `kubelabd server`
//   runs; goal <= 80 MB with 50 pods). KUBELAB_BENCH_DENSITY_ROUNDS=N sets the rounds of the
//   one-node and lab parts (2 by default). KUBELAB_BENCH_HEAP_SNAPSHOT=1 also writes a heap snapshot
//   of the daemon with 50 pods (node's --heapsnapshot-signal) into the current directory, and
//   KUBELAB_BENCH_DAEMON_NODE_ARGS='--max-semi-space-size=1' starts the daemon with node flags;
// - a lab: 200 pods on a simulated three-host lab (`kubelab lab up --nodes 3`), created at once,
//   time until all are Running (bench/main.ts `density-lab`; no baseline: no single Docker API
//   starts containers on three hosts).
//
// Its own daemon, not the one the other benchmarks share: RSS at rest must not carry what earlier
// benchmarks left behind.

import fs from 'node:fs/promises';
import Docker from 'dockerode';
import type { Pod } from '../lib/api/types.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import { TestDaemon } from '../harness/test-daemon.js';
import { TestLab } from '../harness/test-lab.js';
import { removeBenchContainers, startPodContainers, untilPodsGone } from './docker-pods.js';
import { createAndWaitRunning, deleteAndWaitGone } from './pod-burst.js';
import { median } from './stats.js';

const RSS_GOAL_MB = 80;
const QUIET_MS = 20_000;

export interface AtRest {
  pods: number;
  rssMb: number;
  /** Share of one core over the sampling window. */
  cpuPercent: number;
}

export interface DensityReport {
  pods: number;
  rounds: number;
  allRunningMs: number[];
  dockerMs: number[];
  atRest: AtRest[];
  heapSnapshot?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** utime + stime of the process, in seconds (clock ticks of 1/100 s on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** After QUIET_MS of quiet: median RSS of 10 samples a second apart, and CPU over those 10 s. */
async function sampleAtRest(pid: number, pods: number): Promise<AtRest> {
  await sleep(QUIET_MS);
  const cpuBefore = await cpuSeconds(pid);
  const started = performance.now();
  const rss: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    rss.push(await rssMb(pid));
    await sleep(1000);
  }
  const cpu = (await cpuSeconds(pid)) - cpuBefore;
  return { pods, rssMb: median(rss), cpuPercent: (cpu / ((performance.now() - started) / 1000)) * 100 };
}

async function dockerAllAtOnce(docker: Docker, network: string, pods: number, round: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: pods }, (_, i) => startPodContainers(docker, network, `kubelab-bench-density-${round}-${i}`, 'density')));
  const elapsed = performance.now() - started;
  await removeBenchContainers(docker, 'density');
  return elapsed;
}

export async function benchDensity(options: { pods?: number; rounds?: number } = {}): Promise<DensityReport> {
  const pods = options.pods ?? 100;
  const rounds = options.rounds ?? Number(process.env.KUBELAB_BENCH_DENSITY_ROUNDS ?? 2);
  const snapshot = Boolean(process.env.KUBELAB_BENCH_HEAP_SNAPSHOT);
  const nodeArgs = [...(process.env.KUBELAB_BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : [])];
  const daemon = await TestDaemon.start({ nodeArgs });
  const client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  const docker = new Docker();
  const report: DensityReport = { pods, rounds, allRunningMs: [], dockerMs: [], atRest: [] };
  const progress = (what: string) => console.error(`[density] ${new Date().toISOString()} ${what}`);
  const created: string[] = [];
  try {
    const pid = daemon.pid!;
    progress('at rest, no pods');
    report.atRest.push(await sampleAtRest(pid, 0));
    const fifty = Array.from({ length: 50 }, (_, i) => `rest-${i}`);
    created.push(...fifty);
    await createAndWaitRunning(client, fifty, 'density-rest');
    progress('at rest, 50 pods');
    report.atRest.push(await sampleAtRest(pid, 50));
    if (snapshot) {
      const before = new Set(await fs.readdir('.'));
      process.kill(pid, 'SIGUSR2');
      for (let i = 0; i < 120 && !report.heapSnapshot; i += 1) {
        await sleep(500);
        report.heapSnapshot = (await fs.readdir('.')).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
      }
      await sleep(2000); // written in one go once named; give it time to finish
    }
    await deleteAndWaitGone(client, docker, fifty);
    for (let round = 0; round < rounds; round += 1) {
      const names = Array.from({ length: pods }, (_, i) => `density-${round}-${i}`);
      created.push(...names);
      progress(`round ${round + 1}: ${pods} pods at once`);
      const started = performance.now();
      await createAndWaitRunning(client, names, 'density');
      report.allRunningMs.push(performance.now() - started);
      await deleteAndWaitGone(client, docker, names);
      progress(`round ${round + 1}: ${pods} pods' containers through the Docker API`);
      report.dockerMs.push(await dockerAllAtOnce(docker, daemon.network, pods, round));
    }
  } finally {
    await deleteAndWaitGone(client, docker, created).catch(() => undefined);
    await removeBenchContainers(docker, 'density');
    client.close();
    await daemon.cleanup();
  }
  return report;
}

const atRestLine = (a: AtRest) =>
  `  at rest with ${String(a.pods).padStart(2)} pods: RSS ${a.rssMb.toFixed(0)} MB${a.pods === 50 ? ` (goal <= ${RSS_GOAL_MB} MB)` : ''}, CPU ${a.cpuPercent.toFixed(1)} % of a core`;

export function formatDensity(r: DensityReport): string {
  const k = median(r.allRunningMs);
  const d = median(r.dockerMs);
  if (r.allRunningMs.length === 0) return ['density, one node (no rounds of pods at once)', ...r.atRest.map(atRestLine)].join('\n');
  return [
    `density, one node: ${r.pods} pods created at once until all Running vs their containers through the Docker API, ${r.pods} at once`,
    `  kubelab median ${(k / 1000).toFixed(1)} s, docker median ${(d / 1000).toFixed(1)} s, ratio ${(k / d).toFixed(2)}x (rounds: kubelab ${r.allRunningMs.map((v) => (v / 1000).toFixed(1)).join(', ')} s; docker ${r.dockerMs.map((v) => (v / 1000).toFixed(1)).join(', ')} s)`,
    ...r.atRest.map(atRestLine),
    ...(r.heapSnapshot ? [`  heap snapshot of the daemon with 50 pods: ${r.heapSnapshot}`] : []),
  ].join('\n');
}

export interface LabDensityReport {
  pods: number;
  nodes: number;
  rounds: number;
  allRunningMs: number[];
  perNode: Record<string, number>;
}

/** 200 pods on a three-host lab, created at once, until all are Running; `rounds` times. */
export async function benchLabDensity(options: { pods?: number; rounds?: number } = {}): Promise<LabDensityReport> {
  const pods = options.pods ?? 200;
  const rounds = options.rounds ?? Number(process.env.KUBELAB_BENCH_DENSITY_ROUNDS ?? 2);
  const progress = (what: string) => console.error(`[density lab] ${new Date().toISOString()} ${what}`);
  progress('kubelab lab up --nodes 3');
  const lab = await TestLab.up(3);
  const client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
  const engines = ['node1', 'node2', 'node3'].map((node) => lab.engine(node));
  const report: LabDensityReport = { pods, nodes: 3, rounds, allRunningMs: [], perNode: {} };
  try {
    for (let round = 0; round < rounds; round += 1) {
      const names = Array.from({ length: pods }, (_, i) => `lab-density-${round}-${i}`);
      progress(`round ${round + 1}: ${pods} pods at once`);
      const started = performance.now();
      await createAndWaitRunning(client, names, 'density-lab', 300_000);
      report.allRunningMs.push(performance.now() - started);
      const placed = (await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'bench=density-lab' })).items;
      report.perNode = {};
      for (const pod of placed) report.perNode[pod.spec.nodeName ?? '?'] = (report.perNode[pod.spec.nodeName ?? '?'] ?? 0) + 1;
      await Promise.all(names.map((name) => client.delete('pods', 'default', name, { gracePeriodSeconds: 0 }).catch(() => undefined)));
      await untilPodsGone(client, engines, names, 300_000);
    }
  } finally {
    client.close();
    progress('kubelab lab down');
    await lab.down();
  }
  return report;
}

export function formatLabDensity(r: LabDensityReport): string {
  return [
    `density, lab: ${r.pods} pods on a ${r.nodes}-host simulated lab, created at once, until all Running (no baseline)`,
    `  median ${(median(r.allRunningMs) / 1000).toFixed(1)} s (rounds: ${r.allRunningMs.map((v) => (v / 1000).toFixed(1)).join(', ')} s); placed ${Object.entries(r.perNode).map(([n, c]) => `${n} ${c}`).join(', ')}`,
  ].join('\n');
}
