// The kernel routing table as the route reconciler sees it: three idempotent methods, so the
// reconciler can be tested against a fake and the real thing (IpRouteTable, iproute2) stays thin.
//
// IpRouteTable refuses to add or remove any route outside the cluster CIDR: whatever bug sits in
// a caller, the host's default route and Docker's routes are out of its reach.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cidrContainsCidr, formatIpv4Cidr, parseIpv4Cidr, parseIpv4Destination } from '../../lib/net/ipv4.js';
import type { Route } from './plan-routes.js';

const execFileAsync = promisify(execFile);

export interface RouteTable {
  /** Every route that has a next hop (`via`); link routes (a bridge's own subnet) are not listed. */
  list(): Promise<Route[]>;
  /** Adds the route, or replaces the one to the same destination: adding twice is success. */
  add(route: Route): Promise<void>;
  /** Removes the route; removing a route that is not there is success. */
  remove(route: Route): Promise<void>;
}

export interface IpRouteTableOptions {
  /** Run every command inside this network namespace (`ip -n NAME`); absent: the host's own. */
  netns?: string;
  /** Only routes inside this CIDR may be added or removed. */
  clusterCidr: string;
  /** The iproute2 binary; defaults to `ip` on PATH. */
  ipBinary?: string;
}

interface IpJsonRoute {
  dst: string;
  gateway?: string;
}

export class IpRouteTable implements RouteTable {
  private readonly cluster;

  constructor(private readonly options: IpRouteTableOptions) {
    const cluster = parseIpv4Cidr(options.clusterCidr);
    if (!cluster) throw new Error(`IpRouteTable: cluster CIDR ${JSON.stringify(options.clusterCidr)} is not an IPv4 CIDR`);
    this.cluster = cluster;
  }

  async list(): Promise<Route[]> {
    const output = await this.ip(['-json', 'route', 'show']);
    const routes = JSON.parse(output.trim() || '[]') as IpJsonRoute[];
    // `ip` prints a host route as `10.244.1.5`, without `/32`; the planner compares CIDRs.
    return routes
      .filter((route) => route.gateway !== undefined)
      .map((route) => ({ destination: route.dst === 'default' || route.dst.includes('/') ? route.dst : `${route.dst}/32`, via: route.gateway! }));
  }

  async add(route: Route): Promise<void> {
    await this.ip(['route', 'replace', this.guarded(route), 'via', route.via]);
  }

  async remove(route: Route): Promise<void> {
    try {
      await this.ip(['route', 'del', this.guarded(route), 'via', route.via]);
    } catch (error) {
      // iproute2's wording for "there is no such route": already gone is what we wanted.
      if (/No such process|Cannot find/i.test(String((error as { stderr?: string }).stderr ?? error))) return;
      throw error;
    }
  }

  private guarded(route: Route): string {
    const network = parseIpv4Destination(route.destination);
    if (!network || !cidrContainsCidr(this.cluster, network)) {
      throw new Error(`IpRouteTable: refusing to change the route to ${route.destination}: only routes inside the cluster CIDR ${this.options.clusterCidr} are managed here`);
    }
    return formatIpv4Cidr(network);
  }

  private async ip(args: string[]): Promise<string> {
    const fullArgs = this.options.netns ? ['-n', this.options.netns, ...args] : args;
    try {
      const { stdout } = await execFileAsync(this.options.ipBinary ?? 'ip', fullArgs);
      return stdout;
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
      throw Object.assign(new Error(`ip ${fullArgs.join(' ')} failed: ${stderr || String(error)}`, { cause: error }), { stderr });
    }
  }
}
