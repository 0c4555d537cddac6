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
// Nothing is stored apart from the Services: rebuild() reads what the stored Services hold when
// the server starts, and onDelete() gives it back. Every write is a small transaction: onCreate /
// onUpdate take what the new object needs and return a Reservation; the registry commits it once
// the store has the object (an update then releases what only the old object held) or rolls it
// back when the write fails, so a refused write never leaks an address.

import type { Service } from '../../lib/api/types.js';
import { invalid, type FieldError } from '../../lib/errors.js';
import { AddressPool } from '../../lib/net/address-pool.js';
import { AllocationError, IpAllocator, PortAllocator } from '../../lib/net/ip-allocator.js';
import { NETWORK_DEFAULTS } from '../config.js';
import type { ObjectStore } from '../store/object-store.js';

export interface ServiceAllocationOptions {
  /** Kubernetes' default --service-cluster-ip-range. */
  serviceCidr?: string;
  /** Kubernetes' default --service-node-port-range. */
  nodePortRange?: string;
  /** LoadBalancer addresses: `10.99.0.10-10.99.0.20`, CIDRs or single addresses. */
  lbPool?: string[];
  /** Random-start allocation instead of next-fit (see lib/net/range-allocator.ts). */
  random?: () => number;
}


/** What a write took; exactly one of commit() or rollback() must follow. */
export interface Reservation {
  /** The write is stored: release what the previous version held and this one does not. */
  commit(): void;
  /** The write failed: give back what this reservation took. */
  rollback(): void;
}

/** What one Service holds from the pools. */
export interface Held {
  clusterIP?: string;
  nodePorts: number[];
  loadBalancerIP?: string;
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
  private ips: IpAllocator;
  private ports: PortAllocator;
  private loadBalancers: AddressPool;

  constructor(options: ServiceAllocationOptions = {}) {
    this.serviceCidr = options.serviceCidr ?? NETWORK_DEFAULTS.serviceCidr;
    this.nodePortRange = options.nodePortRange ?? NETWORK_DEFAULTS.nodePortRange;
    this.lbPool = options.lbPool ?? [];
    this.random = options.random;
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

  /** Forgets everything and takes what the stored Services hold: called once at start. */
  rebuild(existingServices: Service[]): void {
    const held = existingServices.map((s) => this.heldBy(s));
    // A ClusterIP given out before the pool covered it (an older server) is not handed out as a LoadBalancer address either.
    this.loadBalancers = new AddressPool(this.lbPool, held.flatMap((h) => [h.loadBalancerIP, h.clusterIP].filter((ip): ip is string => Boolean(ip))));
    this.ips = new IpAllocator(this.serviceCidr, held.flatMap((h) => (h.clusterIP ? [h.clusterIP] : [])), this.ipOptions());
    this.ports = new PortAllocator(this.nodePortRange, held.flatMap((h) => h.nodePorts), { random: this.random });
  }

  /**
   * Rebuilds from the stored Services, then releases what each Service held when it leaves the
   * store, whichever path deleted it (a DELETE, a last finalizer removed, a namespace emptied).
   * Call once before the registry serves writes; returns the function that stops listening.
   */
  async attach(store: ObjectStore): Promise<() => void> {
    const list = await store.list('services');
    this.rebuild(list.items as Service[]);
    return store.watch('services', { resourceVersion: Number(list.metadata.resourceVersion) }, (event) => {
      if (event.type === 'DELETED') this.onDelete(event.object as Service);
    });
  }

  /** Fills in the new Service's clusterIP(s), nodePorts and LoadBalancer address; 422 for taken or foreign requests. */
  onCreate(service: Service): Reservation {
    return this.transaction(service, (take) => {
      this.assignClusterIP(service, undefined, take);
      this.assignNodePorts(service, undefined, take);
      this.assignLoadBalancerIP(service, undefined, take);
    }, () => {});
  }

  /**
   * Keeps what the old version held when the new one leaves it out (`kubectl replace` of a file
   * without clusterIP), takes what a changed type or new port needs, and on commit releases what
   * only the old version held (ports removed, type changed back to ClusterIP, ...).
   */
  onUpdate(old: Service, service: Service): Reservation {
    keepAllocatedValues(old, service);
    return this.transaction(service, (take) => {
      this.assignClusterIP(service, old, take);
      this.assignNodePorts(service, old, take);
      this.assignLoadBalancerIP(service, old, take);
    }, () => this.releaseHeld(subtract(this.heldBy(old), this.heldBy(service))));
  }

  /** The Service is gone from the store: its addresses and ports are free again. */
  onDelete(service: Service): void {
    this.releaseHeld(this.heldBy(service));
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

  // -------------------------------------------------------------------------------------------

  /**
   * Runs `assign` collecting user mistakes as field errors; on any error gives back everything
   * taken so far and throws (422 for field errors, the allocator's 500 for a full range).
   */
  private transaction(service: Service, assign: (take: Taker) => void, onCommit: () => void): Reservation {
    const undo: (() => void)[] = [];
    const errors: FieldError[] = [];
    const take: Taker = (allocate, release) => {
      try {
        allocate();
        undo.push(release);
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        errors.push(err.fieldError);
      }
    };
    const rollback = () => {
      for (const release of undo.splice(0).reverse()) release();
    };
    try {
      assign(take);
    } catch (err) {
      rollback();
      throw err;
    }
    if (errors.length > 0) {
      rollback();
      throw invalid('Service', '', service.metadata.name ?? '', errors);
    }
    let settled = false;
    return {
      commit: () => {
        if (settled) return;
        settled = true;
        onCommit();
      },
      rollback: () => {
        if (settled) return;
        settled = true;
        rollback();
      },
    };
  }

  private assignClusterIP(service: Service, old: Service | undefined, take: Taker): void {
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
      take(() => this.ips.allocateSpecific(requested!, field), () => this.ips.release(requested!));
    } else {
      const allocated = this.ips.allocate();
      take(() => {}, () => this.ips.release(allocated));
      ip = allocated;
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  private assignNodePorts(service: Service, old: Service | undefined, take: Taker): void {
    if (!needsNodePorts(service)) {
      // A Service that is no longer NodePort or LoadBalancer gives its node ports up.
      for (const port of service.spec.ports ?? []) delete port.nodePort;
      return;
    }
    const ours = new Set(old ? this.heldBy(old).nodePorts : []);
    (service.spec.ports ?? []).forEach((port, i) => {
      const requested = port.nodePort;
      // One node port may serve the TCP and the UDP port of the same Service.
      if (requested && ours.has(requested)) return;
      if (requested) {
        take(() => this.ports.allocateSpecific(requested, `spec.ports[${i}].nodePort`), () => this.ports.release(requested));
        ours.add(requested);
        return;
      }
      const allocated = this.ports.allocate();
      take(() => {}, () => this.ports.release(allocated));
      port.nodePort = allocated;
      ours.add(allocated);
    });
  }

  private assignLoadBalancerIP(service: Service, old: Service | undefined, take: Taker): void {
    if (typeOf(service) !== 'LoadBalancer') {
      if (service.status?.loadBalancer?.ingress) service.status = { ...service.status, loadBalancer: {} };
      return;
    }
    const previous = old ? this.heldBy(old).loadBalancerIP : undefined;
    const requested = typeof service.spec.loadBalancerIP === 'string' && service.spec.loadBalancerIP !== '' ? service.spec.loadBalancerIP : undefined;
    let ip = previous && (!requested || requested === previous) ? previous : undefined;
    if (!ip && requested) {
      take(() => this.loadBalancers.allocateSpecific(requested), () => this.loadBalancers.release(requested));
      ip = requested;
    }
    if (!ip) {
      const allocated = this.loadBalancers.allocate();
      if (allocated) take(() => {}, () => this.loadBalancers.release(allocated));
      ip = allocated;
    }
    service.status = { ...service.status, loadBalancer: ip ? { ingress: [{ ip }] } : {} };
  }

  private releaseHeld(held: Held): void {
    if (held.clusterIP) this.ips.release(held.clusterIP);
    for (const port of held.nodePorts) this.ports.release(port);
    if (held.loadBalancerIP) this.loadBalancers.release(held.loadBalancerIP);
  }
}

/** Runs an allocation; remembers how to undo it if it succeeded, records its field error if not. */
type Taker = (allocate: () => void, release: () => void) => void;

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
