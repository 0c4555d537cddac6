// `kubelab patch TYPE NAME -p PATCH [--type=strategic|merge|json] [--subresource=status|scale]`:
// GET the object (so the outcome can say `(no change)`), PATCH it with the body and content type
// the user chose (cli/patch-request.ts), print `deployment.apps/web patched` or the object (-o).
// --dry-run=server sends `?dryRun=All`: the server applies and validates the patch, stores nothing.

import fs from 'node:fs/promises';
import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { dryRunSuffix, parseDryRun, renderWritten, type GeneratorOutputOptions } from '../generated-object.js';
import { resolveObjectRefs } from '../object-refs.js';
import { parseOutputFormat } from '../output-format.js';
import { parsePatchBody, parsePatchType, patchOutcome } from '../patch-request.js';
import { kindSlashName } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface PatchCommandOptions extends GeneratorOutputOptions {
  args: string[];
  patch?: string;
  patchFile?: string;
  type?: string;
  subresource?: string;
  filename?: string[];
}

export const patchCommand: KubelabCommand<PatchCommandOptions> = {
  command: 'patch [args..]',
  describe: 'Update fields of an object with a strategic merge, JSON merge or JSON patch: kubelab patch TYPE NAME -p PATCH',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE NAME or TYPE/NAME' })
      .option('patch', { alias: 'p', type: 'string', describe: 'the patch, JSON or YAML' })
      .option('patch-file', { type: 'string', describe: 'a file holding the patch' })
      .option('type', { type: 'string', default: 'strategic', describe: 'strategic, merge or json' })
      .option('subresource', { type: 'string', choices: ['status', 'scale'], describe: 'patch this subresource instead of the object' })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'the object named in these files' })
      .option('dry-run', { type: 'string', describe: 'server: the server checks the patch and stores nothing' })
      .option('output', { alias: 'o', type: 'string', describe: 'print the patched object: json, yaml, name or jsonpath=TEMPLATE' }) as unknown as Argv<
      GlobalOptions & PatchCommandOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runPatch(ctx, argv)),
};

export async function runPatch(ctx: CliContext, options: PatchCommandOptions): Promise<void> {
  const type = parsePatchType(options.type);
  const dryRun = parseDryRun(options.dryRun);
  if (dryRun === 'client') throw new CliError('--dry-run=client is not supported by kubelab patch: use --dry-run=server, which lets the server apply the patch and store nothing');
  const format = parseOutputFormat(options.output);
  if (options.patch === undefined && options.patchFile === undefined) throw new CliError('must specify --patch or --patch-file containing the contents of the patch');
  const text = options.patch ?? (await fs.readFile(options.patchFile!, 'utf8').catch((err: Error) => {
    throw new CliError(`unable to read patch file: ${err.message}`, { cause: err });
  }));
  const body = parsePatchBody(text, type);
  const refs = await resolveObjectRefs(ctx, { args: options.args, filename: options.filename });
  const subresource = options.subresource as 'status' | 'scale' | undefined;
  for (const ref of refs) {
    const resource = resourceKey(ref.info);
    try {
      const before = subresource === 'scale' ? await ctx.client.getScale(resource, ref.namespace ?? '', ref.name) : await ctx.client.get(resource, ref.namespace, ref.name);
      const after = await ctx.client.patch(resource, ref.namespace, ref.name, body, type, { subresource, dryRun: dryRun === 'server', fieldManager: 'kubectl-patch' });
      const outcome = patchOutcome(before, after);
      if (format.kind === 'table') ctx.out(`${kindSlashName(ref.info, ref.name)} ${outcome}${dryRunSuffix(dryRun)}\n`);
      else ctx.out(renderWritten(after, outcome, dryRun, options.output));
    } catch (err) {
      ctx.fail(err);
    }
  }
}
