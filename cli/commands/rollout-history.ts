// `kubelab rollout history deployment/NAME [--revision N]`: the versions a Deployment has rolled
// out, read from the ReplicaSets it owns (one per template, numbered by their revision
// annotation), with the change-cause each was annotated with. With --revision, the pod template
// of that version, printed like `describe` prints a template (kubectl leaves its tabs raw here).

import type { Argv } from 'yargs';
import type { PodTemplateSpec, ReplicaSet } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { describeTemplate } from '../describe/describe-common.js';
import { alignTabs, DescribeWriter } from '../describe/tab-writer.js';
import { CHANGE_CAUSE_ANNOTATION, ownedReplicaSets, revisionOf } from '../rollout/deployment-revisions.js';
import { daemonSetHistory, daemonSetRevisions } from '../rollout/daemon-set-rollout.js';
import { getDaemonSet, getDeployment, getStatefulSet, groupKind, rolloutTargets } from '../rollout/rollout-target.js';
import type { KubelabCommand } from './index.js';

export interface RolloutHistoryOptions {
  args: string[];
  revision: number;
}

export const rolloutHistoryCommand: KubelabCommand<RolloutHistoryOptions> = {
  command: 'history [args..]',
  describe: 'Show the revisions of a deployment and why each was made',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'deployment/NAME, daemonset/NAME or statefulset/NAME' })
      .option('revision', { type: 'number', default: 0, describe: 'show the pod template of this revision' }) as unknown as Argv<
      GlobalOptions & RolloutHistoryOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runRolloutHistory(ctx, argv)),
};

export async function runRolloutHistory(ctx: CliContext, options: RolloutHistoryOptions): Promise<void> {
  const targets = rolloutTargets(options.args, ({ info }) => `no history viewer has been implemented for "${groupKind(info)}"`, ['Deployment', 'DaemonSet', 'StatefulSet']);
  for (const { info, name } of targets) {
    const history =
      info.kind === 'DaemonSet'
        ? daemonSetHistory(await daemonSetRevisions(ctx.client, await getDaemonSet(ctx, name)))
        : info.kind === 'StatefulSet'
          ? daemonSetHistory(await daemonSetRevisions(ctx.client, await getStatefulSet(ctx, name)))
          : historyOf(await ownedReplicaSets(ctx.client, await getDeployment(ctx, name)));
    const heading = options.revision > 0 ? `with revision #${options.revision}` : '';
    ctx.out(`${info.singular}.${info.group}/${name} ${heading}\n${viewHistory(history, options.revision)}\n`);
  }
}

/** Revision → template, with the ReplicaSet's change-cause carried into the template's annotations. */
export function historyOf(replicaSets: ReplicaSet[]): Map<number, PodTemplateSpec> {
  const history = new Map<number, PodTemplateSpec>();
  for (const rs of replicaSets) {
    const revision = revisionOf(rs);
    if (revision === undefined) continue;
    const template = structuredClone(rs.spec.template);
    const changeCause = rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
    if (changeCause) template.metadata = { ...(template.metadata ?? {}), annotations: { ...(template.metadata?.annotations ?? {}), [CHANGE_CAUSE_ANNOTATION]: changeCause } };
    history.set(revision, template);
  }
  return history;
}

/** kubectl's DeploymentHistoryViewer.ViewHistory text. */
export function viewHistory(history: Map<number, PodTemplateSpec>, revision: number): string {
  if (history.size === 0) return 'No rollout history found.';
  if (revision > 0) {
    const template = history.get(revision);
    if (!template) throw new CliError('unable to find the specified revision');
    const w = new DescribeWriter();
    describeTemplate(w, template);
    return w.toRawString();
  }
  const rows = [...history.keys()].sort((a, b) => a - b).map((r) => `${r}\t${history.get(r)?.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] || '<none>'}`);
  return alignTabs(['REVISION\tCHANGE-CAUSE', ...rows].join('\n')) + '\n';
}
