// `kubelab create configmap NAME [--from-literal=k=v] [--from-file=[key=]PATH] [--from-env-file=PATH]`:
// the ConfigMap kubectl's generator builds. Three sources, as kubectl reads them:
//   --from-literal=k=v       one key
//   --from-file=[key=]PATH   a file's content under its name (or key); a directory adds each
//                            regular file in it, one key per file name
//   --from-env-file=PATH     KEY=VALUE lines (`#` comments and blank lines skipped; a bare KEY
//                            takes its value from the environment), not combinable with the others
// Content that is not valid UTF-8 goes to binaryData, base64-encoded, as kubectl puts it.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { KubeObject } from '../../lib/api/types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { createGenerated, type GeneratorOutputOptions } from '../generated-object.js';
import { generatorOutputFlags } from './generator-flags.js';

export interface ConfigMapSources {
  fromLiteral?: string[];
  fromFile?: string[];
  fromEnvFile?: string[];
}

/** What reading the sources needs from the file system and the environment (fakes in tests). */
export interface SourceReader {
  readFile(p: string): Promise<Buffer>;
  /** The names of the regular files of a directory, or undefined when `p` is no directory. */
  listDirectory(p: string): Promise<string[] | undefined>;
  env: Record<string, string | undefined>;
}

const nodeReader: SourceReader = {
  readFile: (p) => fs.readFile(p),
  async listDirectory(p) {
    const stat = await fs.stat(p).catch(() => undefined);
    if (!stat?.isDirectory()) return undefined;
    const entries = await fs.readdir(p, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
  },
  env: process.env,
};

/** The lines of an env file as key/value pairs, in kubectl's reading (pure). */
export function parseEnvFile(text: string, env: Record<string, string | undefined>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (/\s/.test(key)) throw new CliError(`"${key}" is not a valid key name: must not contain whitespace`);
    if (eq >= 0) pairs.push([key, line.slice(eq + 1)]);
    else if (env[key] !== undefined) pairs.push([key, env[key]]);
  }
  return pairs;
}

/** The data and binaryData of the ConfigMap the sources describe. */
export async function configMapData(name: string, sources: ConfigMapSources, reader: SourceReader = nodeReader): Promise<{ data: Record<string, string>; binaryData: Record<string, string> }> {
  if (sources.fromEnvFile?.length && (sources.fromFile?.length || sources.fromLiteral?.length)) {
    throw new CliError('from-env-file cannot be combined with from-file or from-literal');
  }
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const put = (key: string, value: Buffer | string) => {
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
      throw new CliError(`"${key}" is not a valid key name for a ConfigMap: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`);
    }
    if (key in data || key in binaryData) throw new CliError(`cannot add key "${key}", another key by that name already exists in Data for ConfigMap "${name}"`);
    const text = typeof value === 'string' ? value : new TextDecoder('utf-8', { fatal: true }).decode(value);
    data[key] = text;
  };
  const putFile = (key: string, content: Buffer) => {
    try {
      put(key, content);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      if (key in binaryData) throw new CliError(`cannot add key "${key}", another key by that name already exists in Data for ConfigMap "${name}"`);
      binaryData[key] = content.toString('base64'); // not UTF-8
    }
  };
  const read = (file: string) =>
    reader.readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`error reading ${file}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`, { cause: err });
    });
  for (const literal of sources.fromLiteral ?? []) {
    const eq = literal.indexOf('=');
    if (eq <= 0) throw new CliError(`invalid literal source ${literal}, expected key=value`);
    put(literal.slice(0, eq), literal.slice(eq + 1));
  }
  for (const spec of sources.fromFile ?? []) {
    const eq = spec.indexOf('=');
    if (eq < 0) {
      const files = await reader.listDirectory(spec);
      if (files) {
        for (const file of files) putFile(file, await read(path.join(spec, file)));
        continue;
      }
    }
    const [key, file] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [path.basename(spec), spec];
    putFile(key, await read(file));
  }
  for (const file of sources.fromEnvFile ?? []) {
    for (const [key, value] of parseEnvFile((await read(file)).toString('utf8'), reader.env)) put(key, value);
  }
  return { data, binaryData };
}

/** The ConfigMap `kubectl create configmap` builds from the data (pure). */
export function configMapFromData(name: string, data: Record<string, string>, binaryData: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, creationTimestamp: null },
    ...(Object.keys(data).length > 0 ? { data } : {}),
    ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
  } as KubeObject;
}

type CreateConfigMapOptions = GeneratorOutputOptions & ConfigMapSources & { name: string };

export const createConfigMapCommand: CommandModule<GlobalOptions, GlobalOptions & CreateConfigMapOptions> = {
  command: ['configmap <name>', 'cm <name>'],
  describe: 'Create a ConfigMap from literal values, files, directories or env files',
  builder: (y) =>
    generatorOutputFlags(y)
      .positional('name', { type: 'string', demandOption: true })
      .option('from-literal', { type: 'string', array: true, describe: 'key=value (repeatable)' })
      .option('from-file', { type: 'string', array: true, describe: '[key=]path (repeatable); a directory adds each file in it' })
      .option('from-env-file', { type: 'string', array: true, describe: 'a file of KEY=VALUE lines (repeatable)' }) as unknown as Argv<GlobalOptions & CreateConfigMapOptions>,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const { data, binaryData } = await configMapData(argv.name, argv);
      await createGenerated(ctx, configMapFromData(argv.name, data, binaryData), argv);
    }),
};
