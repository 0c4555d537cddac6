// The containers each lab host's engine really runs for pods, read through the labels the kubelet
// puts on them (daemon/runtime/container-runtime.ts: io.kubelab.pod.uid and friends; the CLI does
// not import the daemon, so the label names are repeated here). The API says where a pod should
// run; only the engines say where it does, which is what "no duplicate pods" is about.

import { engineClient } from '../host-engine.js';
import type { LabState } from '../lab-state.js';
import type { HostContainer } from './invariants.js';

const LABEL_POD_UID = 'io.kubelab.pod.uid';
const LABEL_POD_NAMESPACE = 'io.kubelab.pod.namespace';
const LABEL_POD_NAME = 'io.kubelab.pod.name';
const LABEL_CONTAINER_ROLE = 'io.kubelab.container.role';

export interface HostContainers {
  containers: HostContainer[];
  /** Hosts whose engine did not answer (a killed host): their containers are unknown. */
  unreachable: string[];
}

export async function listHostContainers(state: LabState): Promise<HostContainers> {
  const containers: HostContainer[] = [];
  const unreachable: string[] = [];
  for (const host of state.plan.hosts) {
    try {
      const listed = await engineClient(host).listContainers({ all: true, filters: { label: [LABEL_POD_UID] } });
      for (const c of listed) {
        containers.push({
          host: host.name,
          id: c.Id,
          podUid: c.Labels[LABEL_POD_UID]!,
          podNamespace: c.Labels[LABEL_POD_NAMESPACE] ?? '',
          podName: c.Labels[LABEL_POD_NAME] ?? '',
          role: c.Labels[LABEL_CONTAINER_ROLE] ?? 'app',
          running: c.State === 'running',
        });
      }
    } catch {
      unreachable.push(host.name);
    }
  }
  return { containers, unreachable };
}
