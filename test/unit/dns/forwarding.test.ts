import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import type { Service } from '../../../lib/api/types.js';
import { ManualClock } from '../../../lib/clock.js';
import { buildZone, zoneOf } from '../../../network/dns/cluster-zone.js';
import { cacheSeconds, DnsCache } from '../../../network/dns/dns-cache.js';
import { CLASS_IN, decodeMessage, encodeMessage, newQuery, RCODE, TYPE_A, TYPE_SOA, type DnsMessage } from '../../../network/dns/dns-packet.js';
import { DnsServer } from '../../../network/dns/dns-server.js';
import { Forwarder } from '../../../network/dns/forwarder.js';
import { chooseUpstreams, parseResolvConf, SYSTEMD_RESOLVED_UPSTREAM_FILE } from '../../../network/dns/resolv-conf.js';
import { FakeResolver } from '../../../harness/fake-resolver.js';

describe('resolv.conf: where names outside the cluster go', () => {
  it('reads the nameserver lines, in order, and nothing else', () => {
    const text = '# written by NetworkManager\nsearch lan example.com\nnameserver 192.0.2.53\nnameserver fe80::1%eth0 ; link-local\noptions ndots:2\nnameserver not-an-address\nnameserver 192.0.2.53\n';
    assert.deepEqual(parseResolvConf(text), ['192.0.2.53', 'fe80::1']);
  });

  const files: Record<string, string> = {
    '/etc/resolv.conf': 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n',
    [SYSTEMD_RESOLVED_UPSTREAM_FILE]: 'nameserver 192.0.2.1\nnameserver 192.0.2.2\n',
    '/tmp/plain.conf': 'nameserver 127.0.0.153\nnameserver 10.244.0.1\n',
    '/tmp/empty.conf': '# nothing\n',
  };
  const read = (path: string) => files[path];
  const table: { file: string; own?: string[]; nameservers: string[]; chosen: string; note?: RegExp }[] = [
    { file: '/etc/resolv.conf', nameservers: ['192.0.2.1', '192.0.2.2'], chosen: SYSTEMD_RESOLVED_UPSTREAM_FILE, note: /systemd-resolved's stub/ },
    { file: '/tmp/plain.conf', own: ['10.244.0.1'], nameservers: ['127.0.0.153'], chosen: '/tmp/plain.conf', note: /would loop/ },
    { file: '/tmp/empty.conf', nameservers: [], chosen: '/tmp/empty.conf' },
    { file: '/nowhere', nameservers: [], chosen: '/nowhere', note: /cannot read/ },
  ];
  for (const row of table) {
    it(`${row.file} → ${row.nameservers.join(', ') || 'no upstream'}`, () => {
      const upstreams = chooseUpstreams(row.file, read, row.own);
      assert.deepEqual(upstreams.nameservers, row.nameservers);
      assert.equal(upstreams.file, row.chosen);
      if (row.note) assert.match(upstreams.notes.join('\n'), row.note);
    });
  }

  it('keeps the stub when systemd-resolved\'s real file is missing (the stub answers in the node\'s own namespace)', () => {
    assert.deepEqual(chooseUpstreams('/etc/resolv.conf', (p) => (p === '/etc/resolv.conf' ? files[p] : undefined)).nameservers, ['127.0.0.53']);
  });
});

/** An upstream's answer as bytes, with records of the given TTLs. */
function upstreamAnswer(name: string, rcode: number, answerTtls: number[], soa?: { ttl: number; minimum: number }): Buffer {
  const query = newQuery(0x4242, name);
  const message: DnsMessage = {
    ...query,
    response: true,
    recursionAvailable: true,
    rcode,
    answers: answerTtls.map((ttl, i) => ({ name, type: TYPE_A, class: CLASS_IN, ttl, address: `192.0.2.${i + 1}` })),
    authorities: soa ? [{ name: 'example', type: TYPE_SOA, class: CLASS_IN, ttl: soa.ttl, soa: { mname: 'ns.example', rname: 'h.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: soa.minimum } }] : [],
  };
  return encodeMessage(message);
}

describe('DnsCache: answers kept for their TTL', () => {
  const limits = { capacity: 10, maxTtlSeconds: 3600, maxNegativeTtlSeconds: 1800 };
  const table: { what: string; packet: Buffer; seconds: number }[] = [
    { what: 'records: the smallest TTL', packet: upstreamAnswer('a.example', RCODE.NOERROR, [300, 60]), seconds: 60 },
    { what: 'records: capped at an hour', packet: upstreamAnswer('a.example', RCODE.NOERROR, [86400]), seconds: 3600 },
    { what: 'NXDOMAIN: the SOA minimum', packet: upstreamAnswer('a.example', RCODE.NXDOMAIN, [], { ttl: 3600, minimum: 30 }), seconds: 30 },
    { what: 'NODATA: the SOA TTL when smaller', packet: upstreamAnswer('a.example', RCODE.NOERROR, [], { ttl: 10, minimum: 900 }), seconds: 10 },
    { what: 'NXDOMAIN without SOA: not cached', packet: upstreamAnswer('a.example', RCODE.NXDOMAIN, []), seconds: 0 },
    { what: 'SERVFAIL: not cached', packet: upstreamAnswer('a.example', RCODE.SERVFAIL, []), seconds: 0 },
    { what: 'TTL 0: not cached', packet: upstreamAnswer('a.example', RCODE.NOERROR, [0]), seconds: 0 },
  ];
  for (const row of table) {
    it(`${row.what} → ${row.seconds} s`, () => {
      assert.equal(cacheSeconds(decodeMessage(row.packet), limits), row.seconds);
    });
  }

  it('serves the answer with the asker\'s id and TTLs counted down, then forgets it', () => {
    const cache = new DnsCache();
    const question = { name: 'A.Example.', type: TYPE_A, class: CLASS_IN };
    assert.equal(cache.put(question, upstreamAnswer('a.example', RCODE.NOERROR, [300, 60]), 0), 60);
    const later = decodeMessage(cache.get({ ...question, name: 'a.example' }, 7, 20_500)!);
    assert.equal(later.id, 7);
    assert.deepEqual(later.answers.map((a) => a.ttl), [280, 40]);
    assert.equal(cache.get(question, 8, 60_000), undefined);
    assert.equal(cache.size, 0);
  });

  it('holds at most `capacity` answers, dropping the oldest', () => {
    const cache = new DnsCache({ capacity: 2 });
    for (const name of ['one.example', 'two.example', 'three.example']) cache.put({ name, type: TYPE_A, class: CLASS_IN }, upstreamAnswer(name, RCODE.NOERROR, [60]), 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get({ name: 'one.example', type: TYPE_A, class: CLASS_IN }, 1, 1), undefined);
    assert.ok(cache.get({ name: 'three.example', type: TYPE_A, class: CLASS_IN }, 1, 1));
  });
});

describe('forwarding through the cluster DNS to a fake upstream', () => {
  let upstream: FakeResolver;
  let server: DnsServer;
  let clock: ManualClock;
  let forwarder: Forwarder;
  let resolver: InstanceType<typeof dns.Resolver>;
  let upstreams: string[];

  before(async () => {
    upstream = await new FakeResolver({ records: { 'example.org': ['192.0.2.10'], 'big.example': ['192.0.2.20', '192.0.2.21'] }, ttl: 60, negativeTtl: 30, truncated: ['big.example'] }).start();
    clock = new ManualClock();
    // 127.0.0.2 is loopback too, but nothing listens there on the fake's port: the first resolver never answers.
    upstreams = ['127.0.0.2', '127.0.0.1'];
    forwarder = new Forwarder({ upstreams: () => upstreams, port: upstream.port, timeoutMs: 300, cache: new DnsCache(), clock });
    const services: Service[] = [
      { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } },
      { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org' } },
    ];
    server = new DnsServer({ zone: zoneOf(buildZone(services, [], [], 'cluster.local').records, 'cluster.local'), forwarder, host: '127.0.0.1', port: 0 });
    const port = await server.listen();
    resolver = new dns.Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('a name outside the cluster gets the upstream\'s answer (after the first resolver timed out), then comes from the cache until its TTL ends', async () => {
    assert.deepEqual(await resolver.resolve4('example.org'), ['192.0.2.10']);
    assert.equal(forwarder.lastOutcome, 'forwarded');
    assert.deepEqual(await resolver.resolve4('EXAMPLE.org'), ['192.0.2.10']);
    assert.equal(forwarder.lastOutcome, 'cached');
    assert.equal(upstream.count('example.org'), 1);
    await clock.advance(60_000);
    assert.deepEqual(await resolver.resolve4('example.org'), ['192.0.2.10']);
    assert.equal(upstream.count('example.org'), 2);
  });

  it('NXDOMAIN from upstream is passed on and remembered for the SOA minimum', async () => {
    await assert.rejects(resolver.resolve4('nowhere.example'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('nowhere.example'), { code: 'ENOTFOUND' });
    assert.equal(upstream.count('nowhere.example'), 1);
    await clock.advance(30_000);
    await assert.rejects(resolver.resolve4('nowhere.example'), { code: 'ENOTFOUND' });
    assert.equal(upstream.count('nowhere.example'), 2);
  });

  it('an answer truncated over UDP is asked again over TCP', async () => {
    assert.deepEqual((await resolver.resolve4('big.example')).sort(), ['192.0.2.20', '192.0.2.21']);
    assert.deepEqual(upstream.asked.filter((q) => q.startsWith('big.example/')), ['big.example/1/udp', 'big.example/1/tcp']);
  });

  it('an ExternalName Service is its CNAME plus the target\'s addresses from upstream', async () => {
    const reply = decodeMessage(await udpAsk(server.port, newQuery(77, 'ext.default.svc.cluster.local')));
    assert.equal(reply.rcode, RCODE.NOERROR);
    assert.deepEqual(reply.answers.map((a) => [a.name, a.type, a.target ?? a.address]), [
      ['ext.default.svc.cluster.local', 5, 'example.org'],
      ['example.org', TYPE_A, '192.0.2.10'],
    ]);
  });

  it('SERVFAIL when no upstream answers', async () => {
    upstreams = ['127.0.0.2'];
    try {
      await assert.rejects(resolver.resolve4('other.example'), { code: 'ESERVFAIL' });
      assert.equal(forwarder.lastOutcome, 'failed');
    } finally {
      upstreams = ['127.0.0.2', '127.0.0.1'];
    }
  });
});

async function udpAsk(port: number, query: DnsMessage): Promise<Buffer> {
  const dgram = await import('node:dgram');
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), 3000);
      socket.on('message', (packet) => {
        clearTimeout(timer);
        resolve(packet);
      });
      socket.send(encodeMessage(query), port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}
