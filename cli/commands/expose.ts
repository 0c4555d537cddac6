// `kubelab expose TYPE NAME`: a Service in front of a pod, replication controller, replica set,
// deployment or another Service, with the selector and ports read from the object
// (cli/expose-service.ts), POSTed as kubectl does (`?fieldManager=kubectl-expose`).

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { KubeObject, Service } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { planExposedService, type ExposeOptions } from '../expose-service.js';
import { parseResourceArgs } from '../resource-args.js';
import type { KubelabCommand } from './index.js';

export interface ExposeCommandOptions extends ExposeOptions {
  args: string[];
}

const EXPOSABLE = ['pods', 'replicationcontrollers', 'replicasets', 'deployments', 'services'];

export const exposeCommand: KubelabCommand<ExposeCommandOptions> = {
  command: 'expose [args..]',
  describe: 'Expose a pod, replication controller, replica set, deployment or service as a new Service',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE NAME or TYPE/NAME' })
      .option('port', { type: 'number', describe: 'the port the Service serves on (default: the object\'s container ports)' })
      .option('target-port', { type: 'string', describe: 'the container port (number or name) to send traffic to (default: --port)' })
      .option('type', { type: 'string', describe: 'ClusterIP (default), NodePort or LoadBalancer' })
      .option('name', { type: 'string', describe: 'the Service\'s name (default: the object\'s)' })
      .option('node-port', { type: 'number', describe: 'the node port of a NodePort or LoadBalancer Service (default: allocated)' })
      .option('protocol', { type: 'string', describe: 'TCP (default) or UDP' })
      .option('session-affinity', { type: 'string', describe: 'None (default) or ClientIP' })
      .option('load-balancer-ip', { type: 'string', describe: 'the LoadBalancer address to ask for' }) as unknown as Argv<GlobalOptions & ExposeCommandOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runExpose(ctx, argv)),
};

export async function runExpose(ctx: CliContext, options: ExposeCommandOptions): Promise<void> {
  const targets = parseResourceArgs(options.args);
  if (targets.length !== 1 || targets[0].names.length !== 1) throw new CliError('name exactly one object to expose: kubelab expose TYPE NAME (e.g. kubelab expose deployment web --port=80)');
  const [{ info, names }] = targets;
  if (!EXPOSABLE.includes(info.plural)) throw new CliError(`cannot expose a ${info.kind}: expose a pod, replicationcontroller, replicaset, deployment or service`);
  const source = await ctx.client.get<KubeObject>(resourceKey(info), ctx.namespace, names[0]);
  const service = planExposedService(source, options);
  const created = await ctx.client.request<Service>('POST', `/api/v1/namespaces/${encodeURIComponent(ctx.namespace)}/services`, { body: service, query: { fieldManager: 'kubectl-expose' } });
  ctx.out(`service/${created.metadata.name} exposed\n`);
}
