// What a node tells about its own inside, for `kubelab get members` and the Network section of
// `kubelab describe node`: its gossip table (and the changes to it as they happen) and its
// network (pod subnet, host-gw routes, proxy listeners, DNS). Only the node knows these, so its
// kubelet server serves them (daemon/kubelet/kubelet-server.ts) and the API server relays them
// under /api/v1/nodes/NODE/proxy/ (daemon/api/node-views-routes.ts); the server's own node is
// asked in process. The records and the decisions about them are pure, in lib/node-views/.

import type { Clock } from '../../lib/clock.js';
import { cidrContainsCidr, parseIpv4Cidr, parseIpv4Destination } from '../../lib/net/ipv4.js';
import { memberChangeOf, membersViewOf, type MemberChange, type MemberRecord, type MembersView } from '../../lib/node-views/members.js';
import type { NetworkListener, NetworkPeer, NodeNetworkReport } from '../../lib/node-views/network.js';
import type { Gossip } from '../../network/gossip/gossip.js';
import type { ProxyDescription } from '../../network/proxy/proxier.js';
import type { RouteTable } from '../../network/subnet/route-table.js';

export interface NodeViews {
  /** This node's gossip table now. */
  members(): MembersView;
  /** Calls `listener` with each change to this node's gossip table; returns the function that unsubscribes. */
  onMemberChange(listener: (change: MemberChange) => void): () => void;
  /** This node's pod subnet, routes to peers, proxy listeners and DNS address now. */
  network(): Promise<NodeNetworkReport>;
}

export interface NodeViewsOptions {
  nodeName: string;
  clock: Clock;
  podSubnet: string;
  clusterCidr: string;
  /** Absent on a single-node server. */
  gossip?: Gossip;
  /** The kernel's routing table the route reconciler manages (absent without gossip). */
  routeTable?: RouteTable;
  /** The peers the route reconciler plans against. */
  peers: () => NetworkPeer[];
  proxy: { describe(): ProxyDescription };
  dns: { servers: string[]; domain: string };
}

/**
 * Turns the gossip member's 'change' events (a record changed) into MemberChanges (what changed),
 * remembering each member's previous record. Started with the node agent, so it knows every
 * record since the member joined.
 */
export class MemberChangeFeed {
  private readonly previous = new Map<string, MemberRecord>();
  private readonly listeners = new Set<(change: MemberChange) => void>();

  constructor(private readonly gossip: Gossip, private readonly clock: Clock) {
    for (const member of gossip.members()) this.previous.set(member.name, member);
    gossip.on('change', (member: MemberRecord) => this.onChange(member));
  }

  subscribe(listener: (change: MemberChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onChange(member: MemberRecord): void {
    const change = memberChangeOf(this.previous.get(member.name), member, this.gossip.name, this.clock.now());
    this.previous.set(member.name, { ...member });
    if (!change) return;
    for (const listener of this.listeners) listener(change);
  }
}

export function createNodeViews(options: NodeViewsOptions): NodeViews {
  const { gossip, clock, nodeName } = options;
  const feed = gossip ? new MemberChangeFeed(gossip, clock) : undefined;
  const cluster = parseIpv4Cidr(options.clusterCidr);
  return {
    members: () => membersViewOf(nodeName, gossip?.membersSnapshot() ?? [], clock.now(), gossip !== undefined),
    onMemberChange: (listener) => feed?.subscribe(listener) ?? (() => undefined),
    async network() {
      const routes = options.routeTable ? await options.routeTable.list() : [];
      const inCluster = routes.filter((route) => {
        const network = parseIpv4Destination(route.destination);
        return cluster !== undefined && network !== undefined && cidrContainsCidr(cluster, network);
      });
      return {
        kind: 'NodeNetwork',
        node: nodeName,
        podSubnet: options.podSubnet,
        clusterCidr: options.clusterCidr,
        gossip: gossip !== undefined,
        routes: inCluster,
        peers: options.peers(),
        listeners: listenersOf(options.proxy.describe()),
        dns: options.dns,
      };
    },
  };
}

function listenersOf(proxy: ProxyDescription): NetworkListener[] {
  return proxy.services.flatMap((service) =>
    service.listeners.map((l) => ({
      service: service.service,
      kind: l.kind,
      protocol: l.protocol,
      address: l.address,
      port: l.port,
      endpoints: service.endpoints,
      ...(l.error ? { error: l.error } : {}),
    })),
  );
}
