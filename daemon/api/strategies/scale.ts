// The /scale subresource: one small, uniform view (autoscaling/v1 Scale) of every scalable kind.
//
// `kubectl scale` and the autoscaler do not need to know whether they scale a Deployment, a
// ReplicaSet or a ReplicationController: they read and write a Scale. Writing its spec.replicas
// sets the parent's spec.replicas (a spec change: generation goes up, the controller reacts).
// status.selector is the parent's selector as a string (`app=nginx`), for finding the pods.

import type { KubeObject, LabelSelector } from '../../../lib/api/types.js';
import { labelSelectorToString } from '../../../lib/api/selectors.js';
import { INT32_MAX } from '../../../lib/api/schemas/schema.js';
import { ApiError, fieldInvalid, invalid } from '../../../lib/errors.js';

const SCALABLE = new Set(['replicationcontrollers', 'replicasets.apps', 'deployments.apps', 'statefulsets.apps']);

export function ensureScalable(resource: string): void {
  if (!SCALABLE.has(resource)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

interface Scalable {
  spec?: { replicas?: number; selector?: LabelSelector | Record<string, string> };
  status?: { replicas?: number };
}

export function toScale(parent: KubeObject): KubeObject {
  const { spec, status } = parent as KubeObject & Scalable;
  const { name, namespace, uid, resourceVersion, creationTimestamp } = parent.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec?.replicas ?? 0 },
    status: { replicas: status?.replicas ?? 0, selector: spec?.selector ? labelSelectorToString(spec.selector) : '' },
  };
}

/** The parent with the Scale's spec.replicas; a 422 on the Scale when the number is not a count. */
export function applyScale(parent: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale as { spec?: { replicas?: unknown } }).spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0 || replicas > INT32_MAX) {
    throw invalid('Scale', 'autoscaling', parent.metadata.name ?? '', [
      fieldInvalid('spec.replicas', replicas, `must be an integer between 0 and ${INT32_MAX} (an int32)`),
    ]);
  }
  return { ...parent, spec: { ...(parent.spec as object), replicas } };
}
