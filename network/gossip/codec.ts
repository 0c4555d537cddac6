// The wire format of gossip packets: JSON, signed with HMAC-SHA256 keyed from the cluster's gossip
// key, so a host that does not know it can neither join nor spread rumours (memberlist encrypts
// with AES-GCM for the same reason; we only need authenticity, the contents are not secret).
// The keys come from a keyring (keyring.ts): a packet is signed with the ring's signing key and
// accepted when signed with any of its keys, so the key can be rotated without a split.
//
// Each envelope carries the sender, a timestamp and a per-sender counter. decode() refuses:
//   - unsigned or malformed packets, and packets whose signature does not match (forged);
//   - packets older than the replay window, or too far in the future (stale);
//   - counters already seen from that sender (replayed), remembered for as long as the window.
// Every refusal is counted by reason so an operator can see an attack or a wrong secret.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { GossipKeyring } from './keyring.js';

export type RejectReason = 'malformed' | 'unsigned' | 'forged' | 'stale' | 'replayed';

export interface Envelope<T> {
  from: string;
  sentAtMs: number;
  counter: number;
  body: T;
}

export interface CodecOptions {
  /** The keys; `secret` is a ring of that one key. */
  keyring?: GossipKeyring;
  secret?: string;
  clock: Clock;
  /** How old (or how far ahead, for skewed clocks) a packet may be: 30 s tolerates modest clock skew between hosts. */
  replayWindowMs?: number;
}

export type DecodeResult<T> = { ok: true; envelope: Envelope<T> } | { ok: false; reason: RejectReason };

export class Codec {
  readonly rejected: Record<RejectReason, number> = { malformed: 0, unsigned: 0, forged: 0, stale: 0, replayed: 0 };
  readonly keyring: GossipKeyring;
  /** secret → its derived HMAC key. */
  private readonly derived = new Map<string, Buffer>();
  private readonly clock: Clock;
  private readonly windowMs: number;
  /** Starts at the clock in microseconds-ish, so a restarted sender does not reuse counters the peers still remember. */
  private nextCounter: number;
  /** Per sender: counter -> when it was seen, forgotten once older than the window. */
  private readonly seen = new Map<string, Map<number, number>>();

  constructor(options: CodecOptions) {
    if (!options.keyring && options.secret === undefined) throw new Error('a gossip codec needs a keyring or a secret');
    this.keyring = options.keyring ?? GossipKeyring.ofSecret(options.secret!);
    this.clock = options.clock;
    this.windowMs = options.replayWindowMs ?? 30_000;
    this.nextCounter = this.clock.now().getTime() * 1000;
  }

  encode<T>(from: string, body: T): Buffer {
    const envelope: Envelope<T> = { from, sentAtMs: this.clock.now().getTime(), counter: this.nextCounter++, body };
    const payload = JSON.stringify(envelope);
    return Buffer.from(JSON.stringify({ payload, mac: this.sign(this.keyring.signingKey(envelope.sentAtMs), payload) }));
  }

  decode<T>(bytes: Uint8Array): DecodeResult<T> {
    let outer: { payload?: unknown; mac?: unknown };
    try {
      outer = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      return this.reject('malformed');
    }
    if (typeof outer !== 'object' || outer === null || typeof outer.payload !== 'string') return this.reject('malformed');
    if (typeof outer.mac !== 'string' || outer.mac === '') return this.reject('unsigned');
    const got = Buffer.from(outer.mac, 'hex');
    const payload = outer.payload;
    const signedByRing = this.keyring.acceptedKeys().some((secret) => {
      const want = Buffer.from(this.sign(secret, payload), 'hex');
      return got.length === want.length && timingSafeEqual(got, want);
    });
    if (!signedByRing) return this.reject('forged');

    const envelope = JSON.parse(outer.payload) as Envelope<T>;
    const nowMs = this.clock.now().getTime();
    if (Math.abs(nowMs - envelope.sentAtMs) > this.windowMs) return this.reject('stale');
    const fromSender = this.seen.get(envelope.from) ?? new Map<number, number>();
    this.seen.set(envelope.from, fromSender);
    for (const [counter, atMs] of fromSender) if (nowMs - atMs > this.windowMs) fromSender.delete(counter);
    if (fromSender.has(envelope.counter)) return this.reject('replayed');
    fromSender.set(envelope.counter, nowMs);
    return { ok: true, envelope };
  }

  private sign(secret: string, payload: string): string {
    let key = this.derived.get(secret);
    if (!key) {
      // Derive the key rather than using the secret itself, so the same secret can key other things.
      key = createHmac('sha256', secret).update('kubelab-gossip-v1').digest();
      if (this.derived.size > 16) this.derived.clear(); // rotated-out keys do not pile up
      this.derived.set(secret, key);
    }
    return createHmac('sha256', key).update(payload).digest('hex');
  }

  private reject(reason: RejectReason): { ok: false; reason: RejectReason } {
    this.rejected[reason]++;
    return { ok: false, reason };
  }
}
