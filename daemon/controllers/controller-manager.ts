// The controller manager: kube-controller-manager's part of kubelabd. It starts every controller
// with its own work queue and loops, and runs them until the signal aborts.
//
// Controllers share nothing but the API: each keeps its own informers, so one can be read (and
// tested) alone. All of them resync every 30 s, which is what makes a missed event or a daemon
// restart harmless: the next pass looks at the store and converges.

import type { ApiClient } from '../../lib/client/api-client.js';
import type { Clock } from '../../lib/clock.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { setMaxListeners } from 'node:events';
import type { MembershipView } from '../../network/gossip/membership-view.js';
import { SubnetLeaseRegistry } from '../../network/subnet/subnet-lease-registry.js';
import { DeploymentController } from './deployment/deployment-controller.js';
import { EndpointsController } from './endpoints/endpoints-controller.js';
import { GarbageCollector } from './garbage-collector/garbage-collector.js';
import { NodeIpamController } from './node-ipam/node-ipam-controller.js';
import { NodeLifecycleController } from './node-lifecycle/node-lifecycle-controller.js';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, ReplicaSetController } from './replicaset/replica-set-controller.js';

export interface StartControllersOptions {
  client: ApiClient;
  clock: Clock;
  /** An EventRecorder per component (`replicaset-controller`, `deployment-controller` ...). */
  recorderFor: (component: string) => EventRecorder;
  signal: AbortSignal;
  /** Keys each controller reconciles in parallel. */
  workers?: number;
  resyncPeriodMs?: number;
  onError?: (component: string, key: string, error: unknown) => void;
  /** The server's gossip view of the nodes, for the node lifecycle controller (heartbeats only without it). */
  membership?: MembershipView;
  /** Node failure handling; absent fields take Kubernetes' defaults (40 s, 300 s). */
  nodeLifecycle?: { podEvictionTimeoutMs?: number; nodeMonitorGracePeriodMs?: number };
  /** The CIDR the node IPAM controller cuts into one /24 per node. */
  clusterCidr?: string;
}

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';

export const RESYNC_PERIOD_MS = 30_000;

/**
 * Runs the ReplicaSet, ReplicationController, Deployment, Endpoints, node lifecycle and node IPAM
 * controllers and the garbage collector; resolves when `signal` aborts and all have stopped.
 */
export async function startControllers(options: StartControllersOptions): Promise<void> {
  const { client, clock, recorderFor, signal } = options;
  // Every informer, queue and sleep listens on this one signal: dozens of listeners are expected.
  setMaxListeners(0, signal);
  const resyncPeriodMs = options.resyncPeriodMs ?? RESYNC_PERIOD_MS;
  const errorsOf = (component: string) =>
    options.onError ? (key: string, error: unknown) => options.onError!(component, key, error) : undefined;
  const common = (component: string) => ({ client, clock, recorder: recorderFor(component), workers: options.workers, resyncPeriodMs, onError: errorsOf(component) });

  const controllers = [
    new ReplicaSetController(REPLICA_SET_KIND, common(REPLICA_SET_KIND.component)),
    new ReplicaSetController(REPLICATION_CONTROLLER_KIND, common(REPLICATION_CONTROLLER_KIND.component)),
    new DeploymentController(common('deployment-controller')),
    new EndpointsController({ client, clock, workers: options.workers, resyncPeriodMs, onError: errorsOf('endpoint-controller') }),
    new GarbageCollector({ client, clock, workers: options.workers, resyncPeriodMs, onError: errorsOf('garbage-collector') }),
    new NodeLifecycleController({
      client, clock, recorder: recorderFor('node-controller'), membership: options.membership, workers: options.workers, onError: errorsOf('node-lifecycle-controller'),
      nodeMonitorGracePeriodMs: options.nodeLifecycle?.nodeMonitorGracePeriodMs,
      podEvictionTimeoutMs: options.nodeLifecycle?.podEvictionTimeoutMs,
    }),
    new NodeIpamController({
      client, clock, recorder: recorderFor('node-ipam-controller'), resyncPeriodMs, onError: errorsOf('node-ipam-controller'),
      registry: new SubnetLeaseRegistry({ client, clusterCidr: options.clusterCidr ?? DEFAULT_CLUSTER_CIDR, clock }),
    }),
  ];
  await Promise.all(controllers.map((c) => c.run(signal)));
}
