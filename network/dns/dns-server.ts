// The cluster DNS server: kube-dns / CoreDNS reduced to what the tutorial needs. It answers A
// queries for names in the cluster domain from a RecordLookup (record-index.ts), over UDP and TCP.
//
// What it answers:
// - a known name: NOERROR with one A record per address (authoritative, short TTL, since pods
//   come and go);
// - a known name asked for another type (AAAA ...): NOERROR with no answer ("no data"), so
//   resolvers do not conclude the name is missing;
// - an unknown name inside the cluster domain: NXDOMAIN;
// - anything outside the cluster domain: REFUSED. It forwards nothing: a pod's resolv.conf lists
//   it for cluster names only (or the lab has no upstream at all).
// Over UDP, an answer longer than 512 bytes is sent truncated (TC set) so the client retries over
// TCP, where messages carry a two-byte length prefix (RFC 1035 4.2.2).

import dgram from 'node:dgram';
import net from 'node:net';
import { CLASS_IN, decodeMessage, encodeMessage, RCODE, TYPE_A, type DnsMessage } from './dns-packet.js';

/** Response codes by number, for counting answers. */
const RCODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(RCODE).map(([name, code]) => [code, name]));
import { normalizeName, type RecordLookup } from './record-index.js';

/** Seconds a resolver may cache an answer: short, as CoreDNS's kubernetes plugin (5 s). */
export const DEFAULT_TTL_SECONDS = 5;
const MAX_UDP_ANSWER_BYTES = 512;

/** The answer to one query: pure, so it can be table-tested. */
export function answerQuery(query: DnsMessage, records: RecordLookup, ttlSeconds = DEFAULT_TTL_SECONDS): DnsMessage {
  const reply = (rcode: number, answers: DnsMessage['answers'] = []): DnsMessage => ({
    id: query.id,
    response: true,
    opcode: query.opcode,
    authoritative: rcode !== RCODE.REFUSED && rcode !== RCODE.NOTIMP && rcode !== RCODE.FORMERR,
    truncated: false,
    recursionDesired: query.recursionDesired,
    recursionAvailable: false,
    rcode,
    questions: query.questions,
    answers,
    authorities: [],
    additionals: [],
  });
  if (query.response) return reply(RCODE.FORMERR);
  if (query.opcode !== 0) return reply(RCODE.NOTIMP);
  if (query.questions.length !== 1) return reply(RCODE.FORMERR);
  const [question] = query.questions;
  const name = normalizeName(question.name);
  if (name !== records.domain && !name.endsWith(`.${records.domain}`)) return reply(RCODE.REFUSED);
  const addresses = records.lookup(name);
  if (addresses === undefined) return reply(RCODE.NXDOMAIN);
  if (question.type !== TYPE_A || question.class !== CLASS_IN) return reply(RCODE.NOERROR);
  return reply(
    RCODE.NOERROR,
    addresses.map((address) => ({ name: question.name, type: TYPE_A, class: CLASS_IN, ttl: ttlSeconds, address })),
  );
}

/** Decodes, answers, encodes; a packet that cannot be decoded gets FORMERR if it has a header, else nothing. */
export function handlePacket(packet: Buffer, records: RecordLookup, ttlSeconds?: number): Buffer | undefined {
  let query: DnsMessage;
  try {
    query = decodeMessage(packet);
  } catch {
    if (packet.length < 12) return undefined;
    const header = Buffer.from(packet.subarray(0, 12));
    header.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
    header.fill(0, 4);
    return header;
  }
  return encodeMessage(answerQuery(query, records, ttlSeconds));
}

export interface DnsServerOptions {
  records: RecordLookup;
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
      let answer = handlePacket(packet, this.options.records, this.options.ttlSeconds);
      this.countQuery(answer);
      if (!answer) return;
      if (answer.length > MAX_UDP_ANSWER_BYTES) answer = truncate(answer);
      udp.send(answer, client.port, client.address);
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
        const answer = handlePacket(packet, this.options.records, this.options.ttlSeconds);
        this.countQuery(answer);
        if (!answer) {
          socket.destroy();
          return;
        }
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(answer.length, 0);
        socket.write(Buffer.concat([prefix, answer]));
      }
    });
  }
}

/** The answer without its records and with TC set: "ask me again over TCP". */
function truncate(answer: Buffer): Buffer {
  const message = decodeMessage(answer);
  return encodeMessage({ ...message, truncated: true, answers: [], authorities: [], additionals: [] });
}
