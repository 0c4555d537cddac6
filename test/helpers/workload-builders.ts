// Builders for the objects controller tests talk about, in the spirit of Kubernetes' controller
// tests (newReplicaSet(...), newPod(...)): only what the test cares about is spelled out.

import type { Deployment, Pod, PodTemplateSpec, ReplicaSet } from '../../lib/api/types.js';

export interface PodOptions {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  nodeName?: string;
  ready?: boolean;
  /** When the Ready condition last changed. */
  readySince?: string;
  restarts?: number;
  created?: string;
  labels?: Record<string, string>;
  deletionCost?: number;
}

export function newPod(name: string, options: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: options.labels ?? { app: 'web' },
      creationTimestamp: options.created ?? '2025-01-01T00:00:00Z',
      ...(options.deletionCost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(options.deletionCost) } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(options.nodeName ? { nodeName: options.nodeName } : {}) }, // not-built: planner test data, never run
    status: {
      phase: options.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True', lastTransitionTime: options.readySince ?? '2025-01-01T00:00:00Z' }],
      containerStatuses: [
        { name: 'c', state: {}, lastState: {}, ready: options.ready !== false, restartCount: options.restarts ?? 0, image: 'busybox', imageID: '' }, // not-built: planner test data, never run
      ],
    },
  };
}

export function template(image = 'nginx:1.25', labels: Record<string, string> = { app: 'web' }): PodTemplateSpec { // not-built: planner test data, never run
  return { metadata: { labels }, spec: { containers: [{ name: 'web', image }] } };
}

export interface ReplicaSetOptions {
  available?: number;
  actual?: number;
  created?: string;
  revision?: number;
  maxReplicas?: number;
  desired?: number;
  image?: string;
}

export function newReplicaSet(name: string, replicas: number, options: ReplicaSetOptions = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (options.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = String(options.revision);
  if (options.maxReplicas !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(options.maxReplicas);
  if (options.desired !== undefined) annotations['deployment.kubernetes.io/desired-replicas'] = String(options.desired);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1, creationTimestamp: options.created ?? '2025-01-01T00:00:00Z', annotations },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(options.image ?? name) },
    status: {
      replicas: options.actual ?? replicas,
      availableReplicas: options.available ?? replicas,
      readyReplicas: options.available ?? replicas,
      observedGeneration: 1,
    },
  };
}

export interface DeploymentOptions {
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  strategy?: 'RollingUpdate' | 'Recreate';
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  generation?: number;
  image?: string;
}

export function newDeployment(name: string, replicas: number, options: DeploymentOptions = {}): Deployment {
  const type = options.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: options.generation ?? 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template(options.image),
      strategy:
        type === 'Recreate'
          ? { type }
          : { type, rollingUpdate: { maxSurge: options.maxSurge ?? '25%', maxUnavailable: options.maxUnavailable ?? '25%' } },
      ...(options.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: options.revisionHistoryLimit } : {}),
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
    },
    status: {},
  };
}
