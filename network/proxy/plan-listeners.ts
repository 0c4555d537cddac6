// The proxier's pure decision: which sockets this node must listen on for the current Services,
// and which Service addresses must be local to it.
//
// For each port of each Service (not ExternalName, not headless):
// - the ClusterIP on the Service port, on every node (that is what makes it a cluster IP);
// - for NodePort and LoadBalancer Services, the node port on every address of this node,
//   127.0.0.1 included, so `curl localhost:30080` works on any node;
// - for LoadBalancer Services, the ingress IP (status.loadBalancer.ingress[].ip) on the Service port.
// The ClusterIPs and LoadBalancer IPs must be put on `lo` (address-manager.ts); 127.0.0.0/8 is
// local already.
// A Service whose fields are of the wrong shape (stored before the API checked types) is left
// out of the plan and listed in `unreadable`, so one bad Service never stops the others.

import type { Service } from '../../lib/api/types.js';
import { objectKey } from '../../lib/client/object-key.js';
import { forEachReadable, listProblem, shapeProblem, type UnreadableObject } from '../../lib/unreadable-objects.js';
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS, servicePortName, type Affinity, type ServicePortName } from './load-balancer.js';

export type ListenerKind = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export type ProxyProtocol = 'TCP' | 'UDP';

export interface DesiredListener {
  service: ServicePortName;
  protocol: ProxyProtocol;
  host: string;
  port: number;
  kind: ListenerKind;
}

export interface ProxyPlan {
  listeners: DesiredListener[];
  /** Service port → its affinity, for every Service port the node proxies. */
  servicePorts: Map<ServicePortName, Affinity>;
  /** Addresses that must be local (on lo): ClusterIPs and LoadBalancer IPs outside 127.0.0.0/8. */
  addresses: string[];
  /** Services left out because their fields cannot be read. */
  unreadable: UnreadableObject<Service>[];
}

/** `TCP/10.96.0.10:80`: two listeners with the same key cannot both exist. */
export const listenerKey = (l: { protocol: string; host: string; port: number }): string => `${l.protocol}/${l.host}:${l.port}`;

const isLoopback = (ip: string): boolean => ip.startsWith('127.');

export function affinityOf(service: Service): Affinity {
  const config = service.spec.sessionAffinityConfig as { clientIP?: { timeoutSeconds?: number } } | undefined;
  return {
    type: service.spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None',
    timeoutSeconds: config?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS,
  };
}

/** Why the proxier cannot read this Service, or undefined. */
export function serviceProblem(service: Service): string | undefined {
  const spec = service.spec as unknown as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return 'spec is not an object';
  const ingress = (service.status as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress;
  const affinity = (spec.sessionAffinityConfig as { clientIP?: { timeoutSeconds?: unknown } } | undefined)?.clientIP?.timeoutSeconds;
  return (
    shapeProblem('spec.type', spec.type, 'string') ??
    shapeProblem('spec.clusterIP', spec.clusterIP, 'string') ??
    (affinity !== undefined && !Number.isInteger(affinity) ? 'spec.sessionAffinityConfig.clientIP.timeoutSeconds is not an integer' : undefined) ??
    listProblem('spec.ports', spec.ports, (port, path) =>
      (Number.isInteger(port.port) ? shapeProblem(`${path}.port`, port.port, 'port') : `${path}.port is not a port number (1-65535)`) ??
      shapeProblem(`${path}.nodePort`, port.nodePort, 'port') ??
      shapeProblem(`${path}.protocol`, port.protocol, 'string') ??
      shapeProblem(`${path}.name`, port.name, 'string'),
    ) ??
    listProblem('status.loadBalancer.ingress', ingress, (entry, path) => shapeProblem(`${path}.ip`, entry.ip, 'string'))
  );
}

export function planListeners(services: Service[], nodeAddresses: string[]): ProxyPlan {
  const nodeIPs = [...new Set(['127.0.0.1', ...nodeAddresses])];
  const listeners: DesiredListener[] = [];
  const servicePorts = new Map<ServicePortName, Affinity>();
  const addresses = new Set<string>();
  const taken = new Set<string>();
  const add = (listener: DesiredListener) => {
    // Two Services cannot own one socket; the first (by name) keeps it.
    if (taken.has(listenerKey(listener))) return;
    taken.add(listenerKey(listener));
    listeners.push(listener);
  };

  const sorted = [...services].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
  const unreadable = forEachReadable(sorted, serviceProblem, (service) => {
    const { type = 'ClusterIP', clusterIP } = service.spec;
    if (type === 'ExternalName' || !clusterIP || clusterIP === 'None') return;
    const ingressIPs = type === 'LoadBalancer' ? (service.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])) : [];
    for (const port of service.spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') continue; // SCTP is not proxied
      const name = servicePortName(service.metadata.namespace ?? 'default', service.metadata.name ?? '', port.name ?? '');
      servicePorts.set(name, affinityOf(service));
      add({ service: name, protocol, host: clusterIP, port: port.port, kind: 'ClusterIP' });
      if (!isLoopback(clusterIP)) addresses.add(clusterIP);
      if ((type === 'NodePort' || type === 'LoadBalancer') && port.nodePort) {
        for (const host of nodeIPs) add({ service: name, protocol, host, port: port.nodePort, kind: 'NodePort' });
      }
      for (const ip of ingressIPs) {
        add({ service: name, protocol, host: ip, port: port.port, kind: 'LoadBalancer' });
        if (!isLoopback(ip)) addresses.add(ip);
      }
    }
  });
  return { listeners, servicePorts, addresses: [...addresses].sort(), unreadable };
}
