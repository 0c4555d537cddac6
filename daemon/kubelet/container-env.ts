// A container's environment, decided purely: the kubelet's makeEnvironmentVariables, plus the
// downward API values a container can read (kubelet's podFieldSelectorRuntimeValue and
// pkg/api/v1/resource's ExtractContainerResourceValue).
//
// Order, as Kubernetes builds it:
//   1. envFrom, source by source: every key of the ConfigMap or Secret, with the `prefix` in
//      front; a key that is not a valid variable name is skipped (and named in an event).
//   2. env, entry by entry: a literal value has its `$(VAR)` references expanded from what was
//      defined so far (1 and earlier entries of 2), then from the Services' variables; a
//      `valueFrom` is read as it is, never expanded. A later name replaces an earlier one.
//   3. the Services' variables (FOO_SERVICE_HOST ...) whose names the container did not define.
// `command` and `args` are expanded afterwards from the finished environment.
//
// Everything the container reads (ConfigMaps, Secrets, the pod's IPs, the node's allocatable
// capacity) is handed in: this file only decides. A missing ConfigMap, Secret or key that is not
// `optional` is a ContainerConfigError with Kubernetes' message; the pod worker turns it into
// the CreateContainerConfigError waiting state and a Failed event.

import { parseCpuMillis, parseMemoryBytes, parseQuantity } from '../../lib/api/quantity.js';
import type { Container, Pod, ResourceFieldSelector } from '../../lib/api/types.js';
import { ContainerConfigError } from './volumes.js';

export interface EnvVarValue {
  name: string;
  value: string;
}

/** What the downward API can read that is not in the pod object itself. */
export interface PodRuntimeFields {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  hostIPs?: string[];
}

/** The node's allocatable capacity: the value of a limit the container did not set. */
export interface NodeAllocatable {
  cpuMillis: number;
  memoryBytes: number;
}

/** A ConfigMap's or Secret's values, decoded to text; undefined: it does not exist. */
export type ConfigSource = Record<string, string> | undefined;

export interface EnvironmentInput {
  pod: Pod;
  container: Container;
  fields: PodRuntimeFields;
  allocatable: NodeAllocatable;
  /** ConfigMaps by name (data and binaryData as text); a missing one maps to undefined. */
  configMaps: Map<string, ConfigSource>;
  /** Secrets by name, values decoded from base64; a missing one maps to undefined. */
  secrets: Map<string, ConfigSource>;
  /** The Services' variables (lib/api/service-env.ts). */
  serviceEnv: EnvVarValue[];
}

export interface EnvironmentResult {
  env: EnvVarValue[];
  /** `Keys [a-b] from the EnvFrom configMap default/cfg were skipped ...`: one per source with skipped keys. */
  skippedKeyWarnings: string[];
}

/** The ConfigMap and Secret names a container's environment reads, so the caller can fetch them. */
export function referencedConfigSources(container: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
    if (from.secretRef?.name) secrets.add(from.secretRef.name);
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.configMapKeyRef) configMaps.add(variable.valueFrom.configMapKeyRef.name);
    if (variable.valueFrom?.secretKeyRef) secrets.add(variable.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

/** Since Kubernetes 1.30 (RelaxedEnvironmentVariableValidation) any printable ASCII but `=` names a variable. */
const isEnvVarName = (name: string) => /^[\x20-\x3c\x3e-\x7e]+$/.test(name);

export function makeEnvironment(input: EnvironmentInput): EnvironmentResult {
  const { pod, container } = input;
  const namespace = pod.metadata.namespace ?? 'default';
  const defined = new Map<string, string>();
  const skippedKeyWarnings: string[] = [];

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const values = (kind === 'configmap' ? input.configMaps : input.secrets).get(ref.name);
    if (values === undefined) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
    }
    const skipped: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      const name = `${from.prefix ?? ''}${key}`;
      if (!isEnvVarName(name)) skipped.push(name);
      else defined.set(name, value);
    }
    if (skipped.length > 0) {
      const what = kind === 'configmap' ? 'configMap' : 'secret';
      skippedKeyWarnings.push(`Keys [${skipped.sort().join(', ')}] from the EnvFrom ${what} ${namespace}/${ref.name} were skipped since they are considered invalid environment variable names.`);
    }
  }

  const services = new Map(input.serviceEnv.map((v) => [v.name, v.value]));
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined;
    if (!from) value = expandVariables(variable.value ?? '', (name) => defined.get(name) ?? services.get(name));
    else if (from.configMapKeyRef || from.secretKeyRef) {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const isSecret = !from.configMapKeyRef;
      const values = (isSecret ? input.secrets : input.configMaps).get(ref.name);
      if (values === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`${isSecret ? 'secret' : 'configmap'} "${ref.name}" not found`);
      }
      value = values[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ${isSecret ? 'Secret' : 'ConfigMap'} ${namespace}/${ref.name}`);
      }
    } else if (from.fieldRef) value = podFieldValue(pod, from.fieldRef.fieldPath, input.fields);
    else if (from.resourceFieldRef) value = resourceFieldValue(pod, container.name, from.resourceFieldRef, input.allocatable);
    else value = '';
    defined.set(variable.name, value);
  }

  const env: EnvVarValue[] = [];
  for (const [name, value] of services) if (!defined.has(name)) env.push({ name, value });
  for (const [name, value] of defined) env.push({ name, value });
  return { env, skippedKeyWarnings };
}

/** `command` and `args` with `$(VAR)` expanded from the container's finished environment. */
export function expandCommandAndArgs(container: Container, env: EnvVarValue[]): { command?: string[]; args?: string[] } {
  const values = new Map(env.map((v) => [v.name, v.value]));
  const expandAll = (list: string[] | undefined) => list?.map((item) => expandVariables(item, (name) => values.get(name)));
  return { command: expandAll(container.command), args: expandAll(container.args) };
}

/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion): `$(NAME)` becomes the
 * variable's value when it is defined and stays as written when not; `$$` is one literal `$`
 * (so `$$(NAME)` is the text `$(NAME)`); any other `$` is kept.
 */
export function expandVariables(value: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char !== '$' || i + 1 >= value.length) {
      out += char;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = value.indexOf(')', i + 2);
      if (close < 0) {
        out += value.slice(i);
        break;
      }
      const name = value.slice(i + 2, close);
      const found = lookup(name);
      out += found ?? `$(${name})`;
      i = close;
    } else out += char;
  }
  return out;
}

/** Renders `metadata.labels` and `metadata.annotations` as the downward API writes them: `key="value"` lines, sorted. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map![key])}`)
    .join('\n');
}

/** A pod field by its fieldPath, as the downward API reads it (env and volumes). */
export function podFieldValue(pod: Pod, fieldPath: string, fields: PodRuntimeFields): string {
  const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (subscript) return pod.metadata[subscript[1] as 'labels' | 'annotations']?.[subscript[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? (pod.spec.serviceAccount as string | undefined) ?? '';
    case 'status.podIP':
      return fields.podIP ?? '';
    case 'status.podIPs':
      return (fields.podIPs ?? (fields.podIP ? [fields.podIP] : [])).join(',');
    case 'status.hostIP':
      return fields.hostIP ?? '';
    case 'status.hostIPs':
      return (fields.hostIPs ?? (fields.hostIP ? [fields.hostIP] : [])).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/**
 * A container's resource as the downward API shows it: `limits.cpu` in cores rounded up (with
 * divisor `1m`: millicores), memory in bytes divided by the divisor, rounded up. A limit the
 * container does not set reads as the node's allocatable capacity (what it may really use); a
 * request it does not set reads as its limit when that is set (the API's defaulting), else 0.
 */
export function resourceFieldValue(pod: Pod, defaultContainer: string, selector: ResourceFieldSelector, allocatable: NodeAllocatable): string {
  const name = selector.containerName || defaultContainer;
  const container = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === name);
  if (!container) throw new ContainerConfigError(`container ${name} not found in pod ${pod.metadata.namespace}/${pod.metadata.name}`);
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const divisor = selector.divisor === undefined || selector.divisor === '' ? 1 : parseQuantity(selector.divisor);
  if (divisor <= 0) throw new ContainerConfigError(`invalid divisor ${selector.divisor} for resource ${selector.resource}`);
  switch (selector.resource) {
    case 'limits.cpu':
      return String(Math.ceil(cpuMillis(limits.cpu, allocatable.cpuMillis) / Math.round(divisor * 1000)));
    case 'requests.cpu':
      return String(Math.ceil(cpuMillis(requests.cpu ?? limits.cpu, 0) / Math.round(divisor * 1000)));
    case 'limits.memory':
      return String(Math.ceil(memoryBytes(limits.memory, allocatable.memoryBytes) / divisor));
    case 'requests.memory':
      return String(Math.ceil(memoryBytes(requests.memory ?? limits.memory, 0) / divisor));
    default:
      throw new ContainerConfigError(`unsupported container resource: ${selector.resource}`);
  }
}

const cpuMillis = (value: string | undefined, fallback: number) => (value === undefined ? fallback : parseCpuMillis(value));
const memoryBytes = (value: string | undefined, fallback: number) => (value === undefined ? fallback : parseMemoryBytes(value));
