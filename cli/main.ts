#!/usr/bin/env node
// `kubelab`: the command-line client, kubectl's role. It only speaks HTTPS to an API server
// (lib/client/rest-client.ts); it never imports the daemon. This file parses the global flags,
// dispatches to one of the commands in cli/commands/, and turns any failure into kubectl's
// message on stderr and exit code 1.

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CliExit, formatError } from './cli-errors.js';
import { commandsFor, type KubelabCommand } from './commands/index.js';

export function buildParser(args: string[], commands: KubelabCommand[]) {
  return yargs(args)
    .scriptName('kubelab')
    .usage('kubelab controls a kubelab cluster, as kubectl controls Kubernetes.\n\nUsage: kubelab <command> [flags]')
    .option('kubeconfig', { type: 'string', global: true, describe: 'path to the kubeconfig file' })
    .option('context', { type: 'string', global: true, describe: 'the kubeconfig context to use' })
    .option('server', { alias: 's', type: 'string', global: true, describe: 'the address of the API server' })
    .option('token', { type: 'string', global: true, describe: 'bearer token for authentication' })
    .option('namespace', { alias: 'n', type: 'string', global: true, describe: 'the namespace of this request' })
    .option('insecure-skip-tls-verify', { type: 'boolean', global: true, describe: "don't check the server's certificate" })
    .option('v', { type: 'number', global: true, describe: 'log level; 6 prints every request' })
    .command(commands)
    .demandCommand(1, 'You must specify a command, e.g. "kubelab get pods"; see "kubelab --help"')
    .strict()
    .strictCommands()
    .parserConfiguration({ 'parse-positional-numbers': false, 'boolean-negation': true })
    .version(false)
    .help()
    .alias('help', 'h')
    .fail(false)
    .exitProcess(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100));
}

/** Runs one command line; resolves with the process exit code. */
export async function runCli(args: string[]): Promise<number> {
  try {
    const line = joinStdinFilename(args);
    // The shell completion script's callback (cli/completion/): answered without yargs, which
    // would refuse the half-typed words and flags it is asked to complete.
    if (line[0] === '__complete') {
      (await import('./commands/completion.js')).printCompletions(line.slice(1));
      return 0;
    }
    await buildParser(line, await commandsFor(line)).parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CliExit) return err.exitCode;
    const yargsError = err instanceof Error && err.name === 'YError';
    process.stderr.write(formatError(yargsError ? new Error(lowerFirst(err.message)) : err) + '\n');
    return 1;
  }
}

/** `-f -` (stdin) as one token: yargs would otherwise read a lone `-` as a command name. */
export function joinStdinFilename(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const previous = out.at(-1);
    if (arg === '-' && (previous === '-f' || previous === '--filename')) out[out.length - 1] = '--filename=-';
    else out.push(arg);
  }
  return out;
}

function lowerFirst(message: string): string {
  // yargs says "Unknown argument: bogus-flag"; kubectl's messages start in lower case.
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** True when this file is the program being run (also through npm's bin symlink), not an import. */
function isMainModule(): boolean {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMainModule()) {
  runCli(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
