// Cluster DNS as kubelabd runs it: the RecordIndex (network/dns/record-index.ts) watching
// Services and Endpoints, answered by a DnsServer on UDP and TCP port 53 of the pod network's
// gateway address.
//
// Why the gateway: it is an address of this host (the bridge's), every pod of the node routes to
// it already, and it is the node's own, so each node's pods ask their own node, as with a
// node-local DNS cache. On Kubernetes the kubelet hands pods the ClusterIP of the kube-dns Service
// instead; here the gateway is simpler and needs no proxy in the path.
//
// If the port cannot be bound (another DNS server holds port 53 on all addresses, say), the
// daemon says so and goes on without cluster DNS: pods then keep the engine's resolver, and
// Services are still reachable by their ClusterIP and the *_SERVICE_HOST variables.

import type { ApiClient } from '../lib/client/api-client.js';
import { errorMessage } from '../lib/errors.js';
import { logger, type Logger } from '../lib/logger.js';
import type { SharedInformerFactory } from '../lib/client/shared-informer-factory.js';
import { DnsServer } from '../network/dns/dns-server.js';
import { DEFAULT_CLUSTER_DOMAIN, RecordIndex, type RecordIndexOptions } from '../network/dns/record-index.js';
import type { ClusterDns } from './kubelet/pod-dns.js';

export interface ClusterDnsOptions {
  client: ApiClient;
  /** The address to answer on: the pod network's gateway. */
  host: string;
  /** 53, where resolvers ask. */
  port?: number;
  domain?: string;
  log?: Logger;
  informers?: SharedInformerFactory;
  /** Where a Service or Endpoints the DNS cannot read is reported (kubelabd: a Warning event on it). */
  onUnreadable?: RecordIndexOptions['onUnreadable'];
}

export interface RunningClusterDns {
  /** Queries answered by result since start (kubelab_dns_queries_total); absent when DNS is not served. */
  queriesByResult?: ReadonlyMap<string, number>;
  /** What the kubelet hands ClusterFirst pods; undefined when the server could not start. */
  config?: ClusterDns;
  /** Watches until `signal` aborts, then closes the sockets. */
  run(signal: AbortSignal): Promise<void>;
}

export async function startClusterDns(options: ClusterDnsOptions): Promise<RunningClusterDns> {
  const log = options.log ?? logger('dns');
  const domain = options.domain ?? DEFAULT_CLUSTER_DOMAIN;
  const port = options.port ?? 53;
  const records = new RecordIndex({ client: options.client, domain, informers: options.informers, onUnreadable: options.onUnreadable });
  const server = new DnsServer({ records, host: options.host, port });
  try {
    await server.listen();
  } catch (err) {
    await server.close().catch(() => undefined);
    log.warn(
      `cluster DNS disabled: cannot listen on ${options.host}:${port} (UDP and TCP): ${errorMessage(err)}; ` +
        'pods keep the container engine\'s resolver and reach Services by ClusterIP or *_SERVICE_HOST only. Free port 53 on that address and restart kubelabd to get service names',
    );
    return { run: async () => undefined };
  }
  log.info(`cluster DNS for ${domain} answering on ${options.host}:${port}`);
  return {
    config: { servers: [options.host], domain },
    queriesByResult: server.queriesByResult,
    async run(signal: AbortSignal) {
      try {
        await records.run(signal);
      } finally {
        await server.close();
      }
    },
  };
}
