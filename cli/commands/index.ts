// The command table of the `kubelab` CLI. Each command is one file in this folder that exports
// a yargs command module (`KubelabCommand`): its `command` string and flags in `builder`, and a
// `handler` that runs the command through withCliContext (cli-context.ts), throwing on failure
// (cli-errors.ts formats the message and sets the exit code).
//
// Commands are loaded lazily: `kubelab version --client` must not pay for loading dockerode,
// gRPC and every printer that other commands need (it took 0.6 s of wall time where bare
// `node -e 0` takes 0.07 s). main.ts finds the command word on the command line and imports
// only that command's module; help without a command, and an unknown word, load them all.
//
// To add a command: write `cli/commands/<name>.ts` exporting `<name>Command: KubelabCommand<...>`
// and add a row below with the words that name it (the `command` string's first word and its
// aliases; test/unit/cli/command-table.test.ts checks they match). That is all main.ts needs.

import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';

/** A command module whose handler receives the global flags plus its own options `T`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubelabCommand<T = any> = CommandModule<GlobalOptions, GlobalOptions & T>;

/** One row of the command table: the words that select a command and how to load its module. */
export interface CommandEntry {
  words: string[];
  load: () => Promise<KubelabCommand>;
}

export const commandTable: CommandEntry[] = [
  { words: ['get'], load: async () => (await import('./get.js')).getCommand },
  { words: ['describe'], load: async () => (await import('./describe.js')).describeCommand },
  { words: ['create'], load: async () => (await import('./create.js')).createCommand },
  { words: ['apply'], load: async () => (await import('./apply.js')).applyCommand },
  { words: ['diff'], load: async () => (await import('./diff.js')).diffCommand },
  { words: ['delete'], load: async () => (await import('./delete.js')).deleteCommand },
  { words: ['logs'], load: async () => (await import('./logs.js')).logsCommand },
  { words: ['exec'], load: async () => (await import('./exec.js')).execCommand },
  { words: ['debug'], load: async () => (await import('./debug.js')).debugCommand },
  { words: ['cp'], load: async () => (await import('./cp.js')).cpCommand },
  { words: ['expose'], load: async () => (await import('./expose.js')).exposeCommand },
  { words: ['label'], load: async () => (await import('./label.js')).labelCommand },
  { words: ['annotate'], load: async () => (await import('./annotate.js')).annotateCommand },
  { words: ['scale'], load: async () => (await import('./scale.js')).scaleCommand },
  { words: ['autoscale'], load: async () => (await import('./autoscale.js')).autoscaleCommand },
  { words: ['rollout'], load: async () => (await import('./rollout.js')).rolloutCommand },
  { words: ['set'], load: async () => (await import('./set.js')).setCommand },
  { words: ['version'], load: async () => (await import('./version.js')).versionCommand },
  { words: ['cluster-info'], load: async () => (await import('./cluster-info.js')).clusterInfoCommand },
  { words: ['api-resources'], load: async () => (await import('./api-resources.js')).apiResourcesCommand },
  { words: ['cordon'], load: async () => (await import('./cordon.js')).cordonCommand },
  { words: ['uncordon'], load: async () => (await import('./uncordon.js')).uncordonCommand },
  { words: ['drain'], load: async () => (await import('./drain.js')).drainCommand },
  { words: ['lab'], load: async () => (await import('./lab.js')).labCommand },
  { words: ['wait'], load: async () => (await import('./wait.js')).waitCommand },
  { words: ['top'], load: async () => (await import('./top.js')).topCommand },
  { words: ['dashboard'], load: async () => (await import('./dashboard.js')).dashboardCommand },
  { words: ['trace'], load: async () => (await import('./trace.js')).traceCommand },
  { words: ['auth'], load: async () => (await import('./auth.js')).authCommand },
  { words: ['run'], load: async () => (await import('./run.js')).runCommand },
  { words: ['patch'], load: async () => (await import('./patch.js')).patchCommand },
  { words: ['replace'], load: async () => (await import('./replace.js')).replaceCommand },
  { words: ['edit'], load: async () => (await import('./edit.js')).editCommand },
  { words: ['port-forward'], load: async () => (await import('./port-forward.js')).portForwardCommand },
  { words: ['events'], load: async () => (await import('./events.js')).eventsCommand },
  { words: ['explain'], load: async () => (await import('./explain.js')).explainCommand },
  { words: ['config'], load: async () => (await import('./config.js')).configCommand },
  { words: ['completion'], load: async () => (await import('./completion.js')).completionCommand },
];

/** Global flags that take a value, so the word after them is not the command (see main.ts). */
const GLOBAL_FLAGS_WITH_VALUE = new Set(['--kubeconfig', '--context', '--server', '-s', '--token', '--namespace', '-n', '--v', '-v']);

/** The first word of the command line that is not a global flag or its value. */
export function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_FLAGS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The command modules a command line needs: the one it names, or all of them. */
export async function commandsFor(args: string[]): Promise<KubelabCommand[]> {
  const word = commandWord(args);
  const entry = commandTable.find((row) => word !== undefined && row.words.includes(word));
  return Promise.all((entry ? [entry] : commandTable).map((row) => row.load()));
}
