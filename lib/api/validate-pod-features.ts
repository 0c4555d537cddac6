// Validation of the pod fields the kubelet turns into engine options (securityContext, sysctls,
// the downward API, projected volumes), and the refusals: a field kubelab cannot honour on
// Docker is refused at create with a 422 that names it and says why, never accepted and ignored.
//
// Refused here, because the refusal depends on the value (the fields refused whatever their
// value, or accepted only with the value kubelab has anyway, are in UNSUPPORTED_FIELDS,
// lib/api/schemas/unsupported-fields.ts: seLinuxOptions, seLinuxChangePolicy, windowsOptions,
// procMount other than Default, supplementalGroupsPolicy other than Merge, localhostProfile, and
// the projected clusterTrustBundle and podCertificate sources):
// - seccompProfile / appArmorProfile of type Localhost: kubelab keeps no profile directory on its
//   nodes (RuntimeDefault and Unconfined are honoured).
// - sysctls that are not namespaced (Docker sets only net.*, kernel.shm*, kernel.msg*,
//   kernel.sem, fs.mqueue.*), and net.* ones in the node's network (hostNetwork).

import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { parseQuantity } from './quantity.js';
import { isObj, objectsIn, type Obj } from './validate-object-meta.js';

const unsupported = (field: string, why: string) => fieldForbidden(field, `kubelab does not support this field: ${why}`);

/** fieldRef paths a container's env may read (kubelet's podFieldSelectorRuntimeValue). */
export const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
/** fieldRef paths a downwardAPI volume may show. */
export const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const RESOURCES = ['limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory'];
const CPU_DIVISORS = ['1m', '1'];
const MEMORY_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

export function checkFieldRef(field: string, ref: Obj, allowed: string[]): FieldError[] {
  const path = ref.fieldPath;
  if (typeof path !== 'string' || path === '') return [fieldRequired(`${field}.fieldPath`)];
  if (ref.apiVersion !== undefined && ref.apiVersion !== 'v1') return [fieldNotSupported(`${field}.apiVersion`, ref.apiVersion, ['v1'])];
  if (/^metadata\.(labels|annotations)\['.+'\]$/.test(path)) return [];
  return allowed.includes(path) ? [] : [fieldNotSupported(`${field}.fieldPath`, path, allowed)];
}

export function checkResourceFieldRef(field: string, ref: Obj, containerRequired: boolean, containerNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  if (containerRequired && (typeof ref.containerName !== 'string' || ref.containerName === '')) errors.push(fieldRequired(`${field}.containerName`));
  else if (typeof ref.containerName === 'string' && ref.containerName !== '' && !containerNames.has(ref.containerName)) {
    errors.push(fieldInvalid(`${field}.containerName`, ref.containerName, 'must be the name of a container of this pod'));
  }
  if (typeof ref.resource !== 'string' || ref.resource === '') errors.push(fieldRequired(`${field}.resource`));
  else if (!RESOURCES.includes(ref.resource)) errors.push(fieldNotSupported(`${field}.resource`, ref.resource, RESOURCES));
  else if (ref.divisor !== undefined && ref.divisor !== null) {
    const divisors = ref.resource.endsWith('.cpu') ? CPU_DIVISORS : MEMORY_DIVISORS;
    const text = String(ref.divisor);
    let ok = divisors.includes(text);
    if (!ok) {
      try {
        ok = divisors.some((d) => parseQuantity(d) === parseQuantity(text));
      } catch {
        ok = false;
      }
    }
    if (!ok) errors.push(fieldNotSupported(`${field}.divisor`, text, divisors));
  }
  return errors;
}

function checkProfile(field: string, profile: unknown): FieldError[] {
  if (!isObj(profile)) return [];
  if (profile.type === 'Localhost') return [unsupported(`${field}.type`, 'a Localhost profile needs a profile directory on the node, which kubelab does not keep; use RuntimeDefault or Unconfined')];
  return [];
}

export function validateContainerSecurityContext(context: unknown, at: string): FieldError[] {
  if (!isObj(context)) return [];
  const errors: FieldError[] = [];
  errors.push(...checkProfile(`${at}.seccompProfile`, context.seccompProfile));
  errors.push(...checkProfile(`${at}.appArmorProfile`, context.appArmorProfile));
  for (const id of ['runAsUser', 'runAsGroup'] as const) {
    const value = context[id];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 2147483647)) errors.push(fieldInvalid(`${at}.${id}`, value, 'must be between 0 and 2147483647, inclusive'));
  }
  if (context.privileged === true && context.allowPrivilegeEscalation === false) {
    errors.push(fieldInvalid(`${at}`, '', 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  const capabilities = isObj(context.capabilities) ? context.capabilities : {};
  if (context.allowPrivilegeEscalation === false && Array.isArray(capabilities.add) && capabilities.add.some((c) => String(c).toUpperCase().replace(/^CAP_/, '') === 'SYS_ADMIN')) {
    errors.push(fieldInvalid(`${at}`, '', 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
  }
  return errors;
}

/** Namespaced kernel parameters: the ones Docker sets inside a container's namespaces. */
function isNamespacedSysctl(name: string): boolean {
  return /^net\./.test(name) || /^kernel\.(shm|msg)/.test(name) || name === 'kernel.sem' || /^fs\.mqueue\./.test(name);
}

export function validatePodSecurityContext(context: unknown, at: string, hostNetwork: boolean, hostIPC: boolean): FieldError[] {
  if (!isObj(context)) return [];
  const errors = validateContainerSecurityContext(context, at);
  const groups = context.supplementalGroups;
  if (groups !== undefined && (!Array.isArray(groups) || groups.some((g) => !Number.isInteger(g) || g < 0))) errors.push(fieldInvalid(`${at}.supplementalGroups`, groups, 'must be a list of group IDs (0 or more)'));
  if (context.fsGroup !== undefined && (!Number.isInteger(context.fsGroup) || (context.fsGroup as number) < 0)) errors.push(fieldInvalid(`${at}.fsGroup`, context.fsGroup, 'must be between 0 and 2147483647, inclusive'));
  objectsIn(context.sysctls).forEach((sysctl, i) => {
    const field = `${at}.sysctls[${i}].name`;
    const name = String(sysctl.name ?? '').replaceAll('/', '.');
    if (name === '') errors.push(fieldRequired(field));
    else if (!isNamespacedSysctl(name)) errors.push(unsupported(field, `${name} is not namespaced: it would change the whole node, and Docker sets only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.*`));
    else if (hostNetwork && name.startsWith('net.')) errors.push(fieldForbidden(field, `may not be specified when 'hostNetwork' is true`));
    else if (hostIPC && !name.startsWith('net.')) errors.push(fieldForbidden(field, `may not be specified when 'hostIPC' is true`));
  });
  return errors;
}

/** downwardAPI items (in a downwardAPI volume or a projected source). */
export function validateDownwardApiItems(items: unknown, at: string, containerNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  objectsIn(items).forEach((item, i) => {
    const field = `${at}[${i}]`;
    if (typeof item.path !== 'string' || item.path === '') errors.push(fieldRequired(`${field}.path`));
    else if (item.path.startsWith('/') || item.path.split('/').includes('..')) errors.push(fieldInvalid(`${field}.path`, item.path, "must be a relative path without '..'"));
    const hasField = isObj(item.fieldRef);
    const hasResource = isObj(item.resourceFieldRef);
    if (hasField && hasResource) errors.push(fieldInvalid(field, '', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    else if (!hasField && !hasResource) errors.push(fieldRequired(`${field}.fieldRef`));
    if (hasField) errors.push(...checkFieldRef(`${field}.fieldRef`, item.fieldRef as Obj, VOLUME_FIELD_PATHS));
    if (hasResource) errors.push(...checkResourceFieldRef(`${field}.resourceFieldRef`, item.resourceFieldRef as Obj, true, containerNames));
  });
  return errors;
}

/** A projected volume: exactly one source per entry (UNSUPPORTED_FIELDS refuses the trust bundle and certificate sources). */
export function validateProjectedSources(sources: unknown, at: string, containerNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  objectsIn(sources).forEach((source, i) => {
    const field = `${at}[${i}]`;
    const kinds = ['configMap', 'secret', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'].filter((k) => source[k] !== undefined && source[k] !== null);
    if (kinds.length === 0) errors.push(fieldRequired(field));
    for (const extra of kinds.slice(1)) errors.push(fieldForbidden(`${field}.${extra}`, 'may not specify more than 1 volume type per source'));
    for (const ref of ['configMap', 'secret'] as const) {
      const r = source[ref];
      if (isObj(r) && (typeof r.name !== 'string' || r.name === '')) errors.push(fieldRequired(`${field}.${ref}.name`));
    }
    if (isObj(source.downwardAPI)) errors.push(...validateDownwardApiItems(source.downwardAPI.items, `${field}.downwardAPI.items`, containerNames));
    const token = source.serviceAccountToken;
    if (isObj(token)) {
      if (typeof token.path !== 'string' || token.path === '') errors.push(fieldRequired(`${field}.serviceAccountToken.path`));
      const seconds = token.expirationSeconds;
      if (typeof seconds === 'number' && seconds < 600) errors.push(fieldInvalid(`${field}.serviceAccountToken.expirationSeconds`, seconds, 'may not specify a duration less than 10 minutes'));
      if (typeof seconds === 'number' && seconds > 2 ** 32) errors.push(fieldInvalid(`${field}.serviceAccountToken.expirationSeconds`, seconds, 'may not specify a duration larger than 2^32 seconds'));
    }
  });
  return errors;
}
