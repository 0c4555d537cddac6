// Pod start burst (issue 19): 30 pods created at once, p50 and p99 of each pod's create → Running,
// against the same 30 pods' containers started straight through the Docker API with the same
// concurrency (30 at once). Interleaved rounds so machine noise hits both alike.
//
// kubelab: the 30 creates are sent together; each pod's time runs from just before its create
// request until one watch on their label sees it Running. The baseline does what the kubelet
// does, on the same engine and network: per pod, the pause infra container on the daemon's pod
// network (a user-defined bridge) with a shareable IPC namespace, then the hello app container
// joined to its network and IPC namespaces (bench/docker-pods.ts); each pod's time runs until its
// app container has started. Every round waits until the pods (and their containers) of the
// previous one are gone, so neither side pays for the other's teardown.

import Docker from 'dockerode';
import type { Pod } from '../lib/api/types.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import type { TestDaemon } from '../harness/test-daemon.js';
import { APP_IMAGE, removeBenchContainers, startPodContainers, untilPodsGone } from './docker-pods.js';
import { median, percentile } from './stats.js';

const BURST = 30;

export interface PodBurstReport {
  pods: number;
  rounds: number;
  kubelab: { p50: number[]; p99: number[] };
  docker: { p50: number[]; p99: number[] };
}

/** Creates `names` at once; resolves with each pod's ms from its create to Running. */
export async function createAndWaitRunning(client: RestClient, names: string[], label: string, timeoutMs = 180_000): Promise<number[]> {
  const listed = await client.list<Pod>('pods', { namespace: 'default', labelSelector: `bench=${label}` });
  const sentAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  let allRunning!: () => void;
  let failed!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    allRunning = resolve;
    failed = reject;
  });
  const watch = client.watch<Pod>('pods', { namespace: 'default', labelSelector: `bench=${label}`, resourceVersion: listed.metadata.resourceVersion }, (event) => {
    if (event.type === 'ERROR') return failed(new Error(`watch failed: ${JSON.stringify(event.object)}`));
    const name = event.object.metadata.name!;
    if (event.object.status?.phase === 'Running' && !runningAt.has(name)) {
      runningAt.set(name, performance.now());
      if (runningAt.size === names.length) allRunning();
    }
  });
  watch.done.catch((err: Error) => failed(err));
  const timer = setTimeout(() => failed(new Error(`${runningAt.size} of ${names.length} pods Running after ${timeoutMs} ms`)), timeoutMs);
  try {
    await Promise.all(
      names.map(async (name) => {
        sentAt.set(name, performance.now());
        await client.create<Pod>('pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'default', labels: { bench: label } },
          spec: { containers: [{ name: 'web', image: APP_IMAGE }], terminationGracePeriodSeconds: 0 },
        });
      }),
    );
    await done;
  } finally {
    clearTimeout(timer);
    watch.stop();
  }
  return names.map((name) => runningAt.get(name)! - sentAt.get(name)!);
}

/** Deletes the pods `names` and waits until they and their containers are gone. */
export async function deleteAndWaitGone(client: RestClient, docker: Docker, names: string[]): Promise<void> {
  await Promise.all(names.map((name) => client.delete('pods', 'default', name, { gracePeriodSeconds: 0 }).catch(() => undefined)));
  await untilPodsGone(client, docker, names);
}

async function dockerBurst(docker: Docker, network: string, round: number): Promise<number[]> {
  const times = await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const started = performance.now();
      await startPodContainers(docker, network, `kubelab-bench-burst-${round}-${i}`, 'pod-burst');
      return performance.now() - started;
    }),
  );
  await removeBenchContainers(docker, 'pod-burst');
  return times;
}

export async function benchPodBurst(daemon: TestDaemon, rounds = 3): Promise<PodBurstReport> {
  const client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  const docker = new Docker();
  const report: PodBurstReport = { pods: BURST, rounds, kubelab: { p50: [], p99: [] }, docker: { p50: [], p99: [] } };
  const all: string[] = [];
  try {
    for (let round = 0; round < rounds; round += 1) {
      const names = Array.from({ length: BURST }, (_, i) => `burst-${round}-${i}`);
      all.push(...names);
      const kubelab = await createAndWaitRunning(client, names, 'pod-burst');
      await deleteAndWaitGone(client, docker, names);
      const direct = await dockerBurst(docker, daemon.network, round);
      for (const [side, times] of [['kubelab', kubelab], ['docker', direct]] as const) {
        report[side].p50.push(percentile(times, 50));
        report[side].p99.push(percentile(times, 99));
      }
      console.error(`[pod burst] round ${round + 1}: kubelab p50 ${percentile(kubelab, 50).toFixed(0)} ms p99 ${percentile(kubelab, 99).toFixed(0)} ms; docker p50 ${percentile(direct, 50).toFixed(0)} ms p99 ${percentile(direct, 99).toFixed(0)} ms`);
    }
  } finally {
    await deleteAndWaitGone(client, docker, all).catch(() => undefined);
    await removeBenchContainers(docker, 'pod-burst');
    client.close();
  }
  return report;
}

export function formatPodBurst(r: PodBurstReport): string {
  const line = (what: 'p50' | 'p99') => {
    const k = median(r.kubelab[what]);
    const d = median(r.docker[what]);
    return `  ${what}: kubelab ${k.toFixed(0)} ms, docker ${d.toFixed(0)} ms, ratio ${(k / d).toFixed(2)}x (per round: kubelab ${r.kubelab[what].map((v) => v.toFixed(0)).join(', ')}; docker ${r.docker[what].map((v) => v.toFixed(0)).join(', ')})`;
  };
  return [
    `pod start burst: ${r.pods} pods created at once, create → Running, vs the same ${r.pods} pods' containers through the Docker API, ${r.pods} at once (medians of ${r.rounds} rounds)`,
    line('p50'),
    line('p99'),
  ].join('\n');
}
