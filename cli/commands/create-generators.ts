// `kubelab create secret generic NAME --from-literal=k=v --from-file=[key=]path [--type T]` and
// `kubelab create namespace NAME`: objects built from flags, as kubectl's generators build them.
// Secret values are base64-encoded here, on the client, exactly as they travel in `data`.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { KubeObject, Secret } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { objectName } from '../printers/name-printer.js';

export interface SecretSources {
  fromLiteral?: string[];
  fromFile?: string[];
}

/** The `data` map of a generic secret; duplicate keys and malformed literals are errors. */
export async function secretData(sources: SecretSources, readFile: (p: string) => Promise<Buffer> = (p) => fs.readFile(p)): Promise<Record<string, string>> {
  const data: Record<string, string> = {};
  const put = (key: string, value: Buffer) => {
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new CliError(`"${key}" is not a valid key name for a Secret: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`);
    if (key in data) throw new CliError(`cannot add key ${key}, another key by that name already exists in Data for Secret`);
    data[key] = value.toString('base64');
  };
  for (const literal of sources.fromLiteral ?? []) {
    const eq = literal.indexOf('=');
    if (eq <= 0) throw new CliError(`invalid literal source ${literal}, expected key=value`);
    put(literal.slice(0, eq), Buffer.from(literal.slice(eq + 1)));
  }
  for (const spec of sources.fromFile ?? []) {
    const eq = spec.indexOf('=');
    const [key, file] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [path.basename(spec), spec];
    const content = await readFile(file).catch((err: Error) => {
      throw new CliError(`error reading ${file}: ${err.message}`, { cause: err });
    });
    put(key, content);
  }
  return data;
}

interface SecretOptions extends SecretSources {
  name: string;
  type?: string;
}

const createSecretGenericCommand: CommandModule<GlobalOptions, GlobalOptions & SecretOptions> = {
  command: 'generic <name>',
  describe: 'Create a secret from literal values and files',
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true })
      .option('from-literal', { type: 'string', array: true, describe: 'key=value (repeatable)' })
      .option('from-file', { type: 'string', array: true, describe: '[key=]path (repeatable); the key defaults to the file name' })
      .option('type', { type: 'string', describe: 'the secret type, default Opaque' }) as unknown as Argv<GlobalOptions & SecretOptions>,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const secret: Secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: argv.name, namespace: ctx.namespace },
        type: argv.type ?? 'Opaque',
        data: await secretData(argv),
      };
      await createGenerated(ctx, 'secrets', secret);
    }),
};

export const createSecretCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'secret',
  describe: 'Create a secret (generic)',
  builder: (y) => y.command(createSecretGenericCommand).demandCommand(1, 'You must specify the type of secret: generic'),
  handler: () => undefined,
};

export const createNamespaceCommand: CommandModule<GlobalOptions, GlobalOptions & { name: string }> = {
  command: ['namespace <name>', 'ns <name>'],
  describe: 'Create a namespace',
  builder: (y) => y.positional('name', { type: 'string', demandOption: true }) as unknown as Argv<GlobalOptions & { name: string }>,
  handler: (argv) =>
    withCliContext(argv, (ctx) => createGenerated(ctx, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: argv.name } })),
};

/** Creates one generated object and prints `secret/x created`. */
export async function createGenerated(ctx: CliContext, resource: string, object: KubeObject): Promise<void> {
  const created = await ctx.client.create(resource, object, { fieldManager: 'kubectl-create' });
  ctx.out(`${objectName({ ...object, ...created })} created\n`);
}
