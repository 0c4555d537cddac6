// `kubelab rollout pause|resume deployment/NAME`: a paused Deployment still scales but does not
// roll out template changes, so several edits can be made and then rolled out as one. Both are
// the strategic merge patch kubectl sends: `{"spec":{"paused":true}}`, and `null` to resume.

import type { Argv } from 'yargs';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { getDeployment, rolloutTargets } from '../rollout/rollout-target.js';
import type { KubelabCommand } from './index.js';

export interface RolloutPauseOptions {
  args: string[];
}

type Verb = 'pause' | 'resume';

const WORDS: Record<Verb, { doing: string; done: string; alreadyDone: string; describe: string }> = {
  pause: { doing: 'pausing', done: 'paused', alreadyDone: 'is already paused', describe: 'Stop a deployment from rolling out template changes' },
  resume: { doing: 'resuming', done: 'resumed', alreadyDone: 'is not paused', describe: 'Let a paused deployment roll out again' },
};

function pauseCommand(verb: Verb): KubelabCommand<RolloutPauseOptions> {
  return {
    command: `${verb} [args..]`,
    describe: WORDS[verb].describe,
    builder: (y: Argv<GlobalOptions>) =>
      y.positional('args', { type: 'string', array: true, default: [], describe: 'deployment/NAME' }) as unknown as Argv<GlobalOptions & RolloutPauseOptions>,
    handler: (argv) => withCliContext(argv, (ctx) => runRolloutPause(ctx, argv, verb)),
  };
}

export const rolloutPauseCommand = pauseCommand('pause');
export const rolloutResumeCommand = pauseCommand('resume');

export async function runRolloutPause(ctx: CliContext, options: RolloutPauseOptions, verb: Verb): Promise<void> {
  const words = WORDS[verb];
  const targets = rolloutTargets(options.args, ({ info, name }) => `${info.group ? `${info.plural}.${info.group}` : info.plural} "${name}" ${words.doing} is not supported`);
  for (const { name } of targets) {
    const d = await getDeployment(ctx, name);
    if (Boolean(d.spec.paused) === (verb === 'pause')) {
      ctx.fail(new CliError(`deployments.apps "${name}" ${words.alreadyDone}`));
      continue;
    }
    const patch = { spec: { paused: verb === 'pause' ? true : null } };
    await ctx.client.patch('deployments.apps', ctx.namespace, name, patch, 'strategic', { fieldManager: 'kubectl-rollout' });
    ctx.out(`deployment.apps/${name} ${words.done}\n`);
  }
}
