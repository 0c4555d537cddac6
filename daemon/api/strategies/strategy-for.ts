// Which strategy each resource uses. Kinds not listed get the plain one (see strategy.ts).

import { resourceByKey } from '../../../lib/api/resources.js';
import { horizontalPodAutoscalerStrategy } from './autoscaling-strategy.js';
import { cronJobStrategy, jobStrategy } from './batch-strategy.js';
import { namespaceStrategy } from './namespace-strategy.js';
import { podStrategy } from './pod-strategy.js';
import { serviceStrategy } from './service-strategy.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './storage-strategy.js';
import { defaultStrategy, type Strategy } from './strategy.js';
import { daemonSetStrategy, deploymentStrategy, replicaSetStrategy, statefulSetStrategy } from './workload-strategy.js';

const STRATEGIES: Record<string, Strategy> = {
  pods: podStrategy,
  namespaces: namespaceStrategy,
  services: serviceStrategy,
  replicationcontrollers: replicaSetStrategy,
  'replicasets.apps': replicaSetStrategy,
  'deployments.apps': deploymentStrategy,
  'jobs.batch': jobStrategy,
  'cronjobs.batch': cronJobStrategy,
  'daemonsets.apps': daemonSetStrategy,
  'statefulsets.apps': statefulSetStrategy,
  persistentvolumes: persistentVolumeStrategy,
  persistentvolumeclaims: persistentVolumeClaimStrategy,
  'horizontalpodautoscalers.autoscaling': horizontalPodAutoscalerStrategy,
};

/** `resource` is the store key (`pods`, `deployments.apps`). */
export function strategyFor(resource: string): Strategy {
  const hasStatus = resourceByKey(resource)?.subresources.some((s) => s.name === 'status') ?? false;
  return STRATEGIES[resource] ?? defaultStrategy(hasStatus);
}
