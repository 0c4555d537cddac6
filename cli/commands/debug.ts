// `kubelab debug POD -it --image=IMAGE [--target=CONTAINER] [-c NAME] [-- COMMAND...]`: add an
// ephemeral container to a running pod and attach to it, as `kubectl debug` does.
//
// An ephemeral container is added through the pod's `ephemeralcontainers` subresource (a
// strategic merge patch that appends to spec.ephemeralContainers; the API server refuses any
// other change). The pod's kubelet starts it in the pod's network and IPC namespaces, and with
// --target in that container's process namespace, so the debugger sees the pod's localhost and
// the target's processes with tools the app's image lacks. Once its status says running we
// attach to its main process (the shell), exactly like `kubelab exec -it` but without starting a
// new process. It is never restarted; it stays in the pod's spec (stopped) after it exits.

import type { Argv } from 'yargs';
import type { ContainerStatus, EphemeralContainer, Pod } from '../../lib/api/types.js';
import { attachToPod } from '../../lib/client/exec-client.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { localTerminal } from './exec.js';
import type { KubelabCommand } from './index.js';

export interface DebugCommandOptions {
  pod: string;
  command: string[];
  image?: string;
  container?: string;
  target?: string;
  stdin?: boolean;
  tty?: boolean;
}

export const debugCommand: KubelabCommand<DebugCommandOptions> = {
  command: 'debug <pod> [command..]',
  describe: 'Add an ephemeral debug container to a running pod and attach to it: kubelab debug POD -it --image=IMAGE',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('pod', { type: 'string', demandOption: true, describe: 'POD or pod/POD' })
      .positional('command', { type: 'string', array: true, default: [], describe: 'the command to run instead of the image\'s, after --' })
      .option('image', { type: 'string', describe: 'the image of the debug container (e.g. kubelab/busybox:1)' })
      .option('container', { alias: 'c', type: 'string', describe: 'the debug container\'s name; default: debugger-XXXXX' })
      .option('target', { type: 'string', describe: 'share this container\'s process namespace (see its processes)' })
      .option('stdin', { alias: 'i', type: 'boolean', describe: 'keep stdin open on the container and attach to it' })
      .option('tty', { alias: 't', type: 'boolean', describe: 'allocate a terminal for the container' }) as unknown as Argv<GlobalOptions & DebugCommandOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runDebug(ctx, { ...argv, command: [...(argv.command ?? []), ...argv._.slice(1).map(String)] })),
};

/** kubectl's random name suffix alphabet (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function debuggerName(random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)];
  return `debugger-${suffix}`;
}

/** The ephemeral container kubectl debug would add for these flags. */
export function debugContainer(options: DebugCommandOptions, name: string): EphemeralContainer {
  return {
    name,
    image: options.image!,
    ...(options.command.length ? { command: options.command } : {}),
    ...(options.stdin ? { stdin: true } : {}),
    ...(options.tty ? { tty: true } : {}),
    ...(options.target ? { targetContainerName: options.target } : {}),
    terminationMessagePolicy: 'File',
  };
}

const WAIT_FOR_START_MS = 60_000;
const POLL_MS = 250;

/** The debug container's status once the kubelet has started it (or it has already ended). */
async function waitForStart(ctx: CliContext, podName: string, name: string): Promise<ContainerStatus> {
  const deadline = Date.now() + WAIT_FOR_START_MS;
  for (;;) {
    const pod = await ctx.client.get<Pod>('pods', ctx.namespace, podName);
    const status = pod.status?.ephemeralContainerStatuses?.find((c) => c.name === name);
    if (status?.state.running || status?.state.terminated) return status;
    if (Date.now() > deadline) {
      const waiting = status?.state.waiting;
      throw new CliError(`ephemeral container ${name} of pod ${podName} did not start in ${WAIT_FOR_START_MS / 1000} s${waiting?.reason ? ` (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})` : ''}; see kubelab describe pod ${podName}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function runDebug(ctx: CliContext, options: DebugCommandOptions): Promise<void> {
  const podName = options.pod.replace(/^(pods?|po)\//i, '');
  if (podName.includes('/')) throw new CliError(`debug supports pods only: "${options.pod}"`);
  if (!options.image) throw new CliError('--image is required: the image of the debug container, e.g. --image=kubelab/busybox:1');
  const pod = await ctx.client.get<Pod>('pods', ctx.namespace, podName);
  const name = options.container ?? debuggerName();
  if (!options.container) ctx.err(`Defaulting debug container name to ${name}.\n`);
  const container = debugContainer(options, name);
  await ctx.client.patch<Pod>('pods', ctx.namespace, podName, { spec: { ephemeralContainers: [container] } }, 'strategic', { subresource: 'ephemeralcontainers' });
  if (!options.stdin) {
    ctx.out(`ephemeral container ${name} added to pod ${pod.metadata.name}\n`);
    return;
  }

  const status = await waitForStart(ctx, podName, name);
  if (status.state.terminated) throw new CliError(`ephemeral container ${name} exited (code ${status.state.terminated.exitCode}) before it could be attached; see kubelab logs ${podName} -c ${name}`);

  let tty = options.tty ?? false;
  if (tty && !process.stdin.isTTY) {
    ctx.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  ctx.err("If you don't see a command prompt, try pressing enter.\n");
  if (tty) process.stdin.setRawMode(true);
  try {
    await attachToPod(ctx.config, {
      namespace: ctx.namespace,
      pod: podName,
      container: name,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      tty,
      terminal: tty ? localTerminal : undefined,
    });
  } finally {
    if (tty) process.stdin.setRawMode(false);
    process.stdin.pause();
  }
}
