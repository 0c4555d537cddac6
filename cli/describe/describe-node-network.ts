// The Network section of `kubelab describe node`: what the node itself reports about its network
// (GET /api/v1/nodes/NAME/proxy/network), laid out by planNetworkSection (lib/node-views/network.ts).

import { errorMessage } from '../../lib/errors.js';
import type { Node } from '../../lib/api/types.js';
import { planNetworkSection, type NetworkSection, type NodeNetworkReport } from '../../lib/node-views/network.js';
import type { CliContext } from '../cli-context.js';
import type { DescribeWriter } from './tab-writer.js';

export async function describeNodeNetwork(ctx: CliContext, w: DescribeWriter, node: Node): Promise<void> {
  let report: NodeNetworkReport;
  try {
    report = await ctx.client.request<NodeNetworkReport>('GET', `/api/v1/nodes/${encodeURIComponent(node.metadata.name ?? '')}/proxy/network`);
  } catch (err) {
    w.line(0, 'Network:', `<unavailable: ${errorMessage(err)}>`);
    return;
  }
  writeNetworkSection(w, planNetworkSection(report));
}

export function writeNetworkSection(w: DescribeWriter, section: NetworkSection): void {
  w.line(0, 'Network:');
  w.line(1, 'Pod Subnet:', section.podSubnet);
  w.line(1, 'Cluster DNS:', section.dns);
  writeTable(w, 'Routes to peers:', ['Destination', 'Via', 'Peer', 'Status'], section.routes.map((r) => [r.destination, r.via, r.peer, r.status]));
  writeTable(w, 'Proxy listeners:', ['Service', 'Type', 'Address', 'Endpoints'], section.listeners.map((l) => [l.service, l.kind, l.address, l.detail]));
  for (const note of section.notes) w.line(1, 'Note:', note);
}

/** A titled table under the Network section, or the title with `<none>`. */
function writeTable(w: DescribeWriter, title: string, headers: string[], rows: string[][]): void {
  if (rows.length === 0) {
    w.line(1, title, '<none>');
    return;
  }
  w.line(1, title);
  w.line(2, ...headers);
  w.line(2, ...headers.map((h) => '-'.repeat(h.length)));
  for (const row of rows) w.line(2, ...row);
}
