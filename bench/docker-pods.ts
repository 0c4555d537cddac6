// The benchmarks' baseline: a pod's two containers (infra + app joined to its network and IPC
// namespaces) created and started straight through the Docker API, as kubelab's kubelet does,
// with nothing of kubelab in between. Labelled per benchmark so each removes only its own.

import Docker from 'dockerode';
import type { Pod } from '../lib/api/types.js';
import type { RestClient } from '../lib/client/rest-client.js';

export const APP_IMAGE = 'kubelab/hello:v1';
export const INFRA_IMAGE = 'kubelab/pause:1';
const BENCH_LABEL = 'io.kubelab.bench';

/** Creates and starts `<name>-infra` and `<name>-app`; resolves when both are started. */
export async function startPodContainers(docker: Docker, network: string, name: string, bench: string): Promise<void> {
  const labels = { [BENCH_LABEL]: bench };
  const infra = await docker.createContainer({ name: `${name}-infra`, Image: INFRA_IMAGE, Labels: labels, HostConfig: { NetworkMode: network, IpcMode: 'shareable' } });
  await infra.start();
  const app = await docker.createContainer({
    name: `${name}-app`,
    Image: APP_IMAGE,
    Labels: labels,
    HostConfig: { NetworkMode: `container:${infra.id}`, IpcMode: `container:${infra.id}` },
  });
  await app.start();
}

/** Removes every container this benchmark made. */
export async function removeBenchContainers(docker: Docker, bench: string): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`${BENCH_LABEL}=${bench}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/**
 * Resolves once the pods `names` are gone from the API and no container of theirs is left on the
 * engine: the kubelet stops and removes a deleted pod's containers after the API answered the
 * delete, and a baseline measured while that teardown still runs competes with it for the engine.
 */
export async function untilPodsGone(client: RestClient, docker: Docker | Docker[], names: string[], timeoutMs = 180_000): Promise<void> {
  const engines = Array.isArray(docker) ? docker : [docker];
  const wanted = new Set(names);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inApi = (await client.list<Pod>('pods', { namespace: 'default' })).items.filter((p) => wanted.has(p.metadata.name!)).length;
    const containers = (await Promise.all(engines.map((engine) => engine.listContainers({ all: true, filters: { label: ['io.kubelab.pod.namespace=default'] } })))).flat();
    const onEngine = containers.filter((c) => wanted.has(c.Labels['io.kubelab.pod.name'])).length;
    if (inApi === 0 && onEngine === 0) return;
    if (Date.now() > deadline) throw new Error(`${inApi} pods still in the API and ${onEngine} of their containers on the engine after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
