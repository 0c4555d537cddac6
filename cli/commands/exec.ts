// `kubelab exec [-i] [-t] [-c CONTAINER] POD -- COMMAND [ARGS...]`: run a command in a container
// of a pod, as kubectl exec does. GET the pod first (it must not have finished; pick the
// container), then stream over one WebSocket (lib/client/exec-client.ts). The command's exit code
// becomes ours; a non-zero one is reported as `command terminated with exit code N`, like kubectl.
//
// -i sends our stdin to the command; -t asks for a terminal in the container and puts the local
// terminal in raw mode, so keys like Ctrl-C go to the remote process instead of to kubelab.

import type { Argv } from 'yargs';
import type { Pod } from '../../lib/api/types.js';
import { execInPod, type LocalTerminal } from '../../lib/client/exec-client.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError, CliExit } from '../cli-errors.js';
import type { KubelabCommand } from './index.js';
import { pickContainer } from './logs.js';

export interface ExecCommandOptions {
  pod: string;
  command: string[];
  container?: string;
  stdin?: boolean;
  tty?: boolean;
}

export const execCommand: KubelabCommand<ExecCommandOptions> = {
  command: 'exec <pod> [command..]',
  describe: 'Run a command in a container of a pod: kubelab exec POD -- COMMAND [ARGS...]',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('pod', { type: 'string', demandOption: true, describe: 'POD or pod/POD' })
      .positional('command', { type: 'string', array: true, default: [], describe: 'the command and its arguments, after --' })
      .option('container', { alias: 'c', type: 'string', describe: 'the container; default: the pod\'s default container' })
      .option('stdin', { alias: 'i', type: 'boolean', describe: 'pass stdin to the command' })
      .option('tty', { alias: 't', type: 'boolean', describe: 'stdin is a TTY: run the command on a terminal' }) as unknown as Argv<
      GlobalOptions & ExecCommandOptions
    >,
  // yargs leaves everything after `--` in argv._ (after the command name `exec`), unparsed, so
  // `-c` in `exec web -- sh -c 'exit 3'` belongs to sh, not to us.
  handler: (argv) =>
    withCliContext(argv, (ctx) => runExec(ctx, { ...argv, command: [...(argv.command ?? []), ...argv._.slice(1).map(String)] })),
};

/** process.stdout as the terminal whose size the remote terminal follows. */
export const localTerminal: LocalTerminal = {
  size: () => (process.stdout.columns && process.stdout.rows ? { width: process.stdout.columns, height: process.stdout.rows } : undefined),
  onResize(listener) {
    process.stdout.on('resize', listener);
    return () => process.stdout.off('resize', listener);
  },
};

export async function runExec(ctx: CliContext, options: ExecCommandOptions): Promise<void> {
  const name = options.pod.replace(/^(pods?|po)\//i, '');
  if (name.includes('/')) throw new CliError(`exec supports pods only: "${options.pod}"`);
  const command = (options.command ?? []).map(String);
  if (command.length === 0) throw new CliError('you must specify at least one command for the container');

  const pod = await ctx.client.get<Pod>('pods', ctx.namespace, name);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw new CliError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  const { container, note } = pickContainer(pod, options.container);
  if (note) ctx.err(note + '\n');

  let tty = options.tty ?? false;
  if (tty && !(options.stdin && process.stdin.isTTY)) {
    // kubectl's behaviour: a terminal needs an interactive terminal on our side.
    ctx.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  if (tty) process.stdin.setRawMode(true);
  let exitCode: number;
  try {
    exitCode = await execInPod(ctx.config, {
      namespace: ctx.namespace,
      pod: name,
      container,
      command,
      stdin: options.stdin ? process.stdin : undefined,
      stdout: process.stdout,
      stderr: process.stderr,
      tty,
      terminal: tty ? localTerminal : undefined,
    });
  } finally {
    if (tty) process.stdin.setRawMode(false);
    if (options.stdin) process.stdin.pause();
  }
  if (exitCode !== 0) {
    ctx.err(`command terminated with exit code ${exitCode}\n`);
    throw new CliExit(exitCode);
  }
}
