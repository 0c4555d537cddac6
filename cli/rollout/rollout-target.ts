// Which object a `kubelab rollout ...` command is about: `deployment/NAME` or `ds NAME`.
// kubectl's rollout commands are written for Deployments, DaemonSets and StatefulSets; any other
// kind gets kubectl's own refusal for that subcommand.

import type { ResourceInfo } from '../../lib/api/resources.js';
import type { DaemonSet, Deployment, StatefulSet } from '../../lib/api/types.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { parseResourceArgs } from '../resource-args.js';

export interface RolloutTarget {
  info: ResourceInfo;
  name: string;
}

/** Go's GroupKind.String(): `ReplicationController`, `ReplicaSet.apps`. */
export function groupKind(info: ResourceInfo): string {
  return info.group ? `${info.kind}.${info.group}` : info.kind;
}

/** The objects named on the command line; `refuse(info)` is the message for a kind we cannot roll. */
export function rolloutTargets(args: string[], refuse: (target: RolloutTarget) => string, kinds: readonly string[] = ['Deployment']): RolloutTarget[] {
  const targets = parseResourceArgs(args).flatMap(({ info, names }) => {
    if (names.length === 0) throw new CliError(`required resource not specified`);
    return names.map((name) => ({ info, name }));
  });
  for (const target of targets) if (!kinds.includes(target.info.kind)) throw new CliError(refuse(target));
  return targets;
}

export function getDeployment(ctx: CliContext, name: string): Promise<Deployment> {
  return ctx.client.get<Deployment>('deployments.apps', ctx.namespace, name);
}

export function getDaemonSet(ctx: CliContext, name: string): Promise<DaemonSet> {
  return ctx.client.get<DaemonSet>('daemonsets.apps', ctx.namespace, name);
}

export function getStatefulSet(ctx: CliContext, name: string): Promise<StatefulSet> {
  return ctx.client.get<StatefulSet>('statefulsets.apps', ctx.namespace, name);
}
