// IPv4 addresses and CIDR blocks as numbers: the arithmetic under every address kubelab hands out.
//
// An IPv4 address is a 32-bit number written as four bytes (10.244.1.5 = 10·2²⁴ + 244·2¹⁶ + 1·2⁸ + 5).
// A CIDR block `10.244.0.0/16` is every address whose first 16 bits (the prefix) are those of
// 10.244.0.0: 2^(32-16) = 65,536 addresses, from the network address 10.244.0.0 to the broadcast
// address 10.244.255.255. Cutting a block into smaller ones (a /16 into 256 /24s, one pod subnet
// per node, as flannel does) is counting in steps of the smaller block's size.
//
// kubelab uses it for Service ClusterIPs and LoadBalancer pools (lib/net), pod subnets and
// host-gw routes (network/subnet), the lab's bridge subnet (cli/lab) and pod IPs in the fake
// runtime. Everything here is pure; addresses are unsigned numbers (0 .. 2³²-1), so they compare
// and add like numbers. Parsing is strict: four decimal bytes without leading zeros.

import ipaddr from 'ipaddr.js';

/** A CIDR block: the network address (host bits cleared) and the prefix length. */
export interface Ipv4Cidr {
  network: number;
  prefixLength: number;
}

export function isIpv4Address(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** `10.244.1.5` → 183_763_205. Throws on anything else: check with isIpv4Address first when the text is the user's. */
export function ipv4ToNumber(address: string): number {
  if (!isIpv4Address(address)) throw new Error(`"${address}" is not an IPv4 address (e.g. 10.244.1.5)`);
  return ipaddr.IPv4.parse(address).toByteArray().reduce((n, byte) => n * 256 + byte, 0);
}

export function numberToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** How many addresses a block of this prefix length holds: /24 → 256. */
export function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** `10.244.1.7/16` → { network: 10.244.0.0, prefixLength: 16 } (host bits cleared); undefined for anything else. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\d{1,2}$/.test(text.slice(slash + 1))) return undefined;
  const address = text.slice(0, slash);
  const prefixLength = Number(text.slice(slash + 1));
  if (!isIpv4Address(address) || prefixLength > 32) return undefined;
  return { network: networkOf(ipv4ToNumber(address), prefixLength), prefixLength };
}

/**
 * A route's destination: a CIDR, or a single address meaning that host alone (`ip route` prints
 * host routes as `10.244.1.5`, without `/32`). `default` and anything else: undefined.
 */
export function parseIpv4Destination(text: string): Ipv4Cidr | undefined {
  return parseIpv4Cidr(text.includes('/') ? text : `${text}/32`);
}

/** Like parseIpv4Cidr, but a CIDR that does not parse is an error that shows an example. */
export function mustParseIpv4Cidr(text: string): Ipv4Cidr {
  const cidr = parseIpv4Cidr(text);
  if (!cidr) throw new Error(`"${text}" is not an IPv4 CIDR (e.g. 10.96.0.0/12)`);
  return cidr;
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  return `${numberToIpv4(cidr.network)}/${cidr.prefixLength}`;
}

/** The last address of the block: the broadcast address of a subnet. */
export function broadcastOf(cidr: Ipv4Cidr): number {
  return cidr.network + blockSize(cidr.prefixLength) - 1;
}

/** Whether the address (a number) lies in the block, network and broadcast addresses included. */
export function cidrContainsAddress(cidr: Ipv4Cidr, address: number): boolean {
  return address >= cidr.network && address <= broadcastOf(cidr);
}

/** True when every address of `inner` is also in `outer`. */
export function cidrContainsCidr(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefixLength >= outer.prefixLength && networkOf(inner.network, outer.prefixLength) === outer.network;
}

/** Whether two blocks share an address: then one contains the other. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

/** The address `n` steps into the block: 0 is the network address, 1 the first host (a bridge's gateway). */
export function nthAddress(cidr: Ipv4Cidr, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n >= blockSize(cidr.prefixLength)) {
    throw new Error(`${formatIpv4Cidr(cidr)} has no address number ${n}: it holds ${blockSize(cidr.prefixLength)}`);
  }
  return cidr.network + n;
}

/** How many blocks of `subnetPrefix` the block cuts into: a /16 into 256 /24s. */
export function subnetCount(cidr: Ipv4Cidr, subnetPrefix: number): number {
  checkSubnetPrefix(cidr, subnetPrefix);
  return 2 ** (subnetPrefix - cidr.prefixLength);
}

/** The `index`-th block of `subnetPrefix` inside the block, in address order (10.244.0.0/16, /24, 3 → 10.244.3.0/24). */
export function nthSubnet(cidr: Ipv4Cidr, subnetPrefix: number, index: number): Ipv4Cidr {
  const count = subnetCount(cidr, subnetPrefix);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`${formatIpv4Cidr(cidr)} has ${count} /${subnetPrefix} subnets, not one numbered ${index}`);
  }
  return { network: cidr.network + index * blockSize(subnetPrefix), prefixLength: subnetPrefix };
}

function checkSubnetPrefix(cidr: Ipv4Cidr, subnetPrefix: number): void {
  if (!Number.isInteger(subnetPrefix) || subnetPrefix < cidr.prefixLength || subnetPrefix > 32) {
    throw new Error(`/${subnetPrefix} cannot cut ${formatIpv4Cidr(cidr)}: it must lie between /${cidr.prefixLength} and /32`);
  }
}

/** Clears the host bits: the network address of the block of this prefix length around `address`. */
function networkOf(address: number, prefixLength: number): number {
  const size = blockSize(prefixLength);
  return Math.floor(address / size) * size;
}
