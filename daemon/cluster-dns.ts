// Cluster DNS as kubelabd runs it: the RecordIndex (network/dns/record-index.ts) watching
// Services, Endpoints and Pods, answered by a DnsServer on UDP and TCP port 53 of the pod
// network's gateway address, with every other name forwarded to the node's own resolvers (read
// from --upstream-resolv-conf, /etc/resolv.conf by default) through a small cache.
//
// Why the gateway: it is an address of this host (the bridge's), every pod of the node routes to
// it already, and it is the node's own, so each node's pods ask their own node, as with a
// node-local DNS cache. On Kubernetes the kubelet hands pods the ClusterIP of the kube-dns Service
// instead; here the gateway is simpler and needs no proxy in the path.
//
// If port 53 of that address cannot be bound (another DNS server, dnsmasq say, holds it on every
// address), the node does not go on quietly without DNS: it reports itself NotReady, with the
// reason in its Ready condition (`kubelab describe node`), logs the error, and tries to bind
// again every 10 s; once it can, the node is Ready again. This is how a kubelet reports a pod
// network that is not ready (Ready False, "network not ready: ..."): the API and the pods already
// running stay up, the scheduler sends no new pod to a node whose pods could not resolve names,
// and the node recovers without a restart once the port is free. Exiting instead would take the
// whole control plane down for one port, and leave the user reading a log that may be in a file
// they do not know about.

import fs from 'node:fs';
import type { ApiClient } from '../lib/client/api-client.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { logger, type Logger } from '../lib/logger.js';
import type { SharedInformerFactory } from '../lib/client/shared-informer-factory.js';
import { DnsCache } from '../network/dns/dns-cache.js';
import { DnsServer } from '../network/dns/dns-server.js';
import { Forwarder } from '../network/dns/forwarder.js';
import { DEFAULT_CLUSTER_DOMAIN, RecordIndex, type RecordIndexOptions } from '../network/dns/record-index.js';
import { chooseUpstreams } from '../network/dns/resolv-conf.js';
import { DNS_DEFAULTS } from './config.js';
import type { ClusterDns } from './kubelet/pod-dns.js';

export interface ClusterDnsOptions {
  client: ApiClient;
  /** The address to answer on: the pod network's gateway. */
  host: string;
  /** 53, where resolvers ask. */
  port?: number;
  domain?: string;
  /** --upstream-resolv-conf: where the resolvers for names outside the cluster are listed. */
  upstreamResolvConf?: string;
  /** The upstream resolvers' port: 53 (tests may use another). */
  upstreamPort?: number;
  log?: Logger;
  clock?: Clock;
  informers?: SharedInformerFactory;
  /** Where a Service or Endpoints the DNS cannot read is reported (kubelabd: a Warning event on it). */
  onUnreadable?: RecordIndexOptions['onUnreadable'];
}

/** Why the node is not ready, for its Ready condition. */
export interface NodeProblem {
  reason: string;
  message: string;
}

export interface RunningClusterDns {
  /** What the kubelet hands ClusterFirst pods: the gateway, also while the port is still taken (it is retried). */
  config: ClusterDns;
  /** Why the cluster DNS is not answering, or undefined when it is. */
  problem(): NodeProblem | undefined;
  /** Queries answered by result since start (kubelab_dns_queries_total). */
  queriesByResult?: ReadonlyMap<string, number>;
  /** Watches (and retries the port) until `signal` aborts, then closes the sockets. */
  run(signal: AbortSignal): Promise<void>;
}

export async function startClusterDns(options: ClusterDnsOptions): Promise<RunningClusterDns> {
  const log = options.log ?? logger('dns');
  const clock = options.clock ?? systemClock;
  const domain = options.domain ?? DEFAULT_CLUSTER_DOMAIN;
  const port = options.port ?? 53;
  const resolvConf = options.upstreamResolvConf ?? DNS_DEFAULTS.upstreamResolvConf;
  const upstreams = chooseUpstreams(resolvConf, readIfThere, [options.host]);
  for (const note of upstreams.notes) log.info(note);
  if (upstreams.nameservers.length === 0) {
    log.warn(`no nameserver in ${upstreams.file}: pods can resolve cluster names only (names outside ${domain} get SERVFAIL); list the host's resolvers there or pass --upstream-resolv-conf`);
  } else {
    log.info(`names outside ${domain} are forwarded to ${upstreams.nameservers.join(', ')} (from ${upstreams.file})`);
  }
  const forwarder = new Forwarder({
    upstreams: () => upstreams.nameservers,
    port: options.upstreamPort,
    timeoutMs: DNS_DEFAULTS.upstreamTimeoutMs,
    cache: new DnsCache({ capacity: DNS_DEFAULTS.cacheEntries }),
    clock,
  });
  const zone = new RecordIndex({ client: options.client, domain, informers: options.informers, onUnreadable: options.onUnreadable, clock });

  let server: DnsServer | undefined;
  let problem: NodeProblem | undefined;
  const address = `${options.host}:${port}`;
  /** One try at the port; sets or clears `problem`. */
  const bind = async (): Promise<void> => {
    const candidate = new DnsServer({ zone, forwarder, host: options.host, port });
    try {
      await candidate.listen();
    } catch (err) {
      await candidate.close().catch(() => undefined);
      const wasFailing = problem !== undefined;
      problem = {
        reason: 'ClusterDNSUnavailable',
        message:
          `cluster DNS cannot listen on ${address} (UDP and TCP): ${errorMessage(err)}; pods of this node could not resolve Service names. ` +
          `Another program holds port ${port} (find it with: ss -lunp 'sport = :${port}'); stop it or make it listen elsewhere. kubelabd tries again every ${DNS_DEFAULTS.bindRetryMs / 1000} s`,
      };
      if (!wasFailing) log.error(`node not ready: ${problem.message}`);
      return;
    }
    server = candidate;
    if (problem) log.info(`cluster DNS is answering on ${address} now; the node is ready again`);
    problem = undefined;
    log.info(`cluster DNS for ${domain} answering on ${address}`);
  };
  await bind();

  return {
    config: { servers: [options.host], domain },
    problem: () => problem,
    // Read at every scrape: the server may bind only later (port 53 retried).
    get queriesByResult() {
      return server?.queriesByResult;
    },
    async run(signal: AbortSignal) {
      const retry = async () => {
        while (!server && !signal.aborted) {
          await clock.sleep(DNS_DEFAULTS.bindRetryMs, signal);
          if (!signal.aborted) await bind();
        }
      };
      try {
        await Promise.all([zone.run(signal), retry()]);
      } finally {
        await server?.close();
      }
    },
  };
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
