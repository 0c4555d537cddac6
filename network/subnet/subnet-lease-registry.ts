// Where subnet leases live: flannel's Registry, over kubelab's API instead of etcd. The policy
// (which subnet) is allocateSubnet's; this file only reads and writes leases safely.
//
// Two places hold a lease:
//   - Node.spec.podCIDR (and podCIDRs) publishes it: the kubelet, the CNI bridge and every peer's
//     route reconciler read it there, as in Kubernetes.
//   - the ConfigMap kube-system/kubelab-subnet-leases is the ledger: data[nodeName] holds
//     `{"subnet":"10.244.1.0/24"}`, plus `"expiresAt"` once released. Released leases must outlive
//     their Node, and two nodes acquiring at once must not both take the lowest free subnet; the
//     ledger's resourceVersion is the one compare-and-swap point that serializes them (a write
//     with a stale version fails with Conflict, and we re-read and re-plan).
//
// This is Kubernetes' older allocator design (one RangeAllocation object per pool, rewritten
// under a resourceVersion guard), and it is what keeps pod subnets unique with several API
// servers on one etcd and during the moment two node IPAM leaders overlap (leader election only
// promises "rarely two"): every lease is a guarded write of the ledger, so of two leaders leasing
// the same subnet to two nodes one gets Conflict and plans again. Service addresses use one
// object per value instead (daemon/api/allocation-ledger.ts says why); here the pool is small (256
// subnets of a /16), leases are rare (a node joining), and the controller reaches the store only
// through the API, where a ConfigMap is the natural guarded object.

import type { KubeObject, Node } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { ApiError } from '../../lib/errors.js';
import { allocateSubnet, type SubnetLease } from './allocate-subnet.js';
import { cidrContainsCidr, formatIpv4Cidr, parseIpv4Cidr } from '../../lib/net/ipv4.js';

export const leaseLedgerNamespace = 'kube-system';
export const leaseLedgerName = 'kubelab-subnet-leases';

interface LeaseLedger extends KubeObject {
  data?: Record<string, string>;
}

interface LedgerEntry {
  subnet: string;
  /** RFC 3339; absent while the node holds the lease. */
  expiresAt?: string;
}

export interface SubnetLeaseRegistryOptions {
  client: ApiClient;
  /** e.g. 10.244.0.0/16 */
  clusterCidr: string;
  /** Size of each node's subnet; /24 gives 254 pod addresses per node. */
  subnetPrefix?: number;
  clock?: { now(): Date };
  /** How many read-plan-write rounds before giving up when other writers keep winning. */
  maxAttempts?: number;
}

/** A node's own pod subnet (from --pod-subnet) that cannot be its lease: outside the cluster, or taken. */
export class InvalidPodSubnetError extends Error {
  readonly code = 'InvalidPodSubnet';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPodSubnetError';
  }
}

export class SubnetLeaseRegistry {
  private readonly client: ApiClient;
  private readonly now: () => Date;

  constructor(private readonly options: SubnetLeaseRegistryOptions) {
    this.client = options.client;
    this.now = () => (options.clock ?? { now: () => new Date() }).now();
  }

  /**
   * The node's subnet: its existing lease, or a new one recorded in the ledger and then published
   * as Node.spec.podCIDR. Safe to call again and concurrently for different nodes.
   */
  async acquire(nodeName: string): Promise<{ subnet: string }> {
    return this.withRetry(`acquire a pod subnet for node ${nodeName}`, async () => {
      const node = await this.getNode(nodeName);
      const ledger = await this.readLedger();
      const leases = await this.mergedLeases(ledger);
      const { subnet } = allocateSubnet(this.options.clusterCidr, leases, nodeName, this.now(), this.options.subnetPrefix);

      const recorded = parseEntry(ledger.data?.[nodeName]);
      if (recorded?.subnet !== subnet || recorded.expiresAt !== undefined) {
        await this.writeLedger(ledger, (data) => (data[nodeName] = JSON.stringify({ subnet } satisfies LedgerEntry)));
      }
      if (node.spec?.podCIDR !== subnet || node.spec.podCIDRs?.length !== 1 || node.spec.podCIDRs[0] !== subnet) {
        await this.client.update<Node>('nodes', { ...node, spec: { ...node.spec, podCIDR: subnet, podCIDRs: [subnet] } });
      }
      return { subnet };
    });
  }

  /**
   * Marks the node's lease released: its subnet stays taken for graceMs (packets in flight to its
   * old pods must not reach a newcomer's), then is free; the same node coming back in time gets it
   * back. Call it when the Node is deleted. Releasing a node without a lease is success.
   */
  async release(nodeName: string, graceMs: number): Promise<void> {
    await this.withRetry(`release the pod subnet of node ${nodeName}`, async () => {
      const ledger = await this.readLedger();
      const entry = parseEntry(ledger.data?.[nodeName]);
      if (!entry || entry.expiresAt !== undefined) return;
      const expiresAt = new Date(this.now().getTime() + graceMs).toISOString();
      await this.writeLedger(ledger, (data) => (data[nodeName] = JSON.stringify({ subnet: entry.subnet, expiresAt } satisfies LedgerEntry)));
    });
  }

  /**
   * Records a subnet the node chose itself (kubelabd started with --pod-subnet) as its lease, so
   * the allocator never hands it to another node. Never changes the Node. Safe to call again.
   * Throws InvalidPodSubnetError when the subnet does not fit the cluster or is another node's.
   */
  async record(nodeName: string, subnet: string): Promise<void> {
    const clusterCidr = this.options.clusterCidr;
    const subnetPrefix = this.options.subnetPrefix ?? 24;
    const cluster = parseIpv4Cidr(clusterCidr);
    const network = parseIpv4Cidr(subnet);
    if (!cluster || !network || network.prefixLength !== subnetPrefix || !cidrContainsCidr(cluster, network)) {
      throw new InvalidPodSubnetError(`node ${nodeName}: pod subnet ${subnet} is not a /${subnetPrefix} inside cluster CIDR ${clusterCidr}; start the node with a --pod-subnet inside it, or without one to be leased a subnet`);
    }
    const normalized = formatIpv4Cidr(network);
    await this.withRetry(`record pod subnet ${normalized} of node ${nodeName}`, async () => {
      const ledger = await this.readLedger();
      const recorded = parseEntry(ledger.data?.[nodeName]);
      if (recorded?.subnet === normalized && recorded.expiresAt === undefined) return;
      const holder = (await this.mergedLeases(ledger)).find((lease) => lease.nodeName !== nodeName && lease.subnet === normalized);
      if (holder) {
        throw new InvalidPodSubnetError(`node ${nodeName}: pod subnet ${normalized} is already leased to node ${holder.nodeName}; start the node with another --pod-subnet, or without one to be leased a free subnet`);
      }
      await this.writeLedger(ledger, (data) => (data[nodeName] = JSON.stringify({ subnet: normalized } satisfies LedgerEntry)));
    });
  }

  /** Every lease, held and released-but-unexpired, sorted by node name. */
  async list(): Promise<SubnetLease[]> {
    return this.mergedLeases(await this.readLedger());
  }

  /** The ledger's entries, overridden by what live Nodes publish: a Node's podCIDR is its lease. */
  private async mergedLeases(ledger: LeaseLedger): Promise<SubnetLease[]> {
    const now = this.now().getTime();
    const byNode = new Map<string, SubnetLease>();
    for (const [nodeName, raw] of Object.entries(ledger.data ?? {})) {
      const entry = parseEntry(raw);
      if (!entry) continue;
      const expiresAt = entry.expiresAt === undefined ? undefined : new Date(entry.expiresAt);
      if (expiresAt && expiresAt.getTime() <= now) continue;
      byNode.set(nodeName, { nodeName, subnet: entry.subnet, ...(expiresAt ? { expiresAt } : {}) });
    }
    const nodes = await this.client.list<Node>('nodes');
    for (const node of nodes.items) {
      if (node.spec?.podCIDR) byNode.set(node.metadata.name!, { nodeName: node.metadata.name!, subnet: node.spec.podCIDR });
    }
    return [...byNode.values()].sort((a, b) => a.nodeName.localeCompare(b.nodeName));
  }

  private async getNode(nodeName: string): Promise<Node> {
    try {
      return await this.client.get<Node>('nodes', undefined, nodeName);
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'NotFound') {
        throw new Error(`node ${nodeName}: cannot lease a pod subnet to a node that is not registered; create the Node object first`, { cause: error });
      }
      throw error;
    }
  }

  private async readLedger(): Promise<LeaseLedger> {
    try {
      return await this.client.get<LeaseLedger>('configmaps', leaseLedgerNamespace, leaseLedgerName);
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'NotFound') {
        return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: leaseLedgerName, namespace: leaseLedgerNamespace }, data: {} };
      }
      throw error;
    }
  }

  /** Writes a changed copy of the ledger, dropping expired entries; Conflict if someone wrote first. */
  private async writeLedger(ledger: LeaseLedger, change: (data: Record<string, string>) => void): Promise<void> {
    const now = this.now().getTime();
    const data = Object.fromEntries(
      Object.entries(ledger.data ?? {}).filter(([, raw]) => {
        const expiresAt = parseEntry(raw)?.expiresAt;
        return expiresAt === undefined || new Date(expiresAt).getTime() > now;
      }),
    );
    change(data);
    const next: LeaseLedger = { ...ledger, data };
    if (ledger.metadata.resourceVersion) await this.client.update('configmaps', next);
    else await this.client.create('configmaps', next);
  }

  /** Re-runs a read-plan-write round when another writer got there first. */
  private async withRetry<T>(what: string, round: () => Promise<T>): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      try {
        return await round();
      } catch (error) {
        const lostRace = error instanceof ApiError && (error.reason === 'Conflict' || error.reason === 'AlreadyExists');
        if (!lostRace) throw error;
        if (attempt >= maxAttempts) throw new Error(`could not ${what}: other writers changed the lease ledger first ${attempt} time${attempt === 1 ? '' : 's'} in a row; try again`, { cause: error });
      }
    }
  }
}

function parseEntry(raw: string | undefined): LedgerEntry | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as LedgerEntry;
    return typeof parsed.subnet === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
