// flannel's host-gw backend in one function: to reach a peer's pods, send the packet to the peer
// host itself. Every host holds one route per live peer, `<peer pod subnet> via <peer node IP>`,
// and the peer's kernel forwards it to its bridge. No encapsulation, so all hosts must share one
// L2 segment (the peer IP must be a direct next hop).
//
// planRoutes compares the routes we want with the routes the kernel has and returns the
// difference. It owns only routes inside the cluster CIDR: the default route, Docker's bridges or
// anything else a human added elsewhere is never in `remove`.

import { cidrContainsCidr, formatIpv4Cidr, parseIpv4Cidr, parseIpv4Destination } from '../../lib/net/ipv4.js';

export interface Route {
  /** A CIDR, e.g. `10.244.1.0/24`; the kernel also shows `default`. */
  destination: string;
  /** The next hop: the peer's node IP. */
  via: string;
}

export interface Peer {
  nodeName: string;
  nodeIP: string;
  /** The peer's lease, e.g. `10.244.1.0/24`. */
  podSubnet: string;
  /** False once the peer stops heartbeating (node NotReady) or leaves. */
  alive: boolean;
}

export interface RoutePlan {
  add: Route[];
  remove: Route[];
}

export function planRoutes(self: { nodeName: string; podSubnet?: string }, peers: Peer[], currentRoutes: Route[], clusterCidr: string): RoutePlan {
  const cluster = parseIpv4Cidr(clusterCidr);
  if (!cluster) throw new Error(`cluster CIDR ${JSON.stringify(clusterCidr)} is not an IPv4 CIDR; expected something like 10.244.0.0/16`);
  const ownSubnet = self.podSubnet ? normalize(self.podSubnet) : undefined;
  const ours = (destination: string): boolean => {
    const network = parseIpv4Destination(destination);
    return network !== undefined && cidrContainsCidr(cluster, network);
  };

  // What we want: one route per live peer. Our own subnet lives on our bridge, never via a peer;
  // if two peers claim one subnet (a bug elsewhere), the first by name wins so the plan is stable.
  const wanted = new Map<string, Route>();
  for (const peer of [...peers].sort((a, b) => a.nodeName.localeCompare(b.nodeName))) {
    if (!peer.alive || peer.nodeName === self.nodeName) continue;
    const destination = normalize(peer.podSubnet);
    if (!ours(destination) || destination === ownSubnet || wanted.has(destination)) continue;
    wanted.set(destination, { destination, via: peer.nodeIP });
  }

  const current = currentRoutes.map((route) => ({ destination: normalize(route.destination), via: route.via }));
  const same = (a: Route, b: Route) => a.destination === b.destination && a.via === b.via;

  const add = [...wanted.values()].filter((want) => !current.some((have) => same(have, want)));
  // Stale: inside the cluster CIDR (ours to manage), not our own subnet, and not exactly wanted
  // (a dead or departed peer, or a peer whose node IP changed).
  const remove = current.filter(
    (have) => ours(have.destination) && have.destination !== ownSubnet && !(wanted.has(have.destination) && same(wanted.get(have.destination)!, have)),
  );
  return { add, remove };
}

function normalize(cidr: string): string {
  const network = parseIpv4Destination(cidr);
  return network ? formatIpv4Cidr(network) : cidr;
}
