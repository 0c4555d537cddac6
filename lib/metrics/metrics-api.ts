// The objects of metrics.k8s.io/v1beta1 exactly as metrics-server serves them, so kubectl top and
// the HPA read kubelab's usage as they read a real cluster's:
//
//   {"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1",
//    "metadata":{"name":"node1","creationTimestamp":"...","labels":{...}},
//    "timestamp":"2026-12-02T03:00:10Z","window":"10.002s",
//    "usage":{"cpu":"123456789n","memory":"65536Ki"}}
//
// CPU is a quantity in nanocores and memory one in bytes, both written in Kubernetes' canonical
// form (`250m` when exact, `64Mi`, `1568Ki`); `window` is a Go duration (how long the rate was
// measured over); `timestamp` is when the newer reading was taken; creationTimestamp is when the
// object was made, which for these computed objects is the moment of the request.
//
// Pure: the API server (daemon/api/metrics/) joins the kubelets' reports with Nodes and Pods.

import { formatMemory } from '../api/quantity.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import type { PodUsage, UsageWindow } from './usage-report.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

export interface ResourceUsage {
  cpu: string;
  memory: string;
}

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: { name: string; usage: ResourceUsage }[];
}

export interface MetricsList<T> {
  kind: 'NodeMetricsList' | 'PodMetricsList';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: Record<string, never>;
  items: T[];
}

/** Decimal suffixes by power of ten, as Kubernetes writes quantities. */
const DECIMAL_SUFFIXES: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };

/**
 * Nanocores as Kubernetes writes a quantity of scale -9: the largest power-of-1000 unit that keeps
 * the number whole. 250000000 → `250m`, 1000000000 → `1`, 1500000000 → `1500m`, 123456789 → `123456789n`.
 */
export function formatNanoCores(nanoCores: number): string {
  let value = Math.round(nanoCores);
  if (value === 0) return '0';
  let exponent = -9;
  while (value % 1000 === 0 && exponent < 18) {
    value /= 1000;
    exponent += 3;
  }
  return `${value}${DECIMAL_SUFFIXES[exponent]}`;
}

/** Bytes as Kubernetes writes a binary quantity: `64Mi`, `1568Ki`, or plain bytes. */
export function formatMemoryBytes(bytes: number): string {
  return formatMemory(Math.round(bytes));
}

/** A duration in milliseconds as Go's time.Duration prints it: `10.002s`, `1m0.5s`, `500ms`, `0s`. */
export function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${seconds}s`;
}

const usageOf = (u: { cpuNanoCores: number; memoryWorkingSetBytes: number }): ResourceUsage => ({
  cpu: formatNanoCores(u.cpuNanoCores),
  memory: formatMemoryBytes(u.memoryWorkingSetBytes),
});

const labelsOf = (object: KubeObject) => (object.metadata.labels && Object.keys(object.metadata.labels).length ? { labels: { ...object.metadata.labels } } : {});

export function nodeMetrics(node: KubeObject, usage: UsageWindow, now: Date): NodeMetrics {
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name: node.metadata.name ?? '', creationTimestamp: now.toISOString().replace(/\.\d+Z$/, 'Z'), ...labelsOf(node) },
    timestamp: usage.timestamp.replace(/\.\d+Z$/, 'Z'),
    window: goDurationString(usage.windowMs),
    usage: usageOf(usage),
  };
}

export function podMetrics(pod: KubeObject, usage: PodUsage, now: Date): PodMetrics {
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', creationTimestamp: now.toISOString().replace(/\.\d+Z$/, 'Z'), ...labelsOf(pod) },
    timestamp: usage.timestamp.replace(/\.\d+Z$/, 'Z'),
    window: goDurationString(usage.windowMs),
    containers: usage.containers.map((c) => ({ name: c.name, usage: usageOf(c) })),
  };
}

export function metricsList<T>(kind: 'NodeMetricsList' | 'PodMetricsList', items: T[]): MetricsList<T> {
  return { kind, apiVersion: METRICS_API_VERSION, metadata: {}, items };
}

/**
 * The group's entries in discovery (`kubectl api-resources`, and kubectl top's check that the
 * metrics API is available): get and list only, as metrics-server registers them.
 */
export const METRICS_RESOURCES: readonly ResourceInfo[] = [
  { group: METRICS_GROUP, version: METRICS_VERSION, plural: 'nodes', singular: '', kind: 'NodeMetrics', namespaced: false, shortNames: [], categories: [], verbs: ['get', 'list'], subresources: [] },
  { group: METRICS_GROUP, version: METRICS_VERSION, plural: 'pods', singular: '', kind: 'PodMetrics', namespaced: true, shortNames: [], categories: [], verbs: ['get', 'list'], subresources: [] },
];
