// `kubelab scale TYPE/NAME --replicas=N`: a merge patch of spec.replicas on the object's /scale
// subresource, the one door every scalable kind shares (deployments, replicasets, rcs).

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { kindSlashName } from '../printers/name-printer.js';
import { parseResourceArgs } from '../resource-args.js';
import type { KubelabCommand } from './index.js';

export interface ScaleOptions {
  args: string[];
  replicas: number;
}

export const scaleCommand: KubelabCommand<ScaleOptions> = {
  command: 'scale [args..]',
  describe: 'Set a new size for a deployment, replica set or replication controller',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE NAME or TYPE/NAME' })
      .option('replicas', { type: 'number', demandOption: true, describe: 'the new desired number of replicas' }) as unknown as Argv<GlobalOptions & ScaleOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runScale(ctx, argv)),
};

export async function runScale(ctx: CliContext, options: ScaleOptions): Promise<void> {
  if (!Number.isInteger(options.replicas) || options.replicas < 0) throw new CliError(`the --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0`);
  for (const { info, names } of parseResourceArgs(options.args)) {
    if (!info.subresources.some((s) => s.name === 'scale')) throw new CliError(`cannot scale ${info.plural}: only deployments, replicasets and replicationcontrollers have a scale subresource`);
    if (names.length === 0) throw new CliError('resource(s) were provided, but no name was specified');
    for (const name of names) {
      try {
        await ctx.client.get(resourceKey(info), ctx.namespace, name);
        await ctx.client.patchScale(resourceKey(info), ctx.namespace, name, options.replicas);
        ctx.out(`${kindSlashName(info, name)} scaled\n`);
      } catch (err) {
        ctx.fail(err);
      }
    }
  }
}
