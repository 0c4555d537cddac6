// The `kubernetes` Service of the `default` namespace: how a pod finds the API server.
//
// kube-apiserver's bootstrap controller (pkg/controlplane/controller.go) keeps it: a ClusterIP
// Service, always the first address of the service CIDR, port 443 named `https`, with no
// selector, so the endpoints controller leaves it alone and the API server writes its Endpoints
// itself: the address and port it really listens on. Every pod then gets
// KUBERNETES_SERVICE_HOST/PORT (lib/api/service-env.ts) and the name kubernetes.default.svc.
//
// ensureKubernetesService runs at every start and is idempotent: it creates what is missing and
// corrects what drifted (a new API port after a restart on port 0, say).

import { isDeepStrictEqual } from 'node:util';
import type { Endpoints, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { isNotFound } from '../../lib/errors.js';

export interface KubernetesServiceOptions {
  /** ServiceAllocation.kubernetesServiceIP. */
  clusterIP: string;
  /** Where the API server can be reached from this node (its proxy dials it). */
  apiAddress: string;
  apiPort: number;
}

/** The names of the Service that the API's serving certificate must be valid for (kubeadm adds the same). */
export const KUBERNETES_SERVICE_NAMES: readonly string[] = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

const NAMESPACE = 'default';
const NAME = 'kubernetes';
const labels = { component: 'apiserver', provider: 'kubernetes' };

/** Creates or corrects default/kubernetes and its Endpoints. */
export async function ensureKubernetesService(client: ApiClient, options: KubernetesServiceOptions): Promise<void> {
  const ports = [{ name: 'https', port: 443, protocol: 'TCP' as const, targetPort: options.apiPort }];
  const existing = await getOrUndefined<Service>(client, 'services', NAME);
  if (!existing) {
    await client.create<Service>('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      spec: { type: 'ClusterIP', clusterIP: options.clusterIP, ports, sessionAffinity: 'None' },
    } as Service);
  } else if (!isDeepStrictEqual(existing.spec.ports, ports)) {
    await client.update<Service>('services', { ...existing, spec: { ...existing.spec, ports } });
  }

  const subsets = [{ addresses: [{ ip: options.apiAddress }], ports: [{ name: 'https', port: options.apiPort, protocol: 'TCP' }] }];
  const endpoints = await getOrUndefined<Endpoints>(client, 'endpoints', NAME);
  if (!endpoints) {
    await client.create<Endpoints>('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NAMESPACE, labels }, subsets });
  } else if (!isDeepStrictEqual(endpoints.subsets, subsets)) {
    await client.update<Endpoints>('endpoints', { ...endpoints, subsets });
  }
}

async function getOrUndefined<T extends Service | Endpoints>(client: ApiClient, resource: string, name: string): Promise<T | undefined> {
  try {
    return await client.get<T>(resource, NAMESPACE, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
