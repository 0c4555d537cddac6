// The wiring of simulated hosts: one bridge in the machine's own (root) network namespace, and
// per host a network namespace with a veth pair whose root end is plugged into the bridge and
// whose other end becomes the host's eth0. The bridge carries the lab subnet's .1, so the user's
// CLI on the machine reaches every host directly. Hosts get no default route: the lab talks only
// to itself and to the machine, never further.
//
// Every step is idempotent (an existing bridge or namespace is success), so `lab up` can be rerun
// on a half-built lab and `lab down` on a half-removed one.

import fs from 'node:fs';
import type { LabHostPlan, LabPlan } from './lab-plan.js';
import { run, runAllowingFailure } from './run-command.js';

export const NETNS_DIR = '/var/run/netns';

export function netnsPath(netns: string): string {
  return `${NETNS_DIR}/${netns}`;
}

/** Every IPv4 route destination and interface address of the root namespace, as CIDRs. */
export async function rootNetworksInUse(): Promise<string[]> {
  const routes = JSON.parse(await run('ip', ['-4', '-j', 'route', 'show', 'table', 'all'])) as { dst?: string; type?: string }[];
  const addresses = JSON.parse(await run('ip', ['-4', '-j', 'addr', 'show'])) as { addr_info?: { local: string; prefixlen: number }[] }[];
  return [
    ...routes.filter((r) => r.dst && r.type !== 'local' && r.type !== 'broadcast').map((r) => r.dst!),
    ...addresses.flatMap((link) => (link.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`)),
  ];
}

/** The lab bridge with its gateway address, up; and bridged frames kept out of iptables. */
export async function ensureBridge(plan: LabPlan): Promise<void> {
  if (!(await linkExists(plan.bridge))) await run('ip', ['link', 'add', plan.bridge, 'type', 'bridge']);
  await runAllowingFailure('ip', ['addr', 'add', `${plan.gatewayIp}/24`, 'dev', plan.bridge]);
  await run('ip', ['link', 'set', plan.bridge, 'up']);
  // Once any dockerd with iptables has loaded br_netfilter, frames crossing a bridge also walk
  // iptables' FORWARD chain, whose Docker policy drops them: host-to-host traffic would vanish.
  const bridgeNf = '/proc/sys/net/bridge/bridge-nf-call-iptables';
  if (fs.existsSync(bridgeNf)) fs.writeFileSync(bridgeNf, '0');
}

/** One host's namespace, its eth0 on the bridge with its address, lo up, forwarding on. */
export async function ensureHostNetwork(plan: LabPlan, host: LabHostPlan): Promise<void> {
  if (!fs.existsSync(netnsPath(host.netns))) await run('ip', ['netns', 'add', host.netns]);
  await run('ip', ['-n', host.netns, 'link', 'set', 'lo', 'up']);
  const hasEth0 = (await runAllowingFailure('ip', ['-n', host.netns, 'link', 'show', 'eth0'])).code === 0;
  if (!hasEth0) {
    if (await linkExists(host.hostVeth)) await run('ip', ['link', 'del', host.hostVeth]);
    await run('ip', ['link', 'add', host.hostVeth, 'type', 'veth', 'peer', 'name', host.peerVeth]);
    await run('ip', ['link', 'set', host.peerVeth, 'netns', host.netns]);
    await run('ip', ['-n', host.netns, 'link', 'set', host.peerVeth, 'name', 'eth0']);
  }
  await runAllowingFailure('ip', ['-n', host.netns, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0']);
  await run('ip', ['-n', host.netns, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['link', 'set', host.hostVeth, 'master', plan.bridge]);
  await run('ip', ['link', 'set', host.hostVeth, 'up']);
  // /proc/sys/net is per network namespace: a process inside sees (and sets) its namespace's copy.
  // The host routes pod traffic between its pods' bridge and its eth0 (host-gw), so it forwards.
  await run('nsenter', [`--net=${netnsPath(host.netns)}`, '--', 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
}

/** `lab partition` / `lab heal`: the host's cable, pulled out of the bridge or plugged back in. */
export async function setHostLink(host: LabHostPlan, up: boolean): Promise<void> {
  await run('ip', ['link', 'set', host.hostVeth, up ? 'up' : 'down']);
}

/** 'up', 'down', or 'missing' for the root end of a host's veth. */
export async function hostLinkState(host: LabHostPlan): Promise<'up' | 'down' | 'missing'> {
  const result = await runAllowingFailure('ip', ['-j', 'link', 'show', host.hostVeth]);
  if (result.code !== 0) return 'missing';
  const [link] = JSON.parse(result.stdout) as { flags?: string[] }[];
  return link?.flags?.includes('UP') ? 'up' : 'down';
}

export async function linkExists(name: string): Promise<boolean> {
  return (await runAllowingFailure('ip', ['link', 'show', name])).code === 0;
}

/** Names of root-namespace links whose name starts with `prefix` (the lab's bridge and veths). */
export async function linksWithPrefix(prefix: string): Promise<string[]> {
  const links = JSON.parse(await run('ip', ['-j', 'link', 'show'])) as { ifname: string }[];
  return links.map((l) => l.ifname).filter((name) => name.startsWith(prefix));
}

/** Names of network namespaces whose name starts with `prefix`. */
export function netnsWithPrefix(prefix: string): string[] {
  try {
    return fs.readdirSync(NETNS_DIR).filter((name) => name.startsWith(prefix));
  } catch {
    return [];
  }
}

export async function deleteLink(name: string): Promise<void> {
  await runAllowingFailure('ip', ['link', 'del', name]);
}

export async function deleteNetns(netns: string): Promise<void> {
  if (fs.existsSync(netnsPath(netns))) await run('ip', ['netns', 'del', netns]);
}
