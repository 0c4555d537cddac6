// IPv4 CIDR arithmetic shared by the subnet allocator and the route planner: parse a CIDR into a
// 32-bit network number and a prefix length, and ask whether one network lies inside another.

import ipaddr from 'ipaddr.js';

export interface Ipv4Network {
  /** The network address as an unsigned 32-bit number (host bits cleared). */
  base: number;
  prefixLength: number;
}

/** Parses `10.244.0.0/16` (host bits are cleared); undefined for anything else, e.g. `default`. */
export function parseIpv4Cidr(cidr: string): Ipv4Network | undefined {
  const withPrefix = cidr.includes('/') ? cidr : `${cidr}/32`;
  if (!ipaddr.IPv4.isValidCIDR(withPrefix)) return undefined;
  const [address, prefixLength] = ipaddr.IPv4.parseCIDR(withPrefix);
  const value = ipv4ToNumber(address.toString());
  return { base: networkBase(value, prefixLength), prefixLength };
}

export function formatIpv4Cidr(network: Ipv4Network): string {
  const b = network.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${network.prefixLength}`;
}

/** True when every address of `inner` is also in `outer`. */
export function cidrContains(outer: Ipv4Network, inner: Ipv4Network): boolean {
  return inner.prefixLength >= outer.prefixLength && networkBase(inner.base, outer.prefixLength) === outer.base;
}

function ipv4ToNumber(ip: string): number {
  return ipaddr.IPv4.parse(ip).toByteArray().reduce((n, byte) => n * 256 + byte, 0);
}

function networkBase(value: number, prefixLength: number): number {
  const size = 2 ** (32 - prefixLength);
  return Math.floor(value / size) * size;
}
