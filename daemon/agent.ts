// `kubelabd agent`: a worker node. It joins the cluster with the join token and its node password
// (the server's CA, checked against the token's hash, credentials of its own as
// `system:node:<name>`, and its kubelet's certificate signed by the cluster CA), fetches the
// gossip keyring with those credentials (and again every gossipKeyringPollMs), then
// runs the node agent (daemon/node-agent.ts, the same start as the server's own host: kubelet and
// its stream server, proxy, DNS, gossip, routes) against the server's API over HTTPS, plus an API
// forwarder on the node's own address, so the CLI can be pointed at any node.

import { restTokenClient } from './kubelet/service-account-tokens.js';
import { joinCluster, parseJoinToken } from '../lib/client/join.js';
import { RestClient } from '../lib/client/rest-client.js';
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

export interface AgentOptions {
  /** The API server's URL, e.g. https://10.250.0.11:6443. */
  server: string;
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
  const { caPem, nodeToken, kubeletCertPem, kubeletKeyPem } = await joinCluster({
    server: options.server,
    token: options.token,
    nodeName: options.nodeName,
    nodeIPs: [options.nodeIP],
    dataDir: options.dataDir,
    createKubeletCsr: () => createCertificateSigningRequest(kubeletCommonName(options.nodeName)),
  });
  // Prometheus: this node agent's registry, served at its kubelet server's /metrics; its work queues and API client report to it.
  const metrics = new NodeAgentMetrics({ processMetrics: true });
  setWorkQueueMetricsProvider(metrics.workQueues());
  const client = new RestClient(
    { server: options.server, caPem, token: nodeToken, insecureSkipTlsVerify: false, namespace: 'default', contextName: '', sources: [] },
    { userAgent: `kubelabd-agent/${options.nodeName}`, onRequest: metrics.onRestRequest },
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
      if (attempt === 1 || attempt % 10 === 0) log.warn(`fetching the gossip keyring from ${options.server}; retrying`, { err });
      await systemClock.sleep(Math.min(5_000, 250 * attempt));
    }
  }
  const keyring = new GossipKeyring(first.keys, first.activationDelayMs);

  const serverUrl = new URL(options.server);
  const gossipPort = options.gossipPort ?? PORTS.gossip;
  const kubeletPort = options.kubeletPort ?? PORTS.kubelet;
  const apiPort = options.apiPort ?? PORTS.api;
  const agent = await startNodeAgent({
    client,
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
      // The server's host, then every node the API knows (the server may be down while others are not).
      seeds: async () => {
        const known = await gossipSeedsOfNodes(client, options.nodeName, gossipPort).catch(() => [] as string[]);
        return [...new Set([`${serverUrl.hostname}:${gossipPort}`, ...known])];
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
    // The API is where the gossip view's live server member says; the --server address otherwise.
    target: () => agent.gossip?.liveMembers().find((m) => m.meta.role === 'server')?.meta.apiAddress ?? `${serverUrl.hostname}:${serverUrl.port || 443}`,
    log: log.child('api-forwarder'),
  });

  const abort = new AbortController();
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
