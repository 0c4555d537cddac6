// The whole cluster zone as CoreDNS's kubernetes plugin serves it, beyond the A records of
// record-index.ts's buildRecords (which this file starts from):
//
//   ext.default.svc.cluster.local                CNAME  the Service's spec.externalName (an
//                                                       ExternalName Service is only a CNAME)
//   _http._tcp.web.default.svc.cluster.local     SRV    0 100 80 web.default.svc.cluster.local.
//                                                       one per named port; for a headless
//                                                       Service one per ready endpoint, pointing
//                                                       at the endpoint's own name:
//   10-244-1-5.db.default.svc.cluster.local      A      a headless endpoint without a hostname
//                                                       (the dashed IP names it, as CoreDNS does)
//   web.default.svc.cluster.local                SRV    as above, one per port, named or not
//   20.0.96.10.in-addr.arpa                      PTR    web.default.svc.cluster.local. (a ClusterIP)
//   5.1.244.10.in-addr.arpa                      PTR    db-0.db.default.svc.cluster.local. (a
//                                                       headless endpoint) or, for any other pod,
//                                                       10-244-1-5.default.pod.cluster.local.
//
// Pure: Services, Endpoints and Pods in, a map from name to records out. Each kind of record has
// its own function, so a branch that adds one more kind adds one more function.

import type { Endpoints, EndpointAddress, Pod, Service } from '../../lib/api/types.js';
import { objectKey } from '../../lib/client/object-key.js';
import { isIpv4Address } from '../../lib/net/ipv4.js';
import { TYPE_A, TYPE_CNAME, TYPE_PTR, TYPE_SRV } from './dns-packet.js';
import { buildRecords, normalizeName, podAddressOf, type DnsRecords } from './record-index.js';

/** One record of the zone; its owner name is the map key, its class IN, its TTL the server's. */
export interface ZoneRecord {
  type: number;
  /** A: the address. */
  address?: string;
  /** CNAME, PTR: the name pointed to (normalized, no trailing dot). */
  target?: string;
  /** SRV. */
  srv?: { priority: number; weight: number; port: number; target: string };
}

/** What the answering code asks of the zone (RecordIndex in kubelabd, a fixed map in tests). */
export interface ClusterZone {
  /** `cluster.local`. */
  readonly domain: string;
  /** The records of `name`; an empty list: the name exists with no record (NODATA); undefined: no such name (NXDOMAIN). */
  recordsOf(name: string): ZoneRecord[] | undefined;
  /**
   * The A records of a per-pod name in its short form (`web-1.web`), asked without the search list
   * (busybox's nslookup); undefined when no one namespace has that HOSTNAME.SUBDOMAIN.
   */
  shortNameRecords?(name: string): ZoneRecord[] | undefined;
  /** The SOA serial: when the zone last changed, in seconds (CoreDNS: the last API change). */
  readonly serial: number;
}

export interface ZoneRecords {
  records: Map<string, ZoneRecord[]>;
  unreadable: DnsRecords['unreadable'];
}

/** `10.244.1.5` → `10-244-1-5`: how CoreDNS names an endpoint or pod by its address. */
export const dashedAddress = (ip: string): string => ip.replaceAll('.', '-');

/** `10.96.0.20` → `20.0.96.10.in-addr.arpa` (RFC 1035 3.5). */
export const reverseName = (ip: string): string => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

/** Every record of the cluster zone and of the reverse names of its addresses. */
export function buildZone(services: Service[], endpoints: Endpoints[], pods: Pod[], domain: string): ZoneRecords {
  const { records: addresses, unreadable } = buildRecords(services, endpoints, domain);
  const records = new Map<string, ZoneRecord[]>();
  for (const [name, ips] of addresses) records.set(name, ips.map((address) => ({ type: TYPE_A, address })));
  const add = (name: string, record: ZoneRecord) => {
    const key = normalizeName(name);
    const list = records.get(key) ?? [];
    records.set(key, list);
    if (!list.some((r) => sameRecord(r, record))) list.push(record);
  };
  const left = new Set(unreadable.map((u) => u.object));
  const readable = services.filter((s) => !left.has(s) && s.metadata?.name && s.metadata.namespace);
  const endpointsByKey = new Map(endpoints.filter((e) => !left.has(e)).map((e) => [objectKey(e), e]));
  addExternalNameRecords(readable, domain, add);
  addHeadlessEndpointNames(readable, endpointsByKey, domain, add);
  addSrvRecords(readable, endpointsByKey, domain, add);
  addPtrRecords(readable, endpointsByKey, pods, domain, add);
  return { records, unreadable };
}

type AddRecord = (name: string, record: ZoneRecord) => void;

const serviceName = (service: Service, domain: string): string => normalizeName(`${service.metadata.name}.${service.metadata.namespace}.svc.${domain}`);
const isHeadless = (service: Service): boolean => service.spec.clusterIP === 'None' && service.spec.type !== 'ExternalName';
const hasClusterIP = (service: Service): boolean => Boolean(service.spec.clusterIP) && service.spec.clusterIP !== 'None' && service.spec.type !== 'ExternalName';
const readyAddresses = (endpoints: Endpoints | undefined): { address: EndpointAddress; ports: NonNullable<NonNullable<Endpoints['subsets']>[number]['ports']> }[] =>
  (endpoints?.subsets ?? []).flatMap((subset) => (subset.addresses ?? []).map((address) => ({ address, ports: subset.ports ?? [] })));
/** A headless endpoint's own name: its hostname, else its dashed address. */
const endpointName = (address: EndpointAddress, service: Service, domain: string): string => `${address.hostname || dashedAddress(address.ip)}.${serviceName(service, domain)}`;

function sameRecord(a: ZoneRecord, b: ZoneRecord): boolean {
  return a.type === b.type && a.address === b.address && a.target === b.target && JSON.stringify(a.srv) === JSON.stringify(b.srv);
}

/** ExternalName: the Service's name is a CNAME of spec.externalName (and nothing else). */
export function addExternalNameRecords(services: Service[], domain: string, add: AddRecord): void {
  for (const service of services) {
    const target = service.spec.type === 'ExternalName' ? service.spec.externalName : undefined;
    if (typeof target === 'string' && target !== '') add(serviceName(service, domain), { type: TYPE_CNAME, target: normalizeName(target) });
  }
}

/** A headless endpoint with no hostname is named by its dashed address: `10-244-1-5.db.default.svc.cluster.local`. */
export function addHeadlessEndpointNames(services: Service[], endpointsByKey: Map<string, Endpoints>, domain: string, add: AddRecord): void {
  for (const service of services.filter(isHeadless)) {
    for (const { address } of readyAddresses(endpointsByKey.get(objectKey(service)))) {
      if (!address.hostname && isIpv4Address(address.ip)) add(endpointName(address, service, domain), { type: TYPE_A, address: address.ip });
    }
  }
}

/**
 * SRV, RFC 2782 names: `_<port name>._<protocol>.<service>` for each named port, and the service
 * name itself for every port. A Service with a ClusterIP has one target, itself; a headless one
 * has one per ready endpoint, at the endpoint's port of that name, weights sharing 100.
 */
export function addSrvRecords(services: Service[], endpointsByKey: Map<string, Endpoints>, domain: string, add: AddRecord): void {
  for (const service of services) {
    const name = serviceName(service, domain);
    for (const port of service.spec.ports ?? []) {
      const protocol = (port.protocol ?? 'TCP').toLowerCase();
      const owners = [name, ...(port.name ? [`_${port.name}._${protocol}.${name}`] : [])];
      let targets: { port: number; target: string }[] = [];
      if (hasClusterIP(service)) targets = [{ port: port.port, target: name }];
      else if (isHeadless(service)) {
        targets = readyAddresses(endpointsByKey.get(objectKey(service))).flatMap(({ address, ports }) => {
          const match = ports.find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
          return match ? [{ port: match.port, target: endpointName(address, service, domain) }] : [];
        });
      }
      const weight = targets.length > 0 ? Math.max(1, Math.floor(100 / targets.length)) : 0;
      for (const owner of owners) for (const target of targets) add(owner, { type: TYPE_SRV, srv: { priority: 0, weight, ...target } });
    }
  }
}

/**
 * PTR: a ClusterIP names its Service; a headless Service's endpoint its own name; any other
 * running pod its dashed pod name. The first name wins when an address has several.
 */
export function addPtrRecords(services: Service[], endpointsByKey: Map<string, Endpoints>, pods: Pod[], domain: string, add: AddRecord): void {
  const named = new Set<string>();
  const ptr = (ip: string | undefined, target: string) => {
    if (!ip || !isIpv4Address(ip) || named.has(ip)) return;
    named.add(ip);
    add(reverseName(ip), { type: TYPE_PTR, target: normalizeName(target) });
  };
  for (const service of services.filter(hasClusterIP)) ptr(service.spec.clusterIP, serviceName(service, domain));
  for (const service of services.filter(isHeadless)) {
    for (const { address } of readyAddresses(endpointsByKey.get(objectKey(service)))) ptr(address.ip, endpointName(address, service, domain));
  }
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (pod.spec?.hostNetwork || !ip || !pod.metadata?.namespace || pod.metadata.deletionTimestamp) continue;
    ptr(ip, `${dashedAddress(ip)}.${pod.metadata.namespace}.pod.${domain}`);
  }
}

/** A ClusterZone over a fixed map (and the dashed pod names, answered for any address, as `pods insecure`). */
export function zoneOf(records: Map<string, ZoneRecord[]>, domain: string, serial = 1): ClusterZone {
  const normalizedDomain = normalizeName(domain);
  return {
    domain: normalizedDomain,
    serial,
    recordsOf(name: string) {
      const normalized = normalizeName(name);
      const pod = podAddressOf(normalized, normalizedDomain);
      return pod ? [{ type: TYPE_A, address: pod }] : records.get(normalized);
    },
  };
}
