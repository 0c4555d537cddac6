// `kubelab describe TYPE [NAME...]`: a readable account of objects and of the events about them.
// Each kind has its describer in cli/describe/; other kinds get their metadata and events.

import type { Argv } from 'yargs';
import { resourceKey, type ResourceInfo } from '../../lib/api/resources.js';
import type { DaemonSet, Deployment, KubeObject, Namespace, Node, Pod, ReplicaSet, Secret, Service } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { describeGeneric, describeNamespace, describeNode, describeSecret, describeService } from '../describe/describe-cluster.js';
import { describePod } from '../describe/describe-pod.js';
import { describeDaemonSet } from '../describe/describe-daemon-set.js';
import { describeDeployment, describeReplicaSet } from '../describe/describe-workloads.js';
import { describeCronJob, describeJob } from '../describe/describe-batch.js';
import { describeHorizontalPodAutoscaler } from '../describe/describe-autoscaler.js';
import type { HorizontalPodAutoscaler } from '../../lib/api/autoscaling-types.js';
import type { CronJob, Job } from '../../lib/api/batch-types.js';
import { parseResourceArgs } from '../resource-args.js';
import type { KubelabCommand } from './index.js';

export interface DescribeOptions {
  args: string[];
  selector?: string;
  allNamespaces?: boolean;
}

type Describer = (ctx: CliContext, obj: KubeObject) => Promise<string>;

const DESCRIBERS: Record<string, Describer> = {
  Pod: (ctx, o) => describePod(ctx, o as Pod),
  Node: (ctx, o) => describeNode(ctx, o as Node),
  Namespace: (ctx, o) => describeNamespace(ctx, o as Namespace),
  Secret: (ctx, o) => describeSecret(ctx, o as Secret),
  Service: (ctx, o) => describeService(ctx, o as Service),
  ReplicationController: (ctx, o) => describeReplicaSet(ctx, o as ReplicaSet),
  ReplicaSet: (ctx, o) => describeReplicaSet(ctx, o as ReplicaSet),
  Deployment: (ctx, o) => describeDeployment(ctx, o as Deployment),
  Job: (ctx, o) => describeJob(ctx, o as Job),
  CronJob: (ctx, o) => describeCronJob(ctx, o as CronJob),
  DaemonSet: (ctx, o) => describeDaemonSet(ctx, o as DaemonSet),
  HorizontalPodAutoscaler: (ctx, o) => describeHorizontalPodAutoscaler(ctx, o as HorizontalPodAutoscaler),
};

export const describeCommand: KubelabCommand<DescribeOptions> = {
  command: 'describe [args..]',
  describe: 'Show details of objects and the events about them',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE [NAME...] or TYPE/NAME' })
      .option('selector', { alias: 'l', type: 'string', describe: 'describe every object matching this label selector' })
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'in every namespace' }) as unknown as Argv<GlobalOptions & DescribeOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runDescribe(ctx, argv)),
};

export function describerFor(info: ResourceInfo): Describer {
  return DESCRIBERS[info.kind] ?? describeGeneric;
}

export async function runDescribe(ctx: CliContext, options: DescribeOptions): Promise<void> {
  const descriptions: string[] = [];
  for (const { info, names } of parseResourceArgs(options.args)) {
    const namespace = info.namespaced && !options.allNamespaces ? ctx.namespace : undefined;
    const objects: KubeObject[] = [];
    if (names.length === 0) {
      const list = await ctx.client.list(resourceKey(info), { namespace, labelSelector: options.selector });
      objects.push(...list.items);
    }
    for (const name of names) {
      try {
        objects.push(await ctx.client.get(resourceKey(info), namespace, name));
      } catch (err) {
        ctx.fail(err);
      }
    }
    for (const obj of objects) descriptions.push(await describerFor(info)(ctx, obj));
  }
  if (descriptions.length) ctx.out(descriptions.join('\n\n'));
  else if (!ctx.failed) ctx.err(`No resources found in ${ctx.namespace} namespace.\n`);
}
