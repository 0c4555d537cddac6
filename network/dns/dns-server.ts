// The cluster DNS server: kube-dns / CoreDNS reduced to what a lab needs, over UDP and TCP. What
// it answers is decided in plan-answer.ts (names of the cluster zone, authoritatively) and by the
// forwarder (every other name, through the node's resolvers and a cache); this file moves the
// packets: it decodes a query, asks the plan, looks up an ExternalName's target when the plan
// says so, and sends the answer back.
//
// Over UDP, an answer of ours longer than 512 bytes is sent truncated (TC set) so the client
// retries over TCP, where messages carry a two-byte length prefix (RFC 1035 4.2.2). Forwarded
// answers go back as the upstream sent them (it sized them for the client's own EDNS limit).

import dgram from 'node:dgram';
import net from 'node:net';
import type { ClusterZone } from './cluster-zone.js';
import { decodeMessage, encodeMessage, RCODE, TYPE_A, TYPE_AAAA, TYPE_CNAME, type DnsMessage, type DnsRecord } from './dns-packet.js';
import type { Forwarder } from './forwarder.js';
import { DEFAULT_TTL_SECONDS, isInDomain, planAnswer, reply } from './plan-answer.js';

/** Response codes by number, for counting answers. */
const RCODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(RCODE).map(([name, code]) => [code, name]));

export { DEFAULT_TTL_SECONDS };
const MAX_UDP_ANSWER_BYTES = 512;

/** The local answer to one query, or undefined when it must be forwarded (pure; table-tested). */
export function answerQuery(query: DnsMessage, zone: ClusterZone, ttlSeconds = DEFAULT_TTL_SECONDS): DnsMessage | undefined {
  const plan = planAnswer(query, zone, ttlSeconds);
  return plan.kind === 'answer' ? plan.message : undefined;
}

/** How many CNAMEs an ExternalName chain may follow inside the zone before we stop (a loop of ExternalNames). */
const MAX_CHASE = 8;

/**
 * The answer to one packet: ours, or the upstream's through the forwarder (SERVFAIL without
 * one). A packet that cannot be decoded gets FORMERR if it has a header, else nothing.
 * `local` says whether the answer is ours (then the UDP size limit applies).
 */
export async function handlePacket(packet: Buffer, zone: ClusterZone, forwarder?: Forwarder, ttlSeconds = DEFAULT_TTL_SECONDS): Promise<{ answer: Buffer; local: boolean } | undefined> {
  let query: DnsMessage;
  try {
    query = decodeMessage(packet);
  } catch {
    if (packet.length < 12) return undefined;
    const header = Buffer.from(packet.subarray(0, 12));
    header.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
    header.fill(0, 4);
    return { answer: header, local: true };
  }
  const plan = planAnswer(query, zone, ttlSeconds);
  if (plan.kind === 'forward') {
    if (!forwarder) return { answer: encodeMessage(reply(query, RCODE.SERVFAIL)), local: true };
    return { answer: await forwarder.forward(packet, query), local: false };
  }
  const message = plan.message;
  let chase = plan.chase;
  for (let depth = 0; chase && depth < MAX_CHASE; depth++) {
    const { name, type } = chase;
    chase = undefined;
    if (isInDomain(name, zone.domain) || name.endsWith('.in-addr.arpa')) {
      const inner = planAnswer({ ...query, questions: [{ name, type, class: query.questions[0].class }] }, zone, ttlSeconds);
      if (inner.kind === 'answer') {
        message.answers.push(...inner.message.answers);
        chase = inner.chase;
        continue;
      }
    }
    // A target outside the zone: its records as the upstream resolvers give them (CoreDNS does
    // the same through its own forwarder). Only address and CNAME records are copied: their
    // rdata holds no compressed names of the upstream's packet.
    const upstream = await forwarder?.resolve(name, type).catch(() => undefined);
    if (upstream) message.answers.push(...upstream.answers.filter((r: DnsRecord) => r.type === TYPE_A || r.type === TYPE_AAAA || r.type === TYPE_CNAME));
  }
  return { answer: encodeMessage(message), local: true };
}

export interface DnsServerOptions {
  zone: ClusterZone;
  /** Where names outside the zone go; absent: they get SERVFAIL. */
  forwarder?: Forwarder;
  /** 127.0.0.1 for tests; the DNS Service's ClusterIP or 0.0.0.0 in a cluster. */
  host: string;
  /** 53 in a cluster; 0 lets the system pick a port free for both UDP and TCP. */
  port: number;
  ttlSeconds?: number;
}

/** How many system-picked ports to try before giving up (each is taken for TCP only by chance). */
const MAX_PORT_ATTEMPTS = 10;

export class DnsServer {
  private udp: dgram.Socket;
  private tcp: net.Server;
  private readonly connections = new Set<net.Socket>();
  private boundPort = 0;
  /** Queries answered, by response code (NOERROR, NXDOMAIN, ...), and `dropped` ones (kubelab_dns_queries_total). */
  readonly queriesByResult = new Map<string, number>();

  constructor(private readonly options: DnsServerOptions) {
    this.udp = this.createUdpSocket();
    this.tcp = this.createTcpServer();
  }

  private createUdpSocket(): dgram.Socket {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (packet, client) => {
      void handlePacket(packet, this.options.zone, this.options.forwarder, this.options.ttlSeconds).then((handled) => {
        this.countQuery(handled?.answer);
        if (!handled) return;
        const answer = handled.local && handled.answer.length > MAX_UDP_ANSWER_BYTES ? truncate(handled.answer) : handled.answer;
        udp.send(answer, client.port, client.address);
      }, () => undefined);
    });
    return udp;
  }

  private createTcpServer(): net.Server {
    return net.createServer((socket) => this.onTcpConnection(socket));
  }

  get port(): number {
    return this.boundPort;
  }

  private countQuery(answer: Buffer | undefined): void {
    const result = answer ? (RCODE_NAMES[answer[3]! & 0x0f] ?? `RCODE${answer[3]! & 0x0f}`) : 'dropped';
    this.queriesByResult.set(result, (this.queriesByResult.get(result) ?? 0) + 1);
  }

  /**
   * Binds UDP, then TCP on the same port; resolves with the port. With port 0 the system picks
   * a free UDP port, which another program may hold for TCP: then both are released and the
   * pair is tried again on another port.
   */
  async listen(): Promise<number> {
    const { host, port } = this.options;
    for (let attempt = 1; ; attempt++) {
      await this.bindUdp(host, port);
      this.boundPort = this.udp.address().port;
      try {
        await this.listenTcp(host, this.boundPort);
        return this.boundPort;
      } catch (err) {
        const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (port !== 0 || !taken || attempt >= MAX_PORT_ATTEMPTS) {
          await new Promise<void>((resolve) => this.udp.close(() => resolve()));
          throw err;
        }
        // A closed dgram socket cannot be bound again: start over with fresh sockets.
        await new Promise<void>((resolve) => this.udp.close(() => resolve()));
        this.udp = this.createUdpSocket();
        this.tcp = this.createTcpServer();
      }
    }
  }

  private bindUdp(host: string, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.udp.once('error', reject);
      this.udp.bind({ address: host, port }, () => {
        this.udp.removeListener('error', reject);
        resolve();
      });
    });
  }

  private listenTcp(host: string, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen({ host, port }, () => {
        this.tcp.removeListener('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
    ]);
  }

  /** TCP: each message is prefixed by its length; a connection may carry several queries. */
  private onTcpConnection(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10_000, () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const packet = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        void handlePacket(Buffer.from(packet), this.options.zone, this.options.forwarder, this.options.ttlSeconds).then((handled) => {
          this.countQuery(handled?.answer);
          if (!handled) {
            socket.destroy();
            return;
          }
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(handled.answer.length, 0);
          if (!socket.destroyed) socket.write(Buffer.concat([prefix, handled.answer]));
        }, () => socket.destroy());
      }
    });
  }
}

/** The answer without its records and with TC set: "ask me again over TCP". */
function truncate(answer: Buffer): Buffer {
  const message = decodeMessage(answer);
  return encodeMessage({ ...message, truncated: true, answers: [], authorities: [], additionals: [] });
}
