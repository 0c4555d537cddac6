// `kubelab replace -f FILE [--force]`: PUT each object of the files over the live one, the whole
// object at once (unlike apply and patch, which send only changes). Fields the file leaves out
// are gone afterwards; that is what replace means.
//
// A file without metadata.resourceVersion replaces whatever is live (the version is read first,
// as kubectl does); a file that carries one replaces only that version, so a concurrent writer
// makes it fail with 409 Conflict instead of being overwritten silently. An object that does not
// exist is not created: the PUT answers 404 (`kubelab create` creates).
//
// --force deletes each object, waits until it is gone, and creates it from the file: for fields
// the server refuses to change in place (a pod's containers, a Service's clusterIP).

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound } from '../../lib/errors.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError, withContext } from '../cli-errors.js';
import { withLastApplied } from '../apply-patch.js';
import { parseDryRun, renderWritten, type GeneratorOutputOptions } from '../generated-object.js';
import { loadManifestObjects } from '../manifest-sources.js';
import { parseOutputFormat } from '../output-format.js';
import { qualifiedSingular } from '../printers/name-printer.js';
import { deleteOptionsOf, waitUntilGone } from './delete.js';
import type { KubelabCommand } from './index.js';

export interface ReplaceOptions extends GeneratorOutputOptions {
  filename?: string[];
  force?: boolean;
  gracePeriod: number;
  saveConfig?: boolean;
}

export const replaceCommand: KubelabCommand<ReplaceOptions> = {
  command: 'replace',
  describe: 'Replace objects with the content of files: kubelab replace -f FILE [--force]',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'file, directory or - for stdin' })
      .option('force', { type: 'boolean', describe: 'delete each object and create it again from the file' })
      .option('grace-period', { type: 'number', default: -1, describe: 'with --force: seconds to let the object terminate; -1 uses its own' })
      .option('save-config', { type: 'boolean', describe: 'record the last-applied-configuration annotation, so apply can follow' })
      .option('dry-run', { type: 'string', describe: 'server: the server checks the objects and stores nothing' })
      .option('output', { alias: 'o', type: 'string', describe: 'print the replaced objects: json, yaml, name or jsonpath=TEMPLATE' }) as unknown as Argv<
      GlobalOptions & ReplaceOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runReplace(ctx, argv)),
};

export async function runReplace(ctx: CliContext, options: ReplaceOptions): Promise<void> {
  if (!options.filename?.length) throw new CliError('must specify --filename to replace');
  const dryRun = parseDryRun(options.dryRun);
  if (dryRun === 'client') throw new CliError('--dry-run=client is not supported by kubelab replace: use --dry-run=server');
  if (options.force && dryRun !== 'none') throw new CliError('--dry-run can not be used with --force');
  parseOutputFormat(options.output);
  const objects = await loadManifestObjects(options.filename, ctx.namespace, ctx.namespaceFromFlag);
  if (options.force) return forceReplace(ctx, objects, options);
  for (const { source, object, info } of objects) {
    const resource = resourceKey(info);
    try {
      const body = options.saveConfig ? withLastApplied(object) : structuredClone(object);
      if (!body.metadata.resourceVersion) {
        // Replace whatever is live: take its version. Absent, the PUT below answers 404.
        const live = await ctx.client.get(resource, body.metadata.namespace, body.metadata.name ?? '').catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
        if (live?.metadata.resourceVersion) body.metadata.resourceVersion = live.metadata.resourceVersion;
      }
      const replaced = await ctx.client.update(resource, body, { fieldManager: 'kubectl-replace', fieldValidation: 'Strict', dryRun: dryRun === 'server' });
      ctx.out(renderWritten({ ...body, ...replaced }, 'replaced', dryRun, options.output));
    } catch (err) {
      ctx.fail(withContext(err, `error when replacing "${source}"`));
    }
  }
}

async function forceReplace(ctx: CliContext, objects: Awaited<ReturnType<typeof loadManifestObjects>>, options: ReplaceOptions): Promise<void> {
  const deleteOptions = deleteOptionsOf({ gracePeriod: options.gracePeriod, cascade: 'background' });
  for (const { info, object } of objects) {
    const ref = { info, namespace: info.namespaced ? object.metadata.namespace : undefined, name: object.metadata.name ?? '' };
    try {
      const answer = await ctx.client.delete(resourceKey(info), ref.namespace, ref.name, deleteOptions);
      ctx.out(`${qualifiedSingular(info)} "${ref.name}" deleted\n`);
      if (answer?.kind !== 'Status') await waitUntilGone(ctx, ref, answer?.metadata?.uid);
    } catch (err) {
      if (!isNotFound(err)) return ctx.fail(err);
    }
  }
  for (const { source, info, object } of objects) {
    try {
      const body: KubeObject = options.saveConfig ? withLastApplied(object) : structuredClone(object);
      delete body.metadata.resourceVersion;
      const created = await ctx.client.create(resourceKey(info), body, { fieldManager: 'kubectl-replace', fieldValidation: 'Strict' });
      ctx.out(renderWritten({ ...body, ...created }, 'replaced', 'none', options.output));
    } catch (err) {
      ctx.fail(withContext(err, `error when replacing "${source}"`));
    }
  }
}
