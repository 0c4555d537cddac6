// The flags every kubectl generator shares (`--dry-run`, `-o`), and the command after `--`.

import type { Argv } from 'yargs';

/** Adds `--dry-run=none|client|server` and `-o json|yaml|name|jsonpath=...` to a generator command. */
export function generatorOutputFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .option('dry-run', { type: 'string', describe: 'client: print the object, send nothing; server: let the server check it, store nothing' })
    .option('output', { alias: 'o', type: 'string', describe: 'print the object: json, yaml, name or jsonpath=TEMPLATE' }) as unknown as Argv<T>;
}

/**
 * The command after `--`: yargs leaves it in argv._ after the command words (unparsed, so its
 * own flags stay its own), and only words before `--` in the positional. `words` is how many
 * command words come first in argv._ (`create job`: 2, `run`: 1).
 */
export function commandAfterDashes(argv: { command?: string[]; _: (string | number)[] }, words: number): string[] {
  return [...(argv.command ?? []), ...argv._.slice(words)].map(String);
}
