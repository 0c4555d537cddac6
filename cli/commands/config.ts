// `kubelab config view|get-contexts|current-context|use-context|set-context`: read and edit the
// kubeconfig files the CLI connects with, as `kubectl config` does (cli/kubeconfig-view.ts has
// the pure parts). Which files: `--kubeconfig FILE`, else every file of KUBECONFIG, else
// ~/.kube/config, found by the same rule the connection uses (lib/client/kubeconfig.ts).
// Edits go where kubectl puts them: current-context into the first file, a context's namespace
// into the file that defines that context; the file is rewritten in kubectl's canonical form.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';
import { parse as parseYaml } from 'yaml';
import { kubeconfigPaths } from '../../lib/client/kubeconfig.js';
import type { GlobalOptions } from '../cli-context.js';
import { CliError, CliExit } from '../cli-errors.js';
import {
  contextRows,
  hasContext,
  kubeconfigYaml,
  mergeRawKubeconfigs,
  minifyKubeconfig,
  redactKubeconfig,
  withContextNamespace,
  type RawKubeconfig,
} from '../kubeconfig-view.js';
import { alignColumns } from '../printers/table-printer.js';
import type { KubelabCommand } from './index.js';

interface KubeconfigFile {
  file: string;
  config: RawKubeconfig;
}

/** The kubeconfig files in precedence order, parsed. */
function readFiles(argv: GlobalOptions): KubeconfigFile[] {
  let files: string[];
  try {
    files = kubeconfigPaths(argv.kubeconfig, process.env, os.homedir(), (p) => fs.existsSync(p));
  } catch (err) {
    throw new CliError((err as Error).message, { cause: err });
  }
  return files.map((file) => {
    try {
      return { file, config: (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as RawKubeconfig };
    } catch (err) {
      throw new CliError(`${file}: not a valid kubeconfig: ${(err as Error).message}`, { cause: err });
    }
  });
}

function writeFile(target: KubeconfigFile): void {
  // A kubeconfig holds credentials: keep it readable by its owner only, as kubectl does.
  fs.writeFileSync(target.file, kubeconfigYaml(target.config), { mode: 0o600 });
}

/** The file kubectl writes current-context into: the first one, or ~/.kube/config when none exists yet. */
function defaultFile(files: KubeconfigFile[]): KubeconfigFile {
  if (files.length > 0) return files[0]!;
  const file = path.join(os.homedir(), '.kube', 'config');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return { file, config: {} };
}

interface ViewOptions {
  minify?: boolean;
  raw?: boolean;
}

const viewCommand: KubelabCommand<ViewOptions> = {
  command: 'view',
  describe: 'Show the merged kubeconfig settings, credentials redacted',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('minify', { type: 'boolean', describe: 'only the current context (or --context) and what it refers to' })
      .option('raw', { type: 'boolean', describe: 'print certificates, keys and tokens as they are' }) as unknown as Argv<GlobalOptions & ViewOptions>,
  handler: (argv) => {
    let config = mergeRawKubeconfigs(readFiles(argv).map((f) => f.config));
    if (argv.minify) config = minifyKubeconfig(config, argv.context);
    if (!argv.raw) config = redactKubeconfig(config);
    process.stdout.write(kubeconfigYaml(config));
  },
};

interface GetContextsOptions {
  names: string[];
  output?: string;
  noHeaders?: boolean;
}

const getContextsCommand: KubelabCommand<GetContextsOptions> = {
  command: 'get-contexts [names..]',
  describe: 'List the contexts of the kubeconfig, the current one marked with *',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('names', { type: 'string', array: true, default: [], describe: 'only these contexts' })
      .option('output', { alias: 'o', type: 'string', choices: ['name'], describe: 'name: the context names only' })
      .option('no-headers', { type: 'boolean', describe: 'no header line' }) as unknown as Argv<GlobalOptions & GetContextsOptions>,
  handler: (argv) => {
    const config = mergeRawKubeconfigs(readFiles(argv).map((f) => f.config));
    const { rows, missing } = contextRows(config, (argv.names ?? []).map(String));
    if (argv.output === 'name') process.stdout.write(rows.slice(1).map((r) => r[1] + '\n').join(''));
    else process.stdout.write(alignColumns(argv.noHeaders ? rows.slice(1) : rows));
    if (missing.length > 0) {
      process.stderr.write(missing.map((name) => `error: context ${name} not found\n`).join(''));
      throw new CliExit(1);
    }
  },
};

const currentContextCommand: KubelabCommand = {
  command: 'current-context',
  describe: 'Print the current context',
  handler: (argv) => {
    const current = mergeRawKubeconfigs(readFiles(argv as GlobalOptions).map((f) => f.config))['current-context'];
    if (!current) throw new CliError('current-context is not set');
    process.stdout.write(`${String(current)}\n`);
  },
};

const useContextCommand: KubelabCommand<{ name: string }> = {
  command: 'use-context <name>',
  describe: 'Set the current context in the kubeconfig',
  builder: (y: Argv<GlobalOptions>) =>
    y.positional('name', { type: 'string', demandOption: true, describe: 'the context' }) as unknown as Argv<GlobalOptions & { name: string }>,
  handler: (argv) => {
    const files = readFiles(argv);
    if (!hasContext(mergeRawKubeconfigs(files.map((f) => f.config)), argv.name)) throw new CliError(`no context exists with the name: "${argv.name}"`);
    const target = defaultFile(files);
    writeFile({ ...target, config: { ...target.config, 'current-context': argv.name } });
    process.stdout.write(`Switched to context "${argv.name}".\n`);
  },
};

const setContextCommand: KubelabCommand<{ name?: string; current?: boolean }> = {
  command: 'set-context [name]',
  describe: "Set a context's namespace: kubelab config set-context --current --namespace=NS",
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('name', { type: 'string', describe: 'the context' })
      .option('current', { type: 'boolean', describe: 'the current context' }) as unknown as Argv<GlobalOptions & { name?: string; current?: boolean }>,
  handler: (argv) => {
    const files = readFiles(argv);
    const merged = mergeRawKubeconfigs(files.map((f) => f.config));
    if (argv.current && argv.name) throw new CliError('you cannot specify both a context name and --current');
    const name = argv.current ? String(merged['current-context'] ?? '') : argv.name;
    if (!name) throw new CliError(argv.current ? 'no current context is set' : 'you must specify a context name or --current');
    if (!hasContext(merged, name)) throw new CliError(`no context exists with the name: "${name}"`);
    if (argv.namespace === undefined) throw new CliError('only --namespace can be set: kubelab config set-context --current --namespace=NS');
    const target = files.find((f) => hasContext(f.config, name))!;
    writeFile({ ...target, config: withContextNamespace(target.config, name, argv.namespace) });
    process.stdout.write(`Context "${name}" modified.\n`);
  },
};

export const configCommand: KubelabCommand = {
  command: 'config',
  describe: 'Show or change the kubeconfig: view, get-contexts, current-context, use-context, set-context',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .command([viewCommand, getContextsCommand, currentContextCommand, useContextCommand, setContextCommand] as KubelabCommand[])
      .demandCommand(1, 'You must specify a subcommand: view, get-contexts, current-context, use-context or set-context'),
  handler: () => undefined,
};
