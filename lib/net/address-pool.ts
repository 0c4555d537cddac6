// A pool of LoadBalancer addresses: what a bare-metal load balancer (MetalLB's address pools)
// hands to Services of type LoadBalancer when there is no cloud to ask.
//
// The pool is written as a list of ranges: `10.99.0.10-10.99.0.20`, a CIDR `10.99.1.0/28` (every
// address of it: these are virtual IPs, there is no network or broadcast to spare), or one
// address. Allocation is next-fit like the ClusterIP allocator (see range-allocator.ts).

import { fieldInvalid } from '../errors.js';
import { AllocationError } from './ip-allocator.js';
import { broadcastOf, ipv4ToNumber, isIpv4Address, mustParseIpv4Cidr, numberToIpv4 } from './ipv4.js';
import { RangeAllocator } from './range-allocator.js';

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

  release(ip: string): void {
    if (this.contains(ip)) this.taken.release(this.offsetOf(ip));
  }

  private offsetOf(ip: string): number {
    return this.index.get(ipv4ToNumber(ip))!;
  }
}
