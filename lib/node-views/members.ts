// One node's view of the gossip membership, as `kubelab get members` shows it, and the changes to
// it as `kubelab get members -w` prints them. Pure: the node agent fills these records from its
// gossip member (daemon/node-views/), the API server relays them, the CLI prints them.
//
// Membership in SWIM is not one truth but one table per member: node2 may already suspect node3
// while node1 still believes it alive. That is why the view is always "as seen by" one node.
//
// A change is computed from the record before and after (memberChangeOf): the gossip member only
// says "this record changed", the view says what that means: alive -> suspect, suspect -> dead,
// and a refutation (the member raised its incarnation to beat a rumour about itself, so a suspect
// or dead member is alive again, or an alive one is alive at a higher incarnation).

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** A member's record as one node holds it (the shape of network/gossip's Member, with its meta). */
export interface MemberRecord {
  name: string;
  address: string;
  incarnation: number;
  state: MemberState;
  meta?: { nodeIP?: string; podSubnet?: string; role?: string };
}

/** One row of the view. */
export interface MemberRow {
  name: string;
  /** The member's gossip address, `host:port`. */
  address: string;
  state: MemberState;
  incarnation: number;
  /** When the observer last received an ack from it (RFC 3339 with milliseconds); absent for itself or before any. */
  lastAckAt?: string;
  nodeIP?: string;
  podSubnet?: string;
  role?: string;
}

/** `GET /api/v1/nodes/NODE/proxy/gossip/members`: the table as NODE holds it, at `observedAt`. */
export interface MembersView {
  kind: 'MembersView';
  /** The node whose table this is. */
  node: string;
  /** When the node read its table (ages are computed from it, so the caller's clock does not matter). */
  observedAt: string;
  /** False on a node that runs no gossip (a single-node server): members is empty. */
  gossip: boolean;
  members: MemberRow[];
}

/** One change in a node's table, one NDJSON line of the `?watch=true` stream. */
export interface MemberChange {
  /** When the observer applied it (RFC 3339 with milliseconds). */
  time: string;
  /** The node whose table changed. */
  observer: string;
  member: string;
  address: string;
  /** The state before; absent when the member was new to the observer. */
  from?: MemberState;
  to: MemberState;
  incarnation: number;
  /** The member beat a rumour about itself by raising its incarnation. */
  refuted: boolean;
}

/** A MembersView as the node builds it from its table (pure: the caller passes the clock's reading). */
export function membersViewOf(node: string, records: (MemberRecord & { lastAckMs?: number })[], now: Date, gossip = true): MembersView {
  const members = [...records]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r): MemberRow => ({
      name: r.name,
      address: r.address,
      state: r.state,
      incarnation: r.incarnation,
      ...(r.lastAckMs !== undefined ? { lastAckAt: new Date(r.lastAckMs).toISOString() } : {}),
      ...(r.meta?.nodeIP ? { nodeIP: r.meta.nodeIP } : {}),
      ...(r.meta?.podSubnet ? { podSubnet: r.meta.podSubnet } : {}),
      ...(r.meta?.role ? { role: r.meta.role } : {}),
    }));
  return { kind: 'MembersView', node, observedAt: now.toISOString(), gossip, members };
}

/**
 * What a new record means next to the one before, or undefined when it changes nothing a reader
 * of the view cares about (the same state at the same incarnation, say a new address only).
 */
export function memberChangeOf(previous: MemberRecord | undefined, next: MemberRecord, observer: string, now: Date): MemberChange | undefined {
  const base = { time: now.toISOString(), observer, member: next.name, address: next.address, to: next.state, incarnation: next.incarnation };
  if (!previous) return { ...base, refuted: false };
  if (previous.state === next.state && previous.incarnation === next.incarnation) return undefined;
  // Only the member itself raises its incarnation, and only to be believed alive over a rumour.
  const refuted = next.state === 'alive' && next.incarnation > previous.incarnation;
  return { ...base, from: previous.state, refuted };
}
