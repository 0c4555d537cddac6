// Services: the load balancer status is the cluster's to report (kube-proxy, a cloud), never the
// client's; and with a ServiceAllocation, every write takes its ClusterIP, NodePorts and
// LoadBalancer address from the cluster's pools (daemon/api/service-allocation.ts).

import type { KubeObject, Service } from '../../../lib/api/types.js';
import type { ServiceAllocation } from '../service-allocation.js';
import { defaultStrategy, type Strategy } from './strategy.js';

export const serviceStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = { loadBalancer: {} };
  },
};

/** The Service strategy of a server that allocates: pass it as `strategies: { services: ... }` to ResourceRegistry. */
export function allocatingServiceStrategy(allocation: ServiceAllocation): Strategy {
  return {
    ...serviceStrategy,
    reserve: (obj, old, options) => (old ? allocation.onUpdate(old as Service, obj as Service, options) : allocation.onCreate(obj as Service, options)),
    afterDelete: (removed) => allocation.onDelete(removed as Service),
  };
}
