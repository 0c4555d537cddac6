// Pod start latency: from the API's answer to a create until the pod is Running (watched, not
// polled), against creating and starting the same two containers (infra + app) straight through
// the Docker API. The two are interleaved so machine noise hits both alike.

import Docker from 'dockerode';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import type { Pod } from '../lib/api/types.js';
import type { TestDaemon } from '../harness/test-daemon.js';
import { APP_IMAGE, removeBenchContainers, startPodContainers } from './docker-pods.js';
import { median, type BenchResult } from './stats.js';


async function kubelabPodStart(client: RestClient, name: string): Promise<number> {
  const started = performance.now();
  const created = await client.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { bench: 'pod-start' } },
    spec: { containers: [{ name: 'web', image: APP_IMAGE }] },
  });
  await new Promise<void>((resolve, reject) => {
    const watch = client.watch<Pod>(
      'pods',
      { namespace: 'default', fieldSelector: `metadata.name=${name}`, resourceVersion: created.metadata.resourceVersion },
      (event) => {
        if (event.type === 'ERROR') reject(new Error(`watch failed: ${JSON.stringify(event.object)}`));
        if (event.object.status?.phase === 'Running') {
          watch.stop();
          resolve();
        }
      },
    );
    watch.done.catch(reject);
  });
  const elapsed = performance.now() - started;
  await client.delete('pods', 'default', name, { gracePeriodSeconds: 0 });
  return elapsed;
}

async function dockerPodStart(docker: Docker, network: string, name: string): Promise<number> {
  const started = performance.now();
  await startPodContainers(docker, network, name, 'pod-start');
  const elapsed = performance.now() - started;
  await removeBenchContainers(docker, 'pod-start');
  return elapsed;
}

export async function benchPodStart(daemon: TestDaemon, rounds = 9): Promise<BenchResult> {
  const client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  const docker = new Docker();
  const kubelab: number[] = [];
  const direct: number[] = [];
  try {
    // One warm-up of each, not counted: first use of an image and of the pod network.
    await kubelabPodStart(client, 'bench-warmup');
    await dockerPodStart(docker, daemon.network, 'kubelab-bench-warmup');
    for (let i = 0; i < rounds; i++) {
      kubelab.push(await kubelabPodStart(client, `bench-${i}`));
      direct.push(await dockerPodStart(docker, daemon.network, `kubelab-bench-${i}`));
    }
  } finally {
    await removeBenchContainers(docker, 'pod-start');
    client.close();
  }
  return {
    name: 'pod start (create → Running) vs docker create+start of the same 2 containers',
    unit: 'ms',
    subject: median(kubelab),
    baseline: median(direct),
    samples: rounds,
  };
}
