// `kubelabd agent`: a worker node. It joins the cluster with the join token and its node password
// (the server's CA, checked against the token's hash, credentials of its own as
// `system:node:<name>`, and its kubelet's certificate signed by the cluster CA), fetches the
// gossip keyring with those credentials (and again every gossipKeyringPollMs), then
// runs the node agent (daemon/node-agent.ts, the same start as the server's own host: kubelet and
// its stream server, proxy, DNS, gossip, routes) against the server's API over HTTPS, plus an API
// forwarder on the node's own address, so the CLI can be pointed at any node.
//
// With several servers (an HA control plane) the agent knows them all: the ones given with
// --server and every one the `default/kubernetes` Endpoints list (follow-api-servers.ts). Its
// client, its watches and its API forwarder move to a live server when theirs dies
// (lib/client/server-endpoints.ts); watches resume from their resourceVersion there.

import { restTokenClient } from './kubelet/service-account-tokens.js';
import { joinCluster, parseJoinToken } from '../lib/client/join.js';
import { RestClient } from '../lib/client/rest-client.js';
import { normalizeServerUrl, ServerEndpoints } from '../lib/client/server-endpoints.js';
import { SharedInformerFactory } from '../lib/client/shared-informer-factory.js';
import { ApiError, errorMessage } from '../lib/errors.js';
import { systemClock } from '../lib/clock.js';
import { logger } from '../lib/logger.js';
import type { GossipConfig } from '../network/gossip/gossip-config.js';
import { GossipKeyring } from '../network/gossip/keyring.js';
import { GOSSIP_KEYRING_PATH } from './api/gossip-keyring.js';
import { createCertificateSigningRequest } from './pki/certificates.js';
import { keysOfDocument } from './pki/gossip-keys.js';
import { kubeletCommonName } from './pki/pki.js';
import { startApiForwarder } from './api-forwarder.js';
import { NETWORK_DEFAULTS, PORTS } from './config.js';
import { KUBELET_USAGE_FLAGS } from './config.js';
import { setWorkQueueMetricsProvider } from '../lib/work-queue.js';
import { NodeAgentMetrics } from './metrics/node-agent-metrics.js';
import { usageSources, type UsageFlags } from './kubelet/usage/usage-sources.js';
import { connectRuntime, gossipSeedsOfNodes, startNodeAgent } from './node-agent.js';
import { ensurePrivateDirectory } from './private-files.js';
import { followApiServers } from './follow-api-servers.js';

export interface AgentOptions {
  /** The API servers' URLs, e.g. https://10.250.0.11:6443: joined through the first that answers, all used after. */
  servers: string[];
  token: string;
  nodeName: string;
  nodeIP: string;
  dataDir: string;
  dockerHost: string;
  podNetwork: string;
  clusterCidr?: string;
  apiPort?: number;
  gossipPort?: number;
  kubeletPort?: number;
  backoff: { initialMs: number; maxMs: number };
  /** --upstream-resolv-conf: the resolvers the cluster DNS forwards other names to (default /etc/resolv.conf). */
  upstreamResolvConf?: string;
  gossipConfig?: Partial<GossipConfig>;
  /** --housekeeping-interval, --usage-source, --node-cgroup: how the kubelet samples usage (defaults in KUBELET_DEFAULTS). */
  usage?: Partial<Omit<UsageFlags, 'dockerHost'>>;
}

export interface RunningAgent {
  /** The API forwarder's `host:port`. */
  apiAddress: string;
  close(): Promise<void>;
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  parseJoinToken(options.token); // a malformed token fails here, before anything is made
  await ensurePrivateDirectory(options.dataDir);
  const runtime = await connectRuntime(options.dockerHost);
  const log = logger('kubelabd');
  const given = options.servers.map(normalizeServerUrl);
  if (given.length === 0) throw new Error('kubelabd agent: give the API server with --server URL');
  const { caPem, nodeToken, kubeletCertPem, kubeletKeyPem } = await joinAny(given, (server) =>
    joinCluster({
      server,
      token: options.token,
      nodeName: options.nodeName,
      nodeIPs: [options.nodeIP],
      dataDir: options.dataDir,
      createKubeletCsr: () => createCertificateSigningRequest(kubeletCommonName(options.nodeName)),
    }),
  );
  const servers = new ServerEndpoints(given, { onSwitch: (from, to) => log.warn(`API server ${from} does not answer; using ${to}`) });
  // Prometheus: this node agent's registry, served at its kubelet server's /metrics; its work queues and API client report to it.
  const metrics = new NodeAgentMetrics({ processMetrics: true });
  setWorkQueueMetricsProvider(metrics.workQueues());
  const client = new RestClient(
    { server: given[0], caPem, token: nodeToken, insecureSkipTlsVerify: false, namespace: 'default', contextName: '', sources: [] },
    { userAgent: `kubelabd-agent/${options.nodeName}`, onRequest: metrics.onRestRequest, servers },
  );

  const fetchKeyring = async () => {
    const answer = await client.request<{ activationDelaySeconds?: unknown }>('GET', GOSSIP_KEYRING_PATH);
    const delaySeconds = typeof answer.activationDelaySeconds === 'number' ? answer.activationDelaySeconds : 0;
    return { keys: keysOfDocument(answer, `GET ${GOSSIP_KEYRING_PATH}`), activationDelayMs: delaySeconds * 1000 };
  };
  // The server may be down while a node that joined before restarts: wait for it, as registering the Node does.
  let first: Awaited<ReturnType<typeof fetchKeyring>> | undefined;
  for (let attempt = 1; !first; attempt++) {
    try {
      first = await fetchKeyring();
    } catch (err) {
      if (attempt === 1 || attempt % 10 === 0) log.warn(`fetching the gossip keyring from ${servers.list().join(', ')}; retrying`, { err });
      await systemClock.sleep(Math.min(5_000, 250 * attempt));
    }
  }
  const keyring = new GossipKeyring(first.keys, first.activationDelayMs);

  const gossipPort = options.gossipPort ?? PORTS.gossip;
  const kubeletPort = options.kubeletPort ?? PORTS.kubelet;
  const apiPort = options.apiPort ?? PORTS.api;
  const abort = new AbortController();
  const informers = new SharedInformerFactory({ client, clock: systemClock, onError: (resource, err) => log.error(`watching ${resource}`, { err }) });
  followApiServers(informers, servers, given, log, abort.signal);
  const agent = await startNodeAgent({
    client,
    informers,
    runtime,
    clock: systemClock,
    nodeName: options.nodeName,
    nodeIP: options.nodeIP,
    role: 'agent',
    dataDir: options.dataDir,
    tokens: restTokenClient(client),
    podNetwork: options.podNetwork,
    clusterCidr: options.clusterCidr ?? NETWORK_DEFAULTS.clusterCidr,
    backoff: options.backoff,
    upstreamResolvConf: options.upstreamResolvConf,
    kubeletServer: { port: kubeletPort, tls: { certPem: kubeletCertPem, keyPem: kubeletKeyPem, caPem } },
    membership: {
      port: gossipPort,
      keyring,
      refreshKeyring: async () => (await fetchKeyring()).keys,
      // The servers' hosts, then every node the API knows (a server may be down while others are not).
      seeds: async () => {
        const known = await gossipSeedsOfNodes(client, options.nodeName, gossipPort).catch(() => [] as string[]);
        return [...new Set([...servers.list().map((url) => `${new URL(url).hostname}:${gossipPort}`), ...known])];
      },
      apiAddress: `${options.nodeIP}:${apiPort}`,
      config: options.gossipConfig,
    },
    log,
    usage: usageSources({ ...KUBELET_USAGE_FLAGS, ...options.usage, dockerHost: options.dockerHost }),
    metrics,
  });

  const forwarder = await startApiForwarder({
    host: options.nodeIP,
    port: apiPort,
    // The agent's servers, live ones first, then any other server the gossip view knows alive.
    targets: () => [
      ...new Set([
        ...servers.order().map(hostPortOf),
        ...(agent.gossip?.liveMembers().filter((m) => m.meta.role === 'server').map((m) => m.meta.apiAddress) ?? []),
      ]),
    ],
    onUnreachable: (target) => {
      const url = servers.list().find((u) => hostPortOf(u) === target);
      if (url) servers.markFailed(url);
    },
    log: log.child('api-forwarder'),
  });

  const running = agent.run(abort.signal);
  return {
    apiAddress: forwarder.address,
    async close() {
      abort.abort();
      await forwarder.close();
      await running; // the kubelet's stream server closes as the node agent's loops end
      client.close();
    },
  };
}

/** `https://10.0.0.1:6443` → `10.0.0.1:6443` (443 when the URL names no port). */
function hostPortOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 443}`;
}

/**
 * Joins through the first server that answers: any server of the cluster hands out the same
 * credentials (they share the CA and the store). A refusal (a wrong token) is the same answer
 * from every server, so only when none can be reached is the last failure the one reported.
 */
async function joinAny<T>(servers: string[], join: (server: string) => Promise<T>): Promise<T> {
  const failures: string[] = [];
  for (const server of servers) {
    try {
      return await join(server);
    } catch (err) {
      if (err instanceof ApiError || servers.length === 1) throw err;
      failures.push(errorMessage(err));
    }
  }
  throw new Error(`no API server could be joined: ${failures.join('; ')}`);
}
