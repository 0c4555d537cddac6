// A pool of LoadBalancer addresses: what a bare-metal load balancer (MetalLB's address pools)
// hands to Services of type LoadBalancer when there is no cloud to ask.
//
// The pool is written as a list of ranges: `10.99.0.10-10.99.0.20`, a CIDR `10.99.1.0/28` (every
// address of it: these are virtual IPs, there is no network or broadcast to spare), or one
// address. Allocation is next-fit like the ClusterIP allocator (see range-allocator.ts).

import { fieldInvalid } from '../errors.js';
import { AllocationError } from './ip-allocator.js';
import { blockSize, broadcastOf, ipv4ToNumber, isIpv4Address, mustParseIpv4Cidr, numberToIpv4 } from './ipv4.js';
import { RangeAllocator } from './range-allocator.js';

/**
 * The LoadBalancer pool a server has when --lb-pool is not given: the top of the service CIDR,
 * a /24 of it at most (a sixteenth of a smaller one), without its broadcast address (and without
 * the .0 of a whole /24, which reads like a network): 10.111.255.1-10.111.255.254 for the
 * default 10.96.0.0/12, 10.96.0.240-10.96.0.254 for a /24. Empty for CIDRs smaller than a /27.
 *
 * Why there: the service CIDR is address space the cluster already owns for virtual addresses
 * that exist only on the nodes' `lo` (kube-proxy's ClusterIPs), so taking the pool from it claims
 * no range that could shadow a real network (a LAN, a VPN's 10.x) on the user's machine; and the
 * machine and every pod reach an address on `lo` the way they reach a ClusterIP. ClusterIPs are
 * never allocated from the pool (the ClusterIP allocator excludes it).
 */
export function defaultLoadBalancerPool(serviceCidr: string): string[] {
  const block = mustParseIpv4Cidr(serviceCidr);
  const size = Math.min(256, blockSize(block.prefixLength) / 16);
  const broadcast = broadcastOf(block);
  const first = broadcast - size + 1 + (size === 256 ? 1 : 0);
  const last = broadcast - 1;
  return first <= last ? [`${numberToIpv4(first)}-${numberToIpv4(last)}`] : [];
}

/** More than this is a typo, not a lab. */
const MAX_POOL_SIZE = 65_536;

/** Every address of the pool, in the order written (duplicates dropped). */
export function expandPool(ranges: readonly string[]): number[] {
  const seen = new Set<number>();
  for (const text of ranges) {
    const range = text.trim();
    let first: number;
    let last: number;
    if (range.includes('/')) {
      const block = mustParseIpv4Cidr(range);
      [first, last] = [block.network, broadcastOf(block)];
    }
    else if (range.includes('-')) {
      const [low, high] = range.split('-').map((s) => s.trim());
      if (!isIpv4Address(low) || !isIpv4Address(high)) throw new Error(`load balancer pool "${range}" is not a range like 10.99.0.10-10.99.0.20`);
      [first, last] = [ipv4ToNumber(low), ipv4ToNumber(high)];
      if (first > last) throw new Error(`load balancer pool "${range}" ends before it starts`);
    } else if (isIpv4Address(range)) first = last = ipv4ToNumber(range);
    else throw new Error(`load balancer pool "${range}" is neither an address, a range a-b nor a CIDR`);
    if (last - first + 1 + seen.size > MAX_POOL_SIZE) throw new Error(`load balancer pool is larger than ${MAX_POOL_SIZE} addresses`);
    for (let n = first; n <= last; n += 1) seen.add(n);
  }
  return [...seen];
}

export class AddressPool {
  private readonly addresses: number[];
  private readonly index = new Map<number, number>();
  private readonly taken: RangeAllocator;

  constructor(
    readonly ranges: readonly string[],
    used: Iterable<string> = [],
  ) {
    this.addresses = expandPool(ranges);
    this.addresses.forEach((n, i) => this.index.set(n, i));
    this.taken = new RangeAllocator(this.addresses.length);
    for (const ip of used) if (this.contains(ip)) this.taken.take(this.offsetOf(ip));
  }

  get size(): number {
    return this.addresses.length;
  }

  /** How many addresses are still free. */
  get freeCount(): number {
    return this.taken.freeCount;
  }

  /** Every address of the pool, dotted (for the ClusterIP allocator to leave out). */
  list(): string[] {
    return this.addresses.map(numberToIpv4);
  }

  contains(ip: string): boolean {
    return isIpv4Address(ip) && this.index.has(ipv4ToNumber(ip));
  }

  /** The next free address, or undefined when the pool is empty or exhausted (the Service stays pending). */
  allocate(): string | undefined {
    const offset = this.taken.takeNext();
    return offset === undefined ? undefined : numberToIpv4(this.addresses[offset]);
  }

  allocateSpecific(ip: string, field = 'spec.loadBalancerIP'): void {
    if (!this.contains(ip)) {
      throw new AllocationError(fieldInvalid(field, ip, `provided IP is not in the load balancer pool. The pool is ${this.ranges.join(', ')}`));
    }
    if (!this.taken.take(this.offsetOf(ip))) throw new AllocationError(fieldInvalid(field, ip, 'provided IP is already allocated'));
  }

  /** Notes that someone (another API server, a stored reservation) holds `ip`; outside the pool: ignored. */
  markAllocated(ip: string): void {
    if (this.contains(ip)) this.taken.take(this.offsetOf(ip));
  }

  release(ip: string): void {
    if (this.contains(ip)) this.taken.release(this.offsetOf(ip));
  }

  private offsetOf(ip: string): number {
    return this.index.get(ipv4ToNumber(ip))!;
  }
}
