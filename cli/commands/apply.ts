// `kubelab apply -f`: make the cluster look like the files. An object that does not exist is
// created with its last-applied-configuration annotation; one that exists is patched with the
// three-way merge patch that apply-patch.ts plans (nothing is sent when it is empty).
// Prints `pod/web created`, `configured` or `unchanged`, like kubectl's client-side apply.
// With --server-side the server does the merge instead (server-side-apply.ts): it keeps track of
// which manager owns which field and refuses to change another manager's field unless
// --force-conflicts; prints `pod/web serverside-applied`.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound } from '../../lib/errors.js';
import { lastAppliedOf, planApplyPatch, withLastApplied, LAST_APPLIED_ANNOTATION } from '../apply-patch.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError, withContext } from '../cli-errors.js';
import { loadManifestObjects, type ManifestObject } from '../manifest-sources.js';
import { explainApplyConflict, serverSideApply } from '../server-side-apply.js';
import { kindSlashName } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface ApplyOptions {
  filename?: string[];
  serverSide?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
}

export const applyCommand: KubelabCommand<ApplyOptions> = {
  command: 'apply',
  describe: 'Apply a configuration to resources from files or stdin: create them, or patch them to match',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'file, directory or - for stdin' })
      .option('server-side', { type: 'boolean', default: false, describe: 'let the server merge (server-side apply) and track field ownership' })
      .option('force-conflicts', { type: 'boolean', default: false, describe: 'with --server-side: take over fields other managers own' })
      .option('field-manager', { type: 'string', describe: 'the manager name that owns the applied fields (default kubectl for --server-side)' }) as unknown as Argv<
      GlobalOptions & ApplyOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runApply(ctx, argv)),
};

export async function runApply(ctx: CliContext, options: ApplyOptions): Promise<void> {
  const objects = await loadManifestObjects(options.filename ?? [], ctx.namespace, ctx.namespaceFromFlag);
  if (options.forceConflicts && !options.serverSide) throw new CliError('--force-conflicts only works with --server-side');
  if (options.serverSide) {
    for (const { object, info } of objects) {
      try {
        await serverSideApply(ctx, info, object, { fieldManager: options.fieldManager ?? 'kubectl', force: options.forceConflicts ?? false });
        ctx.out(`${kindSlashName(info, object.metadata.name ?? '')} serverside-applied\n`);
      } catch (err) {
        ctx.fail(explainApplyConflict(err));
      }
    }
    return;
  }
  for (const manifest of objects) {
    try {
      ctx.out(`${kindSlashName(manifest.info, manifest.object.metadata.name ?? '')} ${await applyOne(ctx, manifest, options.fieldManager ?? 'kubectl-client-side-apply')}\n`);
    } catch (err) {
      ctx.fail(err);
    }
  }
}

async function applyOne(ctx: CliContext, { object, info, source }: ManifestObject, fieldManager: string): Promise<'created' | 'configured' | 'unchanged'> {
  const resource = resourceKey(info);
  const namespace = object.metadata.namespace;
  const name = object.metadata.name ?? '';
  const modified = withLastApplied(object);
  let live: KubeObject;
  try {
    live = await ctx.client.get(resource, namespace, name);
  } catch (err) {
    if (!isNotFound(err)) throw withContext(err, `error when retrieving current configuration of ${resource} "${name}" from "${source}"`);
    try {
      await ctx.client.create(resource, modified, { fieldValidation: 'Warn', fieldManager });
    } catch (createErr) {
      throw withContext(createErr, `error when creating "${source}"`);
    }
    return 'created';
  }
  const original = lastAppliedOf(live);
  if (!original) {
    ctx.err(
      `Warning: resource ${resource}/${name} is missing the ${LAST_APPLIED_ANNOTATION} annotation which is required by kubelab apply. ` +
        'kubelab apply should only be used on resources created declaratively by either kubelab create --save-config or kubelab apply. ' +
        'The missing annotation will be patched automatically.\n',
    );
  }
  const patch = planApplyPatch(original, modified, live);
  if (Object.keys(patch).length === 0) return 'unchanged';
  try {
    await ctx.client.patch(resource, namespace, name, patch, 'merge', { fieldValidation: 'Warn', fieldManager });
  } catch (err) {
    throw withContext(err, `error when applying patch to ${resource} "${name}" from "${source}"`);
  }
  return 'configured';
}
