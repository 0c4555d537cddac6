// `kubelab label TYPE NAME k=v k2-` and, through the same code, `kubelab annotate`: GET each
// object, plan the change (metadata-edit.ts), send it as a JSON merge patch of
// metadata.labels or metadata.annotations, print `pod/web labeled`.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { isMetadataChange, parseMetadataChanges, planMetadataPatch } from '../metadata-edit.js';
import { resolveObjectRefs } from '../object-refs.js';
import { kindSlashName } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface MetadataCommandOptions {
  args: string[];
  overwrite?: boolean;
  selector?: string;
  all?: boolean;
  filename?: string[];
}

type Field = 'labels' | 'annotations';

export function metadataCommand(verb: 'label' | 'annotate', field: Field): KubelabCommand<MetadataCommandOptions> {
  return {
    command: `${verb} [args..]`,
    describe: `Update the ${field} of resources: key=value sets, key- removes`,
    builder: (y: Argv<GlobalOptions>) =>
      y
        .positional('args', { type: 'string', array: true, default: [] })
        .option('overwrite', { type: 'boolean', describe: 'allow changing a value that is already set' })
        .option('selector', { alias: 'l', type: 'string', describe: 'every object of the type matching this label selector' })
        .option('all', { type: 'boolean', describe: 'every object of the type in the namespace' })
        .option('filename', { alias: 'f', type: 'string', array: true, describe: 'the objects named in these files' }) as unknown as Argv<
        GlobalOptions & MetadataCommandOptions
      >,
    handler: (argv) => withCliContext(argv, (ctx) => runMetadataEdit(ctx, argv, verb, field)),
  };
}

export const labelCommand = metadataCommand('label', 'labels');

export async function runMetadataEdit(ctx: CliContext, options: MetadataCommandOptions, verb: 'label' | 'annotate', field: Field): Promise<void> {
  const changeArgs = options.args.filter(isMetadataChange);
  const objectArgs = options.args.filter((a) => !isMetadataChange(a));
  if (changeArgs.length === 0) throw new CliError(`at least one ${field === 'labels' ? 'label' : 'annotation'} update is required`);
  const changes = parseMetadataChanges(changeArgs);
  const refs = await resolveObjectRefs(ctx, { args: objectArgs, filename: options.filename, selector: options.selector, all: options.all });
  const done = verb === 'label' ? 'labeled' : 'annotated';
  for (const ref of refs) {
    const resource = resourceKey(ref.info);
    try {
      const live = await ctx.client.get(resource, ref.namespace, ref.name);
      const patch = planMetadataPatch(live.metadata[field] as Record<string, string> | undefined, changes, options.overwrite ?? false);
      if (patch) {
        await ctx.client.patch(resource, ref.namespace, ref.name, { metadata: { [field]: patch } }, 'merge', { fieldManager: `kubectl-${verb}` });
      }
      ctx.out(`${kindSlashName(ref.info, ref.name)} ${patch ? done : `not ${done}`}\n`);
    } catch (err) {
      ctx.fail(err);
    }
  }
}
