// `kubelab auth SUBCOMMAND`: questions about your own access, as `kubectl auth` asks them.
// `whoami` (auth-whoami.ts): who the API server takes you for.

import type { Argv } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';
import { whoamiCommand } from './auth-whoami.js';
import type { KubelabCommand } from './index.js';

export const authCommand: KubelabCommand = {
  command: 'auth',
  describe: 'Inspect authorization: whoami',
  builder: (y: Argv<GlobalOptions>) => y.command([whoamiCommand] as KubelabCommand[]).demandCommand(1, 'You must specify a subcommand: whoami'),
  handler: () => undefined,
};
