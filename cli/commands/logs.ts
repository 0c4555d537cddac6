// `kubelab logs POD [-c CONTAINER] [-f] [--tail N] [--timestamps] [--previous]`: GET the pod to
// pick the container as kubectl does (the default-container annotation, else the first, saying
// so on stderr when there was a choice), then copy the log stream to stdout.

import { pipeline } from 'node:stream/promises';
import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import { labelSelectorToString } from '../../lib/api/selectors.js';
import type { KubeObject, LabelSelector, Pod } from '../../lib/api/types.js';
import { resolveType } from '../resource-args.js';
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
      .positional('pod', { type: 'string', demandOption: true, describe: 'POD, pod/POD, or TYPE/NAME of a job, deployment, replica set, replication controller or daemon set' })
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

/** What kubectl's podutils.ByLogging prefers: on a node, Running, ready, then the oldest. */
function byLogging(a: Pod, b: Pod): number {
  const rank = (p: Pod) => [p.spec.nodeName ? 0 : 1, p.status?.phase === 'Running' ? 0 : 1, p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 0 : 1];
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
  return Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '');
}

/**
 * The pod `TYPE/NAME` stands for: a pod itself, or for a controller (deploy/, rs/, rc/, ds/, sts/)
 * or a Service one of the pods its selector selects (job/ too), as kubectl's
 * AttachablePodForObject picks it. `purpose` words the refusal: `get the logs from`.
 */
export async function attachablePod(ctx: CliContext, typed: string, purpose = 'get the logs from'): Promise<Pod> {
  const slash = typed.indexOf('/');
  const info = slash < 0 ? undefined : resolveType(typed.slice(0, slash));
  const name = slash < 0 ? typed : typed.slice(slash + 1);
  if (!info || info.kind === 'Pod') return ctx.client.get<Pod>('pods', ctx.namespace, name);
  if (!['ReplicationController', 'ReplicaSet', 'Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'Service'].includes(info.kind)) throw new CliError(`cannot ${purpose} ${info.kind}: "${typed}"`);
  const owner = await ctx.client.get<KubeObject & { spec?: { selector?: LabelSelector | Record<string, string> } }>(resourceKey(info), ctx.namespace, name);
  const selector = owner.spec?.selector ? labelSelectorToString(owner.spec.selector) : '';
  const pods = selector ? (await ctx.client.list<Pod>('pods', { namespace: ctx.namespace, labelSelector: selector })).items.sort(byLogging) : [];
  if (pods.length === 0) throw new CliError(`no pods found for ${info.singular} "${name}"`);
  if (pods.length > 1) ctx.err(`Found ${pods.length} pods, using pod/${pods[0].metadata.name}\n`);
  return pods[0];
}

export async function runLogs(ctx: CliContext, options: LogsOptions): Promise<void> {
  const pod = await attachablePod(ctx, options.pod);
  const name = pod.metadata.name!;
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
