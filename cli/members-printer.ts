// How `kubelab get members` prints one node's gossip table and, with -w, each change to it.
// Pure: a MembersView or MemberChange in, text out (lib/node-views/members.ts has the records).

import type { MemberChange, MembersView } from '../lib/node-views/members.js';
import { humanDuration } from '../lib/time.js';
import { alignColumns } from './printers/table-printer.js';

export interface MembersTableOptions {
  /** Add NODE IP, POD SUBNET and ROLE (-o wide). */
  wide?: boolean;
  noHeaders?: boolean;
}

/**
 * How long ago the observer last heard an ack, at the time it read its table. Probes run about
 * once a second, so below 10 s tenths matter (`0.4s`); beyond that kubectl's AGE style (`2m5s`).
 */
export function lastAckAge(lastAckAt: string | undefined, observedAt: string, isObserver: boolean): string {
  if (isObserver) return '-';
  if (!lastAckAt) return '<never>';
  const ms = Math.max(0, Date.parse(observedAt) - Date.parse(lastAckAt));
  return ms < 10_000 ? `${(Math.floor(ms / 100) / 10).toFixed(1)}s` : humanDuration(ms);
}

export function membersTable(view: MembersView, options: MembersTableOptions = {}): string {
  const header = ['MEMBER', 'ADDRESS', 'STATE', 'INCARNATION', 'LAST ACK', ...(options.wide ? ['NODE IP', 'POD SUBNET', 'ROLE'] : [])];
  const rows = view.members.map((m) => [
    m.name,
    m.address,
    m.state,
    String(m.incarnation),
    lastAckAge(m.lastAckAt, view.observedAt, m.name === view.node),
    ...(options.wide ? [m.nodeIP ?? '<none>', m.podSubnet ?? '<none>', m.role ?? '<none>'] : []),
  ]);
  return alignColumns(options.noHeaders ? rows : [header, ...rows]);
}

/** One line per change: `2026-12-02T07:10:03.123Z  node1 sees node3  alive -> suspect  incarnation 1`. */
export function memberChangeLine(change: MemberChange): string {
  const transition = change.from === undefined ? `joined as ${change.to}` : `${change.from} -> ${change.to}`;
  const refuted = change.refuted ? '  (refuted: it raised its incarnation to beat the rumour)' : '';
  return `${change.time}  ${change.observer} sees ${change.member}  ${transition}  incarnation ${change.incarnation}${refuted}`;
}
