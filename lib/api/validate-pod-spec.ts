// Validation of a PodSpec (k8s.io/kubernetes/pkg/apis/core/validation, ValidatePodSpec), used for
// pods at `spec.` and for pod templates at `spec.template.spec.`, and of pod updates.
//
// A pod is a promise to the kubelet: what it may run never changes after creation. So an update
// may only swap container images, shorten activeDeadlineSeconds, add tolerations, and bind the
// pod to a node once; everything else means "delete and create a new pod", which is exactly what
// ReplicaSets and Deployments do.

import { fieldForbidden, fieldInvalid, fieldNotFound, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { checkConfigMapKey, checkDns1123Label, checkDns1123Subdomain, checkEnvVarName, checkPortName, checkQualifiedName } from './name-rules.js';
import { parseQuantity, QUANTITY_FORMAT_MESSAGE } from './quantity.js';
import { validateAffinity, validateTopologySpreadConstraints } from './validate-affinity.js';
import {
  checkFieldRef, checkResourceFieldRef, ENV_FIELD_PATHS, validateContainerSecurityContext, validateDownwardApiItems, validatePodSecurityContext, validateProjectedSources,
} from './validate-pod-features.js';
import {
  checkName,
  checkNonNegative,
  checkOptionalPort,
  checkPositive,
  checkRequiredPort,
  checkUnique,
  isObj,
  isValidPortNumber,
  objectsIn,
  requiredWith,
  validateLabels,
  type Obj,
} from './validate-object-meta.js';

const RESTART_POLICIES = ['Always', 'Never', 'OnFailure'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TERMINATION_MESSAGE_POLICIES = ['FallbackToLogsOnError', 'File'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

/** Every volume source of core/v1 VolumeSource: a volume names exactly one. */
export const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];

// The kubelet (daemon/kubelet/volumes.ts) mounts emptyDir, hostPath, secret, configMap,
// persistentVolumeClaim, downwardAPI and projected volumes; UNSUPPORTED_FIELDS
// (lib/api/schemas/unsupported-fields.ts) refuses every other source at create, never quietly
// replaced by an empty directory.

/** `path` ends with a dot: `spec.` for a pod, `spec.template.spec.` for a template. */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  const at = path.replace(/\.$/, '');
  if (!isObj(spec)) return [fieldRequired(at)];
  const errors: FieldError[] = [];
  const volumeNames = new Set(objectsIn(spec.volumes).map((v) => v.name).filter((n): n is string => typeof n === 'string'));

  const containers = objectsIn(spec.containers);
  const initContainers = objectsIn(spec.initContainers);
  const containerNames = new Set([...containers, ...initContainers].map((c) => c.name).filter((n): n is string => typeof n === 'string'));
  errors.push(...validateVolumes(spec.volumes, `${path}volumes`, containerNames));
  if (containers.length === 0) errors.push(fieldRequired(`${path}containers`));
  containers.forEach((c, i) => errors.push(...validateContainer(c, `${path}containers[${i}]`, volumeNames, false, containerNames)));
  initContainers.forEach((c, i) => errors.push(...validateContainer(c, `${path}initContainers[${i}]`, volumeNames, true, containerNames)));
  // A pod's ephemeral containers are checked by validate-ephemeral-containers.ts; a template may have none.
  if (path !== 'spec.' && objectsIn(spec.ephemeralContainers).length > 0) {
    errors.push(fieldForbidden(`${path}ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  errors.push(...validatePodSecurityContext(spec.securityContext, `${path}securityContext`, spec.hostNetwork === true, spec.hostIPC === true));
  if (spec.hostNetwork === true) {
    // In the node's network a container port is a node port: Kubernetes requires hostPort == containerPort.
    [...containers.map((c, i) => ({ c, at: `${path}containers[${i}]` })), ...initContainers.map((c, i) => ({ c, at: `${path}initContainers[${i}]` }))].forEach(({ c, at }) =>
      objectsIn(c.ports).forEach((p, j) => {
        if (p.hostPort !== undefined && p.hostPort !== p.containerPort) errors.push(fieldInvalid(`${at}.ports[${j}].hostPort`, p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }),
    );
  }
  objectsIn(spec.hostAliases).forEach((a, i) => {
    if (typeof a.ip !== 'string' || !/^(\d{1,3}\.){3}\d{1,3}$|:/.test(a.ip)) errors.push(fieldInvalid(`${path}hostAliases[${i}].ip`, a.ip, 'must be a valid IP address'));
    (Array.isArray(a.hostnames) ? a.hostnames : []).forEach((h: unknown, j: number) => {
      if (typeof h !== 'string' || checkDns1123Subdomain(h).length > 0) errors.push(fieldInvalid(`${path}hostAliases[${i}].hostnames[${j}]`, h, 'must be a DNS subdomain'));
    });
  });
  // Names are unique across init and app containers: `kubectl logs -c NAME` must mean one container.
  errors.push(...checkUnique([
    ...initContainers.map((c, i) => ({ field: `${path}initContainers[${i}].name`, value: c.name })),
    ...containers.map((c, i) => ({ field: `${path}containers[${i}].name`, value: c.name })),
  ]));

  errors.push(...checkSupported(`${path}restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  errors.push(...checkSupported(`${path}dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.dnsPolicy === 'None' && !isObj(spec.dnsConfig)) {
    errors.push(requiredWith(`${path}dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  errors.push(...checkNonNegative(`${path}terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds));
  errors.push(...checkPositive(`${path}activeDeadlineSeconds`, spec.activeDeadlineSeconds));
  errors.push(...validateLabels(spec.nodeSelector, `${path}nodeSelector`));
  errors.push(...validateAffinity(spec.affinity, path), ...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path));
  for (const field of ['hostname', 'subdomain'] as const) {
    const value = spec[field];
    if (typeof value === 'string' && value !== '') errors.push(...checkName(`${path}${field}`, value, checkDns1123Label));
  }
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') errors.push(...checkName(`${path}nodeName`, spec.nodeName, checkDns1123Subdomain));
  objectsIn(spec.tolerations).forEach((t, i) => errors.push(...validateToleration(t, `${path}tolerations[${i}]`)));
  objectsIn(spec.imagePullSecrets).forEach((s, i) => {
    if (typeof s.name !== 'string' || s.name === '') errors.push(fieldRequired(`${path}imagePullSecrets[${i}].name`));
  });
  return errors;
}

function checkSupported(field: string, value: unknown, supported: string[]): FieldError[] {
  if (value === undefined || value === null) return [];
  return supported.includes(value as string) ? [] : [fieldNotSupported(field, value, supported)];
}

// ---------------------------------------------------------------------------------------------
// Volumes

function validateVolumes(volumes: unknown, path: string, containerNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const list = objectsIn(volumes);
  list.forEach((volume, i) => {
    const at = `${path}[${i}]`;
    if (typeof volume.name !== 'string' || volume.name === '') errors.push(fieldRequired(`${at}.name`));
    else errors.push(...checkName(`${at}.name`, volume.name, checkDns1123Label));
    const sources = VOLUME_SOURCES.filter((s) => volume[s] !== undefined && volume[s] !== null);
    if (sources.length === 0) errors.push(requiredWith(at, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errors.push(fieldForbidden(`${at}.${extra}`, 'may not specify more than 1 volume type'));
    errors.push(...validateVolumeSource(volume, at));
    if (isObj(volume.downwardAPI)) errors.push(...validateDownwardApiItems(volume.downwardAPI.items, `${at}.downwardAPI.items`, containerNames));
    if (isObj(volume.projected)) errors.push(...validateProjectedSources(volume.projected.sources, `${at}.projected.sources`, containerNames));
  });
  errors.push(...checkUnique(list.map((v, i) => ({ field: `${path}[${i}].name`, value: v.name }))));
  return errors;
}

function validateVolumeSource(volume: Obj, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const checkMode = (field: string, mode: unknown): void => {
    if (mode === undefined || mode === null) return;
    if (!Number.isInteger(mode) || (mode as number) < 0 || (mode as number) > 0o777) {
      errors.push(fieldInvalid(field, mode, 'must be a number between 0 and 0777 (octal), both inclusive'));
    }
  };
  const checkItems = (field: string, items: unknown): void => {
    objectsIn(items).forEach((item, i) => {
      if (typeof item.key !== 'string' || item.key === '') errors.push(fieldRequired(`${field}[${i}].key`));
      if (typeof item.path !== 'string' || item.path === '') errors.push(fieldRequired(`${field}[${i}].path`));
      else errors.push(...checkRelativePath(`${field}[${i}].path`, item.path));
      checkMode(`${field}[${i}].mode`, item.mode);
    });
  };
  if (isObj(volume.secret)) {
    const s = volume.secret;
    if (typeof s.secretName !== 'string' || s.secretName === '') errors.push(fieldRequired(`${at}.secret.secretName`));
    checkMode(`${at}.secret.defaultMode`, s.defaultMode);
    checkItems(`${at}.secret.items`, s.items);
  }
  if (isObj(volume.configMap)) {
    const c = volume.configMap;
    if (typeof c.name !== 'string' || c.name === '') errors.push(fieldRequired(`${at}.configMap.name`));
    checkMode(`${at}.configMap.defaultMode`, c.defaultMode);
    checkItems(`${at}.configMap.items`, c.items);
  }
  if (isObj(volume.hostPath)) {
    const h = volume.hostPath;
    if (typeof h.path !== 'string' || h.path === '') errors.push(fieldRequired(`${at}.hostPath.path`));
    const types = ['', 'Block', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
    errors.push(...checkSupported(`${at}.hostPath.type`, h.type, types));
  }
  if (isObj(volume.persistentVolumeClaim) && !volume.persistentVolumeClaim.claimName) {
    errors.push(fieldRequired(`${at}.persistentVolumeClaim.claimName`));
  }
  if (isObj(volume.emptyDir) && volume.emptyDir.sizeLimit !== undefined) {
    errors.push(...checkQuantity(`${at}.emptyDir.sizeLimit`, volume.emptyDir.sizeLimit));
  }
  return errors;
}

/** Paths inside a volume: relative and never climbing out with `..`. */
function checkRelativePath(field: string, path: string): FieldError[] {
  if (path.startsWith('/')) return [fieldInvalid(field, path, 'must be a relative path')];
  if (path.split('/').includes('..')) return [fieldInvalid(field, path, "must not contain '..'")];
  return [];
}

// ---------------------------------------------------------------------------------------------
// Containers

/** One container's fields (app, init, or ephemeral with isInit false); `at` is its path, e.g. `spec.containers[0]`. */
export function validateContainer(c: Obj, at: string, volumeNames: Set<string>, isInit: boolean, containerNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof c.name !== 'string' || c.name === '') errors.push(fieldRequired(`${at}.name`));
  else errors.push(...checkName(`${at}.name`, c.name, checkDns1123Label));
  if (typeof c.image !== 'string' || c.image === '') errors.push(fieldRequired(`${at}.image`));
  else if (c.image.trim() !== c.image) errors.push(fieldInvalid(`${at}.image`, c.image, 'must not have leading or trailing whitespace'));
  errors.push(...checkSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  errors.push(...checkSupported(`${at}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
    // Only init containers may say `Always`: that makes them sidecars that run beside the app.
    if (!isInit) errors.push(fieldForbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
    else errors.push(...checkSupported(`${at}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  errors.push(...validatePorts(c.ports, `${at}.ports`));
  errors.push(...validateEnv(c.env, `${at}.env`, containerNames));
  errors.push(...validateEnvFrom(c.envFrom, `${at}.envFrom`));
  errors.push(...validateContainerSecurityContext(c.securityContext, `${at}.securityContext`));
  if (isInit && c.restartPolicy !== 'Always' && isObj(c.lifecycle)) errors.push(fieldForbidden(`${at}.lifecycle`, 'may not be set for init containers without restartPolicy=Always'));
  errors.push(...validateVolumeMounts(c.volumeMounts, `${at}.volumeMounts`, volumeNames));
  errors.push(...validateResources(c.resources, `${at}.resources`));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (c[probe] !== undefined && c[probe] !== null) {
      if (isInit && c.restartPolicy !== 'Always') errors.push(fieldForbidden(`${at}.${probe}`, `may not be set for init containers without restartPolicy=Always`));
      errors.push(...validateProbe(c[probe], `${at}.${probe}`, probe !== 'readinessProbe'));
    }
  }
  if (isObj(c.lifecycle)) {
    for (const hook of ['postStart', 'preStop'] as const) {
      if (c.lifecycle[hook] !== undefined) errors.push(...validateHandler(c.lifecycle[hook], `${at}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
  }
  return errors;
}

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const list = objectsIn(ports);
  list.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (typeof p.name === 'string' && p.name !== '') errors.push(...checkName(`${at}.name`, p.name, checkPortName));
    errors.push(...checkRequiredPort(`${at}.containerPort`, p.containerPort));
    errors.push(...checkOptionalPort(`${at}.hostPort`, p.hostPort));
    errors.push(...checkSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    // The node publishes a hostPort through Docker's port mappings, for TCP and UDP only; without a
    // hostPort the protocol is what Kubernetes makes it too: information for readers.
    if (p.protocol === 'SCTP' && p.hostPort) errors.push(fieldForbidden(`${at}.protocol`, 'kubelab publishes hostPorts for TCP and UDP only: use one of them, or drop the hostPort and reach the pod by its IP or a Service'));
  });
  errors.push(...checkUnique(list.map((p, i) => ({ field: `${path}[${i}].name`, value: p.name }))));
  return errors;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  objectsIn(envFrom).forEach((from, i) => {
    const at = `${path}[${i}]`;
    const refs = ['configMapRef', 'secretRef'].filter((r) => isObj(from[r]));
    if (refs.length === 0) errors.push(fieldInvalid(at, '', 'must specify one of: `configMapRef` or `secretRef`'));
    if (refs.length > 1) errors.push(fieldInvalid(at, '', 'may not have more than one field specified at a time'));
    for (const ref of refs) {
      const r = from[ref] as Obj;
      if (typeof r.name !== 'string' || r.name === '') errors.push(fieldRequired(`${at}.${ref}.name`));
    }
    if (typeof from.prefix === 'string' && from.prefix.includes('=')) errors.push(fieldInvalid(`${at}.prefix`, from.prefix, "must not contain '='"));
  });
  return errors;
}

function validateEnv(env: unknown, path: string, containerNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  objectsIn(env).forEach((e, i) => {
    const at = `${path}[${i}]`;
    if (typeof e.name !== 'string' || e.name === '') errors.push(fieldRequired(`${at}.name`));
    else errors.push(...checkName(`${at}.name`, e.name, checkEnvVarName));
    if (e.valueFrom === undefined || e.valueFrom === null) return;
    const from = isObj(e.valueFrom) ? e.valueFrom : {};
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => isObj(from[s]));
    if (sources.length === 0) {
      errors.push(fieldInvalid(`${at}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (sources.length > 1) {
      errors.push(fieldInvalid(`${at}.valueFrom`, '', 'may not have more than one field specified at a time'));
    }
    if (typeof e.value === 'string' && e.value !== '') {
      errors.push(fieldInvalid(`${at}.valueFrom`, '', 'may not be specified when `value` is not empty'));
    }
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const r = from[ref];
      if (!isObj(r)) continue;
      if (typeof r.name !== 'string' || r.name === '') errors.push(fieldRequired(`${at}.valueFrom.${ref}.name`));
      if (typeof r.key !== 'string' || r.key === '') errors.push(fieldRequired(`${at}.valueFrom.${ref}.key`));
      else errors.push(...checkName(`${at}.valueFrom.${ref}.key`, r.key, checkConfigMapKey));
    }
    if (isObj(from.fieldRef)) errors.push(...checkFieldRef(`${at}.valueFrom.fieldRef`, from.fieldRef, ENV_FIELD_PATHS));
    if (isObj(from.resourceFieldRef)) errors.push(...checkResourceFieldRef(`${at}.valueFrom.resourceFieldRef`, from.resourceFieldRef, false, containerNames));
  });
  return errors;
}

function validateVolumeMounts(mounts: unknown, path: string, volumeNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const list = objectsIn(mounts);
  const seenPaths = new Set<unknown>();
  list.forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (typeof m.name !== 'string' || m.name === '') errors.push(fieldRequired(`${at}.name`));
    else if (!volumeNames.has(m.name)) errors.push(fieldNotFound(`${at}.name`, m.name));
    if (typeof m.mountPath !== 'string' || m.mountPath === '') errors.push(fieldRequired(`${at}.mountPath`));
    else if (seenPaths.has(m.mountPath)) errors.push(fieldInvalid(`${at}.mountPath`, m.mountPath, 'must be unique'));
    seenPaths.add(m.mountPath);
    if (typeof m.subPath === 'string' && m.subPath !== '') errors.push(...checkRelativePath(`${at}.subPath`, m.subPath));
  });
  return errors;
}

const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage', 'storage', 'pods'];

function checkQuantity(field: string, value: unknown): FieldError[] {
  if (typeof value !== 'string' && typeof value !== 'number') return [fieldInvalid(field, value, QUANTITY_FORMAT_MESSAGE)];
  try {
    return parseQuantity(value) < 0 ? [fieldInvalid(field, value, 'must be greater than or equal to 0')] : [];
  } catch {
    return [fieldInvalid(field, value, QUANTITY_FORMAT_MESSAGE)];
  }
}

/** limits and requests: known resource names, parseable quantities, and no request above its limit. */
function validateResources(resources: unknown, path: string): FieldError[] {
  if (!isObj(resources)) return [];
  const errors: FieldError[] = [];
  const parsed: Record<'limits' | 'requests', Record<string, number>> = { limits: {}, requests: {} };
  for (const kind of ['limits', 'requests'] as const) {
    const map = resources[kind];
    if (!isObj(map)) continue;
    for (const [name, value] of Object.entries(map)) {
      const field = `${path}.${kind}[${name}]`;
      const standard = STANDARD_RESOURCES.includes(name) || name.startsWith('hugepages-');
      if (!standard && (!name.includes('/') || checkQualifiedName(name).length > 0)) {
        errors.push(fieldInvalid(field, name, 'must be a standard resource type or fully qualified'));
        continue;
      }
      const problems = checkQuantity(field, value);
      errors.push(...problems);
      if (problems.length === 0) parsed[kind][name] = parseQuantity(value as string | number);
    }
  }
  for (const [name, request] of Object.entries(parsed.requests)) {
    const limit = parsed.limits[name];
    if (limit !== undefined && request > limit) {
      const limitText = String((resources.limits as Obj)[name]);
      errors.push(fieldInvalid(`${path}.requests[${name}]`, String((resources.requests as Obj)[name]), `must be less than or equal to ${name} limit of ${limitText}`));
    }
  }
  return errors;
}

/** A probe is a handler plus timing; liveness and startup probes succeed on the first success. */
function validateProbe(probe: unknown, at: string, mustSucceedOnce: boolean): FieldError[] {
  if (!isObj(probe)) return [fieldInvalid(at, probe, 'must be an object')];
  const errors = validateHandler(probe, at, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds']) {
    errors.push(...checkNonNegative(`${at}.${field}`, probe[field]));
  }
  if (mustSucceedOnce && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errors.push(fieldInvalid(`${at}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  return errors;
}

/** Exactly one way to act: run a command, GET a URL, open a TCP connection (or gRPC, or sleep). */
function validateHandler(handler: unknown, at: string, kinds: string[]): FieldError[] {
  if (!isObj(handler)) return [fieldInvalid(at, handler, 'must be an object')];
  const errors: FieldError[] = [];
  const present = kinds.filter((k) => handler[k] !== undefined && handler[k] !== null);
  if (present.length === 0) errors.push(requiredWith(at, 'must specify a handler type'));
  for (const extra of present.slice(1)) errors.push(fieldForbidden(`${at}.${extra}`, 'may not specify more than 1 handler type'));
  if (isObj(handler.exec) && (!Array.isArray(handler.exec.command) || handler.exec.command.length === 0)) {
    errors.push(fieldRequired(`${at}.exec.command`));
  }
  for (const kind of ['httpGet', 'tcpSocket'] as const) {
    const h = handler[kind];
    if (isObj(h)) errors.push(...checkPortOrName(`${at}.${kind}.port`, h.port));
  }
  if (isObj(handler.httpGet)) errors.push(...checkSupported(`${at}.httpGet.scheme`, handler.httpGet.scheme, ['HTTP', 'HTTPS']));
  if (isObj(handler.grpc) && !isValidPortNumber(handler.grpc.port)) {
    errors.push(fieldInvalid(`${at}.grpc.port`, handler.grpc.port, 'must be between 1 and 65535, inclusive'));
  }
  return errors;
}

/** A port given as a number (1-65535) or as the name of a container port (`http`). */
export function checkPortOrName(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null || value === '' || value === 0) return [fieldRequired(field)];
  if (typeof value === 'number') return isValidPortNumber(value) ? [] : [fieldInvalid(field, value, 'must be between 1 and 65535, inclusive')];
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return isValidPortNumber(Number(value)) ? [] : [fieldInvalid(field, value, 'must be between 1 and 65535, inclusive')];
    return checkName(field, value, checkPortName);
  }
  return [fieldInvalid(field, value, 'must be a port number or a port name')];
}

function validateToleration(t: Obj, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof t.key === 'string' && t.key !== '') errors.push(...checkName(`${at}.key`, t.key, checkQualifiedName));
  errors.push(...checkSupported(`${at}.operator`, t.operator, TOLERATION_OPERATORS));
  if (t.operator === 'Exists' && typeof t.value === 'string' && t.value !== '') {
    errors.push(fieldInvalid(`${at}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
  }
  if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') {
    errors.push(fieldInvalid(`${at}.operator`, t.operator ?? '', "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
  }
  if (t.effect !== '') errors.push(...checkSupported(`${at}.effect`, t.effect, TAINT_EFFECTS));
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
    errors.push(fieldInvalid(`${at}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Pod updates

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * Compares the new spec with the old one after copying over what may change; any remaining
 * difference is forbidden. The message names the fields that differ, to save the user a diff.
 */
export function validatePodSpecUpdate(newSpec: unknown, oldSpec: unknown): FieldError[] {
  if (!isObj(newSpec) || !isObj(oldSpec)) return [];
  const errors: FieldError[] = [];
  const munged: Obj = structuredClone(newSpec);
  for (const list of ['containers', 'initContainers'] as const) {
    const newList = objectsIn(munged[list]);
    const oldList = objectsIn(oldSpec[list]);
    if (newList.length === oldList.length) newList.forEach((c, i) => (c.image = oldList[i].image));
  }
  const newDeadline = newSpec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (typeof newDeadline === 'number' && (oldDeadline === undefined || (typeof oldDeadline === 'number' && newDeadline <= oldDeadline))) {
    munged.activeDeadlineSeconds = oldDeadline;
  } else if (newDeadline !== oldDeadline && newDeadline !== undefined) {
    errors.push(fieldInvalid('spec.activeDeadlineSeconds', newDeadline, 'must be less than or equal to previous value'));
    munged.activeDeadlineSeconds = oldDeadline;
  }
  const oldTolerations = objectsIn(oldSpec.tolerations);
  const newTolerations = objectsIn(newSpec.tolerations);
  if (oldTolerations.every((old) => newTolerations.some((t) => semanticEqual(t, old)))) munged.tolerations = oldSpec.tolerations;
  // Binding: a pod may be given a node once; it may never move to another one.
  if ((oldSpec.nodeName === undefined || oldSpec.nodeName === '') && typeof newSpec.nodeName === 'string') munged.nodeName = oldSpec.nodeName;

  const changed = [...new Set([...Object.keys(munged), ...Object.keys(oldSpec)])]
    .filter((key) => !semanticEqual(munged[key], oldSpec[key]))
    .sort();
  if (changed.length > 0) {
    errors.push(fieldForbidden('spec', `${POD_UPDATE_MESSAGE}; changed: ${changed.map((k) => `spec.${k}`).join(', ')}`));
  }
  return errors;
}

/** JSON equality where a missing key and an undefined value are the same. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return (a ?? undefined) === (b ?? undefined);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => semanticEqual(a[k], b[k]));
  }
  return false;
}
