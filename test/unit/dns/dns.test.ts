import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { Endpoints, Service } from '../../../lib/api/types.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';
import { decodeMessage, encodeMessage, newQuery, RCODE, TYPE_AAAA, type DnsMessage } from '../../../network/dns/dns-packet.js';
import { answerQuery, DnsServer } from '../../../network/dns/dns-server.js';
import { buildRecords, RecordIndex } from '../../../network/dns/record-index.js';
import { buildZone, zoneOf } from '../../../network/dns/cluster-zone.js';

/** A query for web.default.svc.cluster.local A, id 0x1234, recursion desired: written out by hand. */
const QUERY = Buffer.from([
  0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  3, ...Buffer.from('web'), 7, ...Buffer.from('default'), 3, ...Buffer.from('svc'), 7, ...Buffer.from('cluster'), 5, ...Buffer.from('local'), 0,
  0x00, 0x01, 0x00, 0x01,
]);

/** The same question answered by 10.96.0.10, TTL 5, its name compressed as a pointer to offset 12. */
const COMPRESSED_ANSWER = Buffer.concat([
  Buffer.from([0x12, 0x34, 0x85, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
  QUERY.subarray(12),
  Buffer.from([0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x04, 10, 96, 0, 10]),
]);

describe('dns-packet', () => {
  it('decodes a hand-made query and encodes it back byte for byte', () => {
    const query = decodeMessage(QUERY);
    assert.deepEqual(query, newQuery(0x1234, 'web.default.svc.cluster.local'));
    assert.deepEqual(encodeMessage(query), QUERY);
  });

  it('decodes a compressed answer, and its uncompressed re-encoding decodes to the same message', () => {
    const answer = decodeMessage(COMPRESSED_ANSWER);
    assert.equal(answer.response, true);
    assert.equal(answer.authoritative, true);
    assert.equal(answer.recursionDesired, true);
    assert.equal(answer.rcode, RCODE.NOERROR);
    assert.deepEqual(answer.answers, [{ name: 'web.default.svc.cluster.local', type: 1, class: 1, ttl: 5, address: '10.96.0.10' }]);
    const reencoded = encodeMessage(answer);
    assert.equal(reencoded.length, COMPRESSED_ANSWER.length + 'web.default.svc.cluster.local'.length);
    assert.deepEqual(decodeMessage(reencoded), answer);
  });

  it('keeps records of other types (EDNS OPT) as raw data', () => {
    const opt = Buffer.from([0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const withOpt = Buffer.concat([QUERY, opt]);
    withOpt.writeUInt16BE(1, 10);
    const message = decodeMessage(withOpt);
    assert.deepEqual(message.additionals, [{ name: '', type: 41, class: 1232, ttl: 0, data: Buffer.alloc(0) }]);
    assert.deepEqual(encodeMessage(message), withOpt);
  });

  it('rejects truncated packets and pointer loops', () => {
    assert.throws(() => decodeMessage(QUERY.subarray(0, 20)), /malformed DNS message/);
    const loop = Buffer.concat([QUERY.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    assert.throws(() => decodeMessage(loop), /pointer loop/);
  });
});

function service(name: string, clusterIP: string, namespace = 'default'): Service {
  return { metadata: { name, namespace }, spec: { clusterIP, ports: [{ port: 80 }] } };
}

describe('cluster records and answers', () => {
  const { records } = buildRecords(
    [service('web', '10.96.0.20'), service('db', 'None'), { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org' } }],
    [{ metadata: { name: 'db', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.2.5' }], notReadyAddresses: [{ ip: '10.244.3.5' }], ports: [{ port: 5432 }] }] }],
  );
  const zone = zoneOf(buildZone(
    [service('web', '10.96.0.20'), service('db', 'None'), { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org' } }],
    [{ metadata: { name: 'db', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.2.5' }], notReadyAddresses: [{ ip: '10.244.3.5' }], ports: [{ port: 5432 }] }] }],
    [],
    'cluster.local',
  ).records, 'cluster.local');
  const ask = (name: string, type = 1): DnsMessage | undefined => answerQuery(newQuery(7, name, type), zone);

  it('builds service, headless and hostname records', () => {
    assert.deepEqual(Object.fromEntries(records), {
      'web.default.svc.cluster.local': ['10.96.0.20'],
      'db.default.svc.cluster.local': ['10.244.1.5', '10.244.2.5'],
      'db-0.db.default.svc.cluster.local': ['10.244.1.5'],
    });
  });

  const table: { name: string; type?: number; rcode: number; addresses: string[] }[] = [
    { name: 'web.default.svc.cluster.local', rcode: RCODE.NOERROR, addresses: ['10.96.0.20'] },
    { name: 'WEB.Default.svc.cluster.local.', rcode: RCODE.NOERROR, addresses: ['10.96.0.20'] },
    { name: 'db.default.svc.cluster.local', rcode: RCODE.NOERROR, addresses: ['10.244.1.5', '10.244.2.5'] },
    { name: '10-244-7-9.default.pod.cluster.local', rcode: RCODE.NOERROR, addresses: ['10.244.7.9'] },
    { name: 'web.default.svc.cluster.local', type: TYPE_AAAA, rcode: RCODE.NOERROR, addresses: [] },
    { name: 'nope.default.svc.cluster.local', rcode: RCODE.NXDOMAIN, addresses: [] },
  ];
  for (const row of table) {
    it(`${row.name} (type ${row.type ?? 1}) → rcode ${row.rcode} ${row.addresses.join(',')}`, () => {
      const reply = ask(row.name, row.type);
      assert.ok(reply);
      assert.equal(reply.rcode, row.rcode);
      assert.deepEqual(reply.answers.map((a) => a.address), row.addresses);
      assert.equal(reply.id, 7);
      assert.equal(reply.response, true);
    });
  }
});

describe('DnsServer over real sockets', () => {
  let store: NedbObjectStore;
  let client: LocalClient;
  let server: DnsServer;
  let index: RecordIndex;
  let abort: AbortController;
  let watching: Promise<void>;
  let resolver: InstanceType<typeof dns.Resolver>;

  before(async () => {
    store = new NedbObjectStore({});
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    client = new LocalClient(registry);
    await client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: 'default' }, spec: { clusterIP: '10.96.0.30', ports: [{ port: 80 }] } });
    index = new RecordIndex({ client });
    abort = new AbortController();
    watching = index.run(abort.signal);
    await index.waitForSync();
    server = new DnsServer({ zone: index, host: '127.0.0.1', port: 0 });
    const port = await server.listen();
    resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
  });
  after(async () => {
    abort.abort();
    await watching;
    await server.close();
    await store.close();
  });

  it("node's own resolver gets the ClusterIP over UDP", async () => {
    assert.deepEqual(await resolver.resolve4('hello.default.svc.cluster.local'), ['10.96.0.30']);
  });

  it('follows changes: a new headless Service answers with its ready endpoints', async () => {
    await client.create<Service>('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 5432 }] } });
    await client.create<Endpoints>('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.7' }, { ip: '10.244.2.7' }], ports: [{ port: 5432 }] }] });
    assert.deepEqual((await resolver.resolve4('db.default.svc.cluster.local')).sort(), ['10.244.1.7', '10.244.2.7']);
  });

  it('NXDOMAIN for unknown cluster names; SERVFAIL outside the cluster domain when there is no upstream to forward to', async () => {
    await assert.rejects(resolver.resolve4('nope.default.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('example.org'), { code: 'ESERVFAIL' });
  });

  it('answers over TCP with length-prefixed messages', async () => {
    const query = encodeMessage(newQuery(99, 'hello.default.svc.cluster.local'));
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(query.length, 0);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => socket.write(Buffer.concat([prefix, query])));
      let data = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        data = Buffer.concat([data, chunk]);
        if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
          socket.end();
          resolve(data.subarray(2));
        }
      });
      socket.on('error', reject);
    });
    const message = decodeMessage(reply);
    assert.equal(message.id, 99);
    assert.deepEqual(message.answers.map((a) => a.address), ['10.96.0.30']);
  });
});

describe('DnsServer ports', () => {
  const noRecords = zoneOf(new Map(), 'cluster.local');

  it('on a fixed port whose TCP side is taken, fails with EADDRINUSE and frees the UDP side', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      await assert.rejects(new DnsServer({ zone: noRecords, host: '127.0.0.1', port }).listen(), { code: 'EADDRINUSE' });
      // The UDP port is free again: another server can bind it once TCP is released.
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      const server = new DnsServer({ zone: noRecords, host: '127.0.0.1', port });
      assert.equal(await server.listen(), port);
      await server.close();
    } finally {
      if (holder.listening) holder.close();
    }
  });

  it('on port 0, binds UDP and TCP on one port, many times over', async () => {
    for (let i = 0; i < 20; i++) {
      const server = new DnsServer({ zone: noRecords, host: '127.0.0.1', port: 0 });
      const port = await server.listen();
      assert.ok(port > 0);
      await server.close();
    }
  });
});
