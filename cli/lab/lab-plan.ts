// The names and addresses of a simulated lab, decided before anything is made. A lab is N
// "hosts" on one Linux machine: each host is a network namespace with one leg (a veth pair) on a
// shared bridge, its own Docker Engine and its own kubelabd. Everything a lab makes carries a
// short id derived from its directory, so two labs (a CI run and a user's) never collide and
// `lab down` can find every piece by name even when lab.json was never finished.
//
// Pure: this file only computes names; the actors in this folder make them.

import crypto from 'node:crypto';
import path from 'node:path';
import { cidrsOverlap, nthAddress, numberToIpv4, parseIpv4Cidr, parseIpv4Destination, type Ipv4Cidr } from '../../lib/net/ipv4.js';

/** Network interface names are limited to 15 characters (the kernel's IFNAMSIZ is 16 with NUL). */
export const IFNAMSIZ_MAX = 15;

/** Subnets tried in order for the lab's bridge, first one that overlaps nothing on the machine. */
export const LAB_SUBNET_CANDIDATES = [
  ...Array.from({ length: 16 }, (_, i) => `10.250.${i}.0/24`),
  ...Array.from({ length: 8 }, (_, i) => `172.31.${240 + i}.0/24`),
];

export type LabRole = 'server' | 'agent';

export interface LabHostPlan {
  /** The Node name: node1..nodeN. */
  name: string;
  /**
   * node1..nodeM run `kubelabd server` (control plane and their own node; with M > 1 each also
   * runs an etcd member); the others `kubelabd agent`.
   */
  role: LabRole;
  /** The host's address on the lab bridge (its eth0 inside its namespace), the Node's InternalIP. */
  ip: string;
  /** Network namespace, /var/run/netns/<netns>. */
  netns: string;
  /** The root-namespace end of the host's veth pair, plugged into the bridge; `lab partition` sets it down. */
  hostVeth: string;
  /** The other end's name until it is moved into the namespace and renamed eth0. */
  peerVeth: string;
  /** DIR/<name>: the engine's data root, sockets, logs and kubelabd's data dir. */
  dir: string;
  /** dockerd's --exec-root, kept short because containerd's unix socket lives under it (108-byte limit). */
  execRoot: string;
  /** dockerd's --cgroup-parent: every container of this host lands below it, so `lab kill` finds them. */
  cgroupParent: string;
}

export interface LabPlan {
  /** Absolute lab directory. */
  dir: string;
  /** 6 hex digits of sha256(dir). */
  id: string;
  /** Prefix of every netns, link and cgroup this lab makes: `kl<id>`. */
  prefix: string;
  bridge: string;
  /** The lab's /24, e.g. 10.250.0.0/24. */
  subnet: string;
  /** The bridge's address in the root namespace (.1): how the user's CLI reaches the hosts. */
  gatewayIp: string;
  /**
   * LoadBalancer addresses (.240-.254 of the lab's /24, above every host's address): the server
   * gets them as --lb-pool. Every node's proxy puts a LoadBalancer address on its `lo`, so every
   * host answers ARP for it on the bridge (Linux answers for any local address), and the machine
   * reaches it as it reaches a host, as with MetalLB's layer-2 mode without the leader election:
   * whichever node's answer the machine keeps, that node's proxy forwards to the Service's pods.
   */
  loadBalancerPool: string;
  /** /run/kl<id>: parent of every host's exec root. */
  execRootBase: string;
  kubeconfigPath: string;
  hosts: LabHostPlan[];
  /**
   * How many hosts run a server (--servers; absent in a lab.json written before it existed: 1).
   * With more than one, the servers share an etcd cluster and HAProxy fronts their APIs.
   */
  servers?: number;
  /** With several servers: the load balancer on the machine that the lab's kubeconfig points at. */
  apiLoadBalancer?: LabLoadBalancerPlan;
}

/** HAProxy on the machine, in front of every server's API (as kind fronts its HA clusters). */
export interface LabLoadBalancerPlan {
  /** It listens on the bridge's gateway address: the machine reaches it, and so does every host. */
  address: string;
  port: number;
  configFile: string;
  /** The pid, for `lab down` even when lab.json is gone. */
  pidFile: string;
  logFile: string;
}

/** etcd's standard client and peer ports, on each server host's own lab address. */
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
/** The port of every server's API, and of the load balancer in front of them. */
export const LAB_API_PORT = 6443;

export function etcdClientUrl(host: Pick<LabHostPlan, 'ip'>): string {
  return `http://${host.ip}:${ETCD_CLIENT_PORT}`;
}

export function etcdPeerUrl(host: Pick<LabHostPlan, 'ip'>): string {
  return `http://${host.ip}:${ETCD_PEER_PORT}`;
}

/** The hosts that run a server: node1..nodeM. */
export function serverHosts(plan: Pick<LabPlan, 'hosts'>): LabHostPlan[] {
  return plan.hosts.filter((h) => h.role === 'server');
}

/** True when the lab runs several servers on etcd (and HAProxy); false for today's single server. */
export function isHighlyAvailable(plan: Pick<LabPlan, 'hosts'>): boolean {
  return serverHosts(plan).length > 1;
}

/** The API address the lab's kubeconfig names: the load balancer, or node1's own server. */
export function labApiUrl(plan: LabPlan): string {
  const lb = plan.apiLoadBalancer;
  return lb ? `https://${lb.address}:${lb.port}` : `https://${plan.hosts[0]!.ip}:${LAB_API_PORT}`;
}

/**
 * --servers: 1, or an odd number no larger than --nodes. etcd commits a write once a majority of
 * its members have it, so 3 members survive 1 failure and 5 survive 2; an even count survives no
 * more failures than the odd count below it (4 members still need 3) while adding one more
 * member that must answer, so etcd, and kubelab, refuse it.
 */
export function checkServerCount(serverCount: number, nodeCount: number): void {
  if (!Number.isInteger(serverCount) || serverCount < 1 || (serverCount > 1 && serverCount % 2 === 0) || serverCount > nodeCount) {
    throw new Error(
      `--servers must be 1 or an odd number (3, 5, ...) no larger than --nodes (${nodeCount}), not ${serverCount}: ` +
        'the servers share an etcd cluster, which needs a majority of its members, and an even number survives no more failures than the odd number below it',
    );
  }
}

export function labId(dir: string): string {
  return crypto.createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 6);
}

export function labPrefix(dir: string): string {
  return `kl${labId(dir)}`;
}

/** Every name and address of a lab of `nodeCount` hosts, the first `serverCount` of them servers, in `dir` on `subnet` (a /24). */
export function planLab(dir: string, nodeCount: number, subnet: string, serverCount = 1): LabPlan {
  // Hosts take .11 to .210: the LoadBalancer pool (.240-.254) stays clear of them.
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 200) {
    throw new Error(`--nodes must be a whole number from 1 to 200, not ${nodeCount}`);
  }
  checkServerCount(serverCount, nodeCount);
  const absoluteDir = path.resolve(dir);
  const id = labId(absoluteDir);
  const prefix = `kl${id}`;
  const network = labNetwork(subnet);
  const address = (n: number) => numberToIpv4(nthAddress(network, n));
  const hosts: LabHostPlan[] = [];
  for (let k = 1; k <= nodeCount; k++) {
    const name = `node${k}`;
    hosts.push({
      name,
      role: k <= serverCount ? 'server' : 'agent',
      ip: address(10 + k),
      netns: `${prefix}-${name}`,
      hostVeth: `${prefix}n${k}`,
      peerVeth: `${prefix}p${k}`,
      dir: path.join(absoluteDir, name),
      execRoot: `/run/${prefix}/${name}`,
      cgroupParent: `/${prefix}-${name}`,
    });
  }
  const plan: LabPlan = {
    dir: absoluteDir,
    id,
    prefix,
    bridge: `${prefix}br`,
    subnet,
    gatewayIp: address(1),
    loadBalancerPool: `${address(240)}-${address(254)}`,
    execRootBase: `/run/${prefix}`,
    kubeconfigPath: path.join(absoluteDir, 'kubeconfig.yaml'),
    hosts,
    servers: serverCount,
  };
  if (serverCount > 1) {
    plan.apiLoadBalancer = {
      address: plan.gatewayIp,
      port: LAB_API_PORT,
      configFile: path.join(absoluteDir, 'haproxy.cfg'),
      pidFile: path.join(absoluteDir, 'haproxy.pid'),
      logFile: path.join(absoluteDir, 'haproxy.log'),
    };
  }
  for (const name of [plan.bridge, ...hosts.flatMap((h) => [h.hostVeth, h.peerVeth])]) {
    if (name.length > IFNAMSIZ_MAX) throw new Error(`interface name ${name} is longer than the kernel's ${IFNAMSIZ_MAX} characters`);
  }
  return plan;
}

/**
 * The first candidate /24 that overlaps none of the machine's routes and addresses (`inUse`,
 * CIDRs), so the lab never shadows a real network. Default routes (0.0.0.0/0) overlap everything
 * and are ignored: a more specific route wins, which is exactly what the lab's bridge adds.
 */
export function pickLabSubnet(inUse: string[], candidates: string[] = LAB_SUBNET_CANDIDATES): string {
  const used = inUse.map(parseIpv4Destination).filter((c): c is Ipv4Cidr => c !== undefined && c.prefixLength > 0);
  for (const candidate of candidates) {
    const network = parseIpv4Cidr(candidate)!;
    if (!used.some((other) => cidrsOverlap(network, other))) return candidate;
  }
  throw new Error(`no free subnet for the lab: every candidate (${candidates[0]} .. ${candidates.at(-1)}) overlaps a route or address on this machine; remove a stale lab with "kubelab lab down --dir DIR"`);
}

/** The lab's bridge network: a /24, host .1 the root namespace's end, hosts from .11. */
function labNetwork(subnet: string): Ipv4Cidr {
  const network = parseIpv4Destination(subnet);
  if (!network || network.prefixLength !== 24) throw new Error(`the lab subnet must be an IPv4 /24, not ${subnet}`);
  return network;
}
