// How long a learner waits for the CLI: wall time of `kubelab version --client` and of
// `kubelab get pods` against a real kubelabd, each paired run by run with a bare `node -e 0`
// (the floor any Node.js program pays) and, where installed, the real kubectl. Runs alternate
// A B A B so that a machine growing busier mid-run moves both sides of a ratio alike.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { median } from './stats.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');
const kubelab = path.join(repoRoot, 'dist/bin/kubelab.js');

export interface CliStartupFigure {
  command: string;
  medianMs: number;
  /** Median of the per-pair ratios against `node -e 0`. */
  ratioToNode: number;
  /** Median of the per-pair ratios against the same kubectl command, when kubectl is installed. */
  ratioToKubectl?: number;
}

async function wallMs(file: string, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  await run(file, args, { env: { ...process.env, KUBECONFIG: '' } });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function hasKubectl(): Promise<boolean> {
  return run('kubectl', ['version', '--client']).then(() => true, () => false);
}

/** `rounds` pairs of each command against node -e 0 (and kubectl), after one warm-up run of each. */
export async function benchCliStartup(kubeconfig: string, rounds = 11): Promise<CliStartupFigure[]> {
  const kubectl = await hasKubectl();
  const commands: Array<{ command: string; args: string[]; kubectlArgs: string[] }> = [
    { command: 'kubelab version --client', args: ['version', '--client'], kubectlArgs: ['version', '--client'] },
    { command: 'kubelab get pods', args: ['--kubeconfig', kubeconfig, 'get', 'pods'], kubectlArgs: ['--kubeconfig', kubeconfig, 'get', 'pods'] },
  ];
  const figures: CliStartupFigure[] = [];
  for (const { command, args, kubectlArgs } of commands) {
    await wallMs(process.execPath, [kubelab, ...args]);
    if (kubectl) await wallMs('kubectl', kubectlArgs);
    const ours: number[] = [];
    const toNode: number[] = [];
    const toKubectl: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const mine = await wallMs(process.execPath, [kubelab, ...args]);
      const bare = await wallMs(process.execPath, ['-e', '0']);
      ours.push(mine);
      toNode.push(mine / bare);
      if (kubectl) toKubectl.push(mine / (await wallMs('kubectl', kubectlArgs)));
    }
    figures.push({ command, medianMs: median(ours), ratioToNode: median(toNode), ...(kubectl ? { ratioToKubectl: median(toKubectl) } : {}) });
  }
  return figures;
}

export function formatCliStartup(figures: CliStartupFigure[]): string {
  return [
    'CLI start-up (wall time, median of pairs; goal: at most 2x a bare `node -e 0`)',
    ...figures.map(
      (f) =>
        `  ${f.command}: ${f.medianMs.toFixed(0)} ms, ${f.ratioToNode.toFixed(2)}x node -e 0` +
        (f.ratioToKubectl === undefined ? '' : `, ${f.ratioToKubectl.toFixed(2)}x kubectl`),
    ),
  ].join('\n');
}

/** `npx tsx bench/cli-startup.ts KUBECONFIG`: this benchmark alone, against a running server. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const kubeconfig = process.argv[2] ?? '/var/lib/kubelab/kubeconfig.yaml';
  benchCliStartup(kubeconfig).then((figures) => console.log(formatCliStartup(figures)));
}
