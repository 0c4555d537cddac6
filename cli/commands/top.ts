// `kubelab top nodes|pods`: what kubectl top shows, from the same metrics.k8s.io/v1beta1 API.
//
// The numbers are the kubelets' usage samples (daemon/kubelet/usage/), served by the API server
// (daemon/api/metrics/); a pod shows up after its node has read it twice (one or two housekeeping
// intervals, 10 s each by default). The table is kubectl's, cell for cell (cli/top-printer.ts).

import type { Argv } from 'yargs';
import { parseCpuMillis, parseMemoryBytes } from '../../lib/api/quantity.js';
import type { Node, ObjectList, Pod } from '../../lib/api/types.js';
import { METRICS_API_VERSION, type MetricsList, type NodeMetrics, type PodMetrics } from '../../lib/metrics/metrics-api.js';
import { isNotFound } from '../../lib/errors.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { nodeMetricsTable, podMetricsTable, type NodeAllocatable, type SortBy } from '../top-printer.js';
import type { KubelabCommand } from './index.js';

interface TopOptions {
  resource: string;
  name?: string;
  selector?: string;
  'sort-by'?: string;
  'all-namespaces'?: boolean;
  containers?: boolean;
  'no-headers'?: boolean;
}

const BASE = `/apis/${METRICS_API_VERSION}`;

export const topCommand: KubelabCommand<TopOptions> = {
  command: 'top <resource> [name]',
  describe: 'Display resource (CPU/memory) usage of nodes or pods',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('resource', { type: 'string', choices: ['node', 'nodes', 'no', 'pod', 'pods', 'po'], describe: 'nodes or pods' })
      .positional('name', { type: 'string', describe: 'one node or pod' })
      .option('selector', { alias: 'l', type: 'string', describe: 'label selector, e.g. app=web' })
      .option('sort-by', { type: 'string', choices: ['cpu', 'memory'], describe: 'sort by usage, highest first' })
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'pods of every namespace' })
      .option('containers', { type: 'boolean', describe: 'one line per container' })
      .option('no-headers', { type: 'boolean', describe: 'leave out the header line' }) as unknown as Argv<GlobalOptions & TopOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => (['node', 'nodes', 'no'].includes(argv.resource) ? topNodes(ctx, argv) : topPods(ctx, argv))),
};

/** kubectl top's first question: is the metrics API there at all? */
async function requireMetricsApi(ctx: CliContext): Promise<void> {
  const groups = await ctx.client.request<{ groups?: { name: string }[] }>('GET', '/apis');
  if (!groups.groups?.some((g) => g.name === 'metrics.k8s.io')) throw new CliError('Metrics API not available');
}

async function topNodes(ctx: CliContext, argv: TopOptions): Promise<void> {
  await requireMetricsApi(ctx);
  const query = argv.selector ? { labelSelector: argv.selector } : undefined;
  const metrics = argv.name
    ? [await ctx.client.request<NodeMetrics>('GET', `${BASE}/nodes/${encodeURIComponent(argv.name)}`)]
    : (await ctx.client.request<MetricsList<NodeMetrics>>('GET', `${BASE}/nodes`, { query })).items;
  if (metrics.length === 0) throw new CliError('metrics not available yet');
  const nodes: Node[] = argv.name ? [await ctx.client.get<Node>('nodes', undefined, argv.name)] : (await ctx.client.list<Node>('nodes', { labelSelector: argv.selector })).items;
  const allocatable = new Map<string, NodeAllocatable>();
  for (const node of nodes) {
    const a = node.status?.allocatable ?? {};
    allocatable.set(node.metadata.name ?? '', { milliCpu: a.cpu !== undefined ? parseCpuMillis(a.cpu) : undefined, memoryBytes: a.memory !== undefined ? parseMemoryBytes(a.memory) : undefined });
  }
  ctx.out(nodeMetricsTable(metrics, allocatable, { sortBy: argv['sort-by'] as SortBy, noHeaders: argv['no-headers'] }));
}

async function topPods(ctx: CliContext, argv: TopOptions): Promise<void> {
  await requireMetricsApi(ctx);
  const allNamespaces = Boolean(argv['all-namespaces']);
  const namespace = allNamespaces ? undefined : ctx.namespace;
  let metrics: PodMetrics[];
  if (argv.name) {
    metrics = [await ctx.client.request<PodMetrics>('GET', `${BASE}/namespaces/${encodeURIComponent(ctx.namespace)}/pods/${encodeURIComponent(argv.name)}`)];
  } else {
    const path = namespace === undefined ? `${BASE}/pods` : `${BASE}/namespaces/${encodeURIComponent(namespace)}/pods`;
    metrics = (await ctx.client.request<MetricsList<PodMetrics>>('GET', path, { query: argv.selector ? { labelSelector: argv.selector } : undefined })).items;
  }
  if (metrics.length === 0) {
    // Pods that exist but have no usage yet have just started: say so rather than "none".
    const pods = await ctx.client.list<Pod>('pods', { namespace, labelSelector: argv.selector }).catch((err: unknown) => (isNotFound(err) ? ({ items: [] } as unknown as ObjectList<Pod>) : Promise.reject(err)));
    if (pods.items.length > 0) throw new CliError('metrics not available yet');
    ctx.err(allNamespaces ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`);
    return;
  }
  ctx.out(podMetricsTable(metrics, { allNamespaces, containers: argv.containers, sortBy: argv['sort-by'] as SortBy, noHeaders: argv['no-headers'] }));
}
