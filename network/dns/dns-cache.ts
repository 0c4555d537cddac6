// The forwarder's answer cache (CoreDNS's `cache` plugin, small): an upstream answer is kept for
// as long as its records say it may be, and served again with its TTLs counted down, so a pod
// that looks up the same name a hundred times a second costs the upstream one query per TTL.
//
// How long an answer may be kept (RFC 2181 5.2, RFC 2308):
//   - an answer with records: the smallest TTL among them (capped at maxTtlSeconds);
//   - "no such name" (NXDOMAIN) or "no such type" (NODATA): the SOA the upstream sent in the
//     authority section says, min(its TTL, its minimum) (capped at maxNegativeTtlSeconds); no
//     SOA, no caching;
//   - SERVFAIL, REFUSED, truncated answers: not at all (the next query asks again).
// The answer is kept as the bytes the upstream sent, with the offsets of their TTL fields, so a
// cached answer is the upstream's answer byte for byte except for its id and TTLs.
//
// Pure: the caller passes the time; entries beyond `capacity` push out the oldest.

import { CLASS_IN, decodeMessage, RCODE, recordTtlOffsets, TYPE_OPT, TYPE_SOA, type DnsMessage, type DnsQuestion } from './dns-packet.js';

export interface DnsCacheOptions {
  /** Entries kept at most; the oldest goes first (CoreDNS's cache holds 9984 per kind). */
  capacity?: number;
  /** The longest an answer with records is kept, whatever its TTL says (CoreDNS: 3600 s). */
  maxTtlSeconds?: number;
  /** The longest a "does not exist" is kept (CoreDNS: 1800 s). */
  maxNegativeTtlSeconds?: number;
}

interface Entry {
  packet: Buffer;
  ttlOffsets: number[];
  ttls: number[];
  storedAtMs: number;
  expiresAtMs: number;
}

/** Names are case-insensitive; the type and class are part of the question. */
export const cacheKey = (question: DnsQuestion): string => `${question.name.toLowerCase().replace(/\.$/, '')}/${question.type}/${question.class}`;

/** How many seconds `message` may be cached; 0: not at all. */
export function cacheSeconds(message: DnsMessage, options: Required<DnsCacheOptions>): number {
  if (message.truncated || message.questions.length !== 1 || message.questions[0].class !== CLASS_IN) return 0;
  const records = [...message.answers, ...message.authorities].filter((r) => r.type !== TYPE_OPT);
  if (message.rcode === RCODE.NOERROR && message.answers.length > 0) return Math.min(options.maxTtlSeconds, ...records.map((r) => r.ttl));
  if (message.rcode === RCODE.NXDOMAIN || message.rcode === RCODE.NOERROR) {
    const soa = message.authorities.find((r) => r.type === TYPE_SOA && r.soa);
    return soa ? Math.min(options.maxNegativeTtlSeconds, soa.ttl, soa.soa!.minimum) : 0;
  }
  return 0;
}

export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly options: Required<DnsCacheOptions>;
  hits = 0;
  misses = 0;

  constructor(options: DnsCacheOptions = {}) {
    this.options = { capacity: options.capacity ?? 10_000, maxTtlSeconds: options.maxTtlSeconds ?? 3600, maxNegativeTtlSeconds: options.maxNegativeTtlSeconds ?? 1800 };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Keeps the upstream's answer to `question` if it may be cached; returns the seconds it is kept. */
  put(question: DnsQuestion, packet: Buffer, nowMs: number): number {
    let seconds: number;
    let ttlOffsets: number[];
    try {
      seconds = cacheSeconds(decodeMessage(packet), this.options);
      ttlOffsets = recordTtlOffsets(packet);
    } catch {
      return 0;
    }
    if (seconds <= 0) return 0;
    const key = cacheKey(question);
    this.entries.delete(key);
    this.entries.set(key, { packet: Buffer.from(packet), ttlOffsets, ttls: ttlOffsets.map((at) => packet.readUInt32BE(at)), storedAtMs: nowMs, expiresAtMs: nowMs + seconds * 1000 });
    while (this.entries.size > this.options.capacity) this.entries.delete(this.entries.keys().next().value!);
    return seconds;
  }

  /** The cached answer to `question` with `id` and TTLs counted down, or undefined. */
  get(question: DnsQuestion, id: number, nowMs: number): Buffer | undefined {
    const key = cacheKey(question);
    const entry = this.entries.get(key);
    if (!entry || nowMs >= entry.expiresAtMs) {
      if (entry) this.entries.delete(key);
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    const elapsedSeconds = Math.floor((nowMs - entry.storedAtMs) / 1000);
    const packet = Buffer.from(entry.packet);
    packet.writeUInt16BE(id, 0);
    entry.ttlOffsets.forEach((at, i) => packet.writeUInt32BE(Math.max(0, Math.min(entry.ttls[i], this.options.maxTtlSeconds) - elapsedSeconds), at));
    return packet;
  }
}
