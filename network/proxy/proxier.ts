// The node's service proxy: kube-proxy in userspace mode (pkg/proxy/userspace/proxier.go,
// Kubernetes v1.20), without a single iptables rule.
//
// It watches Services and Endpoints through the API (ApiClient, so it runs the same on the
// server and on a remote agent) and keeps this node's sockets equal to plan-listeners.ts's plan:
// a listener per (address, port) of every Service port, each handing connections to the Service's
// ready endpoints in round robin (load-balancer.ts). It also makes ClusterIPs and LoadBalancer IPs
// local addresses of the host (address-manager.ts), since it can only listen on local addresses.
//
// Level-triggered: every Service or Endpoints event only enqueues one key, "sync"; syncOnce()
// compares the plan with the open listeners and converges (open missing, close extra, update the
// balancer). A listener that cannot be opened (port in use) is reported in describe() and retried
// with back-off and on every periodic resync.
//
// After each pass it tells onEndpointProgrammed about each pod endpoint that became live on this
// node (programmed-endpoints.ts): kubelabd turns that into one ProxyProgrammed event per pod.

import type { Endpoints, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Informer } from '../../lib/client/informer.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { errorMessage } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { runController } from '../../lib/controller-runtime.js';
import { WorkQueue } from '../../lib/work-queue.js';
import { objectKey } from '../../lib/client/object-key.js';
import { endpointsProblem, ReportedOnce } from '../../lib/unreadable-objects.js';
import type { AddressManager } from './address-manager.js';
import { RoundRobinLoadBalancer, type ServicePortName } from './load-balancer.js';
import { listenerKey, planListeners, type DesiredListener, type ListenerKind, type ProxyProtocol } from './plan-listeners.js';
import { emptyTraffic, TcpProxier, type ServiceTraffic } from './tcp-proxier.js';
import { UdpProxier } from './udp-proxier.js';
import { newlyProgrammedEndpoints, type ProgrammedEndpoint } from './programmed-endpoints.js';

export interface ProxierOptions {
  client: ApiClient;
  addressManager: AddressManager;
  /** This node's addresses for NodePorts; 127.0.0.1 is always added. */
  nodeAddresses?: string[];
  clock?: Clock;
  udpIdleTimeoutMs?: number;
  dialTimeoutsMs?: number[];
  /** How often the whole state is checked again (failed listeners retried, stale affinities dropped). */
  resyncPeriodMs?: number;
  onError?: (message: string) => void;
  /**
   * Told once per version about a Service or Endpoints object the proxier leaves out because its
   * fields cannot be read (kubelabd records a Warning event on it); by default a log line.
   */
  onUnreadable?: (object: Service | Endpoints, problem: string) => void;
  /** Shared informers (kubelabd's); without it the proxier makes its own. */
  informers?: SharedInformerFactory;
  /**
   * Told of each ready pod endpoint that a pass put into service on this node (its Service has
   * an open listener), once until it leaves. The endpoints of the first pass after start are
   * not told: the previous run programmed them, and a restart would otherwise tell every pod again.
   */
  onEndpointProgrammed?: (endpoint: ProgrammedEndpoint) => void;
}

export interface ListenerDescription {
  kind: ListenerKind;
  protocol: ProxyProtocol;
  address: string;
  port: number;
  /** Why the listener is not open, if it is not. */
  error?: string;
  activeConnections?: number;
}

export interface ServicePortDescription {
  service: ServicePortName;
  sessionAffinity: 'None' | 'ClientIP';
  listeners: ListenerDescription[];
  /** The ready endpoints new connections go to. */
  endpoints: string[];
}

export interface ProxyDescription {
  services: ServicePortDescription[];
  /** Service addresses this proxy has put on the host. */
  addresses: string[];
}

interface OpenListener {
  desired: DesiredListener;
  proxier?: TcpProxier | UdpProxier;
  error?: string;
}

const SYNC_KEY = 'sync';
/** Every Service and Endpoints is looked at again this often, even without an event: listeners lost behind our back come back. */
export const DEFAULT_PROXY_RESYNC_PERIOD_MS = 30_000;
/** A sync that failed (a port taken, an address not addable) is retried with back-off, never waiting longer than this. */
export const PROXY_MAX_RETRY_DELAY_MS = 30_000;

export class Proxier {
  readonly loadBalancer: RoundRobinLoadBalancer;
  readonly queue: WorkQueue;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly clock: Clock;
  private readonly listeners = new Map<string, OpenListener>();
  private readonly trafficByService = new Map<ServicePortName, ServiceTraffic>();
  private readonly addresses = new Set<string>();
  private affinities = new Map<ServicePortName, 'None' | 'ClientIP'>();
  private readonly onError: (message: string) => void;
  private readonly reported = new ReportedOnce();
  /** Keys of the pod endpoints programmed by the last pass; undefined before the first. */
  private programmed?: Set<string>;

  constructor(private readonly options: ProxierOptions) {
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? ((message) => logger('proxy').error(message));
    this.loadBalancer = new RoundRobinLoadBalancer(this.clock);
    this.queue = new WorkQueue({ name: 'proxy', clock: this.clock, maxDelayMs: PROXY_MAX_RETRY_DELAY_MS, onError: (_key, error) => this.onError(errorMessage(error)) });
    const enqueue = () => this.queue.add(SYNC_KEY);
    const informers =
      options.informers ??
      new SharedInformerFactory({ client: options.client, clock: this.clock, onError: (_resource, error) => this.onError(`watch: ${errorMessage(error)}`) });
    this.services = informers.informerFor<Service>('services');
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue });
    this.endpoints = informers.informerFor<Endpoints>('endpoints');
    this.endpoints.addEventHandler({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue });
  }

  /** Watches and proxies until `signal` aborts; then closes every listener and removes the addresses it added. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      await runController({
        informers: [this.services, this.endpoints],
        queue: this.queue,
        reconcile: () => this.syncOnce(),
        workers: 1,
        onSynced: () => this.queue.add(SYNC_KEY),
        resyncMs: this.options.resyncPeriodMs ?? DEFAULT_PROXY_RESYNC_PERIOD_MS,
        resync: () => this.queue.add(SYNC_KEY),
        clock: this.clock,
        signal,
      });
    } finally {
      await this.shutdown();
    }
  }

  /** A Service or Endpoints left out of the plan: said once per version, never a failed pass. */
  private reportUnreadable(object: Service | Endpoints, problem: string): void {
    if (!this.reported.firstTime(object)) return;
    const report = this.options.onUnreadable ?? ((o: Service | Endpoints, p: string) => this.onError(`${o.kind ?? 'object'} ${objectKey(o)} is not proxied: ${p}`));
    report(object, problem);
  }

  /** One pass: balancer, addresses, listeners converge to the Services and Endpoints seen. Throws if something is left to retry. */
  async syncOnce(): Promise<void> {
    const plan = planListeners(this.services.list(), this.options.nodeAddresses ?? []);
    const endpoints = this.endpoints.list().filter((object) => {
      const problem = endpointsProblem(object);
      if (problem) this.reportUnreadable(object, problem);
      return !problem;
    });
    for (const { object, problem } of plan.unreadable) this.reportUnreadable(object, problem);
    const problems: string[] = [];

    // 1. The balancer learns the Service ports (with affinity) and their ready endpoints.
    for (const name of this.affinities.keys()) if (!plan.servicePorts.has(name)) this.loadBalancer.onServiceUpdate(name, undefined);
    for (const [name, affinity] of plan.servicePorts) this.loadBalancer.onServiceUpdate(name, affinity);
    this.affinities = new Map([...plan.servicePorts].map(([name, a]) => [name, a.type]));
    this.loadBalancer.onEndpointsUpdate(endpoints);
    for (const name of plan.servicePorts.keys()) this.loadBalancer.cleanupStaleStickySessions(name);

    // 2. Addresses first, since a listener needs its address to be local.
    for (const ip of plan.addresses) {
      if (this.addresses.has(ip)) continue;
      try {
        await this.options.addressManager.ensureAddress(ip);
        this.addresses.add(ip);
      } catch (err) {
        problems.push(errorMessage(err));
      }
    }

    // 3. Listeners: close what is no longer wanted (or now belongs to another Service), open what is missing.
    const wanted = new Map(plan.listeners.map((l) => [listenerKey(l), l]));
    for (const [key, open] of this.listeners) {
      const desired = wanted.get(key);
      if (desired && desired.service === open.desired.service && desired.kind === open.desired.kind && !open.error) continue;
      await open.proxier?.close();
      this.listeners.delete(key);
    }
    for (const [key, desired] of wanted) {
      if (this.listeners.has(key)) continue;
      const proxier = this.newProxier(desired);
      try {
        await proxier.listen();
        this.listeners.set(key, { desired, proxier });
      } catch (err) {
        const error = `cannot listen on ${key} for ${desired.service}: ${errorMessage(err)}`;
        this.listeners.set(key, { desired, error });
        problems.push(error);
      }
    }

    // 4. Tell which pods just became reachable through this node's listeners.
    this.tellProgrammed(endpoints);

    // 5. Addresses no Service needs any more leave the host.
    for (const ip of [...this.addresses]) {
      if (plan.addresses.includes(ip)) continue;
      try {
        await this.options.addressManager.removeAddress(ip);
        this.addresses.delete(ip);
      } catch (err) {
        problems.push(errorMessage(err));
      }
    }
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  private tellProgrammed(endpoints: Endpoints[]): void {
    const listening = new Set<string>();
    for (const open of this.listeners.values()) {
      if (open.proxier && !open.error) listening.add(open.desired.service.slice(0, open.desired.service.lastIndexOf(':')));
    }
    const { current, added } = newlyProgrammedEndpoints(this.programmed ?? new Set(), endpoints, listening);
    const firstPass = this.programmed === undefined;
    this.programmed = current;
    if (firstPass || !this.options.onEndpointProgrammed) return;
    for (const endpoint of added) this.options.onEndpointProgrammed(endpoint);
  }

  /** What this node proxies right now: the API and CLI show it. */
  /** Every TCP service's connections and bytes since this proxy started (they outlive listeners that are replaced). */
  traffic(): ReadonlyMap<ServicePortName, ServiceTraffic> {
    return this.trafficByService;
  }

  private trafficOf(service: ServicePortName): ServiceTraffic {
    let traffic = this.trafficByService.get(service);
    if (!traffic) this.trafficByService.set(service, (traffic = emptyTraffic()));
    return traffic;
  }

  describe(): ProxyDescription {
    const byService = new Map<ServicePortName, ServicePortDescription>();
    for (const name of this.affinities.keys()) {
      byService.set(name, { service: name, sessionAffinity: this.affinities.get(name)!, listeners: [], endpoints: this.loadBalancer.endpointsOf(name) });
    }
    for (const open of this.listeners.values()) {
      const { service, kind, protocol, host, port } = open.desired;
      const entry = byService.get(service);
      if (!entry) continue;
      const active = open.proxier instanceof TcpProxier ? open.proxier.activeConnections : open.proxier?.activeFlows;
      entry.listeners.push({ kind, protocol, address: host, port: open.proxier?.port ?? port, ...(open.error ? { error: open.error } : { activeConnections: active }) });
    }
    return { services: [...byService.values()].sort((a, b) => a.service.localeCompare(b.service)), addresses: [...this.addresses].sort() };
  }

  private newProxier(desired: DesiredListener): TcpProxier | UdpProxier {
    const common = { service: desired.service, host: desired.host, port: desired.port, loadBalancer: this.loadBalancer, onError: this.onError };
    return desired.protocol === 'UDP'
      ? new UdpProxier({ ...common, idleTimeoutMs: this.options.udpIdleTimeoutMs })
      : new TcpProxier({ ...common, dialTimeoutsMs: this.options.dialTimeoutsMs, traffic: this.trafficOf(desired.service) });
  }

  private async shutdown(): Promise<void> {
    for (const open of this.listeners.values()) {
      if (open.proxier instanceof TcpProxier) await open.proxier.closeAll();
      else await open.proxier?.close();
    }
    this.listeners.clear();
    for (const ip of [...this.addresses]) {
      await this.options.addressManager.removeAddress(ip).catch((err: unknown) => this.onError(String(err)));
      this.addresses.delete(ip);
    }
  }
}
