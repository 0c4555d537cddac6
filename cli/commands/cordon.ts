// `kubelab cordon NODE`: mark a node unschedulable, kubectl's first step of maintenance.
//
// Cordoning writes one field, spec.unschedulable, and changes nothing that runs: the pods already
// on the node stay; the scheduler just stops choosing it (`0/3 nodes are available: 1 node(s)
// were unschedulable, ...`) unless a pod tolerates node.kubernetes.io/unschedulable.
// `kubelab uncordon` writes it back; `kubelab drain` cordons first, then evicts.

import type { Argv } from 'yargs';
import { resourceByKey } from '../../lib/api/resources.js';
import type { Node } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { kindSlashName } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface NodeArgs {
  nodes: string[];
}

/** The positional NODE... both cordon and uncordon take. */
export const nodeArgsBuilder = (y: Argv<GlobalOptions>) =>
  y.positional('nodes', { type: 'string', array: true, default: [], describe: 'the node(s) to change' }) as unknown as Argv<GlobalOptions & NodeArgs>;

export const cordonCommand: KubelabCommand<NodeArgs> = {
  command: 'cordon [nodes..]',
  describe: 'Mark node as unschedulable',
  builder: nodeArgsBuilder,
  handler: (argv) => withCliContext(argv, (ctx) => runSetUnschedulable(ctx, argv.nodes, true)),
};

export async function runSetUnschedulable(ctx: CliContext, nodes: string[], unschedulable: boolean): Promise<void> {
  if (nodes.length === 0) throw new CliError(`you must specify a node name: kubelab ${unschedulable ? 'cordon' : 'uncordon'} NODE`);
  for (const node of nodes) {
    try {
      await setUnschedulable(ctx, node, unschedulable);
    } catch (err) {
      ctx.fail(err);
    }
  }
}

/**
 * Sets spec.unschedulable and prints kubectl's line: `node/n cordoned`, `node/n already cordoned`,
 * `node/n uncordoned`. Uncordoning removes the field (a merge patch with null), as kubectl's
 * patch does, since false is its default.
 */
export async function setUnschedulable(ctx: CliContext, nodeName: string, unschedulable: boolean): Promise<void> {
  const node = await ctx.client.get<Node>('nodes', undefined, nodeName);
  const done = unschedulable ? 'cordoned' : 'uncordoned';
  const name = kindSlashName(resourceByKey('nodes')!, nodeName);
  if (Boolean(node.spec?.unschedulable) === unschedulable) return ctx.out(`${name} already ${done}\n`);
  await ctx.client.patch('nodes', undefined, nodeName, { spec: { unschedulable: unschedulable ? true : null } }, 'merge', { fieldManager: 'kubectl-cordon' });
  ctx.out(`${name} ${done}\n`);
}
