// `kubelab logs POD [-c CONTAINER] [-f] [--tail N] [--timestamps] [--previous]`: GET the pod to
// pick the container as kubectl does (the default-container annotation, else the first, saying
// so on stderr when there was a choice), then copy the log stream to stdout.

import { pipeline } from 'node:stream/promises';
import type { Argv } from 'yargs';
import type { Pod } from '../../lib/api/types.js';
import type { Job } from '../../lib/api/batch-types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import type { KubelabCommand } from './index.js';

export interface LogsOptions {
  pod: string;
  container?: string;
  follow?: boolean;
  tail: number;
  timestamps?: boolean;
  previous?: boolean;
}

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export const logsCommand: KubelabCommand<LogsOptions> = {
  command: 'logs <pod>',
  describe: 'Print the logs of a container in a pod',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('pod', { type: 'string', demandOption: true, describe: 'POD, pod/POD or job/NAME (its first pod)' })
      .option('container', { alias: 'c', type: 'string', describe: 'the container; default: the first one' })
      .option('follow', { alias: 'f', type: 'boolean', describe: 'keep printing new lines' })
      .option('tail', { type: 'number', default: -1, describe: 'only the last N lines' })
      .option('timestamps', { type: 'boolean', describe: 'prefix each line with its RFC 3339 timestamp' })
      .option('previous', { alias: 'p', type: 'boolean', describe: 'the previous, terminated instance of the container' }) as unknown as Argv<
      GlobalOptions & LogsOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runLogs(ctx, argv)),
};

/** Which container kubectl shows, and the note it prints when it had to choose. */
export function pickContainer(pod: Pod, requested: string | undefined): { container: string; note?: string } {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  if (requested) {
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name)];
    if (!all.includes(requested)) {
      throw new CliError(`container ${requested} is not valid for pod ${pod.metadata.name}; choose one of: [${names.join(' ')}]`);
    }
    return { container: requested };
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && names.includes(annotated)) return { container: annotated };
  if (names.length === 0) throw new CliError(`pod ${pod.metadata.name} has no containers`);
  return { container: names[0], note: names.length > 1 ? `Defaulted container "${names[0]}" out of: ${names.join(', ')}` : undefined };
}

/**
 * The pod `logs` reads: POD, pod/POD, or job/NAME (the Job's first pod, oldest first, as kubectl
 * picks it through the Job's selector).
 */
async function podToLog(ctx: CliContext, typed: string): Promise<Pod> {
  const job = /^(jobs?|jobs?\.batch)\/(.+)$/i.exec(typed);
  if (job) {
    const owner = await ctx.client.get<Job>('jobs.batch', ctx.namespace, job[2]);
    const selector = Object.entries(owner.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = (await ctx.client.list<Pod>('pods', { namespace: ctx.namespace, labelSelector: selector })).items;
    pods.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    if (pods.length === 0) throw new CliError(`job ${job[2]} has no pods yet`);
    return pods[0];
  }
  const name = typed.replace(/^(pods?|po)\//i, '');
  if (name.includes('/')) throw new CliError(`logs supports pods and jobs: "${typed}"`);
  return ctx.client.get<Pod>('pods', ctx.namespace, name);
}

export async function runLogs(ctx: CliContext, options: LogsOptions): Promise<void> {
  const pod = await podToLog(ctx, options.pod);
  const name = pod.metadata.name ?? '';
  const { container, note } = pickContainer(pod, options.container);
  if (note) ctx.err(note + '\n');
  const stream = await ctx.client.logs(ctx.namespace, name, {
    container,
    follow: options.follow,
    tailLines: options.tail >= 0 ? options.tail : undefined,
    timestamps: options.timestamps,
    previous: options.previous,
  });
  await pipeline(stream, async function* (source) {
    for await (const chunk of source) ctx.out(chunk.toString());
  });
}
