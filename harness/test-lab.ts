// A simulated multi-host lab for lab tests and benchmarks: `kubelab lab up` in a temporary
// directory (network namespaces, one bridge, a Docker Engine and a kubelabd per host), driven
// through the same CLI a user runs, and `kubelab lab down` afterwards, also when the test failed.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { runCli, type CliResult } from './test-daemon.js';

export class TestLab {
  readonly kubeconfigPath: string;

  private constructor(readonly dir: string) {
    this.kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
  }

  /** Brings up `nodes` hosts; node lifecycle timings are short so failure tests finish quickly. */
  static async up(nodes: number, extraArgs: string[] = []): Promise<TestLab> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-lab-'));
    const lab = new TestLab(dir);
    const result = await lab.lab(['up', '--nodes', String(nodes), ...extraArgs], 240_000);
    if (result.code !== 0) {
      const logs = await lab.logs();
      await lab.down();
      throw new Error(`kubelab lab up failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}\n${logs}`);
    }
    return lab;
  }

  lab(args: string[], timeoutMs = 120_000): Promise<CliResult> {
    return runCli(['lab', ...args, '--dir', this.dir], { timeoutMs });
  }

  kubelab(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
    return runCli(['--kubeconfig', this.kubeconfigPath, ...args], options);
  }

  /** `kubelab ARGS` that must succeed; its stdout. */
  async ok(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.kubelab(args, options);
    if (result.code !== 0) throw new Error(`kubelab ${args.join(' ')} exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.stdout;
  }

  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'])) as T;
  }

  /** The Docker Engine of one simulated host (its socket is a file in the lab's directory). */
  engine(node: string): Docker {
    return new Docker({ socketPath: path.join(this.dir, node, 'docker.sock') });
  }

  /** The tail of every host's kubelabd log, for failure messages. */
  async logs(lines = 30): Promise<string> {
    const out: string[] = [];
    for (const entry of await fs.readdir(this.dir).catch(() => [] as string[])) {
      const file = path.join(this.dir, entry, 'kubelabd.log');
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) out.push(`--- ${entry}/kubelabd.log\n${text.split('\n').slice(-lines).join('\n')}`);
    }
    return out.join('\n');
  }

  async down(): Promise<CliResult> {
    const result = await this.lab(['down'], 180_000);
    // `lab down` removes DIR itself; only a failed one leaves it, to be removed here.
    if (result.code !== 0) await fs.rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    return result;
  }
}
