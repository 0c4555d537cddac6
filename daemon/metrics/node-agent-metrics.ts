// The node agent's Prometheus metrics, served by its kubelet server at /metrics (and through the
// API server at /api/v1/nodes/{name}/proxy/metrics, as Kubernetes proxies to a kubelet):
// - kubelet_running_pods, kubelet_pod_start_duration_seconds (the kubelet's own names);
// - rest_client_requests_total (client-go's name) of the agent's API client;
// - kubelab's own: kubelab_proxy_connections_total and kubelab_proxy_bytes_total per service port,
//   kubelab_gossip_members by state, kubelab_gossip_probes_total by result,
//   kubelab_routes_installed, kubelab_dns_queries_total by result.
// Counters the components already keep (bytes, probes, queries) are read when scraped, so the
// data paths do no work for them.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Gossip } from '../../network/gossip/gossip.js';
import type { Proxier } from '../../network/proxy/proxier.js';
import type { RouteReconciler } from '../../network/subnet/route-reconciler.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { workQueueCollector } from './workqueue-collector.js';
import type { WorkQueueMetricsProvider } from '../../lib/work-queue.js';

/** The parts of a running node agent the metrics read. */
export interface NodeAgentParts {
  nodeName: string;
  runtime: Pick<ContainerRuntime, 'listPodSandboxes'>;
  proxier: Pick<Proxier, 'traffic'>;
  gossip?: Pick<Gossip, 'members' | 'probes'>;
  routes?: Pick<RouteReconciler, 'installed'>;
  dnsQueries?: () => ReadonlyMap<string, number> | undefined;
}

export class NodeAgentMetrics {
  readonly registry = new Registry();
  private parts?: NodeAgentParts;
  private readonly podStartDuration: Histogram;
  private readonly restClientRequests: Counter<'code' | 'method' | 'host'>;
  private workQueueProvider?: WorkQueueMetricsProvider;

  /** `processMetrics`: also the process's CPU and memory (an agent process; the server's are on the control plane's registry). */
  constructor(options: { processMetrics: boolean }) {
    const registers = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    const self = this;
    const parts = () => self.parts;

    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      registers,
      async collect() {
        const p = parts();
        if (!p) return;
        const sandboxes = await p.runtime.listPodSandboxes({ nodeName: p.nodeName });
        this.set(sandboxes.filter((s) => s.state === 'ready').length);
      },
    });
    this.podStartDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600],
      registers,
    });
    this.restClientRequests = new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'method', 'host'],
      registers,
    });
    new Counter({
      name: 'kubelab_proxy_connections_total',
      help: 'TCP connections the service proxy accepted, per service port (namespace/name:port)',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const [service, t] of parts()?.proxier.traffic() ?? []) this.inc({ service }, t.connectionsTotal);
      },
    });
    new Counter({
      name: 'kubelab_proxy_bytes_total',
      help: 'Bytes the service proxy relayed for finished connections, per service port and direction (from_client, to_client)',
      labelNames: ['service', 'direction'],
      registers,
      collect() {
        this.reset();
        for (const [service, t] of parts()?.proxier.traffic() ?? []) {
          this.inc({ service, direction: 'from_client' }, t.bytesFromClients);
          this.inc({ service, direction: 'to_client' }, t.bytesToClients);
        }
      },
    });
    new Gauge({
      name: 'kubelab_gossip_members',
      help: 'Members of the gossip membership as this node sees them, by state (alive, suspect, dead, left)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const gossip = parts()?.gossip;
        if (!gossip) return;
        for (const state of ['alive', 'suspect', 'dead', 'left']) this.set({ state }, 0);
        for (const m of gossip.members()) this.inc({ state: m.state });
      },
    });
    new Counter({
      name: 'kubelab_gossip_probes_total',
      help: 'Gossip probe rounds of this node, by result (ack, indirect_ack, failed)',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        const probes = parts()?.gossip?.probes;
        if (!probes) return;
        this.inc({ result: 'ack' }, probes.acked);
        this.inc({ result: 'indirect_ack' }, probes.ackedIndirectly);
        this.inc({ result: 'failed' }, probes.failed);
      },
    });
    new Gauge({
      name: 'kubelab_routes_installed',
      help: 'host-gw routes to other nodes\' pod subnets in this host\'s routing table after the last pass',
      registers,
      collect() {
        this.set(parts()?.routes?.installed ?? 0);
      },
    });
    new Counter({
      name: 'kubelab_dns_queries_total',
      help: 'Cluster DNS queries this node answered, by result (NOERROR, NXDOMAIN, ..., dropped)',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        for (const [result, count] of parts()?.dnsQueries?.() ?? []) this.inc({ result }, count);
      },
    });
  }

  /** Work queues of this process report here (an agent process; the server's go to the control plane). */
  workQueues(): WorkQueueMetricsProvider {
    this.workQueueProvider ??= workQueueCollector(this.registry);
    return this.workQueueProvider;
  }

  /** Points the collectors at the running agent's parts. */
  bind(parts: NodeAgentParts): void {
    this.parts = parts;
  }

  /** The kubelet's onPodStarted. */
  readonly onPodStarted = (seconds: number): void => this.podStartDuration.observe(seconds);

  /** A RestClient's onRequest: one count per request, by code, method and host. */
  readonly onRestRequest = (r: { method: string; url: string; status: number }): void => {
    let host = '';
    try {
      host = new URL(r.url).host;
    } catch {
      // not a URL: leave the host empty
    }
    this.restClientRequests.inc({ code: r.status ? String(r.status) : '<error>', method: r.method, host });
  };
}
