// `kubelab rollout undo deployment/NAME [--to-revision N]`: roll back to an earlier version.
//
// There is no "undo" in the API: like kubectl, the CLI finds the ReplicaSet of that revision
// (the previous one by default) and writes its pod template back into the Deployment with a
// JSON patch. The controller then sees a template change like any other, recognises the old
// ReplicaSet as the one for this template, re-uses it and gives it the next revision number.

import type { Argv } from 'yargs';
import { errorMessage } from '../../lib/errors.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { equalIgnoreHash, ownedReplicaSets, pickRollbackReplicaSet, planRollbackPatch } from '../rollout/deployment-revisions.js';
import { daemonSetRevisions, planDaemonSetRollback } from '../rollout/daemon-set-rollout.js';
import { getDaemonSet, getDeployment, getStatefulSet, groupKind, rolloutTargets } from '../rollout/rollout-target.js';
import type { KubelabCommand } from './index.js';

export interface RolloutUndoOptions {
  args: string[];
  toRevision: number;
}

export const rolloutUndoCommand: KubelabCommand<RolloutUndoOptions> = {
  command: 'undo [args..]',
  describe: 'Roll back to a previous revision of a deployment or daemon set',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'deployment/NAME, daemonset/NAME or statefulset/NAME' })
      .option('to-revision', { type: 'number', default: 0, describe: 'the revision to roll back to; 0 is the previous one' }) as unknown as Argv<
      GlobalOptions & RolloutUndoOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runRolloutUndo(ctx, argv)),
};

export async function runRolloutUndo(ctx: CliContext, options: RolloutUndoOptions): Promise<void> {
  const targets = rolloutTargets(options.args, ({ info }) => `no rollbacker has been implemented for "${groupKind(info)}"`, ['Deployment', 'DaemonSet', 'StatefulSet']);
  for (const { info, name } of targets) {
    if (info.kind === 'DaemonSet' || info.kind === 'StatefulSet') {
      await undoByRevision(ctx, info.kind, name, options.toRevision);
      continue;
    }
    const d = await getDeployment(ctx, name);
    if (d.spec.paused) {
      throw new CliError(`you cannot rollback a paused deployment; resume it first with 'kubelab rollout resume deployment/${name}' and try again`);
    }
    const rs = pickRollbackReplicaSet(d, await ownedReplicaSets(ctx.client, d), options.toRevision);
    if (equalIgnoreHash(rs.spec.template, d.spec.template)) {
      ctx.out(`deployment.apps/${name} skipped rollback (current template already matches revision ${options.toRevision})\n`);
      continue;
    }
    try {
      await ctx.client.patch('deployments.apps', ctx.namespace, name, planRollbackPatch(d, rs), 'json');
    } catch (err) {
      throw new CliError(`failed restoring revision ${options.toRevision}: ${errorMessage(err)}`, { cause: err });
    }
    ctx.out(`deployment.apps/${name} rolled back\n`);
  }
}

/** A DaemonSet or StatefulSet goes back by its revision's own patch (DaemonSetRollbacker, StatefulSetRollbacker). */
async function undoByRevision(ctx: CliContext, kind: 'DaemonSet' | 'StatefulSet', name: string, toRevision: number): Promise<void> {
  const plural = kind === 'DaemonSet' ? 'daemonset' : 'statefulset';
  const workload = kind === 'DaemonSet' ? await getDaemonSet(ctx, name) : await getStatefulSet(ctx, name);
  const plan = planDaemonSetRollback(workload, await daemonSetRevisions(ctx.client, workload), toRevision);
  if (plan.skip) {
    ctx.out(`${plural}.apps/${name} skipped rollback (current template already matches revision ${toRevision})\n`);
    return;
  }
  try {
    await ctx.client.patch(`${plural}s.apps`, ctx.namespace, name, plan.patch, 'strategic');
  } catch (err) {
    throw new CliError(`failed restoring revision ${toRevision}: ${errorMessage(err)}`, { cause: err });
  }
  ctx.out(`${plural}.apps/${name} rolled back\n`);
}
