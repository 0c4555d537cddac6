// `kubelab diff -f FILE`: what `kubelab apply -f FILE` would change, without changing it. Each
// object is sent as the apply would send it, with `dryRun=All`: the server runs its whole write
// pipeline (defaults, validation, field ownership) and answers the object it would store, but
// stores nothing. The live object and that answer are printed as a unified diff
// (object-diff.ts). As kubectl diff: exit 0 when nothing would change, 1 when something would.
// `--server-side` diffs a server-side apply instead of a client-side one.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound } from '../../lib/errors.js';
import { lastAppliedOf, planApplyPatch, withLastApplied } from '../apply-patch.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliExit } from '../cli-errors.js';
import { loadManifestObjects, type ManifestObject } from '../manifest-sources.js';
import { diffFileName, planObjectDiff } from '../object-diff.js';
import { explainApplyConflict, serverSideApply } from '../server-side-apply.js';
import type { KubelabCommand } from './index.js';

export interface DiffOptions {
  filename?: string[];
  serverSide?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
}

export const diffCommand: KubelabCommand<DiffOptions> = {
  command: 'diff',
  describe: 'Show what apply -f would change: live objects against the server\'s dry run (exit 1 when they differ)',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'file, directory or - for stdin' })
      .option('server-side', { type: 'boolean', default: false, describe: 'diff a server-side apply' })
      .option('force-conflicts', { type: 'boolean', default: false, describe: 'with --server-side: as if forcing conflicts' })
      .option('field-manager', { type: 'string', describe: 'the manager name of the dry-run write' }) as unknown as Argv<GlobalOptions & DiffOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runDiff(ctx, argv)),
};

export async function runDiff(ctx: CliContext, options: DiffOptions): Promise<void> {
  const objects = await loadManifestObjects(options.filename ?? [], ctx.namespace, ctx.namespaceFromFlag);
  let differs = false;
  for (const manifest of objects) {
    const { object, info } = manifest;
    const name = object.metadata.name ?? '';
    const live = await ctx.client.get(resourceKey(info), object.metadata.namespace, name).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const merged = await dryRunApply(ctx, manifest, live, options).catch((err: unknown) => {
      throw explainApplyConflict(err);
    });
    const text = planObjectDiff(diffFileName(info, object.metadata.namespace, name), live, merged);
    if (text) {
      ctx.out(text);
      differs = true;
    }
  }
  if (differs) throw new CliExit(1);
}

/** The object the apply would leave, from the server's dry run of the same request. */
async function dryRunApply(ctx: CliContext, { object, info }: ManifestObject, live: KubeObject | undefined, options: DiffOptions): Promise<KubeObject> {
  if (options.serverSide) {
    return serverSideApply(ctx, info, object, { fieldManager: options.fieldManager ?? 'kubectl', force: options.forceConflicts ?? false, dryRun: true });
  }
  const fieldManager = options.fieldManager ?? 'kubectl-client-side-apply';
  const resource = resourceKey(info);
  if (!live) return ctx.client.create(resource, object, { dryRun: true, fieldManager });
  const patch = planApplyPatch(lastAppliedOf(live), withLastApplied(object), live);
  if (Object.keys(patch).length === 0) return live;
  return ctx.client.patch(resource, object.metadata.namespace, object.metadata.name ?? '', patch, 'merge', { dryRun: true, fieldManager });
}
