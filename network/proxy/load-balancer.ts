// The proxy's choice of backend: kube-proxy's userspace LoadBalancerRR
// (pkg/proxy/userspace/roundrobin.go, Kubernetes v1.20).
//
// Every Service port (`default/web:http`) has a list of ready endpoints (`10.244.1.2:3000`) and
// an index; each new connection takes the endpoint at the index and moves it on by one. With
// sessionAffinity: ClientIP, a client that connected recently goes back to the endpoint it had
// (so a server-side session survives), until it stays away longer than the affinity timeout
// (default 10800 s, three hours) or that endpoint disappears.
//
// The balancer hears about endpoints from the Endpoints objects (ready addresses only: a
// not-ready or terminating pod gets no new connection), and about affinity from the Services.

import type { Endpoints } from '../../lib/api/types.js';
import { systemClock, type Clock } from '../../lib/clock.js';

/** A Service port as the proxy knows it: `namespace/name:portName` (portName may be empty). */
export type ServicePortName = string;

export const servicePortName = (namespace: string, name: string, portName = ''): ServicePortName => `${namespace}/${name}:${portName}`;

export interface Affinity {
  /** ClientIP: stick each client to one endpoint; None: plain round robin. */
  type: 'None' | 'ClientIP';
  /** How long an idle client keeps its endpoint. */
  timeoutSeconds: number;
}

export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export interface LoadBalancer {
  /**
   * The endpoint (`ip:port`) for a new connection from `clientIp`, or undefined when the Service
   * port has none. `sessionAffinityReset` asks for a different endpoint than the sticky one
   * (the last dial to it failed).
   */
  nextEndpoint(service: ServicePortName, clientIp: string, sessionAffinityReset?: boolean): string | undefined;
  /** The complete current set of Endpoints objects. */
  onEndpointsUpdate(allEndpoints: Endpoints[]): void;
  /** A Service port appeared or changed its affinity; `undefined` removes it. */
  onServiceUpdate(service: ServicePortName, affinity: Affinity | undefined): void;
  /** Forgets clients whose affinity has expired. */
  cleanupStaleStickySessions(service: ServicePortName): void;
}

interface StickyClient {
  endpoint: string;
  lastUsedMs: number;
}

interface BalancerState {
  endpoints: string[];
  index: number;
  affinity: Affinity;
  clients: Map<string, StickyClient>;
}

const NO_AFFINITY: Affinity = { type: 'None', timeoutSeconds: DEFAULT_AFFINITY_TIMEOUT_SECONDS };

/** Every (Service port → ready `ip:port` list) an Endpoints object describes. */
export function endpointsByServicePort(endpoints: Endpoints): Map<ServicePortName, string[]> {
  const result = new Map<ServicePortName, string[]>();
  const { namespace = '', name = '' } = endpoints.metadata;
  for (const subset of endpoints.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      const key = servicePortName(namespace, name, port.name ?? '');
      const list = result.get(key) ?? [];
      for (const address of subset.addresses ?? []) list.push(`${address.ip}:${port.port}`);
      result.set(key, list);
    }
  }
  return result;
}

export class RoundRobinLoadBalancer implements LoadBalancer {
  private readonly services = new Map<ServicePortName, BalancerState>();

  constructor(private readonly clock: Clock = systemClock) {}

  nextEndpoint(service: ServicePortName, clientIp: string, sessionAffinityReset = false): string | undefined {
    const state = this.services.get(service);
    if (!state || state.endpoints.length === 0) return undefined;
    const nowMs = this.clock.now().getTime();
    const sticky = state.affinity.type === 'ClientIP' ? state.clients.get(clientIp) : undefined;
    if (sticky && !sessionAffinityReset && nowMs - sticky.lastUsedMs < state.affinity.timeoutSeconds * 1000 && state.endpoints.includes(sticky.endpoint)) {
      sticky.lastUsedMs = nowMs;
      return sticky.endpoint;
    }
    // Round robin: take the endpoint at the index, move the index on.
    let endpoint = state.endpoints[state.index % state.endpoints.length];
    state.index = (state.index + 1) % state.endpoints.length;
    // After a failed dial, do not hand the client the endpoint that just failed it.
    if (sessionAffinityReset && endpoint === sticky?.endpoint && state.endpoints.length > 1) {
      endpoint = state.endpoints[state.index];
      state.index = (state.index + 1) % state.endpoints.length;
    }
    if (state.affinity.type === 'ClientIP') state.clients.set(clientIp, { endpoint, lastUsedMs: nowMs });
    return endpoint;
  }

  onEndpointsUpdate(allEndpoints: Endpoints[]): void {
    const fresh = new Map<ServicePortName, string[]>();
    for (const endpoints of allEndpoints) for (const [key, list] of endpointsByServicePort(endpoints)) fresh.set(key, [...(fresh.get(key) ?? []), ...list]);
    for (const [key, state] of this.services) this.setEndpoints(state, fresh.get(key) ?? []);
    // Endpoints may arrive before their Service: keep them, with no affinity until it arrives.
    for (const [key, list] of fresh) {
      if (!this.services.has(key)) this.services.set(key, { endpoints: list, index: 0, affinity: NO_AFFINITY, clients: new Map() });
    }
  }

  onServiceUpdate(service: ServicePortName, affinity: Affinity | undefined): void {
    if (!affinity) {
      this.services.delete(service);
      return;
    }
    const state = this.services.get(service);
    if (!state) {
      this.services.set(service, { endpoints: [], index: 0, affinity, clients: new Map() });
      return;
    }
    if (state.affinity.type !== affinity.type) state.clients.clear();
    state.affinity = affinity;
  }

  cleanupStaleStickySessions(service: ServicePortName): void {
    const state = this.services.get(service);
    if (!state) return;
    const nowMs = this.clock.now().getTime();
    for (const [client, sticky] of state.clients) {
      if (nowMs - sticky.lastUsedMs >= state.affinity.timeoutSeconds * 1000) state.clients.delete(client);
    }
  }

  /** The endpoints a Service port currently balances over (for describe()). */
  endpointsOf(service: ServicePortName): string[] {
    return [...(this.services.get(service)?.endpoints ?? [])];
  }

  private setEndpoints(state: BalancerState, endpoints: string[]): void {
    if (sameList(state.endpoints, endpoints)) return;
    state.endpoints = endpoints;
    state.index = 0;
    // Clients stuck to an endpoint that is gone pick a new one on their next connection.
    for (const [client, sticky] of state.clients) if (!endpoints.includes(sticky.endpoint)) state.clients.delete(client);
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
