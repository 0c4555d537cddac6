// `kubelab delete`: DELETE each named object, print `pod "web" deleted`, then (unless
// --wait=false) wait until the server has really removed it: a pod being deleted gracefully
// stays, Terminating, until its kubelet has stopped the containers. Waiting is a list followed
// by a watch for the DELETED event, as kubectl does, never a polling loop.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { DeleteOptions } from '../../lib/client/api-client.js';
import { isNotFound } from '../../lib/errors.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { resolveObjectRefs, type ObjectRef } from '../object-refs.js';
import { qualifiedSingular } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface DeleteCommandOptions {
  args: string[];
  filename?: string[];
  selector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  gracePeriod: number;
  now?: boolean;
  force?: boolean;
  wait: boolean;
  cascade: string;
  ignoreNotFound?: boolean;
}

export const deleteCommand: KubelabCommand<DeleteCommandOptions> = {
  command: 'delete [args..]',
  describe: 'Delete resources by file, by type and name, or by type and label selector',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [] })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'file, directory or - for stdin' })
      .option('selector', { alias: 'l', type: 'string', describe: 'delete every object matching this label selector' })
      .option('all', { type: 'boolean', describe: 'delete every object of the type in the namespace' })
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'with -l or --all: in every namespace' })
      .option('grace-period', { type: 'number', default: -1, describe: 'seconds to let the object terminate; -1 uses its own' })
      .option('now', { type: 'boolean', describe: 'same as --grace-period=1' })
      .option('force', { type: 'boolean', describe: 'with --grace-period=0: remove at once' })
      .option('wait', { type: 'boolean', default: true, describe: 'wait until the objects are gone' })
      .option('cascade', { type: 'string', default: 'background', describe: 'background, foreground or orphan: what happens to owned objects' })
      .option('ignore-not-found', { type: 'boolean', describe: 'treat "not found" as a successful delete' }) as unknown as Argv<
      GlobalOptions & DeleteCommandOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runDelete(ctx, argv)),
};

/** kubectl's --cascade values (and the old true/false) as a propagation policy. */
export function propagationPolicyOf(cascade: string): DeleteOptions['propagationPolicy'] {
  switch (cascade.toLowerCase()) {
    case 'background':
    case 'true':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
    case 'false':
      return 'Orphan';
    default:
      throw new CliError(`invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
  }
}

export function deleteOptionsOf(options: Pick<DeleteCommandOptions, 'gracePeriod' | 'now' | 'cascade'>): DeleteOptions {
  const grace = options.now ? 1 : options.gracePeriod;
  return {
    propagationPolicy: propagationPolicyOf(options.cascade),
    ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}),
  };
}

export async function runDelete(ctx: CliContext, options: DeleteCommandOptions): Promise<void> {
  const deleteOptions = deleteOptionsOf(options);
  const refs = await resolveObjectRefs(ctx, options);
  if (refs.length === 0) {
    ctx.err(options.allNamespaces ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`);
    return;
  }
  const pending: { ref: ObjectRef; uid?: string }[] = [];
  for (const ref of refs) {
    try {
      const answer = await ctx.client.delete(resourceKey(ref.info), ref.namespace, ref.name, deleteOptions);
      ctx.out(`${qualifiedSingular(ref.info)} "${ref.name}" deleted\n`);
      // A Status answer means the object is already gone; an object answer may still be terminating.
      if (answer?.kind !== 'Status') pending.push({ ref, uid: answer?.metadata?.uid });
    } catch (err) {
      if (options.ignoreNotFound && isNotFound(err)) continue;
      ctx.fail(err);
    }
  }
  if (!options.wait) return;
  for (const { ref, uid } of pending) await waitUntilGone(ctx, ref, uid);
}

/** Resolves once no object of that name (and uid, when known) exists. */
export async function waitUntilGone(ctx: CliContext, ref: ObjectRef, uid?: string): Promise<void> {
  const resource = resourceKey(ref.info);
  const fieldSelector = `metadata.name=${ref.name}`;
  const isIt = (o: { metadata?: { name?: string; uid?: string } }) => o.metadata?.name === ref.name && (!uid || o.metadata?.uid === uid);
  for (;;) {
    const list = await ctx.client.list(resource, { namespace: ref.namespace, fieldSelector });
    if (!list.items.some(isIt)) return;
    let gone = false;
    const watch = ctx.client.watch(resource, { namespace: ref.namespace, fieldSelector, resourceVersion: list.metadata.resourceVersion }, (event) => {
      if (event.type === 'ERROR' || (event.type === 'DELETED' && isIt(event.object))) {
        gone = event.type === 'DELETED';
        watch.stop();
      }
    });
    await watch.done;
    if (gone) return;
    // The server ended the watch (timeout, or our resourceVersion expired): look again shortly.
    await new Promise((r) => setTimeout(r, 500));
  }
}
