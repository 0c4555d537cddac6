// `kubelab set SUBCOMMAND`: change one field of existing objects from the command line. kubectl
// has several (image, env, resources, ...); kubelab has `set image`.

import type { Argv } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';
import type { KubelabCommand } from './index.js';
import { setImageCommand } from './set-image.js';

export const setCommand: KubelabCommand = {
  command: 'set',
  describe: 'Set a specific feature on objects: set image',
  builder: (y: Argv<GlobalOptions>) => y.command([setImageCommand] as KubelabCommand[]).demandCommand(1, 'You must specify a subcommand: image'),
  handler: () => undefined,
};
