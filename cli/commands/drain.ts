// `kubelab drain NODE`: empty a node before maintenance, as kubectl drain does.
//
//   1. cordon: no new pods land on the node (cordon.ts);
//   2. decide which of its pods go, and whether anything forbids the drain (cli/plan-drain.ts):
//      a pod nothing would recreate, or one whose emptyDir data would be lost, stops it unless
//      the user says --force / --delete-emptydir-data;
//   3. evict each pod through the Eviction API (POST pods/NAME/eviction), all at once: a graceful
//      delete that a disruption budget may refuse with 429, retried every 5 s;
//   4. wait until each pod is really gone (its containers stopped), polling once a second.
//
// The controllers do the rest: each evicted pod's ReplicaSet or ReplicationController creates a
// replacement, and the scheduler puts it on another node (or leaves it Pending, "1 node(s) were
// unschedulable", on a one-node cluster) until `kubelab uncordon`.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv } from 'yargs';
import { resourceByKey } from '../../lib/api/resources.js';
import type { Pod } from '../../lib/api/types.js';
import { resourcePath } from '../../lib/client/api-paths.js';
import { ApiError, errorMessage, isNotFound } from '../../lib/errors.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError, CliExit } from '../cli-errors.js';
import { planDrain } from '../plan-drain.js';
import { parseGoDurationMs } from '../rollout/go-duration.js';
import { setUnschedulable } from './cordon.js';
import type { KubelabCommand } from './index.js';

export interface DrainOptions {
  node?: string;
  force: boolean;
  ignoreDaemonsets: boolean;
  deleteEmptydirData: boolean;
  /** Seconds each pod gets to stop; -1 (the default) uses the pod's terminationGracePeriodSeconds. */
  gracePeriod: number;
  /** A Go duration; 0s (the default) waits forever. */
  timeout: string;
  podSelector?: string;
}

/** How long kubectl waits before asking again when a disruption budget refuses an eviction. */
const EVICTION_RETRY_MS = 5_000;
const DELETION_POLL_MS = 1_000;

export const drainCommand: KubelabCommand<DrainOptions> = {
  command: 'drain [node]',
  describe: 'Drain node in preparation for maintenance',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('node', { type: 'string', describe: 'the node to drain' })
      .option('force', { type: 'boolean', default: false, describe: 'also evict pods that declare no controller (nothing recreates them)' })
      .option('ignore-daemonsets', { type: 'boolean', default: false, describe: 'leave DaemonSet-managed pods alone instead of refusing' })
      .option('delete-emptydir-data', { type: 'boolean', default: false, describe: 'evict pods with emptyDir volumes (their data is lost)' })
      .option('grace-period', { type: 'number', default: -1, describe: 'seconds each pod gets to stop; -1 uses the pod\'s own' })
      .option('timeout', { type: 'string', default: '0s', describe: 'give up after this long (e.g. 90s, 5m); 0s waits forever' })
      .option('pod-selector', { type: 'string', describe: 'only evict pods matching this label selector' }) as unknown as Argv<GlobalOptions & DrainOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runDrain(ctx, argv)),
};

export async function runDrain(ctx: CliContext, options: DrainOptions): Promise<void> {
  const node = options.node;
  if (!node) throw new CliError('you must specify a node name: kubelab drain NODE');
  const timeoutMs = parseGoDurationMs(options.timeout, '--timeout');
  await setUnschedulable(ctx, node, true);

  const plan = planDrain(await podsOn(ctx, node, options.podSelector), options);
  if (plan.errors.length > 0) return failDrain(ctx, node, plan.errors);
  if (plan.warning) ctx.err(`Warning: ${plan.warning}\n`);

  const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
  const results = await Promise.allSettled(plan.evict.map((pod) => evictAndWait(ctx, pod, options, signal)));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
  if (errors.length > 0) {
    const pending = await podsOn(ctx, node, options.podSelector).catch(() => []);
    const remaining = planDrain(pending, options).evict;
    if (remaining.length > 0) {
      ctx.err(`There are pending pods in node "${node}" when an error occurred: ${aggregate(errors)}\n`);
      for (const pod of remaining) ctx.err(`pod/${pod.metadata.name}\n`);
    }
    return failDrain(ctx, node, errors);
  }
  ctx.out(`node/${node} drained\n`);
}

async function podsOn(ctx: CliContext, node: string, podSelector?: string): Promise<Pod[]> {
  const list = await ctx.client.list<Pod>('pods', { fieldSelector: `spec.nodeName=${node}`, ...(podSelector ? { labelSelector: podSelector } : {}) });
  return list.items;
}

/** Evicts one pod (retrying while a disruption budget says 429) and waits until it is gone. */
async function evictAndWait(ctx: CliContext, pod: Pod, options: DrainOptions, signal?: AbortSignal): Promise<void> {
  const { namespace, name, uid } = pod.metadata as { namespace: string; name: string; uid?: string };
  ctx.out(`evicting pod ${namespace}/${name}\n`);
  const eviction = {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace },
    ...(options.gracePeriod >= 0 ? { deleteOptions: { gracePeriodSeconds: options.gracePeriod } } : {}),
  };
  const path = resourcePath(resourceByKey('pods')!, namespace, name, 'eviction');
  for (;;) {
    try {
      await ctx.client.request('POST', path, { body: eviction, signal });
      break;
    } catch (err) {
      if (isNotFound(err)) return; // gone already: nothing to wait for
      if (signal?.aborted) throw new Error(`error when evicting pods/"${name}" -n "${namespace}": global timeout reached: ${options.timeout}`);
      if (!(err instanceof ApiError) || err.code !== 429) throw new Error(`error when evicting pods/"${name}" -n "${namespace}": ${errorMessage(err)}`);
      ctx.err(`error when evicting pods/"${name}" -n "${namespace}" (will retry after 5s): ${err.message}\n`);
      await sleep(EVICTION_RETRY_MS, undefined, { signal }).catch(() => undefined);
    }
  }
  await waitForDeletion(ctx, namespace, name, uid, signal).catch((err: unknown) => {
    const why = signal?.aborted ? `global timeout reached: ${options.timeout}` : errorMessage(err);
    throw new Error(`error when waiting for pod "${name}" in namespace "${namespace}" to terminate: ${why}`);
  });
  ctx.out(`pod/${name} evicted\n`);
}

/** Gone means 404, or a new pod of the same name (a StatefulSet's replacement has a new uid). */
async function waitForDeletion(ctx: CliContext, namespace: string, name: string, uid: string | undefined, signal?: AbortSignal): Promise<void> {
  for (;;) {
    try {
      const current = await ctx.client.get<Pod>('pods', namespace, name);
      if (uid && current.metadata.uid !== uid) return;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await sleep(DELETION_POLL_MS, undefined, { signal });
  }
}

/** Go's utilerrors.NewAggregate: one error as it is, several as `[a, b]`. */
const aggregate = (errors: string[]): string => (errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);

/** kubectl's ending of a drain that could not finish: what failed, the node left over, exit 1. */
function failDrain(ctx: CliContext, node: string, errors: string[]): never {
  ctx.err(`error: unable to drain node "${node}" due to error: ${aggregate(errors)}, continuing command...\n`);
  ctx.err(`There are pending nodes to be drained:\n ${node}\n`);
  for (const error of errors) ctx.err(`${error}\n`);
  throw new CliExit(1);
}
