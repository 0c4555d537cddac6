// `kubelab scale TYPE/NAME --replicas=N`: a merge patch of spec.replicas on the object's /scale
// subresource, the one door every scalable kind shares (deployments, replicasets, rcs).
//
// With a precondition (--current-replicas, --resource-version) kubectl reads the Scale first,
// refuses when it does not match, and writes the whole Scale back with PUT, so a concurrent
// change between the read and the write fails with a Conflict instead of being overwritten.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import { resourcePath } from '../../lib/client/api-paths.js';
import type { Scale } from '../../lib/client/rest-client.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { resolveObjectRefs, type ObjectRef } from '../object-refs.js';
import { kindSlashName } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface ScaleOptions {
  args: string[];
  replicas: number;
  currentReplicas?: number;
  resourceVersion?: string;
  filename?: string[];
  selector?: string;
  all?: boolean;
}

export const scaleCommand: KubelabCommand<ScaleOptions> = {
  command: 'scale [args..]',
  describe: 'Set a new size for a deployment, replica set or replication controller',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE NAME or TYPE/NAME' })
      .option('replicas', { type: 'number', demandOption: true, describe: 'the new desired number of replicas' })
      .option('current-replicas', { type: 'number', default: -1, describe: 'only scale if the current size is this; -1 for any' })
      .option('resource-version', { type: 'string', describe: 'only scale if the resourceVersion is this' })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'the objects named in these files' })
      .option('selector', { alias: 'l', type: 'string', describe: 'every object of the type matching this label selector' })
      .option('all', { type: 'boolean', describe: 'every object of the type in the namespace' }) as unknown as Argv<GlobalOptions & ScaleOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runScale(ctx, argv)),
};

export async function runScale(ctx: CliContext, options: ScaleOptions): Promise<void> {
  if (!Number.isInteger(options.replicas) || options.replicas < 0) throw new CliError(`the --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0`);
  const refs = await resolveObjectRefs(ctx, { args: options.args, filename: options.filename, selector: options.selector, all: options.all });
  for (const ref of refs) {
    if (!ref.info.subresources.some((s) => s.name === 'scale')) throw new CliError(`cannot scale ${ref.info.plural}: only deployments, replicasets, statefulsets and replicationcontrollers have a scale subresource`);
  }
  for (const ref of refs) {
    const namespace = ref.namespace ?? ctx.namespace;
    try {
      await ctx.client.get(resourceKey(ref.info), namespace, ref.name);
      const withPrecondition = (options.currentReplicas ?? -1) >= 0 || Boolean(options.resourceVersion);
      if (withPrecondition) await scaleWithPrecondition(ctx, ref, namespace, options);
      else await ctx.client.patchScale(resourceKey(ref.info), namespace, ref.name, options.replicas);
      ctx.out(`${kindSlashName(ref.info, ref.name)} scaled\n`);
    } catch (err) {
      ctx.fail(err);
    }
  }
}

async function scaleWithPrecondition(ctx: CliContext, ref: ObjectRef, namespace: string, options: ScaleOptions): Promise<void> {
  const scale = await ctx.client.getScale(resourceKey(ref.info), namespace, ref.name);
  const current = scale.spec.replicas ?? 0;
  if ((options.currentReplicas ?? -1) >= 0 && current !== options.currentReplicas) {
    throw new CliError(`Expected replicas to be ${options.currentReplicas}, was ${current}`);
  }
  if (options.resourceVersion && scale.metadata.resourceVersion !== options.resourceVersion) {
    throw new CliError(`Expected resource version to be ${options.resourceVersion}, was ${scale.metadata.resourceVersion}`);
  }
  scale.spec.replicas = options.replicas;
  await ctx.client.request<Scale>('PUT', resourcePath(ref.info, namespace, ref.name, 'scale'), { body: scale, query: { fieldManager: 'kubectl-scale' } });
}
