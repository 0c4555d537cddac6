// Docker refuses a network whose subnet overlaps another one on the engine, and the engine is
// shared by every test run (and by running kubelabs). Tests therefore pick a /24 that nothing
// uses yet, instead of a fixed one.

import Docker from 'dockerode';
import { cidrsOverlap, parseIpv4Cidr, type Ipv4Cidr } from '../../lib/net/ipv4.js';

export interface TestSubnet {
  subnet: string;
  gateway: string;
}

/** A free 10.244.X.0/24 (X in 100..249), chosen at random among the free ones. */
export async function pickFreeSubnet(docker = new Docker()): Promise<TestSubnet> {
  const networks = await docker.listNetworks();
  // IPv6 subnets do not parse as IPv4 CIDRs and cannot overlap ours.
  const used = networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => parseIpv4Cidr(c.Subnet ?? '')).filter((c): c is Ipv4Cidr => c !== undefined));
  const overlaps = (candidate: string) => used.some((other) => cidrsOverlap(parseIpv4Cidr(candidate)!, other));
  const free: string[] = [];
  for (let x = 100; x < 250; x++) if (!overlaps(`10.244.${x}.0/24`)) free.push(`10.244.${x}`);
  if (free.length === 0) throw new Error('no free 10.244.X.0/24 on this engine for a test network');
  const prefix = free[Math.floor(Math.random() * free.length)];
  return { subnet: `${prefix}.0/24`, gateway: `${prefix}.1` };
}
