// How gossip bytes move between members. Two channels, as in memberlist:
//   - packets (UDP): small, lossy, unordered: pings, acks, piggybacked rumours;
//   - a stream (TCP) for the occasional full-state push/pull, which may be larger than a datagram
//     and must arrive whole.
// MemoryTransport is an in-memory network so multi-node tests and the benchmark run without
// sockets; UdpTransport is the real one (node:dgram + node:net).

import dgram from 'node:dgram';
import net from 'node:net';

export type PacketHandler = (bytes: Uint8Array, fromAddress: string) => void;
/** Answers a full-state sync: receives the peer's state, returns ours. */
export type StreamHandler = (bytes: Uint8Array, fromAddress: string) => Promise<Uint8Array> | Uint8Array;

export interface Transport {
  /** This end's address, as peers should dial it ("host:port" for UDP, any name in memory). */
  readonly address: string;
  /** Fire and forget: a packet may be lost, and nobody says so. */
  send(address: string, bytes: Uint8Array): void;
  onPacket(handler: PacketHandler): void;
  onStream(handler: StreamHandler): void;
  /** Sends `bytes` over a reliable stream and resolves with the peer's answer; rejects if it cannot be reached. */
  streamSync(address: string, bytes: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The shared in-memory "wire": endpoints by address, and a loss probability per link. */
export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryTransport>();
  private readonly linkDrop = new Map<string, number>();
  private readonly cut = new Set<string>();
  /** Default loss probability for every link without its own setting. */
  dropProbability = 0;
  packetsSent = 0;
  packetsDropped = 0;

  /** `random` decides losses: inject a seeded one for reproducible tests. */
  constructor(private readonly random: () => number = Math.random) {}

  endpoint(address: string): MemoryTransport {
    const t = new MemoryTransport(this, address);
    this.endpoints.set(address, t);
    return t;
  }

  /** Sets the loss probability of packets from `from` to `to` (one direction). */
  setDrop(from: string, to: string, probability: number): void {
    this.linkDrop.set(`${from}>${to}`, probability);
  }

  /** @internal */ deliver(from: string, to: string, bytes: Uint8Array): void {
    this.packetsSent++;
    const target = this.endpoints.get(to);
    const drop = this.cut.has(from) || this.cut.has(to) ? 1 : (this.linkDrop.get(`${from}>${to}`) ?? this.dropProbability);
    if (!target || target.closed || this.random() < drop) {
      this.packetsDropped++;
      return;
    }
    // Deliver asynchronously, like a real network: the sender's code finishes first.
    const copy = Uint8Array.from(bytes);
    queueMicrotask(() => target.receive(copy, from));
  }

  /** Cuts (true) or restores (false) every link of `address`, both ways, streams included: a pulled cable. */
  partition(address: string, cut: boolean): void {
    if (cut) this.cut.add(address);
    else this.cut.delete(address);
  }

  /** @internal */ async stream(from: string, to: string, bytes: Uint8Array): Promise<Uint8Array> {
    if (this.cut.has(from) || this.cut.has(to)) throw new Error(`stream to ${to} timed out: the link is cut`);
    const target = this.endpoints.get(to);
    if (!target || target.closed || !target.streamHandler) throw new Error(`stream to ${to} refused: no member listens there`);
    return Uint8Array.from(await target.streamHandler(Uint8Array.from(bytes), from));
  }

  /** @internal */ remove(address: string): void {
    this.endpoints.delete(address);
  }
}

export class MemoryTransport implements Transport {
  closed = false;
  private packetHandler?: PacketHandler;
  /** @internal */ streamHandler?: StreamHandler;

  constructor(private readonly network: MemoryNetwork, readonly address: string) {}

  send(address: string, bytes: Uint8Array): void {
    if (!this.closed) this.network.deliver(this.address, address, bytes);
  }
  onPacket(handler: PacketHandler): void {
    this.packetHandler = handler;
  }
  onStream(handler: StreamHandler): void {
    this.streamHandler = handler;
  }
  streamSync(address: string, bytes: Uint8Array): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error(`transport ${this.address} is closed`));
    return this.network.stream(this.address, address, bytes);
  }
  /** @internal */ receive(bytes: Uint8Array, from: string): void {
    if (!this.closed) this.packetHandler?.(bytes, from);
  }
  async close(): Promise<void> {
    this.closed = true;
    this.network.remove(this.address);
  }
}

/**
 * The most bytes one full-state sync message may have. A message is authenticated (its HMAC
 * checked, codec.ts) only once it is whole, so until then anyone who can connect makes the node
 * buffer what they send: the length prefix is checked against this before anything is kept. The
 * member table of a few hundred nodes is well under it.
 */
export const DEFAULT_MAX_STREAM_MESSAGE_BYTES = 1024 * 1024;
/** Inbound full-state syncs served at once; more connections are closed at once, so unauthenticated peers can hold at most this many buffers. A sync happens every 30 s per member. */
export const DEFAULT_MAX_INBOUND_STREAMS = 16;

export interface UdpTransportLimits {
  maxStreamMessageBytes?: number;
  maxInboundStreams?: number;
}

/**
 * UDP for packets and TCP on the same port number for the full-state sync. Streams are framed
 * as a 4-byte big-endian length then the bytes, one request and one answer per connection.
 */
export class UdpTransport implements Transport {
  private packetHandler?: PacketHandler;
  private streamHandler?: StreamHandler;
  private inboundStreams = 0;
  private readonly maxStreamMessageBytes: number;
  private readonly maxInboundStreams: number;

  private constructor(private readonly socket: dgram.Socket, private readonly server: net.Server, readonly address: string, limits: UdpTransportLimits) {
    this.maxStreamMessageBytes = limits.maxStreamMessageBytes ?? DEFAULT_MAX_STREAM_MESSAGE_BYTES;
    this.maxInboundStreams = limits.maxInboundStreams ?? DEFAULT_MAX_INBOUND_STREAMS;
    socket.on('message', (msg, rinfo) => this.packetHandler?.(msg, `${rinfo.address}:${rinfo.port}`));
    server.on('connection', (conn) => this.answer(conn));
  }

  /** Binds UDP and TCP on `host:port` (port 0 picks a free port, the same one for both). */
  static async listen(host: string, port = 0, limits: UdpTransportLimits = {}): Promise<UdpTransport> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
    const boundPort = (server.address() as net.AddressInfo).port;
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => socket.once('error', reject).bind(boundPort, host, () => resolve()));
    } catch (err) {
      server.close();
      throw new Error(`gossip cannot bind UDP ${host}:${boundPort} (TCP took it, UDP did not): ${(err as Error).message}`);
    }
    return new UdpTransport(socket, server, `${host}:${boundPort}`, limits);
  }

  send(address: string, bytes: Uint8Array): void {
    const { host, port } = splitAddress(address);
    // A lost datagram is normal for gossip; a send error (no route) is treated the same way.
    this.socket.send(bytes, port, host, () => undefined);
  }
  onPacket(handler: PacketHandler): void {
    this.packetHandler = handler;
  }
  onStream(handler: StreamHandler): void {
    this.streamHandler = handler;
  }

  streamSync(address: string, bytes: Uint8Array, timeoutMs = 10_000): Promise<Uint8Array> {
    const { host, port } = splitAddress(address);
    return new Promise((resolve, reject) => {
      const conn = net.connect(port, host);
      conn.setTimeout(timeoutMs, () => conn.destroy(new Error(`full-state sync with ${address} timed out after ${timeoutMs} ms`)));
      conn.on('connect', () => conn.write(frame(bytes)));
      readFrame(conn, this.maxStreamMessageBytes).then((answer) => { conn.end(); resolve(answer); }, reject);
    });
  }

  private answer(conn: net.Socket): void {
    if (this.inboundStreams >= this.maxInboundStreams) return void conn.destroy();
    this.inboundStreams += 1;
    conn.once('close', () => (this.inboundStreams -= 1));
    conn.setTimeout(10_000, () => conn.destroy());
    const from = `${conn.remoteAddress}:${conn.remotePort}`;
    readFrame(conn, this.maxStreamMessageBytes)
      .then(async (request) => {
        if (!this.streamHandler) throw new Error('no stream handler');
        conn.end(frame(await this.streamHandler(request, from)));
      })
      .catch(() => conn.destroy());
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

function frame(bytes: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length);
  return Buffer.concat([header, bytes]);
}

/**
 * Reads one length-prefixed frame. The announced length is checked against `maxBytes` before
 * anything past the prefix is kept, and bytes beyond the announced length end the connection:
 * a peer cannot make us buffer more than `maxBytes`, authenticated or not. Chunks are joined
 * once, at the end (joining at every chunk costs quadratic time).
 */
export function readFrame(conn: net.Socket, maxBytes = DEFAULT_MAX_STREAM_MESSAGE_BYTES): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let length: number | undefined;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (length === undefined) {
        if (received < 4) return;
        const head = Buffer.concat(chunks);
        chunks.splice(0, chunks.length, head);
        length = head.readUInt32BE(0);
        if (length > maxBytes) return conn.destroy(new Error(`stream frame of ${length} bytes is over the ${maxBytes}-byte limit`));
      }
      if (received > 4 + length) return conn.destroy(new Error(`more bytes than the ${length} the frame announced`));
      if (received === 4 + length) {
        conn.off('data', onData);
        resolve(Buffer.concat(chunks).subarray(4));
      }
    };
    conn.on('data', onData);
    conn.once('error', reject);
    conn.once('close', () => reject(new Error('stream closed before a whole frame arrived')));
  });
}
