// The membership table's merge rules, as pure functions (memberlist's state.go, aliveNode /
// suspectNode / deadNode, without the I/O). Each rule takes the current record (or undefined
// if the member is unknown), the message, and who we are, and returns what to do: the new record,
// whether to rebroadcast the message, and whether we must refute (a rumour about ourselves).
//
// Precedence, as in SWIM with incarnation numbers:
//   - a higher incarnation always wins;
//   - at the same incarnation, suspect overrides alive, and dead overrides both;
//   - only the member itself raises its incarnation, and it does so to refute a rumour.

export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/** What a member tells the cluster about itself: enough to route pods to it and reach its API. */
export interface MemberMeta {
  nodeName: string;
  nodeIP: string;
  podSubnet: string;
  apiAddress: string;
  role: string;
}

export interface Member {
  name: string;
  address: string;
  incarnation: number;
  state: MemberStatus;
  meta: MemberMeta;
}

export interface AliveMessage {
  name: string;
  address: string;
  incarnation: number;
  meta: MemberMeta;
}

export interface SuspectMessage {
  name: string;
  incarnation: number;
  /** Who suspects it: kept so the suspect knows which rumour it is refuting. */
  from: string;
}

export interface DeadMessage {
  name: string;
  incarnation: number;
  from: string;
  /** True when the member announced its own departure (a graceful leave, not a failure). */
  left?: boolean;
}

export interface MergeResult {
  /** The record after the merge; undefined when the message changed nothing. */
  member?: Member;
  /** Pass the message on (piggyback it) because it taught us something. */
  rebroadcast: boolean;
  /** The message was about us at an incarnation we must beat: raise ours and announce alive. */
  refuteWithIncarnation?: number;
  /**
   * The message was a rumour about us that we have already refuted (an older incarnation): its
   * sender missed our refutation, so announce ourselves again at our current incarnation. The
   * reply to that sender's probe then carries it (memberlist ignores such rumours; on a lossy
   * network a refutation that got lost would otherwise let the suspicion run out).
   */
  reannounce?: boolean;
}

const unchanged: MergeResult = { rebroadcast: false };

/** Merges an alive message: a member joining, coming back, or refuting a suspicion. */
export function applyAlive(current: Member | undefined, msg: AliveMessage, selfName: string): MergeResult {
  // A new member: record it as alive.
  if (!current) {
    return { member: { ...msg, state: 'alive' }, rebroadcast: msg.name !== selfName };
  }
  // If this is us, only we may speak for ourselves: a stale copy of our own alive changes nothing,
  // and a claim at a higher incarnation than ours (say, from before a restart) must be beaten.
  if (msg.name === selfName) {
    if (msg.incarnation > current.incarnation) return { rebroadcast: false, refuteWithIncarnation: msg.incarnation + 1 };
    return unchanged;
  }
  // Ignore old incarnation numbers.
  if (msg.incarnation < current.incarnation) return unchanged;
  // At the same incarnation alive cannot override suspect or dead (only a refutation, which
  // carries a higher incarnation, can), and an alive we already hold is not news.
  if (msg.incarnation === current.incarnation) {
    if (current.state !== 'alive') return unchanged;
    if (sameMeta(current.meta, msg.meta) && current.address === msg.address) return unchanged;
  }
  return { member: { ...msg, state: 'alive' }, rebroadcast: true };
}

/** Merges a suspicion: someone could not reach the member, directly or through others. */
export function applySuspect(current: Member | undefined, msg: SuspectMessage, selfName: string): MergeResult {
  // We cannot suspect a member we have never heard of: we would not know its address.
  if (!current) return unchanged;
  // Ignore old incarnation numbers; if the old rumour is about us, repeat our refutation.
  if (msg.incarnation < current.incarnation) return msg.name === selfName ? { rebroadcast: false, reannounce: true } : unchanged;
  // If this is us, refute: announce alive at an incarnation above the rumour's.
  if (msg.name === selfName) {
    return { rebroadcast: false, refuteWithIncarnation: Math.max(current.incarnation, msg.incarnation) + 1 };
  }
  // Already suspect (or worse) at this incarnation: not news.
  if (current.state !== 'alive' && msg.incarnation === current.incarnation) return unchanged;
  // Dead or left members stay so until they come back alive with a higher incarnation.
  if (current.state === 'dead' || current.state === 'left') return unchanged;
  return { member: { ...current, incarnation: msg.incarnation, state: 'suspect' }, rebroadcast: true };
}

/** Merges a death notice: a suspicion that timed out, or a member leaving on purpose. */
export function applyDead(current: Member | undefined, msg: DeadMessage, selfName: string): MergeResult {
  if (!current) return unchanged;
  // Ignore old incarnation numbers; if the old rumour is about us, repeat our refutation.
  if (msg.incarnation < current.incarnation) return msg.name === selfName && !msg.left && current.state === 'alive' ? { rebroadcast: false, reannounce: true } : unchanged;
  // Already dead or gone: not news.
  if (current.state === 'dead' || current.state === 'left') return unchanged;
  // If this is us and we did not say it ourselves, refute: we are plainly not dead.
  if (msg.name === selfName && !msg.left) {
    return { rebroadcast: false, refuteWithIncarnation: Math.max(current.incarnation, msg.incarnation) + 1 };
  }
  const state: MemberStatus = msg.left ? 'left' : 'dead';
  return { member: { ...current, incarnation: msg.incarnation, state }, rebroadcast: true };
}

function sameMeta(a: MemberMeta, b: MemberMeta): boolean {
  return a.nodeName === b.nodeName && a.nodeIP === b.nodeIP && a.podSubnet === b.podSubnet &&
    a.apiAddress === b.apiAddress && a.role === b.role;
}
