// Scale-up latency: a ReplicationController scaled from 0 to 20 replicas, timed from the /scale
// write until the RC's status says 20 ready replicas (watched, not polled), against starting the
// same 20 pods' containers (pause infra with a shareable IPC namespace on the daemon's network,
// hello app joined to it) straight through the Docker API, 20 at a time. Interleaved rounds, so
// machine noise hits both alike; everything is removed after each round.
//
// The difference is what orchestration costs: the RC controller's slow-start batches (1, 2, 4,
// 8, 5 pods), scheduling, the kubelet's sync of each pod, and status reports travelling back up.

import Docker from 'dockerode';
import type { ReplicationController } from '../lib/api/types.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import type { TestDaemon } from '../harness/test-daemon.js';
import { APP_IMAGE, removeBenchContainers, startPodContainers } from './docker-pods.js';
import { median, type BenchResult } from './stats.js';

const REPLICAS = 20;

function rcManifest(name: string): ReplicationController {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { bench: name },
      template: { metadata: { labels: { bench: name } }, spec: { containers: [{ name: 'web', image: APP_IMAGE }] } },
    },
  };
}

/** Resolves when the RC reports `replicas` ready pods. */
function untilReady(client: RestClient, name: string, resourceVersion: string | undefined, replicas: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const watch = client.watch<ReplicationController>(
      'replicationcontrollers',
      { namespace: 'default', fieldSelector: `metadata.name=${name}`, resourceVersion },
      (event) => {
        if (event.type === 'ERROR') reject(new Error(`watch failed: ${JSON.stringify(event.object)}`));
        if ((event.object.status?.readyReplicas ?? 0) >= replicas) {
          watch.stop();
          resolve();
        }
      },
    );
    watch.done.catch(reject);
  });
}

/** Resolves once no pod of the RC is left in the API (the kubelet removes containers first). */
async function untilPodsGone(client: RestClient, name: string): Promise<void> {
  for (;;) {
    const left = await client.list('pods', { namespace: 'default', labelSelector: `bench=${name}` });
    if (left.items.length === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function kubelabScaleUp(client: RestClient, name: string): Promise<number> {
  await client.create('replicationcontrollers', rcManifest(name));
  const started = performance.now();
  const scaled = await client.patchScale('replicationcontrollers', 'default', name, REPLICAS);
  await untilReady(client, name, scaled.metadata.resourceVersion, REPLICAS);
  const elapsed = performance.now() - started;
  await client.delete('replicationcontrollers', 'default', name, { propagationPolicy: 'Background' });
  await untilPodsGone(client, name);
  return elapsed;
}

async function dockerScaleUp(docker: Docker, network: string, round: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: REPLICAS }, (_, i) => startPodContainers(docker, network, `kubelab-bench-rc-${round}-${i}`, 'rc-scale')));
  const elapsed = performance.now() - started;
  await removeBenchContainers(docker, 'rc-scale');
  return elapsed;
}

export async function benchRcScale(daemon: TestDaemon, rounds = 3): Promise<BenchResult> {
  const client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  const docker = new Docker();
  const kubelab: number[] = [];
  const direct: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      kubelab.push(await kubelabScaleUp(client, `bench-rc-${i}`));
      direct.push(await dockerScaleUp(docker, daemon.network, i));
    }
  } finally {
    for (let i = 0; i < rounds; i++) await client.delete('replicationcontrollers', 'default', `bench-rc-${i}`).catch(() => undefined);
    await removeBenchContainers(docker, 'rc-scale');
    client.close();
  }
  return {
    name: `RC scale 0 → ${REPLICAS} (until readyReplicas = ${REPLICAS}) vs docker create+start of the same ${REPLICAS} pods' containers, ${REPLICAS} in parallel`,
    unit: 'ms',
    subject: median(kubelab),
    baseline: median(direct),
    samples: rounds,
  };
}
