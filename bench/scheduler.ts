// Scheduler throughput (issue 19's "scheduler" benchmark): placements per second with 100 and
// 1,000 simulated nodes and 1,000 pending pods, in process. It is the real scheduler
// (daemon/scheduler/scheduler.ts, its informers, filter, score and bind, events and the
// PodScheduled condition) against the real API semantics in memory (LocalClient →
// ResourceRegistry → NedbObjectStore without a data dir, as the component tests use them), on the
// real clock. No kubelet, no Docker: the nodes are Node objects that say Ready, so what is timed
// is the scheduler and the API work each placement causes, nothing else.
//
// Timed from the scheduler's start (1,000 pods already pending) until its onAttempt hook has
// counted 1,000 'scheduled' results. There is no baseline to run beside it: the figures it is
// read against are kube-scheduler's own in scheduler_perf (its integration benchmark, with an
// in-process API server and etcd), 300-1,000 pods/s depending on the plugins a test exercises.
//
// `npx tsx bench/main.ts scheduler` runs it alone; `node --cpu-prof --import tsx bench/main.ts
// scheduler` profiles it.

import { setMaxListeners } from 'node:events';
import { Scheduler, type SchedulingResult } from '../daemon/scheduler/scheduler.js';
import { EventRecorder } from '../daemon/events/event-recorder.js';
import { systemClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import type { Node, Pod } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { LocalClient } from '../daemon/api/local-client.js';
import { ResourceRegistry } from '../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../daemon/store/nedb-store.js';
import { median } from './stats.js';

/** kube-scheduler's scheduler_perf range, the figure this is read against (pods/s). */
export const KUBE_SCHEDULER_PODS_PER_SECOND = { low: 300, high: 1_000 };
/** Issue 19's target at 100 nodes. */
const TARGET_PODS_PER_SECOND = 2_000;

export interface SchedulerBenchRun {
  nodes: number;
  pods: number;
  /** Placements per second of wall time, one per round. */
  podsPerSecond: number[];
  /** Placements per second of this process's CPU time (user + system), one per round: what a loaded machine changes least. */
  podsPerCpuSecond: number[];
}

/** The API server's registry and store in memory (as test/helpers/test-cluster.ts builds it for component tests). */
async function inMemoryApi(): Promise<{ client: ApiClient; close: () => Promise<void> }> {
  const store = new NedbObjectStore({});
  await store.open();
  const registry = new ResourceRegistry({ store });
  await registry.ensureSystemNamespaces();
  return { client: new LocalClient(registry), close: () => store.close() };
}

/** A Node that says Ready, with room for many small pods. */
async function createReadyNode(client: ApiClient, name: string): Promise<void> {
  const created = await client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
  const resources = { cpu: '8', memory: '32Gi', pods: '110' };
  await client.updateStatus<Node>('nodes', { ...created, status: { capacity: resources, allocatable: resources, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } });
}

/** A pending pod with requests, so the resource fit and the balanced-allocation score have work to do. */
const pendingPod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'app', image: 'kubelab/hello:v1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

/** One round: a fresh in-memory API with `nodes` Ready nodes and `pods` pending pods; resolves with placements per second. */
async function oneRound(nodes: number, pods: number): Promise<{ wall: number; cpu: number }> {
  const cluster = await inMemoryApi();
  const abort = new AbortController();
  // The scheduler's seven informers and its queue all listen to it (kubelabd does the same).
  setMaxListeners(0, abort.signal);
  const recorder = new EventRecorder(cluster.client, { component: 'default-scheduler' }, systemClock, { onError: () => {} });
  try {
    for (let i = 0; i < nodes; i += 1) await createReadyNode(cluster.client, `node-${i}`);
    for (let i = 0; i < pods; i += 1) await cluster.client.create('pods', pendingPod(`pod-${i}`));
    let scheduled = 0;
    let failed = 0;
    let done!: () => void;
    const allPlaced = new Promise<void>((resolve) => (done = resolve));
    const onAttempt = (result: SchedulingResult) => {
      if (result === 'scheduled') scheduled += 1;
      else failed += 1;
      if (scheduled === pods) done();
    };
    const scheduler = new Scheduler({ client: cluster.client, recorder, clock: systemClock, log: silentLogger, onAttempt });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const running = scheduler.run(abort.signal);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`scheduler bench: ${scheduled} of ${pods} pods placed after 180 s (${failed} failed attempts)`)), 180_000).unref());
    await Promise.race([allPlaced, timeout]);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    abort.abort();
    await running;
    if (failed > 0) throw new Error(`scheduler bench: ${failed} attempts did not place their pod`);
    return { wall: pods / seconds, cpu: pods / cpuSeconds };
  } finally {
    abort.abort();
    await recorder.flush();
    await cluster.close();
  }
}

export async function benchScheduler(options: { nodeCounts?: number[]; pods?: number; rounds?: number } = {}): Promise<SchedulerBenchRun[]> {
  const pods = options.pods ?? 1_000;
  const rounds = options.rounds ?? 3;
  const runs: SchedulerBenchRun[] = [];
  for (const nodes of options.nodeCounts ?? [100, 1_000]) {
    const podsPerSecond: number[] = [];
    const podsPerCpuSecond: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const { wall, cpu } = await oneRound(nodes, pods);
      podsPerSecond.push(wall);
      podsPerCpuSecond.push(cpu);
      console.error(`[scheduler bench] ${nodes} nodes, round ${round + 1}: ${wall.toFixed(0)} pods/s, ${cpu.toFixed(0)} pods per CPU-second`);
    }
    runs.push({ nodes, pods, podsPerSecond, podsPerCpuSecond });
  }
  return runs;
}

export function formatSchedulerBench(runs: SchedulerBenchRun[]): string {
  const { low, high } = KUBE_SCHEDULER_PODS_PER_SECOND;
  return [
    `scheduler placements/s, in process (real scheduler, in-memory API), against kube-scheduler's ${low}-${high} pods/s in scheduler_perf`,
    ...runs.map((r) => {
      const m = median(r.podsPerSecond);
      const target = r.nodes === 100 ? ` (target >= ${TARGET_PODS_PER_SECOND})` : '';
      return (
        `  ${String(r.nodes).padStart(5)} nodes, ${r.pods} pending pods: median ${m.toFixed(0)} pods/s${target}, ` +
        `${(m / high).toFixed(2)}x-${(m / low).toFixed(2)}x of kube-scheduler (rounds: ${r.podsPerSecond.map((v) => v.toFixed(0)).join(', ')}); ` +
        `per CPU-second ${median(r.podsPerCpuSecond).toFixed(0)} (what a busy shared machine changes least)`
      );
    }),
  ].join('\n');
}
