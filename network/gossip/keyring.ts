// The gossip keyring: the keys gossip packets are signed with (memberlist's keyring, reduced to
// what rotation needs). The keys are the cluster's own secret, made at random by the server at
// its first start (daemon/pki/gossip-keys.ts) and handed only to nodes that authenticated; they are
// not derived from the join token, so a holder of the token who never joined cannot forge gossip.
//
// Rotation without a moment where members disagree: every member accepts a packet signed with any
// key of the ring, and signs with the newest key that is *active*, i.e. added at least
// `activationDelayMs` ago. A rotation adds a new key first in the ring and keeps the one in use:
// for the activation delay everyone still signs with the old key while the nodes fetch the new
// ring (they poll faster than the delay), then everyone signs with the new one and still accepts
// the old one until the next rotation drops it. Every member computes the same choice from the
// same ring and its clock, so no coordination is needed beyond clocks within a few seconds.

export interface GossipKey {
  /** The secret, hex. */
  key: string;
  /** When the key was added to the ring (ms since the epoch): it signs from addedAtMs + activationDelayMs. */
  addedAtMs: number;
}

export class GossipKeyring {
  private keys: readonly GossipKey[];

  /** `keys` newest first, as rotateKeys returns them. */
  constructor(keys: readonly GossipKey[], readonly activationDelayMs: number) {
    this.keys = checkKeys(keys);
  }

  /** A ring of one key, active at once (tests, and clusters given a fixed secret). */
  static ofSecret(secret: string): GossipKeyring {
    return new GossipKeyring([{ key: secret, addedAtMs: 0 }], 0);
  }

  /** Installs a new ring (the one the server now hands out). */
  replace(keys: readonly GossipKey[]): void {
    this.keys = checkKeys(keys);
  }

  list(): readonly GossipKey[] {
    return this.keys;
  }

  /** The key to sign with at `nowMs`: the newest active one, or the oldest when none is active yet. */
  signingKey(nowMs: number): string {
    return signingKeyOf(this.keys, nowMs, this.activationDelayMs).key;
  }

  /** Every key a packet may be signed with. */
  acceptedKeys(): string[] {
    return this.keys.map((k) => k.key);
  }
}

function checkKeys(keys: readonly GossipKey[]): readonly GossipKey[] {
  if (keys.length === 0) throw new Error('a gossip keyring needs at least one key');
  for (const k of keys) {
    if (typeof k?.key !== 'string' || k.key === '' || !Number.isFinite(k.addedAtMs)) throw new Error('a gossip key must be {key: "<hex>", addedAtMs: <number>}');
  }
  return [...keys];
}

function signingKeyOf(keys: readonly GossipKey[], nowMs: number, activationDelayMs: number): GossipKey {
  return keys.find((k) => k.addedAtMs + activationDelayMs <= nowMs) ?? keys[keys.length - 1]!;
}

/** A rotation asked for before the previous rotation's key signs. */
export class RotationTooSoonError extends Error {}

/**
 * The ring after a rotation (pure): `newKey` first, then the key in use at `nowMs`; older keys
 * are dropped. Refused while the previous rotation's key is not active yet: dropping the key
 * everyone still signs with would split the cluster.
 */
export function rotateKeys(keys: readonly GossipKey[], newKey: string, nowMs: number, activationDelayMs: number): GossipKey[] {
  const inUse = signingKeyOf(keys, nowMs, activationDelayMs);
  if (keys.length > 1 && inUse !== keys[0]) {
    const activeAt = new Date(keys[0]!.addedAtMs + activationDelayMs).toISOString();
    throw new RotationTooSoonError(`the previous rotation's key is not in use yet (it signs from ${activeAt}): rotate again after that, once every node has fetched it`);
  }
  return [{ key: newKey, addedAtMs: nowMs }, inUse];
}
