// Runs the real kubectl (1.28 or newer; the compat spec was measured with 1.32) against a
// TestDaemon, with a discovery cache of its own (kubectl caches discovery for 6 hours, so a shared
// cache would hide a daemon's changed resources). Every child is tracked by PID and killed in
// killAll(), also when a test fails half-way through a `-w` or a `port-forward`.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isExecutable } from '../../cli/lab/run-command.js';
import type { CliResult, TestDaemon } from '../../harness/test-daemon.js';
import { eventually } from '../../harness/test-daemon.js';

const MIN_MINOR = 28;

function clientMinor(file: string): number {
  try {
    const out = execFileSync(file, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 10_000 });
    return Number(JSON.parse(out).clientVersion.minor.replace(/\D+$/, ''));
  } catch {
    return 0;
  }
}

/** The kubectl binary to test with: the measured 1.32 first, then `kubectl` on PATH, if ≥ 1.28. */
export function findKubectl(): string | undefined {
  const candidates = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32'];
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(path.join(dir, 'kubectl'));
  return candidates.find((file) => isExecutable(file) && clientMinor(file) >= MIN_MINOR);
}

/**
 * For a `before` hook: the kubectl path, or a skip with a plain message. Under CI=true a missing
 * kubectl is a failure, because CI is where the compatibility promise is checked.
 */
export function requireKubectl(context: Mocha.Context): string {
  const kubectl = findKubectl();
  if (kubectl) return kubectl;
  const message = `kubectl ≥ 1.${MIN_MINOR} not found (looked at /usr/lib/google-cloud-sdk/bin/kubectl.1.32 and PATH)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI needs it`);
  console.log(`    ${message}: skipping the kubectl compatibility tests`);
  context.skip();
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A kubectl that keeps running (`-w`, `logs -f`, `port-forward`): its output so far, and kill(). */
export interface RunningKubectl {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the output matches (fails after timeoutMs with the output so far). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

export class Kubectl {
  private readonly children = new Set<ChildProcess>();

  private constructor(
    readonly binary: string,
    readonly kubeconfigPath: string,
    readonly cacheDir: string,
  ) {}

  static async forDaemon(binary: string, daemon: TestDaemon): Promise<Kubectl> {
    return Kubectl.forKubeconfig(binary, daemon.kubeconfigPath);
  }

  static async forKubeconfig(binary: string, kubeconfigPath: string): Promise<Kubectl> {
    const cacheDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kubelab-kubectl-cache-'));
    return new Kubectl(binary, kubeconfigPath, cacheDir);
  }

  /** The same kubectl with another kubeconfig (e.g. one with a wrong token). */
  withKubeconfig(kubeconfigPath: string): Kubectl {
    return new Kubectl(this.binary, kubeconfigPath, this.cacheDir);
  }

  private start(args: string[], options: RunOptions): ChildProcess {
    const child = spawn(this.binary, ['--cache-dir', this.cacheDir, ...args], {
      env: { ...process.env, KUBECONFIG: this.kubeconfigPath, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Runs kubectl to completion (killed by PID after timeoutMs, default 60 s). */
  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = this.start(args, options);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
      child.stdin!.end(options.input ?? '');
    });
  }

  /** Runs kubectl and fails the test with its stderr unless it exits 0; returns stdout. */
  async ok(args: string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  /** Starts a long-running kubectl; stdout and stderr are collected together. */
  spawn(args: string[], options: RunOptions = {}): RunningKubectl {
    const child = this.start(args, options);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      child,
      output: () => output,
      waitFor: (pattern, timeoutMs = 20_000) =>
        eventually(() => pattern.test(output) && output, timeoutMs).catch((err: Error) => {
          throw new Error(`${err.message}; waiting for ${pattern} in:\n${output}`);
        }),
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  }

  /** Kills every kubectl this object started that is still running, by PID; removes the cache. */
  async killAll(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    await fsp.rm(this.cacheDir, { recursive: true, force: true });
  }
}

/** Splits a kubectl table into rows of cells (columns are separated by two or more spaces). */
export function tableRows(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/));
}

/** Waits until kubectl reports every pod matching `selector` Running and ready. */
export async function waitForReadyPods(kubectl: Kubectl, selector: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  return eventually(async () => {
    const out = await kubectl.ok(['get', 'pods', '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.containerStatuses[*].ready} {.metadata.deletionTimestamp}{"\\n"}{end}']);
    const lines = out.trim().split('\n').filter(Boolean);
    const ready = lines.filter((l) => / Running (true ?)+$/.test(l)).map((l) => l.split(' ')[0]);
    return lines.length === count && ready.length === count && ready;
  }, timeoutMs, 500);
}
