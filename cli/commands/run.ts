// `kubelab run NAME --image=IMAGE [--port=P] [--env=K=V]... [--labels=k=v,...] [--restart=...]
// [--command] [-- ARGS...]`: one bare Pod, built as `kubectl run` builds it. The pod is labelled
// `run=NAME` unless --labels says otherwise; words after `--` become the container's args (the
// image's entrypoint runs with them), or with --command its command (replacing the entrypoint).
//
// A bare pod has no controller: if it is deleted, nothing recreates it. That is the point of
// `run` (a quick try-out, a one-off task with --restart=Never); a long-lived workload is a
// Deployment (`kubelab create deployment`).

import type { Argv } from 'yargs';
import type { KubeObject } from '../../lib/api/types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { createGenerated, parseDryRun, type GeneratorOutputOptions } from '../generated-object.js';
import { attachToRunPod } from '../run-attach.js';
import { commandAfterDashes, generatorOutputFlags } from './generator-flags.js';
import type { KubelabCommand } from './index.js';

export interface RunFlags {
  image: string;
  port?: number;
  env?: string[];
  labels?: string;
  annotations?: string[];
  restart?: string;
  command?: boolean;
  imagePullPolicy?: string;
  privileged?: boolean;
  stdin?: boolean;
  tty?: boolean;
}

interface RunOptions extends RunFlags, GeneratorOutputOptions {
  name: string;
  args?: string[];
  rm?: boolean;
  attach?: boolean;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

/** `a=b,c=d` → `{ a: 'b', c: 'd' }`, refusing a pair without `=` as kubectl does (pure). */
export function parseLabelList(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`invalid label spec: ${pair}`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

/** The Pod `kubectl run NAME` builds from its flags and the words after `--` (pure). */
export function podFromRunFlags(name: string, flags: RunFlags, args: string[]): KubeObject {
  const restartPolicy = flags.restart ?? 'Always';
  if (!RESTART_POLICIES.includes(restartPolicy)) throw new CliError(`invalid restart policy: ${restartPolicy}`);
  if (flags.command && args.length === 0) throw new CliError('--command requires a command after --');
  const env = (flags.env ?? []).map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new CliError(`invalid env: ${spec}`);
    return { name: spec.slice(0, eq), value: spec.slice(eq + 1) };
  });
  const annotations: Record<string, string> = {};
  for (const spec of flags.annotations ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new CliError(`invalid annotation spec: ${spec}`);
    annotations[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  const container: Record<string, unknown> = {
    name,
    image: flags.image,
    ...(args.length > 0 ? { [flags.command ? 'command' : 'args']: args } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(flags.port !== undefined && flags.port >= 0 ? { ports: [{ containerPort: flags.port }] } : {}),
    resources: {},
    ...(flags.imagePullPolicy ? { imagePullPolicy: flags.imagePullPolicy } : {}),
    ...(flags.privileged ? { securityContext: { privileged: true } } : {}),
    ...(flags.stdin ? { stdin: true, stdinOnce: true } : {}),
    ...(flags.tty ? { tty: true } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      creationTimestamp: null,
      labels: flags.labels ? parseLabelList(flags.labels) : { run: name },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: { containers: [container], dnsPolicy: 'ClusterFirst', restartPolicy },
    status: {},
  } as KubeObject;
}

export const runCommand: KubelabCommand<RunOptions> = {
  command: 'run <name> [args..]',
  describe: 'Run an image in a new pod: kubelab run NAME --image=IMAGE [-- ARGS...]',
  builder: (y: Argv<GlobalOptions>) =>
    generatorOutputFlags(y)
      .positional('name', { type: 'string', demandOption: true })
      .positional('args', { type: 'string', array: true, describe: 'after --: the container\'s args (its command with --command)' })
      .option('image', { type: 'string', demandOption: true, describe: 'the image to run' })
      .option('port', { type: 'number', describe: 'the port the container exposes' })
      .option('env', { type: 'string', array: true, describe: 'NAME=VALUE environment variable (repeatable)' })
      .option('labels', { alias: 'l', type: 'string', describe: 'k=v,k2=v2: the pod\'s labels instead of run=NAME' })
      .option('annotations', { type: 'string', array: true, describe: 'k=v annotation (repeatable)' })
      .option('restart', { type: 'string', default: 'Always', describe: 'the pod\'s restartPolicy: Always, OnFailure or Never' })
      .option('command', { type: 'boolean', describe: 'the words after -- are the command, not the args' })
      .option('image-pull-policy', { type: 'string', describe: 'Always, IfNotPresent or Never' })
      .option('privileged', { type: 'boolean', describe: 'run the container privileged' })
      .option('stdin', { alias: 'i', type: 'boolean', describe: 'keep the container\'s stdin open and attach to it' })
      .option('tty', { alias: 't', type: 'boolean', describe: 'give the container a terminal' })
      .option('attach', { type: 'boolean', describe: 'wait for the pod to run and attach to it (default with -i)' })
      .option('rm', { type: 'boolean', describe: 'delete the pod when the attached session ends' }) as unknown as Argv<GlobalOptions & RunOptions>,
  // yargs leaves the words after `--` in argv._ after `run`, unparsed (`-- sh -c 'x'` keeps its -c).
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const args = commandAfterDashes({ command: argv.args, _: argv._ }, 1);
      const attach = argv.attach ?? argv.stdin ?? false;
      if (argv.rm && !attach) throw new CliError('--rm should only be used for attached containers');
      if (attach && parseDryRun(argv.dryRun) !== 'none') throw new CliError("--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)");
      await createGenerated(ctx, podFromRunFlags(argv.name, argv, args), { ...argv, fieldManager: 'kubectl-run', quiet: attach });
      if (attach) await attachToRunPod(ctx, argv.name, { stdin: argv.stdin ?? false, tty: argv.tty ?? false, rm: argv.rm ?? false, restartNever: argv.restart === 'Never' });
    }),
};
