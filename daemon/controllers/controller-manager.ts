// The controller manager: kube-controller-manager's part of kubelabd. It starts the enabled
// controllers, all on one set of shared informers, and runs them until the signal aborts.
//
// Every controller is one entry of CONTROLLERS: its name (kube-controller-manager's, as
// `--controllers` spells it) and how to make it. Leader election (several servers) will wrap
// startControllers, this one place. `--controllers` picks the entries as Kubernetes does:
// `*` is every controller, `foo` enables foo, `-foo` disables it; `*,-nodeipam` is all but one.
//
// Controllers share nothing but the API and the informers: each has its own work queue, so one
// can be read and tested alone. All of them resync every 30 s, which is what makes a missed
// event or a daemon restart harmless: the next pass looks at the store and converges.

import type { ApiClient } from '../../lib/client/api-client.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import type { Clock } from '../../lib/clock.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { setMaxListeners } from 'node:events';
import type { MembershipView } from '../../network/gossip/membership-view.js';
import { SubnetLeaseRegistry } from '../../network/subnet/subnet-lease-registry.js';
import { DEFAULT_RESYNC_PERIOD_MS, type ControllerOptions } from './controller.js';
import { CronJobController } from './cronjob/cronjob-controller.js';
import { DaemonSetController, DAEMON_SET_COMPONENT } from './daemonset/daemon-set-controller.js';
import { StatefulSetController, STATEFUL_SET_COMPONENT } from './statefulset/stateful-set-controller.js';
import { DeploymentController } from './deployment/deployment-controller.js';
import { EndpointsController } from './endpoints/endpoints-controller.js';
import { JobController } from './job/job-controller.js';
import { ServiceAccountsController, SERVICE_ACCOUNTS_COMPONENT } from './serviceaccount/service-accounts-controller.js';
import { RootCaCertPublisher, ROOT_CA_PUBLISHER_COMPONENT } from './serviceaccount/root-ca-cert-publisher.js';
import { TtlAfterFinishedController } from './ttl-after-finished/ttl-after-finished-controller.js';
import { CLUSTER_ROLE_AGGREGATION_COMPONENT, ClusterRoleAggregationController } from './clusterrole-aggregation/clusterrole-aggregation-controller.js';
import { SERVICE_LB_COMPONENT, ServiceLbController } from './service-lb/service-lb-controller.js';
import { GarbageCollector } from './garbage-collector/garbage-collector.js';
import { NodeIpamController } from './node-ipam/node-ipam-controller.js';
import { NodeLifecycleController } from './node-lifecycle/node-lifecycle-controller.js';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, ReplicaSetController } from './replicaset/replica-set-controller.js';
import { PersistentVolumeController, PERSISTENT_VOLUME_COMPONENT } from './volume-binding/persistent-volume-controller.js';
import { PROTECTION_COMPONENT, StorageProtectionController } from './volume-binding/protection-controller.js';
import { NETWORK_DEFAULTS } from '../config.js';
import type { BackoffPolicy } from '../../lib/backoff.js';
import { HorizontalController } from './podautoscaler/horizontal-controller.js';
import type { ResourceMetricsClient } from './podautoscaler/resource-metrics-client.js';

export interface StartControllersOptions {
  /** The horizontal pod autoscaler's --hpa-* flags (HPA_DEFAULTS without them). */
  hpa?: { syncPeriodMs?: number; downscaleStabilizationMs?: number; tolerance?: number; metrics?: ResourceMetricsClient };
  client: ApiClient;
  clock: Clock;
  /** An EventRecorder per component (`replicaset-controller`, `deployment-controller` ...). */
  recorderFor: (component: string) => EventRecorder;
  signal: AbortSignal;
  /** The process's shared informers; one of its own without it. */
  informers?: SharedInformerFactory;
  /** Which controllers run, as `--controllers` says (default `*`: all). */
  controllers?: string[];
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
  /** The Job controller's re-create delay after pod failures (JOB_DEFAULTS.podFailureBackoff without it). */
  jobPodFailureBackoff?: BackoffPolicy;
  /** The API server's LoadBalancer address pool, for the service-lb controller's messages and retries. */
  lbPool?: readonly string[];
  /** The cluster CA certificate the root-ca-cert-publisher puts in every namespace (it does not run without it). */
  caCertPem?: string;
}

export const DEFAULT_CLUSTER_CIDR = NETWORK_DEFAULTS.clusterCidr;

interface RunnableController {
  run(signal: AbortSignal): Promise<void>;
}

interface ControllerEntry {
  /** kube-controller-manager's name for it. */
  name: string;
  /** The component name its events and log lines carry. */
  component: string;
  start(common: ControllerOptions, options: StartControllersOptions): RunnableController;
}

/** Every controller kubelabd has, in the order they start. */
export const CONTROLLERS: readonly ControllerEntry[] = [
  { name: 'replicaset', component: REPLICA_SET_KIND.component, start: (common) => new ReplicaSetController(REPLICA_SET_KIND, common) },
  { name: 'replicationcontroller', component: REPLICATION_CONTROLLER_KIND.component, start: (common) => new ReplicaSetController(REPLICATION_CONTROLLER_KIND, common) },
  { name: 'deployment', component: 'deployment-controller', start: (common) => new DeploymentController(common) },
  { name: 'daemonset', component: DAEMON_SET_COMPONENT, start: (common) => new DaemonSetController(common) },
  { name: 'statefulset', component: STATEFUL_SET_COMPONENT, start: (common) => new StatefulSetController(common) },
  { name: 'endpoint', component: 'endpoint-controller', start: (common) => new EndpointsController(common) },
  { name: 'garbagecollector', component: 'garbage-collector', start: (common) => new GarbageCollector(common) },
  { name: 'job', component: 'job-controller', start: (common, options) => new JobController({ ...common, podFailureBackoff: options.jobPodFailureBackoff }) },
  { name: 'cronjob', component: 'cronjob-controller', start: (common) => new CronJobController(common) },
  { name: 'ttl-after-finished', component: 'ttl-after-finished-controller', start: (common) => new TtlAfterFinishedController(common) },
  { name: 'service-lb', component: SERVICE_LB_COMPONENT, start: (common, options) => new ServiceLbController({ ...common, lbPool: options.lbPool ?? [] }) },
  {
    name: 'nodelifecycle',
    component: 'node-controller',
    // Its period is the node monitor period (5 s), not the 30 s resync.
    start: ({ resyncPeriodMs: _resync, ...common }, options) =>
      new NodeLifecycleController({
        ...common,
        membership: options.membership,
        nodeMonitorGracePeriodMs: options.nodeLifecycle?.nodeMonitorGracePeriodMs,
        podEvictionTimeoutMs: options.nodeLifecycle?.podEvictionTimeoutMs,
      }),
  },
  {
    name: 'horizontalpodautoscaling',
    component: 'horizontal-pod-autoscaler',
    // Its period is the HPA sync period (15 s), not the 30 s resync.
    start: ({ resyncPeriodMs: _resync, ...common }, options) => new HorizontalController({ ...common, ...options.hpa }),
  },
  {
    name: 'nodeipam',
    component: 'node-ipam-controller',
    start: (common, options) =>
      new NodeIpamController({ ...common, registry: new SubnetLeaseRegistry({ client: common.client, clusterCidr: options.clusterCidr ?? DEFAULT_CLUSTER_CIDR, clock: common.clock }) }),
  },
  { name: 'persistentvolume-binder', component: PERSISTENT_VOLUME_COMPONENT, start: (common) => new PersistentVolumeController(common) },
  // One controller plays both pvc-protection and pv-protection (their finalizers, their rules).
  { name: 'pvc-protection', component: PROTECTION_COMPONENT, start: (common) => new StorageProtectionController(common) },
  { name: 'serviceaccount', component: SERVICE_ACCOUNTS_COMPONENT, start: (common) => new ServiceAccountsController(common) },
  {
    name: 'root-ca-cert-publisher',
    component: ROOT_CA_PUBLISHER_COMPONENT,
    start: (common, options) => (options.caCertPem ? new RootCaCertPublisher({ ...common, caCertPem: options.caCertPem }) : { run: async () => {} }),
  },
  // Fills in the rules of the aggregated ClusterRoles (admin, edit, view).
  { name: 'clusterrole-aggregation', component: CLUSTER_ROLE_AGGREGATION_COMPONENT, start: (common) => new ClusterRoleAggregationController(common) },
];

export const CONTROLLER_NAMES: readonly string[] = CONTROLLERS.map((entry) => entry.name);

/**
 * The controllers `--controllers` enables, in start order (pure). Each item is `*` (every
 * controller), a name (enable it) or `-name` (disable it); a name alone, without `*`, enables
 * only the names given. Items may also be comma-separated within one string.
 */
export function selectControllers(flags: readonly string[], known: readonly string[] = CONTROLLER_NAMES): string[] {
  const items = flags.flatMap((flag) => flag.split(',')).map((item) => item.trim()).filter((item) => item !== '');
  const unknown = items.filter((item) => item !== '*' && !known.includes(item.replace(/^-/, '')));
  if (unknown.length > 0) {
    throw new Error(`--controllers: unknown controller ${unknown.map((item) => `"${item.replace(/^-/, '')}"`).join(', ')}; known controllers are ${known.join(', ')} (* means all, -name disables one)`);
  }
  const everything = items.length === 0 || items.includes('*');
  return known.filter((name) => !items.includes(`-${name}`) && (everything || items.includes(name)));
}

/**
 * Runs the controllers `options.controllers` enables (all by default) on shared informers;
 * resolves when `signal` aborts and all have stopped.
 */
export async function startControllers(options: StartControllersOptions): Promise<void> {
  const { client, clock, recorderFor, signal } = options;
  // Every informer, queue and sleep listens on this one signal: dozens of listeners are expected.
  setMaxListeners(0, signal);
  const informers = options.informers ?? new SharedInformerFactory({ client, clock });
  const enabled = new Set(selectControllers(options.controllers ?? ['*']));
  const controllers = CONTROLLERS.filter((entry) => enabled.has(entry.name)).map((entry) => {
    const onError = options.onError;
    const common: ControllerOptions = {
      client,
      clock,
      informers,
      recorder: recorderFor(entry.component),
      workers: options.workers,
      resyncPeriodMs: options.resyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS,
      onError: onError ? (key, error) => onError(entry.component, key, error) : undefined,
    };
    return entry.start(common, options);
  });
  await Promise.all(controllers.map((controller) => controller.run(signal)));
}
