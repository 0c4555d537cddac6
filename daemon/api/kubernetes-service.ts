// The `kubernetes` Service of the `default` namespace: how a pod finds the API servers.
//
// kube-apiserver's bootstrap controller (pkg/controlplane/controller.go) keeps it: a ClusterIP
// Service, always the first address of the service CIDR, port 443 named `https`, with no
// selector, so the endpoints controller leaves it alone and the API servers write its Endpoints
// themselves: the address and port of every live server (the lease endpoint reconciler,
// plan-apiserver-endpoints.ts and apiserver-identity.ts). Every pod then gets
// KUBERNETES_SERVICE_HOST/PORT (lib/api/service-env.ts) and the name kubernetes.default.svc.
//
// ensureKubernetesService runs at every start of every server, several at once on one etcd: it
// creates what is missing, and another server having created it first is no error. The Service's
// targetPort is the first server's port; the proxy dials the ports the Endpoints list, which may
// differ from server to server (several servers on one machine), so it is not corrected.

import { isDeepStrictEqual } from 'node:util';
import type { Endpoints, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { isAlreadyExists, isNotFound } from '../../lib/errors.js';
import { retryStartUpWrite } from './retry-start-up-write.js';
import type { EndpointSubset } from './plan-apiserver-endpoints.js';

export interface KubernetesServiceOptions {
  /** ServiceAllocation.kubernetesServiceIP. */
  clusterIP: string;
  /** The port this API server listens on (the Service's targetPort when this server creates it). */
  apiPort: number;
}

/** The names of the Service that the API's serving certificate must be valid for (kubeadm adds the same). */
export const KUBERNETES_SERVICE_NAMES: readonly string[] = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

const NAMESPACE = 'default';
const NAME = 'kubernetes';
const labels = { component: 'apiserver', provider: 'kubernetes' };
const samePort = (a: { name?: string; port: number; protocol?: string }, b: typeof a) => a.name === b.name && a.port === b.port && a.protocol === b.protocol;

/** Creates default/kubernetes, or corrects its port 443 `https` (the targetPort is left as it is). */
export async function ensureKubernetesService(client: ApiClient, options: KubernetesServiceOptions): Promise<void> {
  const ports = [{ name: 'https', port: 443, protocol: 'TCP' as const, targetPort: options.apiPort }];
  await retryStartUpWrite('the default/kubernetes Service', async () => {
    const existing = await getOrUndefined<Service>(client, 'services', NAME);
    if (!existing) {
      await client.create<Service>('services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: NAME, namespace: NAMESPACE, labels },
        spec: { type: 'ClusterIP', clusterIP: options.clusterIP, ports, sessionAffinity: 'None' },
      } as Service).catch(async (err: unknown) => {
        // Another server made it first: AlreadyExists, or (its create reserved 10.96.0.1 in the
        // store before ours) kube-apiserver's 422 "provided IP is already allocated".
        if (isAlreadyExists(err)) return;
        if (await getOrUndefined<Service>(client, 'services', NAME)) return;
        throw err;
      });
    } else if (existing.spec.ports?.length !== 1 || !samePort(existing.spec.ports[0], ports[0])) {
      await client.update<Service>('services', { ...existing, spec: { ...existing.spec, ports } });
    }
  });
}

/** Makes default/kubernetes Endpoints list `subsets`; a write another server made first is a 409 the caller retries later. */
export async function ensureKubernetesEndpoints(client: ApiClient, subsets: EndpointSubset[]): Promise<void> {
  const endpoints = await getOrUndefined<Endpoints>(client, 'endpoints', NAME);
  if (!endpoints) {
    await client.create<Endpoints>('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NAMESPACE, labels }, subsets });
  } else if (!isDeepStrictEqual(endpoints.subsets ?? [], subsets)) {
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
