// What the control plane needs to know from gossip: is this node alive, suspect, dead or gone?
//
// The server's controllers (the node lifecycle controller first) must not depend on the SWIM
// machinery, its timers or its transport: they read membership through this two-method view, and
// a test hands them a plain object instead. gossipMembershipView adapts a running Gossip member.
// Gossip member names are node names, so a node's state is looked up by its Node name.

import type { Gossip } from './gossip.js';
import type { MemberStatus } from './member-state.js';

export type MembershipState = MemberStatus;

export interface MembershipView {
  /** The node's state in this host's membership table; undefined when gossip has never heard of it. */
  stateOf(nodeName: string): MembershipState | undefined;
  /** Calls `listener` after any member's state changes; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void;
}

/** A MembershipView over a running Gossip member (its 'change' event fires on every table change). */
export function gossipMembershipView(gossip: Gossip): MembershipView {
  return {
    stateOf: (nodeName) => gossip.members().find((member) => member.name === nodeName)?.state,
    onChange(listener) {
      const onMemberChange = () => listener();
      gossip.on('change', onMemberChange);
      return () => gossip.off('change', onMemberChange);
    },
  };
}

/**
 * A MembershipView to hand out before gossip runs (the server starts its controllers before its
 * own node agent, whose gossip member it is): it knows no node until bind(), and listeners that
 * subscribed earlier are moved onto the bound view and told once, so nothing waits for a resync.
 */
export class DeferredMembershipView implements MembershipView {
  private target?: MembershipView;
  private readonly pending = new Map<() => void, () => void>();

  bind(target: MembershipView): void {
    if (this.target) throw new Error('DeferredMembershipView is already bound to a gossip member; bind it once');
    this.target = target;
    for (const listener of this.pending.keys()) {
      this.pending.set(listener, target.onChange(listener));
      listener();
    }
  }

  stateOf(nodeName: string): MembershipState | undefined {
    return this.target?.stateOf(nodeName);
  }

  onChange(listener: () => void): () => void {
    this.pending.set(listener, this.target ? this.target.onChange(listener) : () => undefined);
    return () => {
      this.pending.get(listener)?.();
      this.pending.delete(listener);
    };
  }
}
