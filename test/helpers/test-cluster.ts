// The real API semantics in memory, for component tests of the scheduler and the kubelet:
// LocalClient → ResourceRegistry → NedbObjectStore without a data dir, so defaults, validation,
// status rules and graceful deletion are the API server's own. Plus builders for test objects.

import { LocalClient } from '../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import type { Node, Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';

export interface TestCluster {
  client: ApiClient;
  store: NedbObjectStore;
  close(): Promise<void>;
}

export async function newTestCluster(now: () => Date = () => new Date()): Promise<TestCluster> {
  const store = new NedbObjectStore({ clock: now });
  await store.open();
  const registry = new ResourceRegistry({ store, clock: now });
  await registry.ensureSystemNamespaces();
  return { client: new LocalClient(registry), store, close: () => store.close() };
}

/** Creates a Ready node with the given labels and allocatable resources. */
export async function createReadyNode(
  client: ApiClient,
  name: string,
  options: { labels?: Record<string, string>; cpu?: string; memory?: string; pods?: string } = {},
): Promise<Node> {
  const created = await client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: options.labels ?? {} }, spec: {} });
  const resources = { cpu: options.cpu ?? '2', memory: options.memory ?? '4Gi', pods: options.pods ?? '110' };
  return client.updateStatus<Node>('nodes', {
    ...created,
    status: { capacity: resources, allocatable: resources, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
  });
}

export function newPod(name: string, spec: Partial<Pod['spec']> = {}, namespace = 'default'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'app', image: 'kubelab/busybox:test' }], ...spec },
  };
}
