// What the cluster DNS does with one query, decided purely (CoreDNS's kubernetes plugin and the
// `forward . /etc/resolv.conf` line of the default Corefile):
//
// - a name in the cluster domain is answered here, authoritatively (AA), TTL 5:
//     the records of the asked type                       NOERROR with them (SRV: plus the A
//                                                          records of in-zone targets, as additionals)
//     an ExternalName Service                             its CNAME, then the target's records,
//                                                          which the server looks up (`chase`)
//     a name that exists, but not with that type          NOERROR, no answer ("NODATA"), and the
//                                                          zone's SOA in the authority section, whose
//                                                          minimum (5 s) tells resolvers how long to
//                                                          remember the absence (RFC 2308)
//     a name that does not exist                          NXDOMAIN, with the SOA
// - a reverse name (`*.in-addr.arpa`) of a Service or pod address: its PTR; any other reverse
//   name falls through to the upstream resolvers (the Corefile's `fallthrough in-addr.arpa`);
// - a per-pod name in its short form (`web-1.web`, which busybox's nslookup sends without the
//   search list): the pod's A record when one namespace alone has that HOSTNAME.SUBDOMAIN
//   (kubelab's own convenience, record-index.ts podShortNames; CoreDNS would forward it);
// - every other name: forwarded to the node's resolvers (forwarder.ts).

import { CLASS_IN, RCODE, TYPE_A, TYPE_ANY, TYPE_CNAME, TYPE_NS, TYPE_SOA, TYPE_SRV, type DnsMessage, type DnsRecord } from './dns-packet.js';
import type { ClusterZone, ZoneRecord } from './cluster-zone.js';
import { normalizeName } from './record-index.js';

/** Seconds a resolver may cache an answer: short, as CoreDNS's kubernetes plugin (5 s). */
export const DEFAULT_TTL_SECONDS = 5;

export type AnswerPlan =
  /** Send `message`; with `chase`, first append the records of `chase.name` (an ExternalName's target). */
  | { kind: 'answer'; message: DnsMessage; chase?: { name: string; type: number } }
  /** Not ours: ask the upstream resolvers. */
  | { kind: 'forward' };

export const isInDomain = (name: string, domain: string): boolean => name === domain || name.endsWith(`.${domain}`);
const isReverseName = (name: string): boolean => name.endsWith('.in-addr.arpa');

/** The zone's SOA record, as CoreDNS writes it (ns.dns.<zone>, hostmaster.<zone>, 7200 1800 86400, minimum = TTL). */
export function soaRecord(zone: ClusterZone, ttlSeconds = DEFAULT_TTL_SECONDS): DnsRecord {
  return {
    name: zone.domain, type: TYPE_SOA, class: CLASS_IN, ttl: ttlSeconds,
    soa: { mname: `ns.dns.${zone.domain}`, rname: `hostmaster.${zone.domain}`, serial: zone.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: ttlSeconds },
  };
}

/** A response to `query` with the given rcode and sections. */
export function reply(query: DnsMessage, rcode: number, sections: Partial<Pick<DnsMessage, 'answers' | 'authorities' | 'additionals' | 'authoritative'>> = {}): DnsMessage {
  return {
    id: query.id,
    response: true,
    opcode: query.opcode,
    authoritative: sections.authoritative ?? false,
    truncated: false,
    recursionDesired: query.recursionDesired,
    recursionAvailable: true,
    rcode,
    questions: query.questions,
    answers: sections.answers ?? [],
    authorities: sections.authorities ?? [],
    additionals: sections.additionals ?? [],
  };
}

function toRecord(name: string, record: ZoneRecord, ttl: number): DnsRecord {
  return { name, type: record.type, class: CLASS_IN, ttl, address: record.address, target: record.target, srv: record.srv };
}

export function planAnswer(query: DnsMessage, zone: ClusterZone, ttlSeconds = DEFAULT_TTL_SECONDS): AnswerPlan {
  const answer = (message: DnsMessage): AnswerPlan => ({ kind: 'answer', message });
  if (query.response || query.questions.length !== 1) return answer(reply(query, RCODE.FORMERR));
  if (query.opcode !== 0) return answer(reply(query, RCODE.NOTIMP));
  const [question] = query.questions;
  const name = normalizeName(question.name);
  const ours = isInDomain(name, zone.domain);
  const shortName = ours ? undefined : zone.shortNameRecords?.(name);
  if (!ours && !shortName && !(isReverseName(name) && zone.recordsOf(name))) return { kind: 'forward' };
  if (question.class !== CLASS_IN) return answer(reply(query, RCODE.REFUSED));

  const authoritative = true;
  const soa = [soaRecord(zone, ttlSeconds)];
  // The apex: the zone's SOA and its one name server; no address of its own.
  if (name === zone.domain) {
    if (question.type === TYPE_SOA) return answer(reply(query, RCODE.NOERROR, { authoritative, answers: soa }));
    if (question.type === TYPE_NS) return answer(reply(query, RCODE.NOERROR, { authoritative, answers: [{ name: zone.domain, type: TYPE_NS, class: CLASS_IN, ttl: ttlSeconds, target: `ns.dns.${zone.domain}` }] }));
    return answer(reply(query, RCODE.NOERROR, { authoritative, authorities: soa }));
  }
  const records = shortName ?? zone.recordsOf(name);
  if (!records) return answer(reply(query, RCODE.NXDOMAIN, { authoritative, authorities: ours ? soa : [] }));
  const owner = question.name.replace(/\.$/, '');
  const cname = records.find((r) => r.type === TYPE_CNAME);
  if (cname && question.type !== TYPE_CNAME) {
    return { kind: 'answer', message: reply(query, RCODE.NOERROR, { authoritative, answers: [toRecord(owner, cname, ttlSeconds)] }), chase: { name: cname.target!, type: question.type } };
  }
  const matching = records.filter((r) => question.type === TYPE_ANY || r.type === question.type);
  if (matching.length === 0) return answer(reply(query, RCODE.NOERROR, { authoritative, authorities: ours ? soa : [] }));
  const additionals = matching
    .filter((r) => r.type === TYPE_SRV)
    .flatMap((r) => (zone.recordsOf(r.srv!.target) ?? []).filter((a) => a.type === TYPE_A).map((a) => toRecord(r.srv!.target, a, ttlSeconds)));
  return answer(reply(query, RCODE.NOERROR, { authoritative, answers: matching.map((r) => toRecord(owner, r, ttlSeconds)), additionals: dedupe(additionals) }));
}

function dedupe(records: DnsRecord[]): DnsRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.name}/${r.type}/${r.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
