// Which pod subnet a node gets: flannel's subnet.Manager policy, kept apart from where leases are
// stored (SubnetLeaseRegistry) so it can be read and table-tested on its own.
//
// The cluster CIDR (10.244.0.0/16) is cut into equal subnets (/24 by default: 254 pods per node,
// 256 nodes). Each node holds a lease on one of them; its pods take addresses from it, and every
// other host routes that subnet to the node (see plan-routes.ts). The rules:
//   - a node that already holds a lease gets the same subnet back, so a restarted node keeps its
//     pods' addresses and its peers' routes stay right;
//   - otherwise the lowest free subnet, so allocation is predictable (node 1 gets .0, node 2 .1);
//   - a deleted node's lease stays taken until its grace period ends (expiresAt): packets still in
//     flight to its old pods must not reach a newcomer's pods by mistake.

import { cidrContainsCidr, formatIpv4Cidr, nthSubnet, parseIpv4Cidr, subnetCount as countSubnets } from '../../lib/net/ipv4.js';

export interface SubnetLease {
  nodeName: string;
  /** A subnet of the cluster CIDR, e.g. `10.244.3.0/24`. */
  subnet: string;
  /** Absent while the node holds the lease; set when released: free again after this instant. */
  expiresAt?: Date;
}

/** Every subnet of the cluster CIDR is leased: the allocator's OutOfSubnets error. */
export class OutOfSubnetsError extends Error {
  readonly code = 'OutOfSubnets';
  constructor(clusterCidr: string, subnetCount: number, subnetPrefix: number, nodeName: string) {
    super(
      `node ${nodeName}: no free pod subnet: all ${subnetCount} /${subnetPrefix} subnets of cluster CIDR ${clusterCidr} are leased; ` +
        `delete unused nodes (their leases free up after the grace period) or choose a larger cluster CIDR`,
    );
    this.name = 'OutOfSubnetsError';
  }
}

export function allocateSubnet(clusterCidr: string, leases: SubnetLease[], nodeName: string, now: Date, subnetPrefix = 24): { subnet: string } {
  const cluster = parseIpv4Cidr(clusterCidr);
  if (!cluster) throw new Error(`cluster CIDR ${JSON.stringify(clusterCidr)} is not an IPv4 CIDR; expected something like 10.244.0.0/16`);
  if (!Number.isInteger(subnetPrefix) || subnetPrefix < cluster.prefixLength || subnetPrefix > 32) {
    throw new Error(`subnet prefix /${subnetPrefix} cannot cut cluster CIDR ${clusterCidr}: it must lie between /${cluster.prefixLength} and /32`);
  }

  // A returning node: its own lease, released or not, as long as it still fits this cluster.
  const own = leases.find((lease) => lease.nodeName === nodeName && fitsCluster(lease.subnet));
  if (own) return { subnet: formatIpv4Cidr(parseIpv4Cidr(own.subnet)!) };

  const stillLeased = leases.filter((lease) => lease.expiresAt === undefined || lease.expiresAt.getTime() > now.getTime());
  const taken = new Set(stillLeased.map((lease) => normalize(lease.subnet)));

  const subnetCount = countSubnets(cluster, subnetPrefix);
  for (let index = 0; index < subnetCount; index++) {
    const candidate = formatIpv4Cidr(nthSubnet(cluster, subnetPrefix, index));
    if (!taken.has(candidate)) return { subnet: candidate };
  }
  throw new OutOfSubnetsError(clusterCidr, subnetCount, subnetPrefix, nodeName);

  function fitsCluster(subnet: string): boolean {
    const network = parseIpv4Cidr(subnet);
    return network !== undefined && network.prefixLength === subnetPrefix && cidrContainsCidr(cluster!, network);
  }
}

function normalize(subnet: string): string {
  const network = parseIpv4Cidr(subnet);
  return network ? formatIpv4Cidr(network) : subnet;
}
