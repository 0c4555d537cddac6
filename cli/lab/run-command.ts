// The lab drives the machine through its own tools (ip, nsenter, umount), as a person would at a
// root shell. This is the one place that runs them, so every failure reads the same way: the
// command line, the exit code and what the tool said.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { CliError } from '../cli-errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit throws, with the tool's own message. */
export async function run(file: string, args: string[]): Promise<string> {
  const result = await runAllowingFailure(file, args);
  if (result.code !== 0) {
    throw new Error(`${[file, ...args].join(' ')} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`);
  }
  return result.stdout;
}

/** Runs a command and reports how it ended, for steps where "already so" is fine. */
export function runAllowingFailure(file: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new CliError(`cannot run ${file}: ${err.message}`));
        return;
      }
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * Starts a long-running process that outlives this CLI (its own session, output appended to
 * `logFile`, no stdin) and returns its pid. Through `nsenter --net` without --fork the pid is
 * the program's own: nsenter joins the namespace and then execs it.
 */
export function spawnDetached(argv: string[], logFile: string, cwd?: string): number {
  const log = fs.openSync(logFile, 'a');
  try {
    fs.writeSync(log, `\n--- ${new Date().toISOString()} ${argv.join(' ')}\n`);
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', log, log], cwd });
    if (child.pid === undefined) throw new Error(`cannot start ${argv[0]}`);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(log);
  }
}

/** The lab needs root and a few tools; say which one is missing before anything is made. */
export function requireRootAndTools(tools: string[]): void {
  if (process.getuid?.() !== 0) {
    throw new CliError('kubelab lab needs root: it creates network namespaces, a bridge and Docker Engines (run it with sudo)');
  }
  const pathDirs = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':');
  for (const tool of tools) {
    const found = pathDirs.some((dir) => isExecutable(`${dir}/${tool}`));
    if (!found) throw new CliError(`kubelab lab needs "${tool}" on the PATH (${hintFor(tool)})`);
  }
}

/** Whether `file` exists and this process may execute it. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hintFor(tool: string): string {
  if (tool === 'ip') return 'install iproute2';
  if (tool === 'nsenter' || tool === 'umount') return 'install util-linux';
  if (tool === 'dockerd') return 'install docker.io';
  return `install ${tool}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
