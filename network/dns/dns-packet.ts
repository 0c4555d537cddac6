// The DNS wire format (RFC 1035 section 4), as much of it as a cluster DNS needs: a header,
// questions, and A records in answers. kubelab writes it by hand because the format is small and
// worth seeing once:
//
//   header (12 bytes): id, flags (QR, opcode, AA, TC, RD, RA, rcode), then four counts
//   question:          name as labels (3www7example3org0), type (A = 1), class (IN = 1)
//   resource record:   name, type, class, TTL (seconds), rdata length, rdata (A: 4 address bytes)
//
// Names in received packets may be compressed: a label length with the top two bits set is a
// pointer to an earlier offset of the packet (RFC 1035 4.1.4). Encoding never compresses.
// Records of types other than A (the EDNS OPT record resolvers add, say) are kept as raw rdata.

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
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
  /** For A records, the dotted address; otherwise absent and `data` holds the raw rdata. */
  address?: string;
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
  if (type === TYPE_A && klass === CLASS_IN && length === 4) record.address = [...packet.subarray(start, start + 4)].join('.');
  else record.data = Buffer.from(packet.subarray(start, start + length));
  return { record, next: start + length };
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

function encodeRecord(record: DnsRecord): Buffer {
  const data = record.address !== undefined ? Buffer.from(record.address.split('.').map(Number)) : (record.data ?? Buffer.alloc(0));
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
