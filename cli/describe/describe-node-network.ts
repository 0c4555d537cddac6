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
  if (section.routes.length) w.line(1, 'Routes to peers:');
  else w.line(1, 'Routes to peers:', '<none>');
  if (section.routes.length) {
    w.line(2, 'Destination', 'Via', 'Peer', 'Status');
    w.line(2, '-----------', '---', '----', '------');
    for (const r of section.routes) w.line(2, r.destination, r.via, r.peer, r.status);
  }
  if (section.listeners.length) w.line(1, 'Proxy listeners:');
  else w.line(1, 'Proxy listeners:', '<none>');
  if (section.listeners.length) {
    w.line(2, 'Service', 'Type', 'Address', 'Endpoints');
    w.line(2, '-------', '----', '-------', '---------');
    for (const l of section.listeners) w.line(2, l.service, l.kind, l.address, l.detail);
  }
  for (const note of section.notes) w.line(1, 'Note:', note);
}
