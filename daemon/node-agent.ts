// The node agent: everything one host runs to be a node of the cluster, whichever process it
// lives in. `kubelabd agent` runs it against a remote API server over HTTPS (RestClient with the
// node's credentials); `kubelabd server` runs the very same code in process (LocalClient), as a
// k3s server runs its own agent.
//
// Start-up follows the data:
//   1. register the Node (so the server's IPAM controller can lease it a pod subnet);
//   2. learn the pod subnet: the fixed --pod-subnet, published as spec.podCIDR, or the lease the
//      server writes there;
//   3. make the Docker bridge network on that subnet (pods get their IPs from it) and answer
//      cluster DNS on its gateway;
//   4. the kubelet (pods), the service proxy, and, on a multi-host cluster, gossip membership
//      with host-gw routes to every live peer's subnet and the kubelet's stream server, through
//      which the API server reaches this node's pods for logs, exec and port-forward.
//
// Both roles start their own host through startNodeAgent (defaults in config.ts); what differs
// (the API client, where gossip finds its first peers, the API forwarder of an agent) is passed in.

import type { ServiceAccountTokenClient } from './kubelet/service-account-tokens.js';
import type { KubeObject, Node } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { SharedInformerFactory } from '../lib/client/shared-informer-factory.js';
import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { logger, type Logger } from '../lib/logger.js';
import { mustParseIpv4Cidr, nthAddress, numberToIpv4 } from '../lib/net/ipv4.js';
import { Gossip } from '../network/gossip/gossip.js';
import type { GossipConfig } from '../network/gossip/gossip-config.js';
import type { GossipKey, GossipKeyring } from '../network/gossip/keyring.js';
import { runEvery } from '../lib/controller-runtime.js';
import type { MemberMeta } from '../network/gossip/member-state.js';
import { UdpTransport } from '../network/gossip/transport.js';
import type { Peer } from '../network/subnet/plan-routes.js';
import { RouteReconciler } from '../network/subnet/route-reconciler.js';
import { IpRouteTable } from '../network/subnet/route-table.js';
import { startClusterDns } from './cluster-dns.js';
import { NODE_AGENT_DEFAULTS } from './config.js';
import { LocalPathReclaimer } from './storage/local-path-reclaimer.js';
import { EventRecorder } from './events/event-recorder.js';
import { Kubelet } from './kubelet/kubelet.js';
import { startKubeletServer, type KubeletServer, type KubeletServerTls } from './kubelet/kubelet-server.js';
import { NodeStatusManager } from './kubelet/node-status.js';
import { createNodeProxy } from './node-proxy.js';
import type { ContainerRuntime } from './runtime/container-runtime.js';
import { DockerRuntime } from './runtime/docker-runtime.js';
import type { Proxier } from '../network/proxy/proxier.js';
import { UsageSampler } from './kubelet/usage/usage-sampler.js';
import type { NodeAgentMetrics } from './metrics/node-agent-metrics.js';
import type { UsageSources } from './kubelet/usage/usage-sources.js';
import { createNodeViews, type NodeViews } from './node-views/node-views.js';

export interface NodeAgentOptions {
  /** Where the kubelet asks for service account tokens of its pods' projected volumes. */
  tokens?: ServiceAccountTokenClient;
  client: ApiClient;
  runtime: ContainerRuntime;
  clock: Clock;
  nodeName: string;
  nodeIP: string;
  role: 'server' | 'agent';
  dataDir: string;
  /** The Docker bridge network pods join (kubelab0). */
  podNetwork: string;
  /** A fixed subnet for this node's pods (--pod-subnet); absent: wait for the server's lease. */
  podSubnet?: string;
  clusterCidr: string;
  backoff: { initialMs: number; maxMs: number };
  /** --upstream-resolv-conf: the resolvers names outside the cluster are forwarded to (default /etc/resolv.conf). */
  upstreamResolvConf?: string;
  /**
   * Multi-host: the kubelet's stream server listens on nodeIP at `port` (published in the Node's
   * status), serves the certificate the cluster CA issued to this node, and answers only the API
   * server's client certificate. Absent on a single-node server.
   */
  kubeletServer?: { port: number; tls: KubeletServerTls };
  /** Multi-host: gossip membership and host-gw routes. Absent on a single-node server. */
  membership?: {
    port: number;
    /** The cluster's gossip keys (the server's own ring, or the one an agent fetched). */
    keyring: GossipKeyring;
    /** An agent: fetches the ring from the API again, to follow a rotation (every gossipKeyringPollMs). */
    refreshKeyring?: () => Promise<GossipKey[]>;
    /** `host:port` of members to join through; asked again until one answers. */
    seeds: () => Promise<string[]>;
    /** Where this node answers the API (the server's own listener, or an agent's forwarder). */
    apiAddress: string;
    config?: Partial<GossipConfig>;
  };
  /** The node agent's log; its parts log under their own component names (kubelet, proxy, dns, routes, gossip). */
  log?: Logger;
  /** The process's shared informers (the server's, shared with its controllers); one of its own without it. */
  informers?: SharedInformerFactory;
  /** Where the kubelet's usage sampler reads counters, and how often (daemon/kubelet/usage/). */
  usage: UsageSources;
  /** The node agent's Prometheus registry (kubelet, proxy, gossip, routes, DNS); served at the kubelet server's /metrics. */
  metrics?: NodeAgentMetrics;
}

export interface RunningNodeAgent {
  kubelet: Kubelet;
  /** The node's resource usage, sampled every housekeeping interval (metrics.k8s.io reads it). */
  usage: UsageSampler;
  proxier: Proxier;
  podSubnet: string;
  gossip?: Gossip;
  /** The gossip listener's `host:port`. */
  gossipAddress?: string;
  /** Its gossip table and network, for `kubelab get members` and `kubelab describe node` (daemon/node-views/). */
  views: NodeViews;
  /** Runs every loop until `signal` aborts; then leaves the gossip and takes its addresses off lo. */
  run(signal: AbortSignal): Promise<void>;
}

const SUBNET_POLL_MS = NODE_AGENT_DEFAULTS.subnetPollMs;
const JOIN_RETRY_MS = NODE_AGENT_DEFAULTS.gossipJoinRetryMs;

/** The Docker Engine this node drives, checked up front so a wrong --docker-host fails with a clear message. */
export async function connectRuntime(dockerHost: string): Promise<DockerRuntime> {
  const runtime = new DockerRuntime({ dockerHost });
  try {
    await runtime.info();
  } catch (err) {
    throw new Error(
      `cannot reach the Docker Engine at ${dockerHost}: ${errorMessage(err)}; ` +
        'start it (scripts/setup.sh does) or pass --docker-host',
      { cause: err },
    );
  }
  return runtime;
}

/** A node's InternalIP addresses, as its kubelet published them. */
export function internalIPs(node: Node): string[] {
  return (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}

/** Gossip seeds from the API: `InternalIP:gossipPort` of every Node but this one (after a restart, the members are wherever the Nodes say they are). */
export async function gossipSeedsOfNodes(client: ApiClient, nodeName: string, gossipPort: number): Promise<string[]> {
  const nodes = (await client.list<Node>('nodes')).items;
  return nodes.filter((n) => n.metadata.name !== nodeName).flatMap((n) => internalIPs(n).map((ip) => `${ip}:${gossipPort}`));
}

/** The first usable address of a subnet: the bridge's gateway (10.244.1.0/24 → 10.244.1.1). */
export function gatewayOf(subnet: string): string {
  return numberToIpv4(nthAddress(mustParseIpv4Cidr(subnet), 1));
}

export async function startNodeAgent(options: NodeAgentOptions): Promise<RunningNodeAgent> {
  const { client, runtime, clock, nodeName, nodeIP } = options;
  const log = options.log ?? logger('kubelabd');

  await registerNode(options, log);
  const podSubnet = await podSubnetOf(options, log);
  const gateway = gatewayOf(podSubnet);
  await runtime.ensureNetwork(options.podNetwork, podSubnet, gateway);
  // The kubelet, the proxy and the DNS share their watches (services and endpoints for the last two).
  const informers =
    options.informers ?? new SharedInformerFactory({ client, clock, onError: (resource, err) => log.error(`watching ${resource}`, { err }) });
  // A Service or Endpoints of the wrong shape is left out by the proxy and the DNS, with a warning on it.
  const serviceRecorder = new EventRecorder(client, { component: 'kube-proxy', host: nodeName }, clock);
  const unreadableService = (component: string) => (object: KubeObject, problem: string) =>
    serviceRecorder.record(object, 'Warning', 'Unreadable', `${component} on ${nodeName} leaves this ${object.kind ?? 'object'} out: ${problem}; fix the field or recreate the object`);
  const clusterDns = await startClusterDns({
    client,
    host: gateway,
    upstreamResolvConf: options.upstreamResolvConf,
    log: log.child('dns'),
    clock,
    informers,
    onUnreadable: unreadableService('cluster DNS'),
  });

  const kubelet = new Kubelet({
    nodeName,
    client,
    runtime,
    recorder: new EventRecorder(client, { component: 'kubelet', host: nodeName }, clock),
    clock,
    dataDir: options.dataDir,
    tokens: options.tokens,
    role: options.role,
    networkName: options.podNetwork,
    backoff: options.backoff,
    nodeIP,
    kubeletPort: options.kubeletServer?.port,
    clusterDns: clusterDns.config,
    readinessProblem: clusterDns.problem,
    log: log.child('kubelet'),
    informers,
    onPodStarted: options.metrics?.onPodStarted,
  });
  // Delete reclaim of this node's local-path volumes: only this node can reach their directories.
  const reclaimer = new LocalPathReclaimer({
    client,
    informers,
    clock,
    recorder: new EventRecorder(client, { component: 'local-path-provisioner', host: nodeName }, clock),
    hostname: nodeName,
    dataDir: options.dataDir,
  });
  const usage = new UsageSampler({ nodeName, runtime, containers: options.usage.containers, node: options.usage.node, clock, intervalMs: options.usage.intervalMs, log: log.child('kubelet') });
  const proxier = await createNodeProxy({
    client,
    dataDir: options.dataDir,
    nodeAddresses: [nodeIP],
    log: log.child('proxy'),
    informers,
    onUnreadable: unreadableService('kube-proxy'),
    // The pod trace's "programmed in the proxy on NODE" row: one event per pod and Service.
    onEndpointProgrammed: ({ service, ip, pod }) =>
      serviceRecorder.record({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid } }, 'Normal', 'ProxyProgrammed', `Endpoint ${ip} of Service ${service} programmed in the proxy on ${nodeName}`),
  });
  const kubeletServer: KubeletServer | undefined = options.kubeletServer
    ? await startKubeletServer({
        host: nodeIP,
        port: options.kubeletServer.port,
        streams: kubelet.streams,
        tls: options.kubeletServer.tls,
        getPod: (namespace, name) => client.get('pods', namespace, name),
        usage: () => usage.latest(),
        metrics: options.metrics ? async () => ({ contentType: options.metrics!.registry.contentType, body: await options.metrics!.registry.metrics() }) : undefined,
        views: () => views,
      })
    : undefined;

  let gossip: Gossip | undefined;
  let gossipAddress: string | undefined;
  let routes: RouteReconciler | undefined;
  let routeTable: IpRouteTable | undefined;
  const membership = options.membership;
  if (membership) {
    const transport = await UdpTransport.listen(nodeIP, membership.port);
    gossipAddress = transport.address;
    const meta: MemberMeta = { nodeName, nodeIP, podSubnet, apiAddress: membership.apiAddress, role: options.role };
    gossip = new Gossip({ name: nodeName, address: transport.address, meta, keyring: membership.keyring, transport, clock, config: membership.config });
    const members = gossip;
    routeTable = new IpRouteTable({ clusterCidr: options.clusterCidr });
    routes = new RouteReconciler({
      routeTable,
      peers: () => peersOf(members),
      self: { nodeName, podSubnet },
      clusterCidr: options.clusterCidr,
      clock,
      onError: (err) => log.child('routes').error('reconciling host-gw routes; retrying at the next resync', { err }),
    });
    const reconciler = routes;
    gossip.on('change', () => reconciler.requestReconcile());
  }

  const membersForViews = gossip;
  const views: NodeViews = createNodeViews({
    nodeName,
    clock,
    podSubnet,
    clusterCidr: options.clusterCidr,
    gossip,
    routeTable,
    peers: () => (membersForViews ? peersOf(membersForViews) : []),
    proxy: proxier,
    dns: clusterDns.config,
  });

  options.metrics?.bind({ nodeName, runtime, proxier, gossip, routes, dnsQueries: () => clusterDns.queriesByResult });

  return {
    kubelet,
    usage,
    proxier,
    podSubnet,
    gossip,
    gossipAddress,
    views,
    async run(signal) {
      const loops = [kubelet.run(signal), usage.run(signal), proxier.run(signal), clusterDns.run(signal), reclaimer.run(signal)];
      if (kubeletServer) loops.push(untilAborted(signal).then(() => kubeletServer.close()));
      if (gossip && membership && routes) {
        loops.push(joinUntilKnown(gossip, membership.seeds, clock, signal, log.child('gossip')), gossip.run(signal), routes.run(signal));
        const refresh = membership.refreshKeyring;
        if (refresh) {
          const keyring = membership.keyring;
          const gossipLog = log.child('gossip');
          loops.push(
            runEvery(clock, NODE_AGENT_DEFAULTS.gossipKeyringPollMs, signal, async () => keyring.replace(await refresh()), {
              onError: (err) => gossipLog.warn('fetching the gossip keyring from the API; keeping the keys we have', { err }),
            }),
          );
        }
        signal.addEventListener('abort', () => void gossip.leave(), { once: true });
      }
      await Promise.all(
        loops.map((p) =>
          p.catch((err: unknown) => {
            if (!signal.aborted) log.error('a node component stopped with an error', { err, withStack: true });
          }),
        ),
      );
    },
  };
}

/** Resolves once `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Registers the Node, retrying while the API cannot be reached (an agent may start before its server). */
async function registerNode(options: NodeAgentOptions, log: Logger): Promise<void> {
  const status = new NodeStatusManager({ ...options, kubeletPort: options.kubeletServer?.port, podCIDR: options.podSubnet });
  for (let attempt = 1; ; attempt++) {
    try {
      await status.registerOnce();
      return;
    } catch (err) {
      if (attempt === 1 || attempt % 10 === 0) log.warn(`registering node ${options.nodeName}; retrying`, { err });
      await options.clock.sleep(Math.min(5_000, 250 * attempt));
    }
  }
}

/** The fixed subnet (published as the Node's podCIDR), or the one the server leases to this node. */
async function podSubnetOf(options: NodeAgentOptions, log: Logger): Promise<string> {
  const { client, nodeName } = options;
  if (options.podSubnet) {
    const subnet = options.podSubnet;
    await client.patch<Node>('nodes', undefined, nodeName, { spec: { podCIDR: subnet, podCIDRs: [subnet] } }, 'merge');
    return subnet;
  }
  for (let waited = 0; ; waited += SUBNET_POLL_MS) {
    const node = await client.get<Node>('nodes', undefined, nodeName).catch(() => undefined);
    if (node?.spec?.podCIDR) return node.spec.podCIDR;
    if (waited === 5_000) log.warn(`node ${nodeName} is still waiting for the server to lease it a pod subnet from ${options.clusterCidr} (see the server's log and events on the Node)`);
    await options.clock.sleep(SUBNET_POLL_MS);
  }
}

/** Peers for host-gw routing: every other member gossip believes alive (or only suspect). */
function peersOf(gossip: Gossip): Peer[] {
  return gossip
    .members()
    .filter((m) => m.name !== gossip.name && m.meta.podSubnet)
    .map((m) => ({ nodeName: m.meta.nodeName, nodeIP: m.meta.nodeIP, podSubnet: m.meta.podSubnet, alive: m.state === 'alive' || m.state === 'suspect' }));
}

/** Joins through the seeds, and again whenever we know nobody else (we started first, or were cut off at start). */
async function joinUntilKnown(gossip: Gossip, seeds: () => Promise<string[]>, clock: Clock, signal: AbortSignal, log: Logger): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    if (gossip.members().length <= 1) {
      const addresses = (await seeds().catch(() => [])).filter((a) => a !== gossip.members()[0]?.address);
      if (addresses.length > 0) {
        try {
          await gossip.join(addresses);
          log.info(`${gossip.name} joined through ${addresses.join(', ')}; ${gossip.members().length} member(s) known`);
          failures = 0;
        } catch (err) {
          if (failures++ % 15 === 0) log.warn('joining the cluster; retrying', { err });
        }
      }
    }
    await clock.sleep(JOIN_RETRY_MS, signal);
  }
}
