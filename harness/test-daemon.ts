// Runs a real `kubelabd server` (the built dist/daemon/main.js) as a child process for
// integration tests and benchmarks, on a free port, a temporary data dir and a node name of its own, so its
// kubelet only ever touches the containers of this test run, and a service CIDR and node port
// range of its own, so concurrent test daemons never share a Service address or port. cleanup()
// stops it by PID (SIGTERM, so its proxy takes its addresses off lo; SIGKILL if it hangs) and
// removes every container and network it made, also when the test failed.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { HostTmpfsMounter } from '../daemon/kubelet/tmpfs-mounter.js';
import { errorMessage } from '../lib/errors.js';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');
export const daemonEntry = path.join(repoRoot, 'dist/daemon/main.js');
export const cliEntry = path.join(repoRoot, 'dist/bin/kubelab.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDaemonOptions {
  /** Extra `kubelabd server` flags. */
  args?: string[];
  /** Flags for node itself, before the daemon's entry (`--cpu-prof` for a benchmark's profile, `--heapsnapshot-signal=SIGUSR2`). */
  nodeArgs?: string[];
}

export class TestDaemon {
  readonly nodeName: string;
  readonly dataDir: string;
  readonly network: string;
  readonly subnet: string;
  readonly serviceCidr: string;
  readonly nodePortRange: { first: number; last: number };
  kubeconfigPath = '';
  url = '';
  private child?: ChildProcess;
  private output = '';

  private constructor(
    readonly id: string,
    dataDir: string,
    private readonly options: TestDaemonOptions,
  ) {
    this.nodeName = `kl-test-${id}`;
    this.dataDir = dataDir;
    this.network = `kubelab-test-${id}`;
    // A subnet of its own per run: 10.244.128.0/17 is never used by the quick start's cluster.
    this.subnet = `10.244.${128 + (parseInt(id, 16) % 120)}.0/24`;
    // The top of Kubernetes' default 10.96.0.0/12, which a quick-start cluster reaches last.
    this.serviceCidr = `10.111.${parseInt(id, 16) % 250}.0/24`;
    const firstPort = 30000 + (parseInt(id, 16) % 27) * 100;
    this.nodePortRange = { first: firstPort, last: firstPort + 99 };
  }

  static async start(options: TestDaemonOptions = {}): Promise<TestDaemon> {
    const id = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0');
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-test-'));
    const daemon = new TestDaemon(id, dataDir, options);
    try {
      await daemon.launch();
    } catch (err) {
      // The caller never gets the daemon to clean up: whatever it made goes now.
      await daemon.cleanup().catch(() => undefined);
      throw err;
    }
    return daemon;
  }

  /** Starts (or restarts) the process on the same data dir; resolves when the API answers. */
  async launch(): Promise<void> {
    await fs.writeFile(path.join(this.dataDir, 'no-upstream-resolv.conf'), '# kubelab tests: no upstream resolver\n');
    const args = [
      ...(this.options.nodeArgs ?? []),
      daemonEntry, 'server',
      '--data-dir', this.dataDir,
      '--listen', this.url ? new URL(this.url).host : '127.0.0.1:0',
      '--node-name', this.nodeName,
      ...this.defaultFlag('--pod-network', this.network),
      ...this.defaultFlag('--pod-subnet', this.subnet),
      // Tests never query a real resolver: names outside the cluster get SERVFAIL unless a test
      // points the daemon at a resolver of its own on loopback (--upstream-resolv-conf).
      ...this.defaultFlag('--upstream-resolv-conf', path.join(this.dataDir, 'no-upstream-resolv.conf')),
      '--backoff-initial-ms', '1000',
      '--backoff-max-ms', '4000',
      ...this.defaultFlag('--service-cidr', this.serviceCidr),
      ...this.defaultFlag('--node-port-range', `${this.nodePortRange.first}-${this.nodePortRange.last}`),
      ...(this.options.args ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const url = /API server listening on (\S+)/.exec(this.output);
        const kubeconfig = /kubeconfig written to (\S+)/.exec(this.output);
        if (url && kubeconfig) {
          this.url = url[1];
          this.kubeconfigPath = kubeconfig[1];
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
      child.once('exit', (code, signal) => reject(new Error(`kubelabd exited (${code ?? signal}) before it was ready:\n${this.output}`)));
    });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`kubelabd not ready after 30 s:\n${this.output}`)), 30_000).unref());
    await Promise.race([ready, timeout]);
  }

  /** `[flag, value]` unless the caller's args set the flag themselves. */
  private defaultFlag(flag: string, value: string): string[] {
    return (this.options.args ?? []).includes(flag) ? [] : [flag, value];
  }

  /** The daemon's process id while it runs (for /proc figures such as its RSS). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Everything the daemon printed since its last start. */
  get log(): string {
    return this.output;
  }

  /** Sends a signal to the daemon process (by PID) and waits until it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Runs the kubelab CLI against this cluster. */
  async kubelab(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
    return runCli(['--kubeconfig', this.kubeconfigPath, ...args], options);
  }

  async cleanup(): Promise<void> {
    // SIGTERM first: the daemon's proxy removes the Service addresses it put on lo.
    const stopped = this.kill('SIGTERM');
    const timer = setTimeout(() => void this.kill('SIGKILL'), 15_000);
    await stopped;
    clearTimeout(timer);
    await removeContainersOfNode(this.nodeName);
    const docker = new Docker();
    // The engine may still be releasing an endpoint of a container it just removed ("has active
    // endpoints"): try again for a while rather than leave the network behind.
    for (let attempt = 0; attempt < 50; attempt++) {
      const removed = await docker.getNetwork(this.network).remove().then(() => true, (err: { statusCode?: number }) => err.statusCode === 404);
      if (removed) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The secret volumes of pods that were still there when the daemon stopped are tmpfs mounts.
    await new HostTmpfsMounter().unmountAllUnder(this.dataDir);
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}

/** How to run the CLI: its stdin, a kill timeout, and environment variables added to ours (`EDITOR`). */
export interface CliRunOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Removes every container the kubelet of `nodeName` made (sandboxes and app containers). */
export async function removeContainersOfNode(nodeName: string): Promise<void> {
  const docker = new Docker();
  const containers = await docker.listContainers({ all: true, filters: { label: [`io.kubelab.node=${nodeName}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** Polls fn until it returns a truthy value (or stops throwing); fails with the last error after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      lastError = new Error('condition still false');
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`not true after ${timeoutMs} ms: ${errorMessage(lastError)}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export { execFileAsync };
