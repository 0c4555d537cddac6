// `kubelabd agent`: a worker node. It joins the cluster with the join token (the server's CA,
// checked against the token's hash, and credentials of its own as `system:node:<name>`), then
// runs the node agent against the server's API over HTTPS, plus:
// - the kubelet's stream server, through which the API server reaches this node's pods for
//   logs, exec and port-forward;
// - an API forwarder on the node's own address, so the CLI can be pointed at any node.

import { joinCluster, parseJoinToken } from '../lib/client/join.js';
import { RestClient } from '../lib/client/rest-client.js';
import { systemClock } from '../lib/clock.js';
import type { GossipConfig } from '../network/gossip/gossip-config.js';
import type { Node } from '../lib/api/types.js';
import { deriveSecret } from './api/join-token.js';
import { startApiForwarder } from './api-forwarder.js';
import { startKubeletServer } from './kubelet/kubelet-server.js';
import { startNodeAgent } from './node-agent.js';
import { ensurePrivateDirectory } from './private-files.js';
import { connectRuntime, DEFAULT_CLUSTER_CIDR, DEFAULT_GOSSIP_PORT, DEFAULT_KUBELET_PORT } from './server.js';

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
  gossipConfig?: Partial<GossipConfig>;
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
  const log = (m: string) => console.error(m);
  const { caPem, nodeToken } = await joinCluster({ server: options.server, token: options.token, nodeName: options.nodeName, dataDir: options.dataDir });
  const client = new RestClient(
    { server: options.server, caPem, token: nodeToken, insecureSkipTlsVerify: false, namespace: 'default', contextName: '', sources: [] },
    { userAgent: `kubelabd-agent/${options.nodeName}` },
  );

  const serverUrl = new URL(options.server);
  const gossipPort = options.gossipPort ?? DEFAULT_GOSSIP_PORT;
  const kubeletPort = options.kubeletPort ?? DEFAULT_KUBELET_PORT;
  const apiPort = options.apiPort ?? 6443;
  const agent = await startNodeAgent({
    client,
    runtime,
    clock: systemClock,
    nodeName: options.nodeName,
    nodeIP: options.nodeIP,
    role: 'agent',
    dataDir: options.dataDir,
    podNetwork: options.podNetwork,
    clusterCidr: options.clusterCidr ?? DEFAULT_CLUSTER_CIDR,
    backoff: options.backoff,
    kubeletPort,
    membership: {
      port: gossipPort,
      secret: deriveSecret(options.token, 'gossip'),
      // The server's host, then every node the API knows (the server may be down while others are not).
      seeds: async () => {
        const nodes = await client.list<Node>('nodes').then((l) => l.items, () => [] as Node[]);
        const ips = nodes.filter((n) => n.metadata.name !== options.nodeName).flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address));
        return [...new Set([serverUrl.hostname, ...ips])].map((ip) => `${ip}:${gossipPort}`);
      },
      apiAddress: `${options.nodeIP}:${apiPort}`,
      config: options.gossipConfig,
    },
    log,
  });

  const kubeletServer = await startKubeletServer({
    host: options.nodeIP,
    port: kubeletPort,
    streams: agent.kubelet.streams,
    secret: deriveSecret(options.token, 'kubelet'),
    getPod: (namespace, name) => client.get('pods', namespace, name),
  });
  const forwarder = await startApiForwarder({
    host: options.nodeIP,
    port: apiPort,
    // The API is where the gossip view's live server member says; the --server address otherwise.
    target: () => agent.gossip?.liveMembers().find((m) => m.meta.role === 'server')?.meta.apiAddress ?? `${serverUrl.hostname}:${serverUrl.port || 443}`,
    log,
  });

  const abort = new AbortController();
  const running = agent.run(abort.signal);
  return {
    apiAddress: forwarder.address,
    async close() {
      abort.abort();
      await forwarder.close();
      await kubeletServer.close();
      await running;
      client.close();
    },
  };
}
