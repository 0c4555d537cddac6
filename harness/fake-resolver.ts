// A tiny upstream resolver for tests of the cluster DNS's forwarding: it answers A queries from a
// fixed table over UDP and TCP on a loopback address, and counts what it was asked, so a test
// never sends a query to a real resolver. Names not in the table get NXDOMAIN with an SOA (so the
// answer may be cached for `negativeTtl` seconds); names in `truncated` answer over UDP with TC
// set and only over TCP in full.

import dgram from 'node:dgram';
import net from 'node:net';
import { CLASS_IN, decodeMessage, encodeMessage, RCODE, TYPE_A, TYPE_SOA, type DnsMessage } from '../network/dns/dns-packet.js';

export interface FakeResolverOptions {
  /** Lower-case name → addresses. */
  records: Record<string, string[]>;
  ttl?: number;
  negativeTtl?: number;
  truncated?: string[];
  host?: string;
  /** 0: any free port. */
  port?: number;
}

export class FakeResolver {
  /** Every question asked, `name/type/udp|tcp`, in order. */
  readonly asked: string[] = [];
  private udp!: dgram.Socket;
  private tcp!: net.Server;
  port = 0;

  constructor(private readonly options: FakeResolverOptions) {}

  /** Binds UDP, then TCP on the same port; with port 0, tries other ports while TCP is taken there. */
  async start(): Promise<this> {
    const host = this.options.host ?? '127.0.0.1';
    for (let attempt = 1; ; attempt++) {
      this.udp = dgram.createSocket('udp4');
      this.tcp = net.createServer((socket) => this.onTcp(socket));
      this.udp.on('message', (packet, from) => {
        const answer = this.answer(packet, 'udp');
        if (answer) this.udp.send(answer, from.port, from.address);
      });
      await new Promise<void>((resolve, reject) => {
        this.udp.once('error', reject);
        this.udp.bind({ address: host, port: this.options.port ?? 0 }, () => resolve());
      });
      this.port = this.udp.address().port;
      try {
        await new Promise<void>((resolve, reject) => {
          this.tcp.once('error', reject);
          this.tcp.listen({ host, port: this.port }, () => resolve());
        });
        return this;
      } catch (err) {
        await new Promise<void>((resolve) => this.udp.close(() => resolve()));
        if (this.options.port || attempt >= 10) throw err;
      }
    }
  }

  count(name: string): number {
    return this.asked.filter((q) => q.startsWith(`${name}/`)).length;
  }

  async close(): Promise<void> {
    await Promise.all([new Promise<void>((resolve) => this.udp.close(() => resolve())), new Promise<void>((resolve) => this.tcp.close(() => resolve()))]);
  }

  private answer(packet: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    let query: DnsMessage;
    try {
      query = decodeMessage(packet);
    } catch {
      return undefined;
    }
    const question = query.questions[0];
    if (!question) return undefined;
    const name = question.name.toLowerCase();
    this.asked.push(`${name}/${question.type}/${transport}`);
    const addresses = this.options.records[name];
    const base: DnsMessage = { ...query, response: true, authoritative: false, recursionAvailable: true, answers: [], authorities: [], additionals: [] };
    if (!addresses) {
      return encodeMessage({
        ...base,
        rcode: RCODE.NXDOMAIN,
        authorities: [{ name: 'example', type: TYPE_SOA, class: CLASS_IN, ttl: 3600, soa: { mname: 'ns.example', rname: 'hostmaster.example', serial: 1, refresh: 7200, retry: 900, expire: 86400, minimum: this.options.negativeTtl ?? 30 } }],
      });
    }
    if (transport === 'udp' && this.options.truncated?.includes(name)) return encodeMessage({ ...base, truncated: true });
    const answers = question.type === TYPE_A ? addresses.map((address) => ({ name: question.name, type: TYPE_A, class: CLASS_IN, ttl: this.options.ttl ?? 60, address })) : [];
    return encodeMessage({ ...base, answers });
  }

  private onTcp(socket: net.Socket): void {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const packet = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + packet.length);
        const answer = this.answer(Buffer.from(packet), 'tcp');
        if (!answer) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(answer.length, 0);
        socket.write(Buffer.concat([prefix, answer]));
      }
    });
  }
}
