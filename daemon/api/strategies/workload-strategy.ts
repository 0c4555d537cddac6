// ReplicationControllers, ReplicaSets and Deployments: the user writes spec, controllers write status.
//
// On create the status a client sends is dropped (Kubernetes resets it too): the controller that
// owns the object reports what it observed, starting from "no replicas yet". Everything else is
// the plain behaviour: status only through /status, DELETE removes at once (what happens to the
// pods and ReplicaSets the object owns is the garbage collector's business, not the registry's).

import type { KubeObject } from '../../../lib/api/types.js';
import { defaultStrategy, type Strategy } from './strategy.js';

/** `replicas` is a required field of ReplicaSet and ReplicationController status, so it starts at 0. */
export const replicaSetStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = { replicas: 0 };
  },
};

export const deploymentStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = {};
  },
};

/** A StatefulSet's status requires `replicas`; its controller fills in the rest. */
export const statefulSetStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
};

/** The four counts a DaemonSet's status requires start at 0, until its controller has looked at the nodes. */
export const daemonSetStrategy: Strategy = {
  ...defaultStrategy(true),
  prepareForCreate(obj: KubeObject): void {
    obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },
};
