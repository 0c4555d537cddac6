// What the cluster DNS's forwarding cache saves: the time from a client's query to the answer for
// a cluster name (answered locally), a name outside the cluster asked for the first time
// (forwarded to an upstream resolver on loopback) and the same name asked again (from the
// cache). The upstream is a test resolver on 127.0.0.1 that answers at once, so "forwarded" here
// is the forwarder's own cost; a real upstream adds its network round trip (often 1-50 ms) to
// every miss and nothing to a hit. Medians and p99 of sequential queries. Runs alone:
// `npx tsx bench/dns-forwarding.ts`.

import dgram from 'node:dgram';
import { pathToFileURL } from 'node:url';
import { buildZone, zoneOf } from '../network/dns/cluster-zone.js';
import { DnsCache } from '../network/dns/dns-cache.js';
import { encodeMessage, newQuery } from '../network/dns/dns-packet.js';
import { DnsServer } from '../network/dns/dns-server.js';
import { Forwarder } from '../network/dns/forwarder.js';
import { FakeResolver } from '../harness/fake-resolver.js';
import { median, percentile } from './stats.js';

export interface DnsForwardingBench {
  /** Microseconds per query, median and p99. */
  clusterName: { p50: number; p99: number };
  forwardedMiss: { p50: number; p99: number };
  forwardedHit: { p50: number; p99: number };
}

const QUERIES = 1000;

export async function benchDnsForwarding(): Promise<DnsForwardingBench> {
  const names = Array.from({ length: QUERIES }, (_, i) => `host${i}.example.test`);
  const upstream = await new FakeResolver({ records: Object.fromEntries(names.map((n, i) => [n, [`192.0.2.${i % 250}`]])), ttl: 300 }).start();
  const zone = zoneOf(buildZone([{ metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } }], [], [], 'cluster.local').records, 'cluster.local');
  const server = new DnsServer({ zone, forwarder: new Forwarder({ upstreams: () => ['127.0.0.1'], port: upstream.port, cache: new DnsCache() }), host: '127.0.0.1', port: 0 });
  const port = await server.listen();
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  let waiting: ((packet: Buffer) => void) | undefined;
  socket.on('message', (packet) => waiting?.(packet));
  const ask = async (name: string, id: number): Promise<number> => {
    const start = process.hrtime.bigint();
    await new Promise<Buffer>((resolve) => {
      waiting = resolve;
      socket.send(encodeMessage(newQuery(id, name)), port, '127.0.0.1');
    });
    return Number(process.hrtime.bigint() - start) / 1000;
  };
  const summary = (micros: number[]) => ({ p50: Math.round(median(micros)), p99: Math.round(percentile(micros, 99)) });
  try {
    for (let i = 0; i < 100; i++) await ask('web.default.svc.cluster.local', i); // warm-up
    const local: number[] = [];
    const misses: number[] = [];
    const hits: number[] = [];
    for (let i = 0; i < QUERIES; i++) local.push(await ask('web.default.svc.cluster.local', i));
    for (let i = 0; i < QUERIES; i++) misses.push(await ask(names[i], i));
    for (let i = 0; i < QUERIES; i++) hits.push(await ask(names[i], i));
    return { clusterName: summary(local), forwardedMiss: summary(misses), forwardedHit: summary(hits) };
  } finally {
    socket.close();
    await server.close();
    await upstream.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchDnsForwarding();
  console.log(`cluster DNS, µs per query (p50 / p99, ${QUERIES} sequential queries each):`);
  console.log(`  cluster name (local answer)     ${result.clusterName.p50} / ${result.clusterName.p99}`);
  console.log(`  forwarded, not cached (upstream on loopback)  ${result.forwardedMiss.p50} / ${result.forwardedMiss.p99}`);
  console.log(`  forwarded, from the cache       ${result.forwardedHit.p50} / ${result.forwardedHit.p99}`);
}
