// Where the HPA's pod usage comes from: the resource metrics API, metrics.k8s.io/v1beta1
// PodMetrics, read through the API server as Kubernetes' HPA reads metrics-server
// (pkg/controller/podautoscaler/metrics/client.go, resourceMetricsClient). The kubelets sample,
// the API serves; the HPA only asks "what did the pods matching this selector use?".
//
// A pod's usage is the sum over its containers (or the one container a ContainerResource metric
// names); a pod whose sample lacks the resource for a container counts as missing, so the replica
// calculator treats it conservatively instead of as idle.

import type { KubeObject } from '../../../lib/api/types.js';
import { parseCpuMillis, parseMemoryBytes } from '../../../lib/api/quantity.js';
import type { PodMetricsInfo } from './replica-calculator.js';

/** metrics.k8s.io/v1beta1 PodMetrics, as metrics-server serves it. */
export interface PodMetrics extends KubeObject {
  timestamp: string;
  /** A Go duration: `15s`, `1m0s`, `10.5s`. */
  window: string;
  containers: { name: string; usage: Record<string, string> }[];
}

export interface ResourceMetricsClient {
  /** Usage of `resource` per pod matching `selector` (milli-units); throws when the API answers nothing. */
  podMetrics(namespace: string, selector: string, resource: string, container?: string): Promise<PodMetricsInfo>;
}

/** What the metrics client needs of a REST client: one GET of a path (RestClient.request). */
export interface RawApi {
  request<T = unknown>(method: string, path: string, options?: { query?: Record<string, string | undefined> }): Promise<T>;
}

/**
 * PodMetrics through the API server, over HTTPS as kube-controller-manager reads them: metrics.k8s.io
 * is served by its own handler (the aggregated API of metrics-server in Kubernetes), not by the
 * registry the in-process controllers talk to. `api` may be late-bound: kubelabd starts its
 * controllers before its API server listens, so the first syncs may find no API yet.
 */
export class ApiResourceMetricsClient implements ResourceMetricsClient {
  constructor(private readonly api: () => RawApi | undefined) {}

  async podMetrics(namespace: string, selector: string, resource: string, container?: string): Promise<PodMetricsInfo> {
    const api = this.api();
    if (!api) throw new Error('the API server is not listening yet');
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const list = await api.request<{ items?: PodMetrics[] }>('GET', path, { query: { labelSelector: selector } });
    return podMetricsInfo(list.items ?? [], resource, container);
  }
}

/** PodMetrics items as the calculator's per-pod usage (pure). */
export function podMetricsInfo(items: PodMetrics[], resource: string, container?: string): PodMetricsInfo {
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
  const info: PodMetricsInfo = new Map();
  for (const item of items) {
    let sum = 0;
    let missing = item.containers.length === 0;
    let matched = false;
    for (const c of item.containers) {
      if (container && c.name !== container) continue;
      matched = true;
      const usage = c.usage?.[resource];
      if (usage === undefined) {
        missing = true;
        break;
      }
      sum += resource === 'cpu' ? parseCpuMillis(usage) : parseMemoryBytes(usage) * 1000;
    }
    if (container && !matched) missing = true;
    if (!missing) info.set(item.metadata.name ?? '', { value: sum, timestampMs: Date.parse(item.timestamp), windowMs: parseGoDurationMs(item.window) });
  }
  return info;
}

/** `1m30s`, `15s`, `10.5s`, `500ms` → milliseconds; anything else → 0. */
export function parseGoDurationMs(text: string | undefined): number {
  if (!text) return 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  const pattern = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    total += Number(match[1]) * units[match[2]];
    consumed += match[0].length;
  }
  return consumed === text.length ? total : 0;
}
