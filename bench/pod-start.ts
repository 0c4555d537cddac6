// Pod start latency: from the API's answer to a create until the pod is Running (watched, not
// polled), against creating and starting the same two containers (infra + app) straight through
// the Docker API. The two are interleaved so machine noise hits both alike.
//
// The baseline does what the kubelet does, on the same engine: the pause infra container on the
// daemon's pod network (a user-defined bridge) with a shareable IPC namespace, then the hello app
// container joined to its network and IPC namespaces, each created and started in turn.
//
// Why this benchmark once showed kubelab faster than its own baseline (0.76-0.85x, where an
// independent check that polled the API every 25 ms and ran the raw containers on a user-defined
// bridge found 1.10x): each round deleted the kubelab pod and at once started the baseline's
// containers. The API answers a delete before the kubelet has stopped and removed the pod's
// containers and their network endpoint, so the baseline ran while that teardown held the engine
// (container removal and veth/bridge work serialise inside dockerd), and was slowed by it; the
// baseline's own containers were removed (awaited) before the next kubelab pod, so kubelab never
// paid for anyone's teardown. Now every round waits until the pod is gone from the API and its
// containers from the engine before the baseline starts; the old order is still measured beside it,
// as a third figure, so each run shows the effect.

import Docker from 'dockerode';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import type { Pod } from '../lib/api/types.js';
import type { TestDaemon } from '../harness/test-daemon.js';
import { APP_IMAGE, removeBenchContainers, startPodContainers, untilPodsGone } from './docker-pods.js';
import { median, type BenchResult } from './stats.js';


async function kubelabPodStart(client: RestClient, docker: Docker, name: string): Promise<number> {
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
  const duringTeardown: number[] = [];
  try {
    // One warm-up of each, not counted: first use of an image and of the pod network.
    await kubelabPodStart(client, docker, 'bench-warmup');
    await untilPodsGone(client, docker, ['bench-warmup']);
    await dockerPodStart(docker, daemon.network, 'kubelab-bench-warmup');
    for (let i = 0; i < rounds; i++) {
      kubelab.push(await kubelabPodStart(client, docker, `bench-${i}`));
      // The old protocol, kept to show its effect: the baseline while the pod's teardown runs.
      duringTeardown.push(await dockerPodStart(docker, daemon.network, `kubelab-bench-td-${i}`));
      await untilPodsGone(client, docker, [`bench-${i}`]);
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
    detail: `baseline started while the deleted pod's teardown still ran (how this bench measured it before): median ${median(duringTeardown).toFixed(1)} ms, ratio ${(median(kubelab) / median(duringTeardown)).toFixed(2)}x`,
  };
}
