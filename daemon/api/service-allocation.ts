// ServiceAllocation: the addresses and ports a Service takes from cluster-wide pools, given out by
// the API server when the Service is written (kube-apiserver's service REST storage,
// pkg/registry/core/service/storage/rest.go, with its ipallocator and portallocator).
//
// - ClusterIP: one virtual IP from the service CIDR, unless the Service is headless
//   (clusterIP: None) or an ExternalName. A user may ask for a specific one.
// - NodePort: for type NodePort and LoadBalancer, one port from 30000-32767 per Service port,
//   open on every node. A user may ask for a specific one.
// - LoadBalancer address: for type LoadBalancer, one address from the configured pool, reported
//   in status.loadBalancer.ingress[0].ip (where a cloud would report its load balancer). kubelabd
//   server always has a pool (--lb-pool, else the top of the service CIDR: see
//   defaultLoadBalancerPool); when it is exhausted the Service stays <pending>, and the service-lb
//   controller says why in an event and asks again once an address is free. ClusterIPs are never
//   taken from the pool, even where it lies inside the service CIDR.
//
// Several API servers may share one store (etcd), so no pool lives only in one server's memory:
// every value a Service holds is a reservation object in the store (allocation-ledger.ts, where the
// choice of one object per value over a bitmap is explained), taken with the store's atomic
// create. Each server keeps a view of what is taken (IpAllocator, PortAllocator, AddressPool),
// fed by a watch of the ledger, only to pick candidates: a candidate another server reserved
// first (AlreadyExists) is marked taken and the next one is tried; a value the user asked for
// that someone holds is the API server's 422 "provided IP is already allocated".
//
// Every write is a small transaction: onCreate / onUpdate reserve what the new object needs and
// return a Reservation; the registry commits it once the store has the object (an update then
// frees what only the old object held) or rolls it back when the write fails, so a refused write
// never leaks a value. A Service leaving the store (a DELETE, a last finalizer removed, a namespace
// emptied) frees its values right after the store delete, on the server that deleted it
// (kube-apiserver's AfterDelete); a release names the holder's uid, so it never frees a value
// someone else holds by now. What a crash leaves behind, the repair pass (allocation-repair.ts)
// fixes.

import type { Service } from '../../lib/api/types.js';
import { fieldInvalid, internalError, invalid, type FieldError } from '../../lib/errors.js';
import { AddressPool } from '../../lib/net/address-pool.js';
import { AllocationError, IpAllocator, PortAllocator } from '../../lib/net/ip-allocator.js';
import { NETWORK_DEFAULTS } from '../config.js';
import type { ObjectStore } from '../store/object-store.js';
import { AllocationLedger, serviceHolder, type AllocationHolder, type AllocationPool } from './allocation-ledger.js';
import { AllocationRepair } from './allocation-repair.js';
import type { Holding } from './plan-allocation-repair.js';

export interface ServiceAllocationOptions {
  /** Kubernetes' default --service-cluster-ip-range. */
  serviceCidr?: string;
  /** Kubernetes' default --service-node-port-range. */
  nodePortRange?: string;
  /** LoadBalancer addresses: `10.99.0.10-10.99.0.20`, CIDRs or single addresses. */
  lbPool?: string[];
  /** Random-start allocation instead of next-fit (see lib/net/range-allocator.ts). */
  random?: () => number;
  /** How often the repair pass runs after the one at attach (Kubernetes' repair interval: 3 minutes); 0: only at attach. */
  repairIntervalMs?: number;
}

/** Kubernetes' repair controllers run every 3 minutes. */
export const REPAIR_INTERVAL_MS = 3 * 60_000;

/** How many candidates one value may lose to other servers before the write gives up (each loss is one store round trip). */
const MAX_CANDIDATES = 64;

/** What a write took; exactly one of commit() or rollback() must follow. */
export interface Reservation {
  /** The write is stored: release what the previous version held and this one does not. */
  commit(): Promise<void>;
  /** The write failed: give back what this reservation took. */
  rollback(): Promise<void>;
}

/** What one Service holds from the pools. */
export interface Held {
  clusterIP?: string;
  nodePorts: number[];
  loadBalancerIP?: string;
}

/** A dry run checks against this server's view and reserves nothing in the store. */
export interface ReserveOptions {
  dryRun?: boolean;
}

type ServiceType = NonNullable<Service['spec']['type']>;

const typeOf = (service: Service): ServiceType => service.spec?.type ?? 'ClusterIP';
const needsClusterIP = (service: Service): boolean => typeOf(service) !== 'ExternalName' && service.spec?.clusterIP !== 'None';
const needsNodePorts = (service: Service): boolean => typeOf(service) === 'NodePort' || typeOf(service) === 'LoadBalancer';

export class ServiceAllocation {
  readonly serviceCidr: string;
  readonly nodePortRange: string;
  readonly lbPool: readonly string[];
  private readonly random?: () => number;
  private readonly repairIntervalMs: number;
  private ips: IpAllocator;
  private ports: PortAllocator;
  private loadBalancers: AddressPool;
  private ledger: AllocationLedger | undefined;
  private repair: AllocationRepair | undefined;

  constructor(options: ServiceAllocationOptions = {}) {
    this.serviceCidr = options.serviceCidr ?? NETWORK_DEFAULTS.serviceCidr;
    this.nodePortRange = options.nodePortRange ?? NETWORK_DEFAULTS.nodePortRange;
    this.lbPool = options.lbPool ?? [];
    this.random = options.random;
    this.repairIntervalMs = options.repairIntervalMs ?? REPAIR_INTERVAL_MS;
    this.loadBalancers = new AddressPool(this.lbPool);
    this.ips = new IpAllocator(this.serviceCidr, [], this.ipOptions());
    this.ports = new PortAllocator(this.nodePortRange, [], { random: this.random });
  }

  /** The ClusterIP allocator's options: the pool's addresses are never ClusterIPs. */
  private ipOptions() {
    return { random: this.random, excluded: { addresses: this.loadBalancers.list(), why: `in the LoadBalancer address pool (${this.lbPool.join(', ')}); pick another ClusterIP` } };
  }

  /** The `kubernetes` Service's ClusterIP (the first address of the CIDR). */
  get kubernetesServiceIP(): string {
    return this.ips.firstAddress;
  }

  /**
   * Runs a repair pass (reservations for what stored Services hold; leaks counted), loads this
   * server's view of the ledger and keeps it current, and repairs again every repairIntervalMs. Call once before the registry serves
   * writes; returns the function that stops all of it.
   */
  async attach(store: ObjectStore): Promise<() => void> {
    const ledger = new AllocationLedger(store);
    this.ledger = ledger;
    this.repair = new AllocationRepair({ store, ledger, holdingsOf: (service) => this.holdingsOf(service) });
    await this.repair.runOnce();
    const { records, resourceVersion } = await ledger.list();
    this.resetView();
    for (const record of records) this.onLedgerChange('ADDED', record.metadata.namespace as AllocationPool, record.metadata.name!);
    const stopLedger = ledger.watch(resourceVersion, (type, pool, value) => this.onLedgerChange(type, pool, value));
    const stopRepair = this.repairIntervalMs > 0 ? this.repair.runEvery(this.repairIntervalMs) : () => undefined;
    return () => {
      stopRepair();
      stopLedger();
    };
  }

  /** One repair pass now (the periodic one's step; tests call it). */
  async repairOnce(): Promise<void> {
    await this.requireRepair().runOnce();
  }

  /** Fills in the new Service's clusterIP(s), nodePorts and LoadBalancer address; 422 for taken or foreign requests. */
  async onCreate(service: Service, options: ReserveOptions = {}): Promise<Reservation> {
    const holder = serviceHolder(service);
    return this.transaction(service, holder, options, async (take) => {
      await this.assignClusterIP(service, undefined, take);
      await this.assignNodePorts(service, undefined, take);
      await this.assignLoadBalancerIP(service, undefined, take);
    }, async () => {});
  }

  /**
   * Keeps what the old version held when the new one leaves it out (`kubectl replace` of a file
   * without clusterIP), takes what a changed type or new port needs, and on commit releases what
   * only the old version held (ports removed, type changed back to ClusterIP, ...).
   */
  async onUpdate(old: Service, service: Service, options: ReserveOptions = {}): Promise<Reservation> {
    keepAllocatedValues(old, service);
    const holder = serviceHolder(old);
    service.metadata.uid ??= holder.uid;
    return this.transaction(service, holder, options, async (take) => {
      await this.assignClusterIP(service, old, take);
      await this.assignNodePorts(service, old, take);
      await this.assignLoadBalancerIP(service, old, take);
    }, () => this.releaseHeld(subtract(this.heldBy(old), this.heldBy(service)), holder.uid));
  }

  /**
   * The Service is gone from the store (the registry's afterDelete, on every path that removes
   * one): what it held is free again, unless someone else holds it by now.
   */
  async onDelete(service: Service): Promise<void> {
    if (service.metadata.uid) await this.releaseHeld(this.heldBy(service), service.metadata.uid);
  }

  /** What a stored Service holds. */
  heldBy(service: Service): Held {
    const ip = service.spec?.clusterIP;
    const lbIP = service.status?.loadBalancer?.ingress?.[0]?.ip;
    return {
      clusterIP: needsClusterIP(service) && ip ? ip : undefined,
      nodePorts: needsNodePorts(service) ? [...new Set((service.spec.ports ?? []).flatMap((p) => (p.nodePort ? [p.nodePort] : [])))] : [],
      loadBalancerIP: typeOf(service) === 'LoadBalancer' && lbIP && this.loadBalancers.contains(lbIP) ? lbIP : undefined,
    };
  }

  /** What a stored Service holds, as ledger entries (for the repair pass). */
  private holdingsOf(service: Service): Holding[] {
    if (!service.metadata.uid) return [];
    const holder: AllocationHolder = { resource: 'services', namespace: service.metadata.namespace, name: service.metadata.name!, uid: service.metadata.uid };
    const held = this.heldBy(service);
    return [
      ...(held.clusterIP && this.ips.contains(held.clusterIP) ? [{ pool: 'ipaddresses' as const, value: held.clusterIP, holder }] : []),
      ...held.nodePorts.filter((port) => this.ports.contains(port)).map((port) => ({ pool: 'nodeports' as const, value: String(port), holder })),
      ...(held.loadBalancerIP ? [{ pool: 'ipaddresses' as const, value: held.loadBalancerIP, holder }] : []),
    ];
  }

  // -------------------------------------------------------------------------------------------
  // This server's view of the ledger

  private resetView(): void {
    this.loadBalancers = new AddressPool(this.lbPool);
    this.ips = new IpAllocator(this.serviceCidr, [], this.ipOptions());
    this.ports = new PortAllocator(this.nodePortRange, [], { random: this.random });
  }

  /**
   * A reservation appeared or went, ours or another server's. (A ClusterIP given out before the
   * pool covered it, by an older server, is then not handed out as a LoadBalancer address either:
   * both live in the one `ipaddresses` pool.)
   */
  private onLedgerChange(type: 'ADDED' | 'MODIFIED' | 'DELETED', pool: AllocationPool, value: string): void {
    const taken = type !== 'DELETED';
    if (pool === 'nodeports') {
      if (taken) this.ports.markAllocated(Number(value));
      else this.ports.release(Number(value));
      return;
    }
    if (taken) {
      this.ips.markAllocated(value);
      this.loadBalancers.markAllocated(value);
    } else {
      this.ips.release(value);
      this.loadBalancers.release(value);
    }
  }

  private requireLedger(): AllocationLedger {
    if (!this.ledger) throw new Error('ServiceAllocation: call attach(store) before the registry takes writes');
    return this.ledger;
  }

  private requireRepair(): AllocationRepair {
    this.requireLedger();
    return this.repair!;
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Runs `assign` collecting user mistakes as field errors; on any error gives back everything
   * taken so far and throws (422 for field errors, the allocator's 500 for a full range).
   */
  private async transaction(service: Service, holder: AllocationHolder, options: ReserveOptions, assign: (take: Taker) => Promise<void>, onCommit: () => Promise<void>): Promise<Reservation> {
    const ledger = this.requireLedger();
    const undo: (() => Promise<void>)[] = [];
    const errors: FieldError[] = [];
    const take: Taker = async (pool, value, allocateLocally, releaseLocally, field) => {
      try {
        allocateLocally();
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        errors.push(err.fieldError);
        return false;
      }
      if (!options.dryRun && !(await ledger.reserve(pool, value, holder))) {
        // Another server holds it: our view lagged. It stays marked taken here (the watch agrees soon).
        if (field) errors.push(fieldInvalid(field, pool === 'nodeports' ? Number(value) : value, pool === 'nodeports' ? 'provided port is already allocated' : 'provided IP is already allocated'));
        return false;
      }
      undo.push(async () => {
        releaseLocally();
        if (!options.dryRun) await ledger.release(pool, value, holder.uid);
      });
      return true;
    };
    const rollback = async () => {
      for (const release of undo.splice(0).reverse()) await release();
    };
    try {
      await assign(take);
    } catch (err) {
      await rollback();
      throw err;
    }
    if (errors.length > 0) {
      await rollback();
      throw invalid('Service', '', service.metadata.name ?? '', errors);
    }
    let settled = false;
    return {
      commit: async () => {
        if (settled) return;
        settled = true;
        if (!options.dryRun) await onCommit();
      },
      rollback: async () => {
        if (settled) return;
        settled = true;
        await rollback();
      },
    };
  }

  /**
   * Picks candidates from this server's view until one is won in the store; `pick` throws the
   * allocator's 500 when the view is full, and returns undefined when an optional pool (the
   * LoadBalancer one) is exhausted.
   */
  private async takeNext<T extends string | number>(pool: AllocationPool, pick: () => T | undefined, releaseLocally: (value: T) => void, take: Taker, what: string): Promise<T | undefined> {
    for (let attempt = 1; attempt <= MAX_CANDIDATES; attempt += 1) {
      const candidate = pick();
      if (candidate === undefined) return undefined;
      if (await take(pool, String(candidate), () => {}, () => releaseLocally(candidate))) return candidate;
    }
    throw internalError(`failed to allocate a ${what}: ${MAX_CANDIDATES} candidates in a row were taken by other API servers at the same time; try again`);
  }

  private async assignClusterIP(service: Service, old: Service | undefined, take: Taker): Promise<void> {
    const spec = service.spec;
    if (typeOf(service) === 'ExternalName') return;
    const requested = spec.clusterIP || spec.clusterIPs?.[0];
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      return;
    }
    const previous = old ? this.heldBy(old).clusterIP : undefined;
    if (requested && requested === previous) return; // already ours
    let ip = requested;
    if (ip) {
      const field = spec.clusterIP ? 'spec.clusterIP' : 'spec.clusterIPs[0]';
      await take('ipaddresses', requested!, () => this.ips.allocateSpecific(requested!, field), () => this.ips.release(requested!), field);
    } else {
      ip = await this.takeNext('ipaddresses', () => this.ips.allocate(), (value) => this.ips.release(value), take, 'serviceIP');
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip!];
  }

  private async assignNodePorts(service: Service, old: Service | undefined, take: Taker): Promise<void> {
    if (!needsNodePorts(service)) {
      // A Service that is no longer NodePort or LoadBalancer gives its node ports up.
      for (const port of service.spec.ports ?? []) delete port.nodePort;
      return;
    }
    const ours = new Set(old ? this.heldBy(old).nodePorts : []);
    for (const [i, port] of (service.spec.ports ?? []).entries()) {
      const requested = port.nodePort;
      // One node port may serve the TCP and the UDP port of the same Service.
      if (requested && ours.has(requested)) continue;
      if (requested) {
        const field = `spec.ports[${i}].nodePort`;
        await take('nodeports', String(requested), () => this.ports.allocateSpecific(requested, field), () => this.ports.release(requested), field);
        ours.add(requested);
        continue;
      }
      const allocated = await this.takeNext('nodeports', () => this.ports.allocate(), (value) => this.ports.release(value), take, 'nodePort');
      port.nodePort = allocated;
      ours.add(allocated!);
    }
  }

  private async assignLoadBalancerIP(service: Service, old: Service | undefined, take: Taker): Promise<void> {
    if (typeOf(service) !== 'LoadBalancer') {
      if (service.status?.loadBalancer?.ingress) service.status = { ...service.status, loadBalancer: {} };
      return;
    }
    const previous = old ? this.heldBy(old).loadBalancerIP : undefined;
    const requested = typeof service.spec.loadBalancerIP === 'string' && service.spec.loadBalancerIP !== '' ? service.spec.loadBalancerIP : undefined;
    let ip = previous && (!requested || requested === previous) ? previous : undefined;
    if (!ip && requested) {
      const field = 'spec.loadBalancerIP';
      if (await take('ipaddresses', requested, () => this.loadBalancers.allocateSpecific(requested, field), () => this.loadBalancers.release(requested), field)) ip = requested;
    }
    if (!ip && !requested) {
      // An exhausted pool leaves the Service <pending>: the service-lb controller asks again when an address is freed.
      ip = await this.takeNext('ipaddresses', () => this.loadBalancers.allocate(), (value) => this.loadBalancers.release(value), take, 'LoadBalancer address');
    }
    service.status = { ...service.status, loadBalancer: ip ? { ingress: [{ ip }] } : {} };
  }

  private async releaseHeld(held: Held, holderUid: string): Promise<void> {
    const ledger = this.requireLedger();
    if (held.clusterIP) await ledger.release('ipaddresses', held.clusterIP, holderUid);
    for (const port of held.nodePorts) await ledger.release('nodeports', String(port), holderUid);
    if (held.loadBalancerIP) await ledger.release('ipaddresses', held.loadBalancerIP, holderUid);
  }
}

/**
 * Takes `value` of `pool`: first in this server's view (`allocateLocally`, which throws the
 * allocator's field error for a value out of range or seen taken), then in the store. Remembers
 * how to undo it and resolves true if both succeeded; records the field error (for a value the
 * user asked for at `field`) and resolves false if not.
 */
type Taker = (pool: AllocationPool, value: string, allocateLocally: () => void, releaseLocally: () => void, field?: string) => Promise<boolean>;

/** What `a` holds and `b` does not. */
function subtract(a: Held, b: Held): Held {
  return {
    clusterIP: a.clusterIP !== b.clusterIP ? a.clusterIP : undefined,
    nodePorts: a.nodePorts.filter((p) => !b.nodePorts.includes(p)),
    loadBalancerIP: a.loadBalancerIP !== b.loadBalancerIP ? a.loadBalancerIP : undefined,
  };
}

/**
 * kube-apiserver's patchAllocatedValues: an update that leaves out clusterIP or a nodePort keeps
 * the allocated one (matched by port name, else by port and protocol), so re-applying the
 * original file does not change the Service's address.
 */
function keepAllocatedValues(old: Service, service: Service): void {
  const spec = service.spec;
  if (needsClusterIP(old) && typeOf(service) !== 'ExternalName' && !spec.clusterIP && !spec.clusterIPs?.length) {
    spec.clusterIP = old.spec.clusterIP;
    spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP as string];
  }
  if (needsNodePorts(old) && needsNodePorts(service)) {
    for (const port of spec.ports ?? []) {
      if (port.nodePort) continue;
      const before = (old.spec.ports ?? []).find((p) => (port.name && p.name === port.name) || (p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP')));
      if (before?.nodePort) port.nodePort = before.nodePort;
    }
  }
  if (typeOf(old) === 'LoadBalancer' && typeOf(service) === 'LoadBalancer' && !service.status?.loadBalancer?.ingress && old.status?.loadBalancer?.ingress) {
    service.status = { ...service.status, loadBalancer: old.status.loadBalancer };
  }
}
