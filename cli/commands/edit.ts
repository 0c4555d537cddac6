// `kubelab edit TYPE NAME [-o yaml|json]`: open the live object in $KUBE_EDITOR, else $EDITOR,
// else vi; when the editor exits, send what changed as a merge patch (cli/edit-buffer.ts) and
// print `deployment.apps/web edited`. The loop is kubectl's:
//   saved unchanged                   "Edit cancelled, no changes made."
//   saved empty                       "Edit cancelled, saved file was empty."
//   syntax error or 422 Invalid       the file opens again with the reasons in its header;
//                                     saved again without a change, the file is kept and the
//                                     command fails: "Edit cancelled, no valid changes were saved."
//   any other refusal (409, 403 ...)  the file is kept and `kubelab replace -f FILE` suggested

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, isNotFound } from '../../lib/errors.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError, CliExit } from '../cli-errors.js';
import { editHeader, isEmptyEdit, parseEdited, planEditPatch, renderObject, shownObject, stripComments, type EditReason } from '../edit-buffer.js';
import { resolveObjectRefs, type ObjectRef } from '../object-refs.js';
import { kindSlashName } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface EditCommandOptions {
  args: string[];
  filename?: string[];
  output?: string;
}

export const editCommand: KubelabCommand<EditCommandOptions> = {
  command: 'edit [args..]',
  describe: 'Edit an object in your editor ($KUBE_EDITOR, $EDITOR or vi) and save the change: kubelab edit TYPE NAME',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE NAME or TYPE/NAME' })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'edit the objects named in these files' })
      .option('output', { alias: 'o', type: 'string', default: 'yaml', describe: 'the format to edit in: yaml or json' }) as unknown as Argv<GlobalOptions & EditCommandOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runEdit(ctx, argv)),
};

/** The editor command line kubectl would run: $KUBE_EDITOR, $EDITOR, or vi. */
export function editorCommand(env: Record<string, string | undefined>): string {
  return env.KUBE_EDITOR?.trim() || env.EDITOR?.trim() || 'vi';
}

/** Runs the editor on the file with the terminal handed over; a command with spaces goes through sh, as in kubectl. */
async function launchEditor(editor: string, file: string): Promise<void> {
  const [command, args] = /\s/.test(editor) ? ['sh', ['-c', `${editor} "$1"`, 'sh', file]] : [editor, [file]];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  }).catch(() => -1);
  if (code !== 0) throw new CliError(`there was a problem with the editor "${editor}"`);
}

/** One object in the file: the ref it came from and what was shown. */
interface Edited {
  ref: ObjectRef;
  shown: KubeObject;
}

export async function runEdit(ctx: CliContext, options: EditCommandOptions): Promise<void> {
  const format = options.output ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') throw new CliError(`the edit mode only supports -o yaml or -o json, not "${format}"`);
  const refs = await resolveObjectRefs(ctx, { args: options.args, filename: options.filename });
  if (refs.length === 0) throw new CliError('edit needs an object: kubelab edit TYPE NAME');
  const objects: Edited[] = [];
  for (const ref of refs) objects.push({ ref, shown: shownObject(await ctx.client.get(resourceKey(ref.info), ref.namespace, ref.name)) });
  const shownValue = objects.length === 1 ? objects[0]!.shown : { apiVersion: 'v1', kind: 'List', items: objects.map((o) => o.shown), metadata: {} };
  const original = renderObject(shownValue, format);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-edit-'));
  const file = path.join(dir, `${path.basename(dir)}.${format}`);
  const editor = editorCommand(process.env);
  let reasons: EditReason[] = [];
  let previous: string | undefined; // the last saved text, when it failed
  let keepFile = false;
  try {
    for (;;) {
      await fs.writeFile(file, editHeader(reasons) + (previous === undefined ? original : stripComments(previous)));
      await launchEditor(editor, file);
      const saved = await fs.readFile(file, 'utf8');
      if (previous !== undefined && stripComments(previous) === stripComments(saved)) {
        keepFile = true;
        ctx.err(`A copy of your changes has been stored to "${file}"\n`);
        throw new CliError('Edit cancelled, no valid changes were saved.');
      }
      if (stripComments(saved) === stripComments(original)) return void ctx.err('Edit cancelled, no changes made.\n');
      if (isEmptyEdit(saved)) return void ctx.err('Edit cancelled, saved file was empty.\n');

      let edited: KubeObject[];
      try {
        const value = parseEdited(saved);
        edited = objects.length === 1 ? [value] : (((value as { items?: KubeObject[] }).items ?? []) as KubeObject[]);
      } catch (err) {
        reasons = [{ head: `The edited file had a syntax error: ${(err as Error).message}`, other: [] }];
        previous = saved;
        continue;
      }
      const outcome = await saveEdits(ctx, objects, edited);
      if (outcome.retryable) {
        keepFile = true;
        ctx.err(`You can run \`kubelab replace -f ${file}\` to try this update again.\n`);
        throw new CliExit(1);
      }
      if (outcome.notFound) {
        keepFile = true;
        ctx.err(`The edits you made on deleted resources have been saved to "${file}"\n`);
        throw new CliExit(1);
      }
      if (outcome.reasons.length === 0) return;
      reasons = outcome.reasons;
      previous = saved;
    }
  } finally {
    if (!keepFile) await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Patches each object that changed; collects what kubectl's editResults collects. */
async function saveEdits(ctx: CliContext, objects: Edited[], edited: KubeObject[]): Promise<{ reasons: EditReason[]; retryable: number; notFound: number }> {
  const result = { reasons: [] as EditReason[], retryable: 0, notFound: 0 };
  for (const [i, { ref, shown }] of objects.entries()) {
    const resourceString = resourceKey(ref.info);
    const after = edited.find((o) => o?.kind === shown.kind && o?.metadata?.name === ref.name) ?? (objects.length === 1 ? edited[0] : edited[i]);
    if (!after) continue;
    const patch = planEditPatch(shown, after);
    if (Object.keys(patch).length === 0) {
      ctx.out(`${kindSlashName(ref.info, ref.name)} skipped\n`);
      continue;
    }
    try {
      await ctx.client.patch(resourceString, ref.namespace, ref.name, patch, 'merge', { fieldManager: 'kubectl-edit' });
      ctx.out(`${kindSlashName(ref.info, ref.name)} edited\n`);
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'Invalid') {
        const causes = err.details?.causes ?? [];
        result.reasons.push({ head: `${resourceString} "${ref.name}" was not valid`, other: causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`) });
        ctx.err(`error: ${resourceString} "${ref.name}" is invalid\n`);
      } else if (isNotFound(err)) {
        result.notFound++;
        ctx.err(`error: ${resourceString} "${ref.name}" could not be found on the server\n`);
      } else {
        result.retryable++;
        ctx.err(`error: ${resourceString} "${ref.name}" could not be patched: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  }
  return result;
}
