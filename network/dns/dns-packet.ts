// The DNS wire format (RFC 1035 section 4), as much of it as a cluster DNS needs: a header,
// questions, and the records it answers itself (A, CNAME, PTR, NS, SRV, SOA). kubelab writes it
// by hand because the format is small and worth seeing once:
//
//   header (12 bytes): id, flags (QR, opcode, AA, TC, RD, RA, rcode), then four counts
//   question:          name as labels (3www7example3org0), type (A = 1), class (IN = 1)
//   resource record:   name, type, class, TTL (seconds), rdata length, rdata (A: 4 address bytes;
//                      CNAME, PTR, NS: a name; SRV: priority, weight, port, target name;
//                      SOA: two names and five numbers)
//
// Names in received packets may be compressed: a label length with the top two bits set is a
// pointer to an earlier offset of the packet (RFC 1035 4.1.4). Encoding never compresses.
// Records of other types (the EDNS OPT record resolvers add, MX, TXT ...) are kept as raw rdata:
// such rdata may hold compression pointers into the packet it came from, so it is only ever sent
// on inside that same packet (the forwarder passes upstream answers through byte for byte, and
// patches only the id and the TTLs, at the offsets recordTtlOffsets finds).
//
// Why not an npm DNS library (dns-packet, say): the forwarder never re-encodes what it relays,
// and the few record types the cluster answers are a few lines each here; a library would add a
// dependency and hide the format this folder exists to show.

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_CNAME = 5;
export const TYPE_SOA = 6;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
/** The EDNS pseudo-record (RFC 6891): not data, never cached or counted for TTLs. */
export const TYPE_OPT = 41;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** For A records, the dotted address. */
  address?: string;
  /** For CNAME, PTR and NS records, the name they point to. */
  target?: string;
  /** For SRV records (RFC 2782). */
  srv?: { priority: number; weight: number; port: number; target: string };
  /** For SOA records: the zone's primary server, its mailbox, and the negative-caching TTL (`minimum`). */
  soa?: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
  /** Any other type: the raw rdata. */
  data?: Buffer;
}

export interface DnsMessage {
  id: number;
  /** true in responses. */
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

export class DnsFormatError extends Error {
  constructor(message: string) {
    super(`malformed DNS message: ${message}`);
    this.name = 'DnsFormatError';
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Reads a possibly compressed name at `offset`; returns it and the offset after it. */
function readName(packet: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let position = offset;
  let next = -1;
  for (let jumps = 0; ; ) {
    if (position >= packet.length) throw new DnsFormatError('name runs past the end');
    const length = packet[position];
    if (length === 0) {
      if (next < 0) next = position + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= packet.length) throw new DnsFormatError('truncated name pointer');
      if (next < 0) next = position + 2;
      position = ((length & 0x3f) << 8) | packet[position + 1];
      if (++jumps > 64) throw new DnsFormatError('name pointer loop');
      continue;
    }
    if (length > 63) throw new DnsFormatError(`label length ${length}`);
    if (position + 1 + length > packet.length) throw new DnsFormatError('label runs past the end');
    labels.push(packet.toString('latin1', position + 1, position + 1 + length));
    position += 1 + length;
  }
  return { name: labels.join('.'), next };
}

function need(packet: Buffer, offset: number, bytes: number, what: string): void {
  if (offset + bytes > packet.length) throw new DnsFormatError(`${what} runs past the end`);
}

function readRecord(packet: Buffer, offset: number): { record: DnsRecord; next: number } {
  const { name, next: afterName } = readName(packet, offset);
  need(packet, afterName, 10, 'record header');
  const type = packet.readUInt16BE(afterName);
  const klass = packet.readUInt16BE(afterName + 2);
  const ttl = packet.readUInt32BE(afterName + 4);
  const length = packet.readUInt16BE(afterName + 8);
  const start = afterName + 10;
  need(packet, start, length, 'record data');
  const record: DnsRecord = { name, type, class: klass, ttl };
  const end = start + length;
  const inRdata = (read: { next: number }) => {
    if (read.next > end) throw new DnsFormatError('name runs past its record');
  };
  if (klass !== CLASS_IN) record.data = Buffer.from(packet.subarray(start, end));
  else if (type === TYPE_A && length === 4) record.address = [...packet.subarray(start, end)].join('.');
  else if (type === TYPE_CNAME || type === TYPE_PTR || type === TYPE_NS) {
    const read = readName(packet, start);
    inRdata(read);
    record.target = read.name;
  } else if (type === TYPE_SRV && length >= 7) {
    const read = readName(packet, start + 6);
    inRdata(read);
    record.srv = { priority: packet.readUInt16BE(start), weight: packet.readUInt16BE(start + 2), port: packet.readUInt16BE(start + 4), target: read.name };
  } else if (type === TYPE_SOA) {
    const mname = readName(packet, start);
    const rname = readName(packet, mname.next);
    need(packet, rname.next, 20, 'SOA numbers');
    if (rname.next + 20 > end) throw new DnsFormatError('SOA runs past its record');
    const n = (i: number) => packet.readUInt32BE(rname.next + 4 * i);
    record.soa = { mname: mname.name, rname: rname.name, serial: n(0), refresh: n(1), retry: n(2), expire: n(3), minimum: n(4) };
  } else record.data = Buffer.from(packet.subarray(start, end));
  return { record, next: end };
}

/**
 * The offsets of the TTL field of every record in the packet but EDNS OPT (whose "TTL" holds
 * flags): where a cache rewrites the remaining lifetime of an answer it relays byte for byte.
 */
export function recordTtlOffsets(packet: Buffer): number[] {
  need(packet, 0, 12, 'header');
  const counts = [4, 6, 8, 10].map((at) => packet.readUInt16BE(at));
  let offset = 12;
  for (let i = 0; i < counts[0]; i += 1) offset = readName(packet, offset).next + 4;
  const offsets: number[] = [];
  for (let i = 0; i < counts[1] + counts[2] + counts[3]; i += 1) {
    const afterName = readName(packet, offset).next;
    need(packet, afterName, 10, 'record header');
    if (packet.readUInt16BE(afterName) !== TYPE_OPT) offsets.push(afterName + 4);
    offset = afterName + 10 + packet.readUInt16BE(afterName + 8);
    need(packet, 0, offset, 'record data');
  }
  return offsets;
}

export function decodeMessage(packet: Buffer): DnsMessage {
  need(packet, 0, 12, 'header');
  const flags = packet.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((at) => packet.readUInt16BE(at));
  let offset = 12;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i += 1) {
    const { name, next } = readName(packet, offset);
    need(packet, next, 4, 'question');
    questions.push({ name, type: packet.readUInt16BE(next), class: packet.readUInt16BE(next + 2) });
    offset = next + 4;
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s += 1) {
    for (let i = 0; i < counts[s + 1]; i += 1) {
      const { record, next } = readRecord(packet, offset);
      sections[s].push(record);
      offset = next;
    }
  }
  return {
    id: packet.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0],
    authorities: sections[1],
    additionals: sections[2],
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'latin1');
    if (bytes.length > 63) throw new DnsFormatError(`label "${label}" is longer than 63 bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function uint16s(...values: number[]): Buffer {
  const bytes = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => bytes.writeUInt16BE(v, 2 * i));
  return bytes;
}

function encodeRdata(record: DnsRecord): Buffer {
  if (record.address !== undefined) return Buffer.from(record.address.split('.').map(Number));
  if (record.target !== undefined) return encodeName(record.target);
  if (record.srv) return Buffer.concat([uint16s(record.srv.priority, record.srv.weight, record.srv.port), encodeName(record.srv.target)]);
  if (record.soa) {
    const { mname, rname, serial, refresh, retry, expire, minimum } = record.soa;
    const numbers = Buffer.alloc(20);
    [serial, refresh, retry, expire, minimum].forEach((v, i) => numbers.writeUInt32BE(v >>> 0, 4 * i));
    return Buffer.concat([encodeName(mname), encodeName(rname), numbers]);
  }
  return record.data ?? Buffer.alloc(0);
}

function encodeRecord(record: DnsRecord): Buffer {
  const data = encodeRdata(record);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(record.class, 2);
  fixed.writeUInt32BE(record.ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(record.name), fixed, data]);
}

export function encodeMessage(message: DnsMessage): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(message.id, 0);
  const flags =
    (message.response ? 0x8000 : 0) |
    ((message.opcode & 0xf) << 11) |
    (message.authoritative ? 0x0400 : 0) |
    (message.truncated ? 0x0200 : 0) |
    (message.recursionDesired ? 0x0100 : 0) |
    (message.recursionAvailable ? 0x0080 : 0) |
    (message.rcode & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(message.questions.length, 4);
  header.writeUInt16BE(message.answers.length, 6);
  header.writeUInt16BE(message.authorities.length, 8);
  header.writeUInt16BE(message.additionals.length, 10);
  const questions = message.questions.map((q) => {
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(q.class, 2);
    return Buffer.concat([encodeName(q.name), tail]);
  });
  const records = [...message.answers, ...message.authorities, ...message.additionals].map(encodeRecord);
  return Buffer.concat([header, ...questions, ...records]);
}

/** A query message for `name` (tests and tools). */
export function newQuery(id: number, name: string, type = TYPE_A): DnsMessage {
  return {
    id, response: false, opcode: 0, authoritative: false, truncated: false, recursionDesired: true, recursionAvailable: false, rcode: 0,
    questions: [{ name, type, class: CLASS_IN }], answers: [], authorities: [], additionals: [],
  };
}
