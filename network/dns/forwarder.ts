// Forwarding names outside the cluster to the node's resolvers (CoreDNS's `forward` plugin,
// small), through the answer cache (dns-cache.ts).
//
// A query is sent upstream as the client wrote it, under an id of our own (so answers to two
// clients that chose the same id cannot be mixed up), to the first resolver of the list; when it
// does not answer within timeoutMs the next one is asked, as glibc's resolver does. An answer
// with TC set (too long for UDP) is asked again over TCP. The answer goes back to the client with
// the client's id, otherwise byte for byte. When no resolver answers, the client gets SERVFAIL:
// its own resolver then tries its next server or gives up, as it would with any broken DNS.

import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import { DnsCache } from './dns-cache.js';
import { decodeMessage, encodeMessage, newQuery, RCODE, type DnsMessage } from './dns-packet.js';
import { reply } from './plan-answer.js';

export interface ForwarderOptions {
  /** The resolvers' addresses, asked in order; read at each query, so they may change. */
  upstreams: () => string[];
  /** 53; tests use another. */
  port?: number;
  /** How long one resolver has to answer before the next is asked. */
  timeoutMs?: number;
  /** Absent: no caching. */
  cache?: DnsCache;
  clock?: Clock;
}

/** What the forwarder did with a query, for tests and the log. */
export type ForwardOutcome = 'cached' | 'forwarded' | 'failed';

export class Forwarder {
  private readonly port: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  readonly cache?: DnsCache;
  lastOutcome?: ForwardOutcome;

  constructor(private readonly options: ForwarderOptions) {
    this.port = options.port ?? 53;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.clock = options.clock ?? systemClock;
    this.cache = options.cache;
  }

  /** The answer to the client's `packet` (decoded as `query`), with the client's id. */
  async forward(packet: Buffer, query: DnsMessage): Promise<Buffer> {
    const question = query.questions[0];
    const cached = question && this.cache?.get(question, query.id, this.clock.now().getTime());
    if (cached) {
      this.lastOutcome = 'cached';
      return cached;
    }
    const ours = Buffer.from(packet);
    const id = crypto.randomInt(0, 0x10000);
    ours.writeUInt16BE(id, 0);
    for (const upstream of this.options.upstreams()) {
      const answer = await this.exchange(upstream, ours, id).catch(() => undefined);
      if (!answer) continue;
      if (question && this.cache) this.cache.put(question, answer, this.clock.now().getTime());
      answer.writeUInt16BE(query.id, 0);
      this.lastOutcome = 'forwarded';
      return answer;
    }
    this.lastOutcome = 'failed';
    return encodeMessage(reply(query, RCODE.SERVFAIL));
  }

  /** Looks `name` up upstream (an ExternalName's target); undefined when nobody answers. */
  async resolve(name: string, type: number): Promise<DnsMessage | undefined> {
    const query = newQuery(crypto.randomInt(0, 0x10000), name, type);
    const answer = decodeMessage(await this.forward(encodeMessage(query), query));
    return answer.rcode === RCODE.SERVFAIL ? undefined : answer;
  }

  /** One question to one resolver: UDP, then TCP when the answer was truncated. */
  private async exchange(upstream: string, packet: Buffer, id: number): Promise<Buffer | undefined> {
    const answer = await this.exchangeUdp(upstream, packet, id);
    if (!answer) return undefined;
    if ((answer.readUInt16BE(2) & 0x0200) === 0) return answer;
    return this.exchangeTcp(upstream, packet);
  }

  private exchangeUdp(upstream: string, packet: Buffer, id: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = dgram.createSocket(net.isIPv6(upstream) ? 'udp6' : 'udp4');
      const done = (answer: Buffer | undefined) => {
        clearTimeout(timer);
        socket.close();
        resolve(answer);
      };
      const timer = setTimeout(() => done(undefined), this.timeoutMs);
      socket.on('error', () => done(undefined));
      socket.on('message', (answer, from) => {
        // Only the resolver we asked, answering our id and as a response, is heard.
        if (from.address !== upstream || answer.length < 12 || answer.readUInt16BE(0) !== id || (answer.readUInt16BE(2) & 0x8000) === 0) return;
        done(answer);
      });
      socket.send(packet, this.port, upstream, (err) => {
        if (err) done(undefined);
      });
    });
  }

  private exchangeTcp(upstream: string, packet: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(packet.length, 0);
      let buffered = Buffer.alloc(0);
      const socket = net.connect({ host: upstream, port: this.port }, () => socket.write(Buffer.concat([prefix, packet])));
      const done = (answer: Buffer | undefined) => {
        socket.destroy();
        resolve(answer);
      };
      socket.setTimeout(this.timeoutMs, () => done(undefined));
      socket.on('error', () => done(undefined));
      socket.on('close', () => done(undefined));
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) done(Buffer.from(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      });
    });
  }
}

