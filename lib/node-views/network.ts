// One node's network, as `kubelab describe node` shows it in its Network section: the pod subnet
// its bridge serves, the host-gw routes it installed to its peers' subnets, the service proxy's
// listeners, and the cluster DNS address its pods are given. Only the node itself knows its
// routes and sockets, so the node reports them (daemon/node-views/) and the API server relays the
// report (GET /api/v1/nodes/NODE/proxy/network); planNetworkSection, pure, decides what the CLI
// prints: each peer with the route to its subnet and whether that route is what host-gw wants.

import { formatIpv4Cidr, parseIpv4Destination } from '../net/ipv4.js';

/** A kernel route with a next hop (network/subnet's Route). */
export interface NetworkRoute {
  destination: string;
  via: string;
}

/** A peer as the node's route reconciler sees it (network/subnet's Peer). */
export interface NetworkPeer {
  nodeName: string;
  nodeIP: string;
  podSubnet: string;
  alive: boolean;
}

/** One proxy listener: a socket the node's service proxy holds for one Service port. */
export interface NetworkListener {
  /** `namespace/name:port-name` (the port name may be empty). */
  service: string;
  kind: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  protocol: 'TCP' | 'UDP';
  address: string;
  port: number;
  /** The ready endpoints new connections go to. */
  endpoints: string[];
  /** Why the socket is not open, if it is not. */
  error?: string;
}

/** `GET /api/v1/nodes/NODE/proxy/network`. */
export interface NodeNetworkReport {
  kind: 'NodeNetwork';
  node: string;
  podSubnet: string;
  clusterCidr: string;
  /** False on a node without gossip (a single-node server): no peers, no routes to them. */
  gossip: boolean;
  /** The kernel's routes inside the cluster CIDR that have a next hop. */
  routes: NetworkRoute[];
  /** The other nodes gossip knows, with their subnets. */
  peers: NetworkPeer[];
  listeners: NetworkListener[];
  /** The cluster DNS server(s) the kubelet writes into pods' resolv.conf, and the cluster domain. */
  dns: { servers: string[]; domain: string };
}

export type RouteStatus = 'installed' | 'missing' | 'wrong-next-hop' | 'none (peer not alive)' | 'stale (no such peer)';

export interface RouteLine {
  destination: string;
  via: string;
  /** The peer whose subnet this is, or `<unknown>`. */
  peer: string;
  status: RouteStatus;
}

export interface ListenerLine {
  service: string;
  kind: string;
  /** `10.96.0.1:443/TCP`. */
  address: string;
  /** `2 endpoints`, `no endpoints`, or why the socket is not open. */
  detail: string;
}

export interface NetworkSection {
  podSubnet: string;
  dns: string;
  routes: RouteLine[];
  listeners: ListenerLine[];
  /** Sentences to print where a table would be empty, saying why. */
  notes: string[];
}

const normalize = (cidr: string): string => {
  const network = parseIpv4Destination(cidr);
  return network ? formatIpv4Cidr(network) : cidr;
};

/** What to print: one route line per peer (installed or why not) and per stale route, listeners sorted by kind and service. */
export function planNetworkSection(report: NodeNetworkReport): NetworkSection {
  const notes: string[] = [];
  const routes: RouteLine[] = [];
  const unmatched = new Map(report.routes.map((r) => [normalize(r.destination), r]));
  const ownSubnet = normalize(report.podSubnet);
  for (const peer of [...report.peers].sort((a, b) => a.nodeName.localeCompare(b.nodeName))) {
    if (peer.nodeName === report.node) continue;
    const destination = normalize(peer.podSubnet);
    if (destination === ownSubnet) continue;
    const route = unmatched.get(destination);
    unmatched.delete(destination);
    let status: RouteStatus;
    if (route) status = route.via === peer.nodeIP ? 'installed' : 'wrong-next-hop';
    else status = peer.alive ? 'missing' : 'none (peer not alive)';
    routes.push({ destination, via: route?.via ?? peer.nodeIP, peer: peer.nodeName, status });
  }
  for (const [destination, route] of [...unmatched].sort(([a], [b]) => a.localeCompare(b))) {
    routes.push({ destination, via: route.via, peer: '<unknown>', status: 'stale (no such peer)' });
  }
  if (!report.gossip) notes.push('this node runs no gossip (a single-node cluster): it has no peers and routes to none');
  else if (routes.length === 0) notes.push('no peers known yet: routes appear once gossip has found the other nodes');
  if (routes.some((r) => r.status === 'missing' || r.status === 'wrong-next-hop')) {
    notes.push('a missing or wrong route is fixed by the route reconciler within its 10 s resync; if it stays, see the node\'s log (component routes)');
  }

  const kindOrder = ['ClusterIP', 'NodePort', 'LoadBalancer'];
  const listeners = [...report.listeners]
    .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.service.localeCompare(b.service) || a.address.localeCompare(b.address) || a.port - b.port)
    .map((l): ListenerLine => ({
      service: l.service.replace(/:$/, ''),
      kind: l.kind,
      address: `${l.address}:${l.port}/${l.protocol}`,
      detail: l.error ? `not open: ${l.error}` : l.endpoints.length === 0 ? 'no endpoints' : `${l.endpoints.length} endpoint${l.endpoints.length === 1 ? '' : 's'}`,
    }));
  if (listeners.length === 0) notes.push('the service proxy holds no listeners: no Service has a ClusterIP or node port yet');

  const dns = report.dns.servers.length ? `${report.dns.servers.join(', ')} (${report.dns.domain})` : '<none>';
  return { podSubnet: report.podSubnet, dns, routes, listeners, notes };
}
