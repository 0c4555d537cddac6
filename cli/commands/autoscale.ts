// `kubelab autoscale TYPE/NAME --min=N --max=M --cpu-percent=P`: a HorizontalPodAutoscaler for a
// deployment, replica set or replication controller, as `kubectl autoscale` makes it (same
// flags, same checks, same name: the target's unless --name). kubectl 1.32 still writes
// autoscaling/v1; kubelab writes the stored autoscaling/v2 directly, which is the same object.
// Without --cpu-percent the server's default applies (80 % of the cpu requests).

import type { Argv } from 'yargs';
import type { HorizontalPodAutoscaler } from '../../lib/api/autoscaling-types.js';
import { apiVersionOf, resourceKey } from '../../lib/api/resources.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { parseResourceArgs } from '../resource-args.js';
import type { KubelabCommand } from './index.js';

export interface AutoscaleOptions {
  args: string[];
  min: number;
  max: number;
  cpuPercent: number;
  name?: string;
}

const SCALABLE = ['deployments', 'replicasets', 'replicationcontrollers'];

export const autoscaleCommand: KubelabCommand<AutoscaleOptions> = {
  command: 'autoscale [args..]',
  describe: 'Create a HorizontalPodAutoscaler for a deployment, replica set or replication controller',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE NAME or TYPE/NAME' })
      .option('min', { type: 'number', default: -1, describe: 'the lower limit of pods (default: the server\'s, 1)' })
      .option('max', { type: 'number', default: -1, describe: 'the upper limit of pods (required)' })
      .option('cpu-percent', { type: 'number', default: -1, describe: 'the target average cpu use over all pods, in percent of their cpu requests (default: the server\'s, 80)' })
      .option('name', { type: 'string', describe: 'the HorizontalPodAutoscaler\'s name (default: the target\'s)' }) as unknown as Argv<GlobalOptions & AutoscaleOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runAutoscale(ctx, argv)),
};

/** The HPA `kubectl autoscale` would create (pure). */
export function planAutoscaler(target: { apiVersion: string; kind: string; name: string }, options: Omit<AutoscaleOptions, 'args'>): HorizontalPodAutoscaler {
  if (options.max < 1) throw new CliError(`--max=MAXPODS is required and must be at least 1, max: ${options.max}`);
  if (options.max < options.min) throw new CliError(`--max=MAXPODS must be larger or equal to --min=MINPODS, max: ${options.max}, min: ${options.min}`);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: options.name ?? target.name },
    spec: {
      scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
      ...(options.min >= 0 ? { minReplicas: options.min } : {}),
      maxReplicas: options.max,
      ...(options.cpuPercent >= 0
        ? { metrics: [{ type: 'Resource' as const, resource: { name: 'cpu', target: { type: 'Utilization' as const, averageUtilization: options.cpuPercent } } }] }
        : {}),
    },
  };
}

export async function runAutoscale(ctx: CliContext, options: AutoscaleOptions): Promise<void> {
  const targets = parseResourceArgs(options.args);
  if (targets.length !== 1 || targets[0].names.length !== 1) throw new CliError('name exactly one object to autoscale: kubelab autoscale TYPE NAME (e.g. kubelab autoscale deployment web --min=1 --max=5 --cpu-percent=50)');
  const [{ info, names }] = targets;
  if (!SCALABLE.includes(info.plural)) throw new CliError(`cannot autoscale a ${info.kind}: autoscale a deployment, replicaset or replicationcontroller`);
  // The target must exist (kubectl reads it first, too).
  await ctx.client.get(resourceKey(info), ctx.namespace, names[0]);
  const hpa = planAutoscaler({ apiVersion: apiVersionOf(info), kind: info.kind, name: names[0] }, options);
  const created = await ctx.client.request<HorizontalPodAutoscaler>('POST', `/apis/autoscaling/v2/namespaces/${encodeURIComponent(ctx.namespace)}/horizontalpodautoscalers`, {
    body: hpa,
    query: { fieldManager: 'kubectl-autoscale' },
  });
  ctx.out(`horizontalpodautoscaler.autoscaling/${created.metadata.name} autoscaled\n`);
}
