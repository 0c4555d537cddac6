// Node failure on the simulated lab: how long until the cluster knows a host died, and how long
// until its pods run again elsewhere. Three hosts (kubelab lab up), an RC of 6 replicas spread
// over them; each round pulls the plug on one worker (what `kubelab lab kill` does, called in this
// process so the clock starts as the SIGKILLs go out, not after the CLI has started, killed and
// unmounted everything), polls the API every 50 ms meanwhile, then restarts the host and waits for
// it to be Ready before the next round.
//
// - detected: the server's gossip view marks the host dead (the Node's gossip-state annotation);
// - NotReady: its Ready condition turns Unknown (the node lifecycle controller, on gossip's word);
// - replaced: all 6 replicas Running again, none on the dead host. This includes the
//   --pod-eviction-timeout the lab runs with (the wait before a silent host's pods are given
//   up), so it is printed beside it.

import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import type { Node, Pod } from '../lib/api/types.js';
import { TestLab } from '../harness/test-lab.js';
import { killHost } from '../cli/lab/lab-host-actions.js';
import { readLabState } from '../cli/lab/lab-state.js';
import { median } from './stats.js';

export interface LabFailureBench {
  rounds: number;
  evictionTimeoutSeconds: number;
  detectedMs: number[];
  notReadyMs: number[];
  replacedMs: number[];
}

const REPLICAS = 6;

export async function benchLabFailure(rounds = 3, evictionTimeoutSeconds = 10): Promise<LabFailureBench> {
  const progress = (line: string) => process.stderr.write(`lab failure bench: ${line}\n`);
  const lab = await TestLab.up(3, ['--pod-eviction-timeout', String(evictionTimeoutSeconds)]);
  progress(`lab up in ${lab.dir}`);
  const client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
  const result: LabFailureBench = { rounds, evictionTimeoutSeconds, detectedMs: [], notReadyMs: [], replacedMs: [] };
  try {
    await lab.ok(['apply', '-f', '-'], { input: JSON.stringify(replicationController()) });
    await until(() => runningReplicas(client), (pods) => pods.length === REPLICAS, 180_000);
    for (let round = 0; round < rounds; round++) {
      const victim = round % 2 === 0 ? 'node3' : 'node2';
      const state = readLabState(lab.dir);
      const host = state?.plan.hosts.find((h) => h.name === victim);
      if (!state || !host) throw new Error(`lab failure bench: no host ${victim} in the lab in ${lab.dir}`);
      const start = Date.now();
      const killing = killHost(state, host);
      let detected = 0;
      let notReady = 0;
      await until(
        () => client.get<Node>('nodes', undefined, victim),
        (node) => {
          if (!detected && node.metadata.annotations?.['kubelab.io/gossip-state'] === 'dead') detected = Date.now() - start;
          if (!notReady && node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown') notReady = Date.now() - start;
          return detected > 0 && notReady > 0;
        },
        120_000,
        50,
      );
      await killing;
      progress(`round ${round + 1}: ${victim} dead in gossip after ${detected} ms, NotReady after ${notReady} ms`);
      await until(() => runningReplicas(client), (pods) => pods.length === REPLICAS && pods.every((p) => p.spec.nodeName !== victim), 300_000);
      result.detectedMs.push(detected);
      result.notReadyMs.push(notReady);
      result.replacedMs.push(Date.now() - start);
      progress(`round ${round + 1}: replicas replaced after ${Date.now() - start} ms; restarting ${victim}`);

      const restarted = await lab.lab(['restart', victim], 180_000);
      if (restarted.code !== 0) throw new Error(`kubelab lab restart ${victim}: ${restarted.stderr}`);
      await until(
        () => client.get<Node>('nodes', undefined, victim),
        (node) => node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && !node.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable'),
        180_000,
      );
    }
  } finally {
    client.close();
    await lab.down();
  }
  return result;
}

export function formatLabFailure(r: LabFailureBench): string {
  const s = (values: number[]) => `${(median(values) / 1000).toFixed(1)} s (${values.map((v) => (v / 1000).toFixed(1)).join(', ')})`;
  return [
    `node failure on a 3-host lab, ${r.rounds} kills, medians (each round):`,
    `  dead in the gossip view after ${s(r.detectedMs)}`,
    `  Ready=Unknown after           ${s(r.notReadyMs)}`,
    `  ${REPLICAS} replicas Running again after ${s(r.replacedMs)}, of which ${r.evictionTimeoutSeconds} s is the lab's --pod-eviction-timeout`,
  ].join('\n');
}

async function runningReplicas(client: RestClient): Promise<Pod[]> {
  const pods = await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=bench-failure' });
  return pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

/** Polls `read` every `everyMs` until `done` says so; read errors (a restarting API) are retried. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`lab failure bench: gave up after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function replicationController() {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'bench-failure' },
    spec: {
      replicas: REPLICAS,
      selector: { app: 'bench-failure' },
      template: {
        metadata: { labels: { app: 'bench-failure' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'hello', image: 'kubelab/hello:v1', ports: [{ containerPort: 3000 }] }] },
      },
    },
  };
}

// Run alone (as root, under the Docker lock): npx tsx bench/lab-failure.ts [rounds]
if (import.meta.url === `file://${process.argv[1]}`) {
  benchLabFailure(Number(process.argv[2] ?? 3)).then(
    (r) => console.log(formatLabFailure(r)),
    (err: unknown) => { console.error(err); process.exit(1); },
  );
}
