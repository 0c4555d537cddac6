// Services: the load balancer status is the cluster's to report (kube-proxy, a cloud), never the client's.

import type { KubeObject } from '../../../lib/api/types.js';
import { defaultStrategy, type Strategy } from './strategy.js';

export const serviceStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = { loadBalancer: {} };
  },
};
