// The names the cluster DNS answers, built from Services and Endpoints (kube-dns / CoreDNS's
// kubernetes plugin, A records only):
//
//   web.default.svc.cluster.local          → the ClusterIP of Service web in namespace default
//   db.default.svc.cluster.local           → for a headless Service (clusterIP None): the IPs of
//                                             its ready endpoints, one A record each, so clients
//                                             pick a pod themselves
//   db-0.db.default.svc.cluster.local      → a headless endpoint whose pod set hostname+subdomain
//   10-244-1-5.default.pod.cluster.local   → 10.244.1.5 (the dashed-IP pod name, answered for any
//                                             well-formed address, as CoreDNS's `pods insecure`)
//
// buildRecords is the pure part (cluster-zone.ts adds the CNAME, SRV and PTR records to it);
// RecordIndex keeps the zone current by watching Services, Endpoints and Pods through ApiClient
// and rebuilding lazily on the first lookup after a change. A Service or Endpoints of the wrong shape
// (stored before the API checked types) is left out and reported once per version: the names of
// the other Services keep resolving.

import type { Endpoints, Pod, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Informer } from '../../lib/client/informer.js';
import { objectKey } from '../../lib/client/object-key.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { logger } from '../../lib/logger.js';
import { endpointsProblem, forEachReadable, listProblem, ReportedOnce, shapeProblem, type UnreadableObject } from '../../lib/unreadable-objects.js';
import { buildZone, type ClusterZone, type ZoneRecord } from './cluster-zone.js';
import { TYPE_A } from './dns-packet.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** Lower case, no trailing dot: the form names are compared in (DNS names are case-insensitive). */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** Why the DNS cannot read this Service, or undefined. */
function serviceProblem(service: Service): string | undefined {
  const spec = service.spec as unknown as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return 'spec is not an object';
  return (
    shapeProblem('spec.type', spec.type, 'string') ??
    shapeProblem('spec.clusterIP', spec.clusterIP, 'string') ??
    shapeProblem('metadata.name', service.metadata?.name, 'string') ??
    shapeProblem('metadata.namespace', service.metadata?.namespace, 'string') ??
    listProblem('spec.ports', spec.ports, () => undefined)
  );
}

export interface DnsRecords {
  /** name → A record addresses (an empty list: the name exists with no address right now). */
  records: Map<string, string[]>;
  /** Services and Endpoints left out because their fields cannot be read. */
  unreadable: UnreadableObject<Service | Endpoints>[];
}

/** Every A record the Services and Endpoints make, leaving out (and listing) the ones that cannot be read. */
export function buildRecords(services: Service[], endpoints: Endpoints[], domain = DEFAULT_CLUSTER_DOMAIN): DnsRecords {
  const records = new Map<string, string[]>();
  const endpointsByKey = new Map<string, Endpoints>();
  const unreadable: UnreadableObject<Service | Endpoints>[] = forEachReadable(endpoints, endpointsProblem, (endpoint) => void endpointsByKey.set(objectKey(endpoint), endpoint));
  unreadable.push(
    ...forEachReadable(services, serviceProblem, (service) => {
      const { name, namespace } = service.metadata;
      const { type = 'ClusterIP', clusterIP } = service.spec;
      if (!name || !namespace || type === 'ExternalName') return; // ExternalName is a CNAME (cluster-zone.ts)
      const serviceName = normalizeName(`${name}.${namespace}.svc.${domain}`);
      if (clusterIP && clusterIP !== 'None') {
        records.set(serviceName, [clusterIP]);
        return;
      }
      if (clusterIP !== 'None') return; // not allocated yet
      const ready = (endpointsByKey.get(objectKey(service))?.subsets ?? []).flatMap((s) => s.addresses ?? []);
      records.set(serviceName, [...new Set(ready.map((a) => a.ip))]);
      for (const address of ready) {
        if (address.hostname) records.set(normalizeName(`${address.hostname}.${serviceName}`), [address.ip]);
      }
    }),
  );
  return { records, unreadable };
}

/** `10-244-1-5.default.pod.cluster.local` → `10.244.1.5`, or undefined. */
export function podAddressOf(name: string, domain = DEFAULT_CLUSTER_DOMAIN): string | undefined {
  const suffix = `.pod.${normalizeName(domain)}`;
  const normalized = normalizeName(name);
  if (!normalized.endsWith(suffix)) return undefined;
  const labels = normalized.slice(0, -suffix.length).split('.');
  if (labels.length !== 2) return undefined;
  const octets = labels[0].split('-');
  if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return undefined;
  return octets.map(Number).join('.');
}

export interface RecordLookup {
  readonly domain: string;
  /** The addresses for `name`; undefined when the name does not exist. */
  lookup(name: string): string[] | undefined;
}

/**
 * The short forms of per-pod names: `web-1.web` for `web-1.web.default.svc.cluster.local`.
 * A pod's search list turns `web-1.web` into the full name for resolvers that apply it to dotted
 * names (glibc, musl: `wget http://web-1.web/` works), but busybox's nslookup sends a name with
 * a dot as it is. So the short form is answered too, when exactly one namespace has that
 * HOSTNAME.SUBDOMAIN; a name two namespaces share is left to the search list (no answer).
 */
export function podShortNames(records: Map<string, string[]>, domain = DEFAULT_CLUSTER_DOMAIN): Map<string, string[]> {
  const suffix = `.svc.${normalizeName(domain)}`;
  const found = new Map<string, { namespaces: Set<string>; addresses: string[] }>();
  for (const [name, addresses] of records) {
    if (!name.endsWith(suffix)) continue;
    const labels = name.slice(0, -suffix.length).split('.');
    if (labels.length !== 3) continue; // HOSTNAME.SUBDOMAIN.NAMESPACE
    const short = `${labels[0]}.${labels[1]}`;
    const entry = found.get(short) ?? { namespaces: new Set<string>(), addresses };
    entry.namespaces.add(labels[2]);
    found.set(short, entry);
  }
  return new Map([...found].filter(([, entry]) => entry.namespaces.size === 1).map(([short, entry]) => [short, entry.addresses]));
}

export interface RecordIndexOptions {
  client: ApiClient;
  domain?: string;
  clock?: Clock;
  onError?: (error: unknown) => void;
  /** Told once per version about a Service or Endpoints left out (kubelabd: a Warning event on it); by default a log line. */
  onUnreadable?: (object: Service | Endpoints, problem: string) => void;
  /** Shared informers (kubelabd's); without it the index makes its own. */
  informers?: SharedInformerFactory;
}

export class RecordIndex implements RecordLookup, ClusterZone {
  readonly domain: string;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly pods: Informer<Pod>;
  private readonly clock: Clock;
  private zone = new Map<string, ZoneRecord[]>();
  private shortNames = new Map<string, ZoneRecord[]>();
  private stale = true;
  private changedAtSeconds = 0;
  private readonly reported = new ReportedOnce();
  private readonly onUnreadable: (object: Service | Endpoints, problem: string) => void;

  constructor(options: RecordIndexOptions) {
    this.domain = normalizeName(options.domain ?? DEFAULT_CLUSTER_DOMAIN);
    this.onUnreadable =
      options.onUnreadable ?? ((object, problem) => logger('dns').warn(`${object.kind ?? 'object'} ${objectKey(object)} has no DNS records: ${problem}`));
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const changed = () => {
      this.stale = true;
    };
    const onError = options.onError ?? ((err: unknown) => logger('dns').error('watch', { err }));
    const informers = options.informers ?? new SharedInformerFactory({ client: options.client, clock, onError: (_resource, error) => onError(error) });
    this.services = informers.informerFor<Service>('services');
    this.services.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    this.endpoints = informers.informerFor<Endpoints>('endpoints');
    this.endpoints.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    // Pods name their addresses in reverse lookups (PTR).
    this.pods = informers.informerFor<Pod>('pods');
    this.pods.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  /** Watches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.services.start(signal), this.endpoints.start(signal), this.pods.start(signal)]);
  }

  /** Resolves once both watches have delivered their first list. */
  async waitForSync(): Promise<void> {
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync(), this.pods.waitForSync()]);
  }

  /** The SOA serial: the second of the last change seen. */
  get serial(): number {
    this.refresh();
    return this.changedAtSeconds;
  }

  /** Every record of `name` (A, CNAME, SRV, PTR); undefined when the name does not exist. */
  recordsOf(name: string): ZoneRecord[] | undefined {
    this.refresh();
    const normalized = normalizeName(name);
    const pod = podAddressOf(normalized, this.domain);
    return pod ? [{ type: TYPE_A, address: pod }] : this.zone.get(normalized);
  }

  /** The A record addresses of `name`; undefined when it does not exist. */
  lookup(name: string): string[] | undefined {
    return this.recordsOf(name)?.flatMap((r) => (r.type === TYPE_A && r.address ? [r.address] : []));
  }

  private refresh(): void {
    if (!this.stale) return;
    const { records, unreadable } = buildZone(this.services.list(), this.endpoints.list(), this.pods.list(), this.domain);
    this.zone = records;
    const addresses = new Map([...records].map(([name, list]) => [name, list.flatMap((r) => (r.type === TYPE_A && r.address ? [r.address] : []))] as const));
    this.shortNames = new Map([...podShortNames(new Map([...addresses].filter(([, list]) => list.length > 0)), this.domain)].map(([name, list]) => [name, list.map((address) => ({ type: TYPE_A, address }))]));
    this.stale = false;
    this.changedAtSeconds = Math.floor(this.clock.now().getTime() / 1000);
    for (const { object, problem } of unreadable) if (this.reported.firstTime(object)) this.onUnreadable(object, problem);
  }

  /** The A records of a per-pod name asked in its short form (`web-1.web`); see podShortNames. */
  shortNameRecords(name: string): ZoneRecord[] | undefined {
    this.refresh();
    return this.shortNames.get(normalizeName(name));
  }

}
