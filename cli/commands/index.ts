// The command table of the `kubelab` CLI. Each command is one file in this folder that exports
// a yargs command module (`KubelabCommand`): its `command` string and flags in `builder`, and a
// `handler` that runs the command through withCliContext (cli-context.ts), throwing on failure
// (cli-errors.ts formats the message and sets the exit code).
//
// To add a command: write `cli/commands/<name>.ts` exporting `<name>Command: KubelabCommand<...>`
// and add it to the list below. That is all main.ts needs.

import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';
import { annotateCommand } from './annotate.js';
import { apiResourcesCommand } from './api-resources.js';
import { autoscaleCommand } from './autoscale.js';
import { applyCommand } from './apply.js';
import { clusterInfoCommand } from './cluster-info.js';
import { cordonCommand } from './cordon.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { describeCommand } from './describe.js';
import { drainCommand } from './drain.js';
import { execCommand } from './exec.js';
import { exposeCommand } from './expose.js';
import { getCommand } from './get.js';
import { labCommand } from './lab.js';
import { labelCommand } from './label.js';
import { logsCommand } from './logs.js';
import { rolloutCommand } from './rollout.js';
import { scaleCommand } from './scale.js';
import { setCommand } from './set.js';
import { topCommand } from './top.js';
import { traceCommand } from './trace.js';
import { uncordonCommand } from './uncordon.js';
import { versionCommand } from './version.js';
import { waitCommand } from './wait.js';

/** A command module whose handler receives the global flags plus its own options `T`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubelabCommand<T = any> = CommandModule<GlobalOptions, GlobalOptions & T>;

export const commands: KubelabCommand[] = [
  getCommand,
  describeCommand,
  createCommand,
  applyCommand,
  deleteCommand,
  logsCommand,
  execCommand,
  exposeCommand,
  labelCommand,
  annotateCommand,
  scaleCommand,
  autoscaleCommand,
  rolloutCommand,
  setCommand,
  versionCommand,
  clusterInfoCommand,
  apiResourcesCommand,
  cordonCommand,
  uncordonCommand,
  drainCommand,
  labCommand,
  waitCommand,
  topCommand,
  traceCommand,
];
