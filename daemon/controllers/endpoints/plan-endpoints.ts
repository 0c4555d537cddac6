// The endpoints controller's pure decision: which pod addresses and ports stand behind a Service
// (pkg/controller/endpoint, syncService + RepackSubsets, Kubernetes v1.20).
//
// For every pod the Service's selector picks:
// - no IP yet (not started), or finished (Succeeded / Failed): left out;
// - being deleted (deletionTimestamp set): left out, so proxies stop sending it new connections
//   *before* its kubelet sends SIGTERM. Zero-downtime rollouts depend on this ordering;
// - ready: under `addresses`; not ready: under `notReadyAddresses` (DNS and proxies use only the
//   first; `publishNotReadyAddresses: true` puts every pod under `addresses`).
// Each Service port becomes an endpoint port: its targetPort as a number, or a *named* container
// port looked up in each pod, so two pods may serve one Service on different port numbers. A pod
// that lacks the name is left out of that port. Pods with the same resolved ports are grouped into
// one subset, as Kubernetes' RepackSubsets does: one subset per distinct port set.

import type { EndpointAddress, Endpoints, Pod, Service, ServicePort } from '../../../lib/api/types.js';

export type EndpointSubset = NonNullable<Endpoints['subsets']>[number];
export type EndpointPort = NonNullable<EndpointSubset['ports']>[number];

/** The containerPort behind a Service port for this pod, or undefined when the pod has no such named port. */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether the pod may appear in Endpoints at all (ready or not). */
export function isPodServing(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.status?.podIP) && !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

function addressOf(pod: Pod, service: Service): EndpointAddress {
  const address: EndpointAddress = {
    ip: pod.status!.podIP!,
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    // No resourceVersion (unlike v1.20): it changes with every pod status write and would rewrite
    // the Endpoints, and wake every proxy, for nothing (later Kubernetes ignores it too).
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
  };
  // A pod with hostname + subdomain naming this (headless) Service gets a DNS name of its own.
  const { hostname, subdomain } = pod.spec as { hostname?: string; subdomain?: string };
  if (hostname && subdomain === service.metadata.name && service.metadata.namespace === pod.metadata.namespace) address.hostname = hostname;
  return address;
}

/** The Endpoints subsets for a Service and the pods its selector matches. */
export function planEndpoints(service: Service, pods: Pod[]): EndpointSubset[] {
  const everyPodReady = (service.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses === true;
  const servicePorts = service.spec.ports ?? [];
  /** Subsets being built, keyed by their port set. */
  const groups = new Map<string, { ports: EndpointPort[]; addresses: EndpointAddress[]; notReadyAddresses: EndpointAddress[] }>();

  for (const pod of pods) {
    if (!isPodServing(pod)) continue;
    const ports: EndpointPort[] = [];
    for (const servicePort of servicePorts) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue; // this pod does not serve this port
      ports.push({ ...(servicePort.name ? { name: servicePort.name } : {}), port, protocol: servicePort.protocol ?? 'TCP' });
    }
    // A Service with ports that this pod serves none of has nothing to send it. A headless
    // Service without ports still lists the pod, for DNS.
    if (ports.length === 0 && !(servicePorts.length === 0 && service.spec.clusterIP === 'None')) continue;
    ports.sort(comparePorts);
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, addresses: [], notReadyAddresses: [] };
    groups.set(key, group);
    (everyPodReady || isPodReady(pod) ? group.addresses : group.notReadyAddresses).push(addressOf(pod, service));
  }

  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => ({
      ...(group.addresses.length > 0 ? { addresses: group.addresses.sort(compareAddresses) } : {}),
      ...(group.notReadyAddresses.length > 0 ? { notReadyAddresses: group.notReadyAddresses.sort(compareAddresses) } : {}),
      ...(group.ports.length > 0 ? { ports: group.ports } : {}),
    }));
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? '');
}

/** By IP as numbers (10.244.1.9 before 10.244.1.10), then by pod name. */
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  const pa = a.ip.split('.').map(Number);
  const pb = b.ip.split('.').map(Number);
  for (let i = 0; i < 4; i += 1) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');
}

/**
 * The Endpoints object the controller wants stored: the Service's name, namespace and labels
 * (plus Kubernetes' headless label), and the planned subsets.
 */
export function desiredEndpoints(service: Service, pods: Pod[]): Endpoints {
  const labels = { ...(service.metadata.labels ?? {}) };
  if (service.spec.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: service.metadata.name, namespace: service.metadata.namespace, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
    subsets: planEndpoints(service, pods),
  };
}

/** Whether the stored Endpoints already say what `desired` says (then no write is needed). */
export function endpointsUpToDate(current: Endpoints, desired: Endpoints): boolean {
  return canonical(current.subsets ?? []) === canonical(desired.subsets ?? []) && canonical(current.metadata.labels ?? {}) === canonical(desired.metadata.labels ?? {});
}

/** JSON with object keys sorted: equal values give equal text whatever order keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
