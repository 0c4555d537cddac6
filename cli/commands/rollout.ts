// `kubelab rollout SUBCOMMAND`: manage the rollout of a Deployment — status, history, undo,
// pause, resume — one file per subcommand beside this one.

import type { Argv } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';
import type { KubelabCommand } from './index.js';
import { rolloutHistoryCommand } from './rollout-history.js';
import { rolloutPauseCommand, rolloutResumeCommand } from './rollout-pause.js';
import { rolloutStatusCommand } from './rollout-status.js';
import { rolloutUndoCommand } from './rollout-undo.js';

export const rolloutCommand: KubelabCommand = {
  command: 'rollout',
  describe: 'Manage the rollout of a deployment or daemon set: status, history, undo, pause, resume',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .command([rolloutStatusCommand, rolloutHistoryCommand, rolloutUndoCommand, rolloutPauseCommand, rolloutResumeCommand] as KubelabCommand[])
      .demandCommand(1, 'You must specify a subcommand: status, history, undo, pause or resume'),
  handler: () => undefined,
};
