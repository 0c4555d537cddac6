// The benchmarks' baseline: a pod's two containers (infra + app joined to its network and IPC
// namespaces) created and started straight through the Docker API, as kubelab's kubelet does,
// with nothing of kubelab in between. Labelled per benchmark so each removes only its own.

import Docker from 'dockerode';

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
