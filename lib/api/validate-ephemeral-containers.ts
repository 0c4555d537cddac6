// Validation of a pod's ephemeral containers (k8s.io/kubernetes/pkg/apis/core/validation:
// validateEphemeralContainers and ValidatePodEphemeralContainersUpdate).
//
// An ephemeral container is what `kubectl debug` adds to a running pod: a shell with tools, in
// the pod's network (and, with a target, in one container's process namespace). It is a guest,
// not part of the workload, so Kubernetes keeps it harmless:
// - it may be added only through the pods/ephemeralcontainers subresource, never on create,
//   never in a pod template, and never by an ordinary pod update;
// - once added it may not be removed or changed (the kubelet starts each one once and never
//   restarts it; its status stays in the pod);
// - it may not have ports, probes, lifecycle hooks or resources: nothing may rely on it, and the
//   pod's resources are fixed; a volume mount may not use a subPath;
// - its name is unique among all the pod's containers, and targetContainerName names one of the
//   pod's (non-ephemeral) containers.

import { fieldDuplicate, fieldForbidden, fieldNotFound, type FieldError } from '../errors.js';
import { isObj, objectsIn, type Obj } from './validate-object-meta.js';
import { semanticEqual, validateContainer } from './validate-pod-spec.js';

/** The Container fields an ephemeral container may set (Kubernetes' allowedEphemeralContainerFields). */
const ALLOWED_FIELDS = new Set([
  // (Kubernetes allows volumeDevices too; kubelab has no raw block volumes, so they are refused here.)
  'name', 'image', 'command', 'args', 'workingDir', 'env', 'envFrom', 'volumeMounts',
  'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
  // EphemeralContainer's own field.
  'targetContainerName',
]);

const EPHEMERAL_ONLY = 'cannot be set for an Ephemeral Container';

/** Go's zero value (an empty object or list, false, 0, ''): such a field counts as not set. */
function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObj(value)) return Object.values(value).every(isZero);
  return false;
}

/** The ephemeral containers of a pod's spec (at `spec.ephemeralContainers`), checked against the rest of the spec. */
export function validateEphemeralContainers(spec: unknown): FieldError[] {
  if (!isObj(spec)) return [];
  const errors: FieldError[] = [];
  const volumeNames = new Set(objectsIn(spec.volumes).map((v) => v.name).filter((n): n is string => typeof n === 'string'));
  const podContainerNames = new Set(
    [...objectsIn(spec.containers), ...objectsIn(spec.initContainers)].map((c) => c.name).filter((n): n is string => typeof n === 'string'),
  );
  const taken = new Set(podContainerNames);
  objectsIn(spec.ephemeralContainers).forEach((container, i) => {
    const at = `spec.ephemeralContainers[${i}]`;
    errors.push(...validateContainer(container, at, volumeNames, false, podContainerNames));
    if (typeof container.name === 'string' && container.name !== '') {
      if (taken.has(container.name)) errors.push(fieldDuplicate(`${at}.name`, container.name));
      taken.add(container.name);
    }
    const target = container.targetContainerName;
    if (typeof target === 'string' && target !== '' && !podContainerNames.has(target)) errors.push(fieldNotFound(`${at}.targetContainerName`, target));
    for (const [field, value] of Object.entries(container)) {
      if (!ALLOWED_FIELDS.has(field) && !isZero(value)) errors.push(fieldForbidden(`${at}.${field}`, EPHEMERAL_ONLY));
    }
    objectsIn(container.volumeMounts).forEach((mount, j) => {
      for (const field of ['subPath', 'subPathExpr'] as const) {
        if (!isZero(mount[field])) errors.push(fieldForbidden(`${at}.volumeMounts[${j}].${field}`, EPHEMERAL_ONLY));
      }
    });
  });
  return errors;
}

/** A new pod may not bring ephemeral containers: they are added to a running pod. */
export function validateNoEphemeralContainersOnCreate(spec: unknown): FieldError[] {
  if (!isObj(spec) || objectsIn(spec.ephemeralContainers).length === 0) return [];
  return [fieldForbidden('spec.ephemeralContainers', 'cannot be set on create')];
}

/**
 * A write through pods/ephemeralcontainers: new ephemeral containers may be added; the existing
 * ones stay exactly as they are. (The registry takes nothing else from such a write.)
 */
export function validateEphemeralContainersUpdate(newSpec: unknown, oldSpec: unknown): FieldError[] {
  if (!isObj(newSpec) || !isObj(oldSpec)) return [];
  const errors: FieldError[] = [];
  const byName = new Map<unknown, Obj>(objectsIn(newSpec.ephemeralContainers).map((c) => [c.name, c]));
  for (const old of objectsIn(oldSpec.ephemeralContainers)) {
    const now = byName.get(old.name);
    if (!now) {
      errors.push(fieldForbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(old.name)} may not be removed`));
      continue;
    }
    const changed = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter((key) => !semanticEqual(old[key], now[key])).sort();
    if (changed.length > 0) {
      errors.push(fieldForbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(old.name)} may not be changed; changed: ${changed.join(', ')}`));
    }
  }
  return errors;
}
