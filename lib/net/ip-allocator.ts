// ClusterIP and NodePort allocation: Kubernetes' ipallocator and portallocator
// (pkg/registry/core/service/ipallocator, portallocator), pure and in memory.
//
// The API server gives every Service a virtual IP from the service CIDR (10.96.0.0/12 by
// default) and every NodePort / LoadBalancer port a port from 30000-32767. The allocators only
// remember what this server believes is taken and pick a candidate; the truth is one reservation
// object per address or port in the store, which a candidate must still win (see
// daemon/api/allocation-ledger.ts and daemon/api/service-allocation.ts).
//
// Errors name the field the user wrote (`spec.clusterIP`, `spec.ports[0].nodePort`) with the
// real API server's wording, so the registry can return them as a 422 as they are. A full range
// is not the user's mistake: it is an internal error that says what to do.

import { fieldInvalid, internalError, type FieldError } from '../errors.js';
import { broadcastOf, ipv4ToNumber, isIpv4Address, mustParseIpv4Cidr, numberToIpv4 } from './ipv4.js';
import { RangeAllocator } from './range-allocator.js';

/** A value the user asked for that cannot be given; `fieldError` is ready for invalid(...). */
export class AllocationError extends Error {
  constructor(readonly fieldError: FieldError) {
    super(`${fieldError.field}: ${fieldError.message}`);
    this.name = 'AllocationError';
  }
}

export interface AllocatorOptions {
  /** Random start instead of next-fit (see range-allocator.ts); inject a seeded one in tests. */
  random?: () => number;
}

export interface IpAllocatorOptions extends AllocatorOptions {
  /** Addresses of the range that are never ClusterIPs (the LoadBalancer pool's), with why, for the 422. */
  excluded?: { addresses: Iterable<string>; why: string };
}


/**
 * Service IPs of one CIDR. Never handed out: the network and broadcast addresses, and by
 * allocate() the first host address (10.96.0.1), which belongs to the `kubernetes` Service and is
 * only given by allocateSpecific.
 */
export class IpAllocator {
  /** The address of the network + 1: the `kubernetes` Service's ClusterIP. */
  readonly firstAddress: string;
  private readonly base: number;
  private readonly range: RangeAllocator;
  private readonly excluded = new Set<number>();
  private readonly excludedWhy: string;

  constructor(
    readonly cidr: string,
    used: Iterable<string> = [],
    options: IpAllocatorOptions = {},
  ) {
    const block = mustParseIpv4Cidr(cidr);
    const [first, last] = [block.network, broadcastOf(block)];
    if (block.prefixLength > 30) throw new Error(`service CIDR ${cidr} is too small: it needs at least 4 addresses (a /30)`);
    // Offsets count from network + 1; the broadcast address is outside the range.
    this.base = first + 1;
    for (const ip of options.excluded?.addresses ?? []) {
      const offset = isIpv4Address(ip) ? ipv4ToNumber(ip) - this.base : -1;
      if (offset > 0 && offset < last - first - 1) this.excluded.add(offset);
    }
    this.excludedWhy = options.excluded?.why ?? '';
    this.range = new RangeAllocator(last - first - 1, { reserved: [0, ...this.excluded], random: options.random });
    this.firstAddress = numberToIpv4(this.base);
    for (const ip of used) if (this.contains(ip)) this.range.take(this.offsetOf(ip));
  }

  /** Whether `ip` is a host address of the range (network and broadcast excluded). */
  contains(ip: string): boolean {
    if (!isIpv4Address(ip)) return false;
    const offset = ipv4ToNumber(ip) - this.base;
    return offset >= 0 && offset < this.range.size;
  }

  isAllocated(ip: string): boolean {
    return this.contains(ip) && this.range.has(this.offsetOf(ip));
  }

  get freeCount(): number {
    return this.range.freeCount;
  }

  /** The next free address, now taken. */
  allocate(): string {
    const offset = this.range.takeNext();
    if (offset === undefined) {
      throw internalError(
        `failed to allocate a serviceIP: range is full: all ${this.range.size - 1} addresses of ${this.cidr} are in use; ` +
          'delete Services you no longer need, or restart the server with a larger service CIDR',
      );
    }
    return numberToIpv4(this.base + offset);
  }

  /** Takes the address the user asked for; `field` is where they wrote it. */
  allocateSpecific(ip: string, field = 'spec.clusterIP'): void {
    if (!this.contains(ip)) {
      throw new AllocationError(fieldInvalid(field, ip, `provided IP is not in the valid range. The range of valid IPs is ${this.cidr}`));
    }
    if (this.excluded.has(this.offsetOf(ip))) throw new AllocationError(fieldInvalid(field, ip, `provided IP is ${this.excludedWhy}`));
    if (!this.range.take(this.offsetOf(ip))) {
      throw new AllocationError(fieldInvalid(field, ip, 'provided IP is already allocated'));
    }
  }

  /** Notes that someone (another API server, a stored reservation) holds `ip`; outside the range: ignored. */
  markAllocated(ip: string): void {
    if (this.contains(ip)) this.range.take(this.offsetOf(ip));
  }

  /** Gives the address back; addresses outside the range or not taken are ignored. */
  release(ip: string): void {
    if (this.contains(ip)) this.range.release(this.offsetOf(ip));
  }

  private offsetOf(ip: string): number {
    return ipv4ToNumber(ip) - this.base;
  }
}

// ---------------------------------------------------------------------------------------------

export interface PortRange {
  base: number;
  size: number;
}

/** "30000-32767" (inclusive, as kube-apiserver's --service-node-port-range). */
export function parsePortRange(text: string): PortRange {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  const low = match ? Number(match[1]) : NaN;
  const high = match ? Number(match[2]) : NaN;
  if (!match || low < 1 || high > 65535 || low > high) throw new Error(`"${text}" is not a port range like 30000-32767`);
  return { base: low, size: high - low + 1 };
}

/** NodePorts: one port of the range per (Service port), the same on every node. */
export class PortAllocator {
  readonly range: string;
  private readonly base: number;
  private readonly ports: RangeAllocator;

  constructor(range = '30000-32767', used: Iterable<number> = [], options: AllocatorOptions = {}) {
    const { base, size } = parsePortRange(range);
    this.range = `${base}-${base + size - 1}`;
    this.base = base;
    this.ports = new RangeAllocator(size, { random: options.random });
    for (const port of used) if (this.contains(port)) this.ports.take(port - base);
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.base && port < this.base + this.ports.size;
  }

  isAllocated(port: number): boolean {
    return this.contains(port) && this.ports.has(port - this.base);
  }

  get freeCount(): number {
    return this.ports.freeCount;
  }

  allocate(): number {
    const offset = this.ports.takeNext();
    if (offset === undefined) {
      throw internalError(
        `failed to allocate a nodePort: range is full: all ${this.ports.size} ports of ${this.range} are in use; ` +
          'delete NodePort or LoadBalancer Services you no longer need, or restart the server with a wider node port range',
      );
    }
    return this.base + offset;
  }

  allocateSpecific(port: number, field = 'spec.ports[0].nodePort'): void {
    if (!this.contains(port)) {
      throw new AllocationError(fieldInvalid(field, port, `provided port is not in the valid range. The range of valid ports is ${this.range}`));
    }
    if (!this.ports.take(port - this.base)) throw new AllocationError(fieldInvalid(field, port, 'provided port is already allocated'));
  }

  /** Notes that someone (another API server, a stored reservation) holds `port`; outside the range: ignored. */
  markAllocated(port: number): void {
    if (this.contains(port)) this.ports.take(port - this.base);
  }

  release(port: number): void {
    if (this.contains(port)) this.ports.release(port - this.base);
  }
}
