// The service-lb controller's decision for one Service of type LoadBalancer (pure). The API server
// hands out LoadBalancer addresses when a Service is written (daemon/api/service-allocation.ts);
// this decides what to do about a Service that is still <pending>:
//
//   - an address of the pool is free (one was released since): write the Service again, so the
//     API server allocates it one (`allocate`);
//   - none is free: say so on the Service, with what the user can do (`warn`, reason
//     AllocationFailed, as MetalLB's controller says it);
//   - a Service with an address, or of another type: nothing.

import type { Service } from '../../../lib/api/types.js';
import { AddressPool } from '../../../lib/net/address-pool.js';

export type LoadBalancerPlan = { action: 'none' } | { action: 'allocate' } | { action: 'warn'; reason: 'AllocationFailed'; message: string };

export const isLoadBalancer = (service: Service): boolean => service.spec?.type === 'LoadBalancer';
export const ingressIPs = (service: Service): string[] => (service.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
export const isPending = (service: Service): boolean => isLoadBalancer(service) && ingressIPs(service).length === 0;

/**
 * `services`: every Service of the cluster (what holds pool addresses); `refusedAt`: the
 * resourceVersion the API server left this Service pending at when we last asked it to allocate
 * (then the pool is fuller than our view of it, and we wait for a release before asking again).
 */
export function planLoadBalancer(service: Service, services: Service[], poolRanges: readonly string[], refusedAt?: string): LoadBalancerPlan {
  if (!isPending(service)) return { action: 'none' };
  const pool = new AddressPool(poolRanges);
  const warn = (message: string): LoadBalancerPlan => ({ action: 'warn', reason: 'AllocationFailed', message });
  if (pool.size === 0) {
    return warn('kubelabd server has no LoadBalancer address pool (its --service-cidr is too small for the default one): restart it with --lb-pool RANGE, e.g. --lb-pool 192.168.56.240/28');
  }
  const held = new Map<string, string>();
  for (const other of services) {
    const ips = isLoadBalancer(other) ? ingressIPs(other) : [];
    if (other.spec?.clusterIP) ips.push(other.spec.clusterIP);
    for (const ip of ips) if (pool.contains(ip)) held.set(ip, `${other.metadata.namespace}/${other.metadata.name}`);
  }
  const requested = typeof service.spec.loadBalancerIP === 'string' && service.spec.loadBalancerIP !== '' ? service.spec.loadBalancerIP : undefined;
  if (requested && held.has(requested)) {
    return warn(`the requested spec.loadBalancerIP ${requested} is held by Service ${held.get(requested)}; the Service stays <pending> until that one lets it go, or ask for another address`);
  }
  const free = pool.size - held.size;
  if (free <= 0 || refusedAt === service.metadata.resourceVersion) {
    return warn(
      `no address is free in the LoadBalancer pool ${poolRanges.join(', ')}: all ${pool.size} are held by other Services. ` +
        'The Service stays <pending> until a LoadBalancer Service is deleted (it then gets the freed address), or restart kubelabd server with a larger --lb-pool',
    );
  }
  return { action: 'allocate' };
}
