// covers: Service spec.externalName, spec.type, spec.ports.name, spec.ports.protocol, spec.clusterIP
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from '../../../lib/api/types.js';
import { buildZone, reverseName, zoneOf } from '../../../network/dns/cluster-zone.js';
import { newQuery, RCODE, TYPE_A, TYPE_AAAA, TYPE_CNAME, TYPE_NS, TYPE_PTR, TYPE_SOA, TYPE_SRV, type DnsRecord } from '../../../network/dns/dns-packet.js';
import { planAnswer } from '../../../network/dns/plan-answer.js';

const services: Service[] = [
  { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 8080 }] } },
  { metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } },
  { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'Example.ORG.' } },
  { metadata: { name: 'alias', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' } },
];
const endpoints: Endpoints[] = [
  {
    metadata: { name: 'db', namespace: 'shop' },
    subsets: [{ addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.2.6' }], notReadyAddresses: [{ ip: '10.244.3.7' }], ports: [{ name: 'pg', port: 15432 }] }],
  },
  { metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.9' }], ports: [{ name: 'http', port: 3000 }] }] },
];
const pods: Pod[] = [
  { metadata: { name: 'lonely', namespace: 'tools' }, spec: { containers: [] }, status: { podIP: '10.244.1.30' } },
  { metadata: { name: 'web-1', namespace: 'default' }, spec: { containers: [] }, status: { podIP: '10.244.1.9' } },
  { metadata: { name: 'db-0', namespace: 'shop' }, spec: { containers: [] }, status: { podIP: '10.244.1.5' } },
  { metadata: { name: 'host', namespace: 'kube-system' }, spec: { containers: [], hostNetwork: true }, status: { podIP: '10.250.0.11' } },
];
const zone = zoneOf(buildZone(services, endpoints, pods, 'cluster.local').records, 'cluster.local', 1700000000);

/** A record as a line, like dig prints it. */
function line(r: DnsRecord): string {
  const data =
    r.address ?? r.target ?? (r.srv ? `${r.srv.priority} ${r.srv.weight} ${r.srv.port} ${r.srv.target}` : r.soa ? `${r.soa.mname} ${r.soa.rname} ${r.soa.serial} ${r.soa.minimum}` : '?');
  const type = { [TYPE_A]: 'A', [TYPE_CNAME]: 'CNAME', [TYPE_PTR]: 'PTR', [TYPE_SRV]: 'SRV', [TYPE_SOA]: 'SOA', [TYPE_NS]: 'NS' }[r.type] ?? String(r.type);
  return `${r.name} ${r.ttl} ${type} ${data}`;
}

describe('cluster zone: what CoreDNS would answer', () => {
  const SOA = 'cluster.local 5 SOA ns.dns.cluster.local hostmaster.cluster.local 1700000000 5';
  const table: { name: string; type: number; rcode: number; answers?: string[]; authority?: string[]; additional?: string[]; chase?: string }[] = [
    // SRV for named ports: a ClusterIP Service points at itself
    { name: '_http._tcp.web.default.svc.cluster.local', type: TYPE_SRV, rcode: RCODE.NOERROR,
      answers: ['_http._tcp.web.default.svc.cluster.local 5 SRV 0 100 80 web.default.svc.cluster.local'],
      additional: ['web.default.svc.cluster.local 5 A 10.96.0.20'] },
    { name: '_dns._udp.web.default.svc.cluster.local', type: TYPE_SRV, rcode: RCODE.NOERROR, answers: ['_dns._udp.web.default.svc.cluster.local 5 SRV 0 100 53 web.default.svc.cluster.local'], additional: ['web.default.svc.cluster.local 5 A 10.96.0.20'] },
    // the wrong protocol is no such name
    { name: '_http._udp.web.default.svc.cluster.local', type: TYPE_SRV, rcode: RCODE.NXDOMAIN, authority: [SOA] },
    // the service name itself: one SRV per port, named or not
    { name: 'web.default.svc.cluster.local', type: TYPE_SRV, rcode: RCODE.NOERROR, answers: [
      'web.default.svc.cluster.local 5 SRV 0 100 80 web.default.svc.cluster.local',
      'web.default.svc.cluster.local 5 SRV 0 100 53 web.default.svc.cluster.local',
      'web.default.svc.cluster.local 5 SRV 0 100 8080 web.default.svc.cluster.local',
    ], additional: ['web.default.svc.cluster.local 5 A 10.96.0.20'] },
    // headless: one SRV per ready endpoint, at the endpoint's port, named by hostname or dashed IP
    { name: '_pg._tcp.db.shop.svc.cluster.local', type: TYPE_SRV, rcode: RCODE.NOERROR, answers: [
      '_pg._tcp.db.shop.svc.cluster.local 5 SRV 0 50 15432 db-0.db.shop.svc.cluster.local',
      '_pg._tcp.db.shop.svc.cluster.local 5 SRV 0 50 15432 10-244-2-6.db.shop.svc.cluster.local',
    ], additional: ['db-0.db.shop.svc.cluster.local 5 A 10.244.1.5', '10-244-2-6.db.shop.svc.cluster.local 5 A 10.244.2.6'] },
    { name: '10-244-2-6.db.shop.svc.cluster.local', type: TYPE_A, rcode: RCODE.NOERROR, answers: ['10-244-2-6.db.shop.svc.cluster.local 5 A 10.244.2.6'] },
    { name: '10-244-3-7.db.shop.svc.cluster.local', type: TYPE_A, rcode: RCODE.NXDOMAIN, authority: [SOA] },
    // pod A records, the dashed address in any namespace
    { name: '10-244-1-30.tools.pod.cluster.local', type: TYPE_A, rcode: RCODE.NOERROR, answers: ['10-244-1-30.tools.pod.cluster.local 5 A 10.244.1.30'] },
    { name: '10-244-1-300.tools.pod.cluster.local', type: TYPE_A, rcode: RCODE.NXDOMAIN, authority: [SOA] },
    // ExternalName: a CNAME, and the target to be looked up (outside the zone: by the forwarder)
    { name: 'ext.default.svc.cluster.local', type: TYPE_A, rcode: RCODE.NOERROR, answers: ['ext.default.svc.cluster.local 5 CNAME example.org'], chase: 'example.org' },
    { name: 'ext.default.svc.cluster.local', type: TYPE_CNAME, rcode: RCODE.NOERROR, answers: ['ext.default.svc.cluster.local 5 CNAME example.org'] },
    { name: 'alias.default.svc.cluster.local', type: TYPE_A, rcode: RCODE.NOERROR, answers: ['alias.default.svc.cluster.local 5 CNAME web.default.svc.cluster.local'], chase: 'web.default.svc.cluster.local' },
    // PTR: ClusterIP → Service, headless endpoint → its own name, any other pod → its pod name
    { name: '20.0.96.10.in-addr.arpa', type: TYPE_PTR, rcode: RCODE.NOERROR, answers: ['20.0.96.10.in-addr.arpa 5 PTR web.default.svc.cluster.local'] },
    { name: '5.1.244.10.in-addr.arpa', type: TYPE_PTR, rcode: RCODE.NOERROR, answers: ['5.1.244.10.in-addr.arpa 5 PTR db-0.db.shop.svc.cluster.local'] },
    { name: '6.2.244.10.in-addr.arpa', type: TYPE_PTR, rcode: RCODE.NOERROR, answers: ['6.2.244.10.in-addr.arpa 5 PTR 10-244-2-6.db.shop.svc.cluster.local'] },
    { name: '30.1.244.10.in-addr.arpa', type: TYPE_PTR, rcode: RCODE.NOERROR, answers: ['30.1.244.10.in-addr.arpa 5 PTR 10-244-1-30.tools.pod.cluster.local'] },
    { name: '9.1.244.10.in-addr.arpa', type: TYPE_PTR, rcode: RCODE.NOERROR, answers: ['9.1.244.10.in-addr.arpa 5 PTR 10-244-1-9.default.pod.cluster.local'] },
    // NODATA (the name exists, not with that type) vs NXDOMAIN (no such name): both carry the SOA
    { name: 'web.default.svc.cluster.local', type: TYPE_AAAA, rcode: RCODE.NOERROR, answers: [], authority: [SOA] },
    { name: 'nope.default.svc.cluster.local', type: TYPE_A, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    // the apex
    { name: 'cluster.local', type: TYPE_SOA, rcode: RCODE.NOERROR, answers: [SOA] },
    { name: 'cluster.local', type: TYPE_NS, rcode: RCODE.NOERROR, answers: ['cluster.local 5 NS ns.dns.cluster.local'] },
    { name: 'cluster.local', type: TYPE_A, rcode: RCODE.NOERROR, answers: [], authority: [SOA] },
  ];
  for (const row of table) {
    it(`${row.name} type ${row.type} → rcode ${row.rcode}${row.answers?.length ? `, ${row.answers.length} answer(s)` : ''}`, () => {
      const plan = planAnswer(newQuery(9, row.name, row.type), zone);
      assert.equal(plan.kind, 'answer');
      if (plan.kind !== 'answer') return;
      const { message } = plan;
      assert.equal(message.rcode, row.rcode);
      assert.equal(message.authoritative, true);
      assert.equal(message.id, 9);
      if (row.answers) assert.deepEqual(message.answers.map(line), row.answers);
      if (row.authority) assert.deepEqual(message.authorities.map(line), row.authority);
      if (row.additional) assert.deepEqual(message.additionals.map(line), row.additional);
      assert.equal(plan.chase?.name, row.chase);
    });
  }

  it('forwards every name outside the zone, and reverse names of addresses it does not know', () => {
    for (const name of ['example.org', 'cluster.local.evil.org', 'localcluster.local', '1.0.0.127.in-addr.arpa', '7.3.244.10.in-addr.arpa']) {
      assert.deepEqual(planAnswer(newQuery(1, name, TYPE_A), zone), { kind: 'forward' }, name);
    }
  });

  it('reverseName writes in-addr.arpa names', () => {
    assert.equal(reverseName('10.96.0.20'), '20.0.96.10.in-addr.arpa');
  });
});
