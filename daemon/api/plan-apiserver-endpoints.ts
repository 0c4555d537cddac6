// Which API servers are alive, and what `default/kubernetes` Endpoints must list: the pure half
// of Kubernetes' lease endpoint reconciler (pkg/controlplane/reconcilers/lease.go) and of its
// API server identity Leases (KEP-1965, 1.26+).
//
// Every API server keeps a Lease `kube-system/kube-apiserver-<id>` (label
// apiserver.kubernetes.io/identity=kube-apiserver, holderIdentity `<node name>_<id>`) and renews
// it periodically. kube-apiserver keeps its address for the endpoint reconciler in a separate
// key with a TTL (/masterleases/<ip>); kubelab writes it on the identity Lease itself, as the
// annotation kubelab.io/apiserver-address (`IP:PORT`), so one object says "this server lives, and
// is reached there". A server whose Lease has not been renewed for its leaseDurationSeconds is
// dead: it leaves the Endpoints, and its Lease is deleted a while later (kube-apiserver's
// apiserver lease garbage collector).
//
// Every server computes the same Endpoints from the same Leases, so several servers writing them
// agree instead of fighting (a write that lost a race is a 409, retried at the next renewal).

import type { Endpoints } from '../../lib/api/types.js';
import { microTime, type Lease } from '../../lib/api/coordination-types.js';

export type EndpointSubset = NonNullable<Endpoints['subsets']>[number];

export const APISERVER_LEASE_NAMESPACE = 'kube-system';
/** The identity Leases' label, as Kubernetes sets it: `kubectl get lease -n kube-system -l apiserver.kubernetes.io/identity=kube-apiserver`. */
export const APISERVER_IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
export const APISERVER_IDENTITY_VALUE = 'kube-apiserver';
/** Where a server is reached, `IP:PORT`: the address and port the kubernetes Endpoints list for it. */
export const APISERVER_ADDRESS_ANNOTATION = 'kubelab.io/apiserver-address';
export const apiserverLeaseName = (id: string): string => `kube-apiserver-${id}`;

/** A Lease is live while its holder renewed it within leaseDurationSeconds. */
export function isLeaseLive(lease: Lease, nowMs: number): boolean {
  const renewed = Date.parse(lease.spec?.renewTime ?? '');
  const durationSeconds = lease.spec?.leaseDurationSeconds ?? 0;
  return Number.isFinite(renewed) && renewed + durationSeconds * 1000 > nowMs;
}

/** `IP:PORT` of the annotation, or undefined when it is missing or not that. */
export function addressOfLease(lease: Lease): { ip: string; port: number } | undefined {
  const value = lease.metadata.annotations?.[APISERVER_ADDRESS_ANNOTATION] ?? '';
  const match = /^(.+):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { ip: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * The subsets of `default/kubernetes` Endpoints: every live server's address, grouped by port (one
 * subset per port, as the Endpoints API wants; on a real cluster every server has the same port,
 * on one machine running several they differ), each port named `https`. Sorted, so every server
 * computes the very same list.
 */
export function planApiserverEndpoints(leases: readonly Lease[], nowMs: number): EndpointSubset[] {
  const ipsByPort = new Map<number, Set<string>>();
  for (const lease of leases) {
    if (lease.metadata.labels?.[APISERVER_IDENTITY_LABEL] !== APISERVER_IDENTITY_VALUE || !isLeaseLive(lease, nowMs)) continue;
    const address = addressOfLease(lease);
    if (!address) continue;
    if (!ipsByPort.has(address.port)) ipsByPort.set(address.port, new Set());
    ipsByPort.get(address.port)!.add(address.ip);
  }
  return [...ipsByPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, ips]) => ({
      addresses: [...ips].sort().map((ip) => ({ ip })),
      ports: [{ name: 'https', port, protocol: 'TCP' as const }],
    }));
}

/** Identity Leases dead for longer than `graceMs` past their expiry: to delete. */
export function planExpiredApiserverLeases(leases: readonly Lease[], nowMs: number, graceMs: number): string[] {
  return leases
    .filter((lease) => lease.metadata.labels?.[APISERVER_IDENTITY_LABEL] === APISERVER_IDENTITY_VALUE && !isLeaseLive(lease, nowMs - graceMs))
    .map((lease) => lease.metadata.name!);
}

/**
 * Another live server on this node name (pure): two servers of one name would run two kubelets
 * for one Node, and their Leases' holders could not be told apart. The clashing Lease, if any.
 */
export function findNodeNameClash(leases: readonly Lease[], nodeName: string, id: string, nowMs: number): Lease | undefined {
  return leases.find(
    (lease) =>
      lease.metadata.labels?.[APISERVER_IDENTITY_LABEL] === APISERVER_IDENTITY_VALUE &&
      lease.metadata.labels?.['kubernetes.io/hostname'] === nodeName &&
      lease.metadata.name !== apiserverLeaseName(id) &&
      isLeaseLive(lease, nowMs),
  );
}

export interface IdentityLeaseInput {
  id: string;
  nodeName: string;
  /** `IP:PORT` where this server answers. */
  address: string;
  leaseDurationSeconds: number;
  now: Date;
}

/** This server's identity Lease as it must be now: a new one, or the current one renewed (its address kept up to date). */
export function planIdentityLease(current: Lease | undefined, input: IdentityLeaseInput): Lease {
  const stamp = microTime(input.now);
  const metadata = {
    ...(current?.metadata ?? {}),
    name: apiserverLeaseName(input.id),
    namespace: APISERVER_LEASE_NAMESPACE,
    labels: { ...(current?.metadata.labels ?? {}), [APISERVER_IDENTITY_LABEL]: APISERVER_IDENTITY_VALUE, 'kubernetes.io/hostname': input.nodeName },
    annotations: { ...(current?.metadata.annotations ?? {}), [APISERVER_ADDRESS_ANNOTATION]: input.address },
  };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata,
    spec: {
      holderIdentity: `${input.nodeName}_${input.id}`,
      leaseDurationSeconds: input.leaseDurationSeconds,
      acquireTime: current?.spec?.acquireTime ?? stamp,
      renewTime: stamp,
    },
  };
}
