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
