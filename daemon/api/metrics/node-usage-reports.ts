// Where the API server gets a node's usage: the part metrics-server plays in Kubernetes.
//
// metrics-server scrapes every kubelet's /metrics/resource every 15 s and serves the last two
// scrapes from memory. kubelab's kubelets already keep their latest rates (the sampler computes
// them every housekeeping interval), so the API server fetches a node's report when asked, from
// its kubelet's /stats/usage over the same client certificate it uses for logs and exec, and
// keeps it for API_SERVER_DEFAULTS.metricsCacheMs. No background scraping costs anything while
// nobody looks; `kubectl top` and the HPA asking together cost the node one fetch; nothing served
// is older than one housekeeping interval plus the cache. The node of the server's own process
// is read in process, as its pod streams are.

import type { NodeUsageReport } from '../../../lib/metrics/usage-report.js';
import { API_SERVER_DEFAULTS } from '../../config.js';

export interface NodeUsageReportsOptions {
  /** The node whose kubelet runs in this process; none on a server without a node agent (--disable-agent). */
  localNodeName?: string;
  /** The in-process node's latest report. */
  local?: () => NodeUsageReport;
  /** Fetches a remote node's report from its kubelet (throws when it cannot be reached). */
  remote: (nodeName: string) => Promise<NodeUsageReport>;
  cacheMs?: number;
  now?: () => number;
}

export class NodeUsageReports {
  private readonly cache = new Map<string, { atMs: number; report: Promise<NodeUsageReport> }>();

  constructor(private readonly options: NodeUsageReportsOptions) {}

  /** The node's report; a node whose kubelet cannot be reached throws (the caller leaves it out). */
  report(nodeName: string): Promise<NodeUsageReport> {
    if (this.options.local && nodeName === this.options.localNodeName) return Promise.resolve(this.options.local());
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(nodeName);
    if (cached && now - cached.atMs < (this.options.cacheMs ?? API_SERVER_DEFAULTS.metricsCacheMs)) return cached.report;
    const report = this.options.remote(nodeName);
    this.cache.set(nodeName, { atMs: now, report });
    report.catch(() => this.cache.delete(nodeName)); // a failure is not remembered: ask again next time
    return report;
  }
}
