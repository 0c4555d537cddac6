// Validation: the API server's last check before an object is stored (the `Validate` step of
// each registry strategy in kube-apiserver). It runs after defaulting, so it may rely on defaults.
//
// validateObject returns every problem as a FieldError with a Kubernetes field path and
// message; the registry turns a non-empty list into one 422 Invalid answer (lib/errors.ts,
// `invalid(...)`), which kubectl prints as `The Pod "x" is invalid:` and one line per cause.
// The kind-specific rules live next door: validate-pod-spec, validate-workload, validate-service.

import { fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong, type FieldError } from '../errors.js';
import { findUnsupportedFields } from './schemas/unsupported-fields.js';
import { validateAgainstSchema } from './schemas/validate.js';
import { checkConfigMapKey, checkDns1123Label, checkDns1123Subdomain, checkDns1035Label } from './name-rules.js';
import type { KubeObject } from './types.js';
import { checkName, checkUnique, isObj, objectsIn, validateObjectMeta, type NameCheck, type Obj } from './validate-object-meta.js';
import { semanticEqual, validatePodSpec, validatePodSpecUpdate } from './validate-pod-spec.js';
import { isIPv4, validateService } from './validate-service.js';
import { validateWorkload } from './validate-workload.js';
import { validateCronJob, validateJob } from './validate-batch.js';
import { validatePersistentVolume, validatePersistentVolumeClaim, validateStorageClass } from './validate-storage.js';
import { validateControllerRevision, validateDaemonSet } from './validate-daemonset.js';
import { validateHorizontalPodAutoscaler } from './validate-autoscaling.js';
import { validateStatefulSet } from './validate-statefulset.js';
import { checkPathSegmentName, validateBinding, validateRole } from './validate-rbac.js';

/** Names of namespaces become DNS labels (`svc.NS.svc.cluster.local`); of services, host names; others may contain dots. */
function nameRuleOf(resource: string): NameCheck {
  switch (resource) {
    case 'namespaces':
      return checkDns1123Label;
    case 'services':
      return checkDns1035Label;
    case 'roles.rbac.authorization.k8s.io':
    case 'clusterroles.rbac.authorization.k8s.io':
    case 'rolebindings.rbac.authorization.k8s.io':
    case 'clusterrolebindings.rbac.authorization.k8s.io':
      // RBAC names are path segments: `system:basic-user` is a ClusterRole's name.
      return checkPathSegmentName;
    default:
      return checkDns1123Subdomain;
  }
}

/**
 * Every problem with `obj` as the resource `resource` (store key: `pods`, `deployments.apps`).
 * `old` is the stored object on update: some fields may not change after creation.
 */
export function validateObject(resource: string, obj: KubeObject, old?: KubeObject): FieldError[] {
  // The rules below assume each field has its JSON type (a list of ports, not "80"): check that first.
  const typeErrors = validateAgainstSchema(resource, obj);
  if (typeErrors.length > 0) return typeErrors;
  const target = obj as Obj;
  const previous = old as Obj | undefined;
  // Fields kubelab knows but does not implement: refused, never accepted and ignored.
  const errors = findUnsupportedFields(resource, obj);
  errors.push(...validateObjectMeta(obj.metadata, nameRuleOf(resource)));
  if (old) errors.push(...validateMetadataUpdate(obj, old));
  switch (resource) {
    case 'pods':
      errors.push(...validatePodSpec(target.spec, 'spec.'));
      if (old) errors.push(...validatePodSpecUpdate(target.spec, previous!.spec));
      break;
    case 'replicationcontrollers':
      errors.push(...validateWorkload('ReplicationController', target, previous));
      break;
    case 'replicasets.apps':
      errors.push(...validateWorkload('ReplicaSet', target, previous));
      break;
    case 'deployments.apps':
      errors.push(...validateWorkload('Deployment', target, previous));
      break;
    case 'jobs.batch':
      errors.push(...validateJob(target, previous));
      break;
    case 'cronjobs.batch':
      errors.push(...validateCronJob(target));
      break;
    case 'daemonsets.apps':
      errors.push(...validateDaemonSet(target, previous));
      break;
    case 'statefulsets.apps':
      errors.push(...validateStatefulSet(target, previous));
      break;
    case 'controllerrevisions.apps':
      errors.push(...validateControllerRevision(target, previous));
      break;
    case 'horizontalpodautoscalers.autoscaling':
      errors.push(...validateHorizontalPodAutoscaler(target));
      break;
    case 'services':
      errors.push(...validateService(target, previous));
      break;
    case 'secrets':
      errors.push(...validateSecret(target, previous));
      break;
    case 'configmaps':
      errors.push(...validateConfigMap(target, previous));
      break;
    case 'events':
      errors.push(...validateEvent(target));
      break;
    case 'endpoints':
      errors.push(...validateEndpoints(target));
      break;
    case 'persistentvolumes':
      errors.push(...validatePersistentVolume(target, previous));
      break;
    case 'persistentvolumeclaims':
      errors.push(...validatePersistentVolumeClaim(target, previous));
      break;
    case 'storageclasses.storage.k8s.io':
      errors.push(...validateStorageClass(target, previous));
      break;
    case 'roles.rbac.authorization.k8s.io':
      errors.push(...validateRole(target, true));
      break;
    case 'clusterroles.rbac.authorization.k8s.io':
      errors.push(...validateRole(target, false));
      break;
    case 'rolebindings.rbac.authorization.k8s.io':
      errors.push(...validateBinding(target, true, previous));
      break;
    case 'clusterrolebindings.rbac.authorization.k8s.io':
      errors.push(...validateBinding(target, false, previous));
      break;
    default:
      // namespaces and nodes: metadata is all there is to check.
      break;
  }
  return errors;
}

/** The identity of an object never changes: a different name is a different object. */
function validateMetadataUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['name', 'namespace', 'uid'] as const) {
    const now = obj.metadata?.[field];
    const before = old.metadata?.[field];
    if (now !== undefined && now !== '' && before !== undefined && now !== before) {
      errors.push(fieldInvalid(`metadata.${field}`, now, 'field is immutable'));
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Secrets and ConfigMaps: keys become file names in a volume, so they must be safe file names.

const MAX_DATA_BYTES = 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Secrets carry base64 on the wire; at most 1 MiB decoded, as etcd and the kubelet expect. */
function validateSecret(secret: Obj, old?: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const data = isObj(secret.data) ? secret.data : {};
  let bytes = 0;
  for (const [key, value] of Object.entries(data)) {
    errors.push(...checkName(`data[${key}]`, key, checkConfigMapKey));
    if (typeof value !== 'string' || !BASE64.test(value)) {
      errors.push(fieldInvalid(`data[${key}]`, '<secret contents redacted>', 'must be a base64-encoded string (illegal base64 data)'));
      continue;
    }
    bytes += Buffer.from(value, 'base64').length;
  }
  if (bytes > MAX_DATA_BYTES) errors.push(fieldTooLong('data', MAX_DATA_BYTES));
  // Typed secrets promise their consumers certain keys.
  // A Map, not an object literal: a type of "constructor" or "__proto__" must find nothing.
  const requiredKeys = new Map<unknown, string[]>([
    ['kubernetes.io/tls', ['tls.crt', 'tls.key']],
    ['kubernetes.io/dockerconfigjson', ['.dockerconfigjson']],
    ['kubernetes.io/dockercfg', ['.dockercfg']],
    ['kubernetes.io/ssh-auth', ['ssh-privatekey']],
  ]);
  for (const key of requiredKeys.get(secret.type) ?? []) {
    if (!Object.hasOwn(data, key)) errors.push(fieldRequired(`data[${key}]`));
  }
  errors.push(...validateImmutableData(secret, old));
  if (old && old.type !== undefined && secret.type !== old.type) errors.push(fieldInvalid('type', secret.type, 'field is immutable'));
  return errors;
}

function validateConfigMap(configMap: Obj, old?: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const data = isObj(configMap.data) ? configMap.data : {};
  const binaryData = isObj(configMap.binaryData) ? configMap.binaryData : {};
  let bytes = 0;
  for (const [key, value] of Object.entries(data)) {
    errors.push(...checkName(`data[${key}]`, key, checkConfigMapKey));
    if (typeof value !== 'string') errors.push(fieldInvalid(`data[${key}]`, value, 'must be a string'));
    bytes += Buffer.byteLength(String(value));
  }
  for (const [key, value] of Object.entries(binaryData)) {
    errors.push(...checkName(`binaryData[${key}]`, key, checkConfigMapKey));
    if (key in data) errors.push(fieldInvalid(`binaryData[${key}]`, key, 'duplicate of key present in data'));
    if (typeof value !== 'string' || !BASE64.test(value)) errors.push(fieldInvalid(`binaryData[${key}]`, '<binary data>', 'must be a base64-encoded string'));
    else bytes += Buffer.from(value, 'base64').length;
  }
  if (bytes > MAX_DATA_BYTES) errors.push(fieldTooLong('data', MAX_DATA_BYTES));
  errors.push(...validateImmutableData(configMap, old));
  return errors;
}

/** `immutable: true` freezes data for good: the kubelet stops watching it, which is the point. */
function validateImmutableData(obj: Obj, old?: Obj): FieldError[] {
  if (!old || old.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (obj.immutable !== true) errors.push(fieldForbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of ['data', 'binaryData']) {
    if (!semanticEqual(obj[field] ?? {}, old[field] ?? {})) errors.push(fieldForbidden(field, 'field is immutable when `immutable` is set'));
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Events and Endpoints: written by components, still checked so a buggy component is caught.

function validateEvent(event: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const involved = isObj(event.involvedObject) ? event.involvedObject : undefined;
  if (!involved) return [fieldRequired('involvedObject')];
  const namespace = (event.metadata as Obj | undefined)?.namespace;
  if (typeof involved.namespace === 'string' && involved.namespace !== '' && typeof namespace === 'string' && namespace !== '' && involved.namespace !== namespace) {
    errors.push(fieldInvalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'));
  }
  if (event.type !== undefined && event.type !== 'Normal' && event.type !== 'Warning') {
    errors.push(fieldInvalid('type', event.type, 'has invalid value: must be one of Normal or Warning'));
  }
  if (event.count !== undefined && (!Number.isInteger(event.count) || (event.count as number) < 0)) {
    errors.push(fieldInvalid('count', event.count, 'must be greater than or equal to 0'));
  }
  return errors;
}

function validateEndpoints(endpoints: Obj): FieldError[] {
  const errors: FieldError[] = [];
  objectsIn(endpoints.subsets).forEach((subset, i) => {
    const at = `subsets[${i}]`;
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      objectsIn(subset[list]).forEach((address, j) => {
        if (!isIPv4(address.ip)) errors.push(fieldInvalid(`${at}.${list}[${j}].ip`, address.ip ?? '', 'must be a valid IP address'));
      });
    }
    const ports = objectsIn(subset.ports);
    ports.forEach((port, j) => {
      const portAt = `${at}.ports[${j}]`;
      if (!Number.isInteger(port.port) || (port.port as number) < 1 || (port.port as number) > 65535) {
        errors.push(fieldInvalid(`${portAt}.port`, port.port ?? 0, 'must be between 1 and 65535, inclusive'));
      }
      if (typeof port.name === 'string' && port.name !== '') errors.push(...checkName(`${portAt}.name`, port.name, checkDns1123Label));
      else if (ports.length > 1) errors.push(fieldRequired(`${portAt}.name`));
    });
    errors.push(...checkUnique(ports.map((p, j) => ({ field: `${at}.ports[${j}].name`, value: p.name }))));
  });
  return errors;
}
