// `kubelab get members [NAME...] [--node NODE] [-w]`: one node's view of the gossip membership
// (MEMBER, ADDRESS, STATE, INCARNATION, LAST ACK), read through the API server's node proxy
// (GET /api/v1/nodes/NODE/proxy/gossip/members), since only the node knows its own table.
// Without --node: the control plane's node, else the first Ready one. -w prints the table, then
// one timestamped line per change as the node applies it (alive -> suspect -> dead, refutations),
// streamed from the node until Ctrl-C.

import { createInterface } from 'node:readline';
import type { Node } from '../../lib/api/types.js';
import type { MemberChange, MembersView } from '../../lib/node-views/members.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { memberChangeLine, membersTable } from '../members-printer.js';
import { parseOutputFormat, type OutputFormat } from '../output-format.js';
import { printJson } from '../printers/json-printer.js';
import { printJsonPath } from '../printers/jsonpath.js';
import { printYaml } from '../printers/yaml-printer.js';

export interface GetMembersOptions {
  args: string[];
  output?: string;
  watch?: boolean;
  noHeaders?: boolean;
  node?: string;
}

/** `get members`, `get member`: not an API resource but a node's view, so get hands it here. */
export const isMembersRequest = (args: string[]): boolean => args[0] === 'members' || args[0] === 'member';

const isReady = (node: Node): boolean => (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const isControlPlane = (node: Node): boolean => Object.hasOwn(node.metadata.labels ?? {}, 'node-role.kubernetes.io/control-plane');

/** Whose view to show without --node: the Ready control-plane node (the server's own), else the first Ready node by name. */
export function pickMembersNode(nodes: Node[]): string | undefined {
  const ready = nodes.filter(isReady).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return (ready.find(isControlPlane) ?? ready[0])?.metadata.name;
}

const membersPath = (node: string) => `/api/v1/nodes/${encodeURIComponent(node)}/proxy/gossip/members`;

export async function runGetMembers(ctx: CliContext, options: GetMembersOptions): Promise<void> {
  const format = parseOutputFormat(options.output);
  if (format.kind === 'name') throw new CliError('-o name does not apply to members (they are not API objects); use -o wide, json, yaml or jsonpath');
  const names = options.args.slice(1);
  const node = options.node ?? pickMembersNode((await ctx.client.list<Node>('nodes')).items);
  if (!node) throw new CliError('no node is Ready to ask for its gossip view; name one with --node (kubelab get nodes lists them)');

  // Following: open the stream first, so no change between the table and the stream is lost.
  const changes = options.watch ? await ctx.client.request('GET', membersPath(node), { query: { watch: 'true' }, stream: true }) : undefined;
  try {
    const view = await ctx.client.request<MembersView>('GET', membersPath(node));
    const shown = names.length ? { ...view, members: view.members.filter((m) => names.includes(m.name)) } : view;
    for (const missing of names.filter((n) => !view.members.some((m) => m.name === n))) ctx.fail(new CliError(`node ${node} knows no gossip member "${missing}"`));
    if (!view.gossip) ctx.err(`node ${node} runs no gossip: a single-node cluster has no members to watch (kubelab lab up --nodes 3 makes a cluster that has)\n`);
    else if (format.kind === 'table') ctx.err(`gossip members as node ${node} sees them:\n`);
    if (shown.members.length > 0 || format.kind !== 'table') ctx.out(renderView(shown, format, options));
    if (!changes) return;

    for await (const line of createInterface({ input: changes, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      const change = JSON.parse(line) as MemberChange;
      if (names.length && !names.includes(change.member)) continue;
      ctx.out(format.kind === 'table' ? memberChangeLine(change) + '\n' : renderChange(change, format));
    }
    throw new CliError(`node ${node} stopped sending its gossip changes (its agent stopped, or the API server lost it); run the command again, or with --node another node`);
  } finally {
    changes?.destroy();
  }
}

function renderView(view: MembersView, format: OutputFormat, options: GetMembersOptions): string {
  switch (format.kind) {
    case 'json':
      return printJson(view);
    case 'yaml':
      return printYaml(view);
    case 'jsonpath':
      return printJsonPath(format.template, view);
    default:
      return membersTable(view, { wide: format.kind === 'table' && format.wide, noHeaders: options.noHeaders });
  }
}

function renderChange(change: MemberChange, format: OutputFormat): string {
  if (format.kind === 'yaml') return '---\n' + printYaml(change);
  if (format.kind === 'jsonpath') return printJsonPath(format.template, change);
  return printJson(change);
}
