// SWIM-style membership (the SWIM paper, as memberlist implements it): every probe interval each
// member pings one other, taken round-robin from a shuffled list; if no ack comes within the
// probe timeout, it asks `indirectChecks` others to ping the target for it (ping-req); if no ack
// comes by the end of the interval, it suspects the target. A suspicion spreads by piggybacking
// on pings and acks; the suspect, on hearing it, refutes by raising its incarnation number; if it
// does not within the suspicion timeout, it is declared dead. A periodic push/pull of the whole
// table with one random peer repairs whatever the lossy gossip missed.
//
// Besides probing, every gossip interval (200 ms) each member sends its queued rumours to a few
// random members (memberlist's gossip()): news spreads in a few of these short rounds instead of
// waiting for probes. And Lifeguard (Dadgar et al., 2018; memberlist's awareness.go and
// suspicion.go) makes failure detection both faster and calmer:
//   - local health awareness (awareness.ts): a member missing its own acks probes more slowly;
//   - nacks: a relay asked to probe for us answers "nack" when the target stays silent, so the
//     prober can tell "the target is down" from "my own packets are lost";
//   - a dynamic suspicion timeout (suspicion.ts), long when one member accuses, short once
//     several independently confirm.
//
// The merge rules live in member-state.ts (pure); this class is the thin actor around them.

import type { GossipKeyring } from './keyring.js';
import { EventEmitter, setMaxListeners } from 'node:events';
import type { Clock } from '../../lib/clock.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { Codec } from './codec.js';
import { Awareness, probeAwarenessDelta } from './awareness.js';
import { defaultGossipConfig, retransmitLimit, suspicionMaxTimeoutMs, suspicionTimeoutMs, validateGossipConfig, type GossipConfig } from './gossip-config.js';
import {
  applyAlive, applyDead, applySuspect,
  type AliveMessage, type DeadMessage, type Member, type MemberMeta, type MergeResult, type SuspectMessage,
} from './member-state.js';
import { confirmationsExpected, Suspicion } from './suspicion.js';
import type { Transport } from './transport.js';

export type Update =
  | ({ kind: 'alive' } & AliveMessage)
  | ({ kind: 'suspect' } & SuspectMessage)
  | ({ kind: 'dead' } & DeadMessage);

type Packet =
  | { type: 'ping'; seq: number; target: string; updates: Update[] }
  | { type: 'ack'; seq: number; updates: Update[] }
  /** A relay's answer to ping-req when the target did not ack in time: "I hear you; it is the target that is silent". */
  | { type: 'nack'; seq: number; updates: Update[] }
  /** Rumours only, sent every gossip interval. */
  | { type: 'gossip'; updates: Update[] }
  | { type: 'ping-req'; seq: number; target: string; targetAddress: string; updates: Update[] };

interface PushPull {
  type: 'push-pull';
  members: Member[];
}

/** One row of a member's view of the table (`kubelab get members`): a record plus when it last acked us. */
export interface MemberSnapshot extends Member {
  /** When the last ack from this member reached us (clock ms); undefined for ourselves or before any. */
  lastAckMs?: number;
}

export interface GossipOptions {
  name: string;
  address: string;
  meta: MemberMeta;
  /** The cluster's gossip keys: packets signed with none of them are dropped. */
  keyring?: GossipKeyring;
  /** A keyring of this one key (tests). */
  secret?: string;
  transport: Transport;
  clock: Clock;
  /** A uniform random in [0, 1): inject a seeded one for reproducible tests. */
  random?: () => number;
  config?: Partial<GossipConfig>;
}

/** A relay nacks after this fraction of the probe timeout without an ack from the target. */
const NACK_AFTER_TIMEOUT_FRACTION = 0.8;

export class Gossip extends EventEmitter {
  readonly name: string;
  readonly config: GossipConfig;
  readonly codec: Codec;
  private readonly table = new Map<string, Member>();
  private readonly broadcasts = new BroadcastQueue<Update>();
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly ackWaiters = new Map<number, () => void>();
  private readonly nackWaiters = new Map<number, () => void>();
  /** Running suspicions by member name. */
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly awareness: Awareness;
  private readonly stopped = new AbortController();
  /** Probe rounds by outcome since start (kubelab_gossip_probes_total). */
  readonly probes = { acked: 0, ackedIndirectly: 0, failed: 0 };
  /** Nacks received from relays of our indirect probes since start. */
  nacksReceived = 0;
  private probeOrder: string[] = [];
  private probeIndex = 0;
  private nextSeq = 1;
  /** When each member's last ack arrived (membersSnapshot's LAST ACK); only read, never decides anything. */
  private readonly lastAckMs = new Map<string, number>();

  constructor(options: GossipOptions) {
    super();
    this.name = options.name;
    this.config = { ...defaultGossipConfig, ...options.config };
    validateGossipConfig(this.config);
    this.awareness = new Awareness(this.config.awarenessMaxMultiplier);
    this.transport = options.transport;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.codec = new Codec({ keyring: options.keyring, secret: options.secret, clock: options.clock });
    // Every pending ack wait and suspicion timer listens for the stop: many at once is normal.
    setMaxListeners(0, this.stopped.signal);
    this.table.set(this.name, { name: this.name, address: options.address, incarnation: 1, state: 'alive', meta: options.meta });
    this.transport.onPacket((bytes, from) => this.onPacket(bytes, from));
    this.transport.onStream((bytes) => this.onPushPull(bytes));
  }

  /** A copy of the table, ourselves included. */
  members(): Member[] {
    return [...this.table.values()].map((m) => ({ ...m, meta: { ...m.meta } }));
  }

  /** Local health (Lifeguard): 0 is healthy; n means probes run n + 1 times slower because our own acks went missing. */
  get healthScore(): number {
    return this.awareness.score;
  }

  /** Members believed alive or suspect (a suspect may yet refute). */
  liveMembers(): Member[] {
    return this.members().filter((m) => m.state === 'alive' || m.state === 'suspect');
  }

  /** A copy of the table with each member's last ack time, for views (read-only: nothing here decides). */
  membersSnapshot(): MemberSnapshot[] {
    return this.members().map((m) => ({ ...m, lastAckMs: this.lastAckMs.get(m.name) }));
  }

  /** Joins the cluster through the first seed that answers a full-state sync, then announces ourselves. */
  async join(seedAddresses: string[]): Promise<void> {
    const errors: string[] = [];
    for (const seed of seedAddresses) {
      try {
        await this.pushPullWith(seed);
        this.broadcastSelf();
        return;
      } catch (err) {
        errors.push(`${seed}: ${(err as Error).message}`);
      }
    }
    if (seedAddresses.length > 0) {
      throw new Error(`gossip member ${this.name} could not join: no seed answered (${errors.join('; ')}); check the seed addresses and that they share the cluster secret`);
    }
  }

  /** Probes every interval and pushes/pulls state every push/pull interval, until `signal` aborts (which stops this member) or we leave. */
  async run(signal: AbortSignal): Promise<void> {
    // The end of the run is the end of this member: pending probes and suspicion timers stop too.
    signal.addEventListener('abort', () => this.stop(), { once: true });
    const done = this.stopped.signal;
    const probing = (async () => {
      while (!done.aborted) {
        const startedMs = this.nowMs();
        await this.probeOnce();
        await this.clock.sleep(this.awareness.scaleTimeout(this.config.probeIntervalMs) - (this.nowMs() - startedMs), done);
      }
    })();
    const gossiping = (async () => {
      if (this.config.gossipIntervalMs <= 0) return;
      while (!done.aborted) {
        await this.clock.sleep(this.config.gossipIntervalMs, done);
        if (!done.aborted) this.gossipOnce();
      }
    })();
    const syncing = (async () => {
      while (!done.aborted) {
        await this.clock.sleep(this.config.pushPullIntervalMs, done);
        if (!done.aborted) await this.pushPullOnce().catch(() => undefined);
      }
    })();
    const reconnecting = (async () => {
      while (!done.aborted) {
        await this.clock.sleep(this.config.reconnectIntervalMs, done);
        if (!done.aborted) await this.reconnectOnce().catch(() => undefined);
      }
    })();
    await Promise.all([probing, gossiping, syncing, reconnecting]);
  }

  /**
   * One probe round: ping the next member; on silence, ping-req through others; on silence still,
   * suspect it (or confirm a suspicion already running). Interval and timeout are stretched by our
   * health score, which the outcome then updates.
   */
  async probeOnce(): Promise<void> {
    const target = this.nextProbeTarget();
    if (!target) return;
    const intervalMs = this.awareness.scaleTimeout(this.config.probeIntervalMs);
    const timeoutMs = this.awareness.scaleTimeout(this.config.probeTimeoutMs);
    const seq = this.nextSeq++;
    const acked = this.waitForAck(seq, intervalMs);
    let nacks = 0;
    this.nackWaiters.set(seq, () => {
      nacks++;
      this.nacksReceived++;
    });
    try {
      // Buddy system (Lifeguard, as memberlist): pinging a suspect, tell it so directly, so it can
      // refute at once instead of waiting for the rumour to reach it by chance.
      const buddy: Update[] = target.state === 'suspect' ? [{ kind: 'suspect', name: target.name, incarnation: target.incarnation, from: this.name }] : [];
      this.sendPacket(target.address, { type: 'ping', seq, target: target.name, updates: buddy });
      if (await raceTimeout(acked.promise, this.clock, timeoutMs, this.stopped.signal)) {
        this.probes.acked++;
        this.awareness.applyDelta(probeAwarenessDelta({ acked: true, expectedNacks: 0, nacks: 0 }));
        return;
      }

      // No direct ack: ask others to try, in case only our link to the target is bad.
      const helpers = shuffle(this.liveMembers().filter((m) => m.name !== this.name && m.name !== target.name), this.random)
        .slice(0, this.config.indirectChecks);
      for (const helper of helpers) {
        this.sendPacket(helper.address, { type: 'ping-req', seq, target: target.name, targetAddress: target.address, updates: [] });
      }
      if (await raceTimeout(acked.promise, this.clock, intervalMs - timeoutMs, this.stopped.signal)) {
        this.probes.ackedIndirectly++;
        this.awareness.applyDelta(probeAwarenessDelta({ acked: true, expectedNacks: 0, nacks: 0 }));
        return;
      }
      acked.cancel();
      if (this.stopped.signal.aborted) return;
      this.probes.failed++;
      // Relays that answered nack heard us fine: the target is the silent one. Each missing nack
      // (or, with nobody to ask, the failure itself) counts against our own health.
      this.awareness.applyDelta(probeAwarenessDelta({ acked: false, expectedNacks: helpers.length, nacks }));

      const current = this.table.get(target.name);
      if (current && (current.state === 'alive' || current.state === 'suspect')) {
        this.applyUpdate({ kind: 'suspect', name: target.name, incarnation: current.incarnation, from: this.name });
      }
    } finally {
      this.nackWaiters.delete(seq);
    }
  }

  /** One gossip round: send queued rumours to up to gossipNodes random live members (nothing when nothing is queued). */
  gossipOnce(): void {
    if (this.broadcasts.length === 0) return;
    const peers = shuffle(this.liveMembers().filter((m) => m.name !== this.name), this.random).slice(0, this.config.gossipNodes);
    const limit = Math.max(1, retransmitLimit(this.config, this.liveMembers().length));
    for (const peer of peers) {
      const updates = this.broadcasts.take(this.config.maxPiggybackedUpdates, limit);
      if (updates.length === 0) return;
      this.transport.send(peer.address, this.codec.encode(this.name, { type: 'gossip', updates } satisfies Packet));
    }
  }

  /** Exchanges the full table with one random live peer. */
  async pushPullOnce(): Promise<void> {
    const peers = this.liveMembers().filter((m) => m.name !== this.name);
    if (peers.length === 0) return;
    await this.pushPullWith(peers[Math.floor(this.random() * peers.length)].address);
  }

  /**
   * Exchanges the full table with one random member we believe dead (not one that left). If it is
   * in fact running (a healed partition, a restarted host), each side learns the other's rumour
   * about itself and refutes it with a higher incarnation, so both sides become alive again.
   */
  async reconnectOnce(): Promise<void> {
    const dead = this.members().filter((m) => m.state === 'dead' && m.name !== this.name);
    if (dead.length === 0) return;
    await this.pushPullWith(dead[Math.floor(this.random() * dead.length)].address);
  }

  /** Announces our departure so others record us as left rather than dead, then stops. */
  async leave(): Promise<void> {
    const self = this.self();
    const notice: Update = { kind: 'dead', name: this.name, incarnation: self.incarnation, from: this.name, left: true };
    this.table.set(this.name, { ...self, state: 'left' });
    // Tell a few members directly: there will be no more probes of ours to piggyback on.
    const peers = shuffle(this.liveMembers().filter((m) => m.name !== this.name), this.random).slice(0, this.config.indirectChecks + 1);
    for (const peer of peers) this.transport.send(peer.address, this.codec.encode(this.name, { type: 'ack', seq: 0, updates: [notice] }));
    this.stop();
  }

  /** Stops probing and answering, as a crashed member would (tests use it to simulate failure). */
  stop(): void {
    this.stopped.abort();
  }

  // --- packets -------------------------------------------------------------------------------

  private onPacket(bytes: Uint8Array, fromAddress: string): void {
    // A stopped member answers nothing: that is how it looks dead to the others.
    if (this.stopped.signal.aborted) return;
    // Drop anything not signed with the cluster secret, stale, or replayed (counted in codec.rejected).
    const decoded = this.codec.decode<Packet>(bytes);
    if (!decoded.ok) return;
    const packet = decoded.envelope.body;
    for (const update of packet.updates ?? []) this.applyUpdate(update);

    switch (packet.type) {
      case 'ping':
        // A ping meant for a previous owner of our address is not ours to answer.
        if (packet.target !== this.name) return;
        this.sendPacket(fromAddress, { type: 'ack', seq: packet.seq, updates: [] });
        return;
      case 'ack':
        this.lastAckMs.set(decoded.envelope.from, this.nowMs());
        this.ackWaiters.get(packet.seq)?.();
        return;
      case 'nack':
        this.nackWaiters.get(packet.seq)?.();
        return;
      case 'gossip':
        return;
      case 'ping-req': {
        // Probe the target on the requester's behalf and relay its ack under the requester's seq;
        // if the target has not acked within 80 % of the probe timeout (the Lifeguard paper's
        // figure: the nack must reach the requester before it gives up), say so: the requester
        // then knows its own link to us works, and does not blame itself for the silence.
        const relaySeq = this.nextSeq++;
        const acked = this.waitForAck(relaySeq, this.config.probeIntervalMs);
        let answered = false;
        acked.promise.then((ok) => {
          answered = true;
          if (ok) this.sendPacket(fromAddress, { type: 'ack', seq: packet.seq, updates: [] });
        });
        void this.clock.sleep(NACK_AFTER_TIMEOUT_FRACTION * this.config.probeTimeoutMs, this.stopped.signal).then(() => {
          if (!answered && !this.stopped.signal.aborted) this.sendPacket(fromAddress, { type: 'nack', seq: packet.seq, updates: [] });
        });
        this.sendPacket(packet.targetAddress, { type: 'ping', seq: relaySeq, target: packet.target, updates: [] });
        return;
      }
    }
  }

  private sendPacket(address: string, packet: Packet): void {
    const limit = retransmitLimit(this.config, this.liveMembers().length);
    packet.updates = [...packet.updates, ...this.broadcasts.take(this.config.maxPiggybackedUpdates, Math.max(1, limit))];
    this.transport.send(address, this.codec.encode(this.name, packet));
  }

  /** Resolves true on the ack, false after `timeoutMs` or on cancel. */
  private waitForAck(seq: number, timeoutMs: number): { promise: Promise<boolean>; cancel: () => void } {
    const cancelTimer = new AbortController();
    let settle!: (ok: boolean) => void;
    const promise = new Promise<boolean>((resolve) => {
      settle = (ok) => {
        this.ackWaiters.delete(seq);
        cancelTimer.abort();
        resolve(ok);
      };
    });
    this.ackWaiters.set(seq, () => settle(true));
    void this.clock.sleep(timeoutMs, AbortSignal.any([cancelTimer.signal, this.stopped.signal])).then(() => settle(false));
    return { promise, cancel: () => settle(false) };
  }

  // --- state ---------------------------------------------------------------------------------

  private applyUpdate(update: Update): void {
    const current = this.table.get(update.name);
    // Another accuser of a member we already suspect at this incarnation: not news for the table,
    // but an independent confirmation shortens the suspicion (Lifeguard), and is passed on so
    // the others shorten theirs too.
    if (update.kind === 'suspect' && update.name !== this.name && current?.state === 'suspect' && update.incarnation === current.incarnation) {
      if (this.suspicions.get(update.name)?.confirm(update.from)) this.broadcasts.push(update.name, update);
      return;
    }
    let result: MergeResult;
    if (update.kind === 'alive') result = applyAlive(current, update, this.name);
    else if (update.kind === 'suspect') result = applySuspect(current, update, this.name);
    else result = applyDead(current, update, this.name);

    // If this is us, refute: raise our incarnation above the rumour's and announce we are alive.
    if (result.refuteWithIncarnation !== undefined) {
      if (this.stopped.signal.aborted) return;
      // Being accused hints that our own packets are late or lost (Lifeguard): slow down a notch.
      this.awareness.applyDelta(1);
      const self = this.self();
      this.table.set(this.name, { ...self, incarnation: result.refuteWithIncarnation, state: 'alive' });
      this.broadcastSelf();
      // Views (kubelab get members -w) see our own refutation as a change at the new incarnation.
      this.emit('change', { ...this.self() });
      return;
    }
    if (result.reannounce) {
      if (!this.stopped.signal.aborted) this.broadcastSelf();
      return;
    }
    if (!result.member) return;
    this.table.set(result.member.name, result.member);
    if (result.rebroadcast) this.broadcasts.push(update.name, update);
    // A new suspicion (or one at a higher incarnation) starts its timer; any other state ends it.
    this.suspicions.get(result.member.name)?.cancel();
    this.suspicions.delete(result.member.name);
    if (result.member.state === 'suspect') this.startSuspicion(result.member, update.kind === 'suspect' ? update.from : this.name);
    this.emit('change', { ...result.member });
  }

  /**
   * After the suspicion timeout, a suspect still suspect at the same incarnation is declared dead.
   * The timeout starts at its maximum and shrinks as others confirm (suspicion.ts).
   */
  private startSuspicion(suspect: Member, from: string): void {
    const n = this.liveMembers().length;
    const suspicion = new Suspicion({
      from,
      expected: confirmationsExpected(this.config.suspicionMult, n),
      minMs: suspicionTimeoutMs(this.config, n),
      maxMs: suspicionMaxTimeoutMs(this.config, n),
      clock: this.clock,
      signal: this.stopped.signal,
      onTimeout: () => {
        if (this.stopped.signal.aborted) return;
        const current = this.table.get(suspect.name);
        // Refuted meanwhile (higher incarnation) or already dead: nothing to do.
        if (!current || current.state !== 'suspect' || current.incarnation !== suspect.incarnation) return;
        this.applyUpdate({ kind: 'dead', name: suspect.name, incarnation: suspect.incarnation, from: this.name });
      },
    });
    this.suspicions.set(suspect.name, suspicion);
  }

  private broadcastSelf(): void {
    const self = this.self();
    this.broadcasts.push(this.name, { kind: 'alive', name: self.name, address: self.address, incarnation: self.incarnation, meta: self.meta });
  }

  private self(): Member {
    return this.table.get(this.name)!;
  }

  /** Round-robin over a shuffled list of the others, reshuffled each time round (as memberlist). */
  private nextProbeTarget(): Member | undefined {
    for (let tries = 0; tries < 2; tries++) {
      while (this.probeIndex < this.probeOrder.length) {
        const m = this.table.get(this.probeOrder[this.probeIndex++]);
        if (m && (m.state === 'alive' || m.state === 'suspect')) return m;
      }
      this.probeOrder = shuffle(this.liveMembers().filter((m) => m.name !== this.name).map((m) => m.name), this.random);
      this.probeIndex = 0;
    }
    return undefined;
  }

  // --- push/pull -----------------------------------------------------------------------------

  private async pushPullWith(address: string): Promise<void> {
    const answer = await this.transport.streamSync(address, this.codec.encode(this.name, this.pushPullBody()));
    const decoded = this.codec.decode<PushPull>(answer);
    if (!decoded.ok) throw new Error(`push/pull answer from ${address} rejected as ${decoded.reason}`);
    this.mergeRemoteState(decoded.envelope.body.members);
  }

  private onPushPull(bytes: Uint8Array): Uint8Array {
    if (this.stopped.signal.aborted) throw new Error(`member ${this.name} has stopped`);
    const decoded = this.codec.decode<PushPull>(bytes);
    if (!decoded.ok) throw new Error(`push/pull rejected as ${decoded.reason}`);
    const reply = this.codec.encode(this.name, this.pushPullBody());
    this.mergeRemoteState(decoded.envelope.body.members);
    return reply;
  }

  private pushPullBody(): PushPull {
    return { type: 'push-pull', members: this.members() };
  }

  /** Merges a peer's table as if each record had arrived as the matching message. */
  private mergeRemoteState(members: Member[]): void {
    for (const m of members) {
      if (m.state === 'alive') this.applyUpdate({ kind: 'alive', name: m.name, address: m.address, incarnation: m.incarnation, meta: m.meta });
      else if (m.state === 'suspect') {
        // An unknown suspect must be learned first (as alive) before it can be suspected.
        if (!this.table.has(m.name)) this.applyUpdate({ kind: 'alive', name: m.name, address: m.address, incarnation: m.incarnation, meta: m.meta });
        // A suspicion we already hold is no news: a peer's table tells us nobody new failed a
        // probe, so it must not count as a confirmation (memberlist counts it as one from us).
        const current = this.table.get(m.name);
        if (current?.state === 'suspect' && current.incarnation === m.incarnation) continue;
        this.applyUpdate({ kind: 'suspect', name: m.name, incarnation: m.incarnation, from: this.name });
      } else if (this.table.has(m.name)) {
        this.applyUpdate({ kind: 'dead', name: m.name, incarnation: m.incarnation, from: this.name, left: m.state === 'left' });
      }
    }
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}

/** Resolves true if `promise` resolves true within `ms`, false otherwise. */
async function raceTimeout(promise: Promise<boolean>, clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  const cancel = new AbortController();
  const timeout = clock.sleep(ms, AbortSignal.any([cancel.signal, signal])).then(() => false);
  const result = await Promise.race([promise, timeout]);
  cancel.abort();
  return result;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
