// `kubelab trace pod NAME [-n NS] [-w]`: a pod's life as one timeline, each step with its offset
// from the moment the API accepted the pod, the component that did it and what happened.
//
// The rows are assembled by lib/trace/pod-trace.ts from the pod's events (each component records
// its steps with a millisecond eventTime), the pod and the Endpoints of its namespace. With -w
// the command follows a live pod through two watches (the pod, its events) and prints each new
// row as it happens, until the pod is Ready (and its endpoint is programmed) or deleted, or
// Ctrl-C. No Kubernetes tool has this command.

import type { Argv } from 'yargs';
import type { Endpoints, Event, Pod, Status } from '../../lib/api/types.js';
import { fromStatus, isNotFound } from '../../lib/errors.js';
import { assemblePodTrace, formatPodTrace, formatTraceHeader, formatTraceRow, type PodTrace } from '../../lib/trace/pod-trace.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import type { KubelabCommand } from './index.js';

export interface TraceOptions {
  kind: string;
  name: string;
  watch?: boolean;
}

/**
 * How long -w holds a row before printing it. Components write their events independently, so
 * one written a few milliseconds earlier can arrive a little later; waiting this long prints
 * rows in time order (offsets never go back) at the cost of a short delay.
 */
const SETTLE_MS = 400;
/** After the pod turns Ready, -w goes on this long for the endpoints and proxy rows that follow within milliseconds. */
const AFTER_READY_MS = 1500;
/** How often -w looks at what it has gathered. */
const TICK_MS = 100;
/** The component column in -w, which cannot measure rows it has not seen yet. */
const FOLLOW_COMPONENT_WIDTH = 26;

export const traceCommand: KubelabCommand<TraceOptions> = {
  command: 'trace <kind> <name>',
  describe: 'Show a pod\'s life as one timeline: scheduled, sandbox, containers, probes, Ready, endpoints, proxies, termination',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('kind', { type: 'string', describe: 'pod (the only kind traced)', demandOption: true })
      .positional('name', { type: 'string', describe: 'the pod\'s name', demandOption: true })
      .option('watch', { alias: 'w', type: 'boolean', describe: 'follow the pod and print steps as they happen, until it is Ready or deleted' }) as unknown as Argv<GlobalOptions & TraceOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runTrace(ctx, argv)),
};

export async function runTrace(ctx: CliContext, options: TraceOptions): Promise<void> {
  if (!['pod', 'pods', 'po'].includes(options.kind.toLowerCase())) {
    throw new CliError(`kubelab trace cannot trace "${options.kind}": only pods have a traced life (kubelab trace pod NAME)`);
  }
  if (options.watch) return followPod(ctx, options.name);
  const gathered = await gather(ctx, options.name);
  if (!gathered.pod && gathered.events.length === 0) throw new CliError(`pods "${options.name}" not found (and no events name a pod of that name in namespace ${ctx.namespace})`);
  ctx.out(`${formatPodTrace(assemblePodTrace({ namespace: ctx.namespace, name: options.name, ...gathered })).join('\n')}\n`);
}

const eventSelector = (name: string) => `involvedObject.kind=Pod,involvedObject.name=${name}`;

async function getPod(ctx: CliContext, name: string): Promise<Pod | undefined> {
  try {
    return await ctx.client.get<Pod>('pods', ctx.namespace, name);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The pod (if it exists), its events and the namespace's Endpoints. */
async function gather(ctx: CliContext, name: string): Promise<{ pod?: Pod; events: Event[]; endpoints: Endpoints[] }> {
  const [pod, events, endpoints] = await Promise.all([
    getPod(ctx, name),
    ctx.client.list<Event>('events', { namespace: ctx.namespace, fieldSelector: eventSelector(name) }),
    ctx.client.list<Endpoints>('endpoints', { namespace: ctx.namespace }),
  ]);
  return { ...(pod ? { pod } : {}), events: events.items, endpoints: endpoints.items };
}

/** -w: print the rows so far, then each new one, until Ready (plus the rows that follow it), deletion or Ctrl-C. */
async function followPod(ctx: CliContext, name: string): Promise<void> {
  const namespace = ctx.namespace;
  const [podList, eventList] = await Promise.all([
    ctx.client.list<Pod>('pods', { namespace, fieldSelector: `metadata.name=${name}` }),
    ctx.client.list<Event>('events', { namespace, fieldSelector: eventSelector(name) }),
  ]);
  let pod: Pod | undefined = podList.items[0];
  /** The uid followed: the pod's, once there is one. */
  let uid = pod?.metadata.uid;
  let deletedAtMs: number | undefined;
  let readyAtMs: number | undefined;
  const events = new Map<string, Event>(eventList.items.map((e) => [e.metadata.name!, e]));
  /** When each row was first seen here, by key; rows are printed once. */
  const firstSeenMs = new Map<string, number>();
  const printed = new Set<string>();
  let headerPrinted = false;
  if (!pod) ctx.err(`waiting for pod ${namespace}/${name} to be created ...\n`);

  const watchFailed = (event: { type: string; object: unknown }) => {
    if (event.type === 'ERROR') throw fromStatus(event.object as Status, 500);
  };
  const podWatch = ctx.client.watch<Pod>('pods', { namespace, fieldSelector: `metadata.name=${name}`, resourceVersion: podList.metadata.resourceVersion }, (event) => {
    watchFailed(event);
    if (event.type === 'BOOKMARK') return;
    const seen = event.object;
    if (uid && seen.metadata.uid !== uid) return; // a later pod of the same name is another life
    uid = seen.metadata.uid;
    if (event.type === 'DELETED') {
      pod = undefined;
      deletedAtMs = Date.now();
    } else pod = seen;
  });
  const eventWatch = ctx.client.watch<Event>('events', { namespace, fieldSelector: eventSelector(name), resourceVersion: eventList.metadata.resourceVersion }, (event) => {
    watchFailed(event);
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'DELETED') events.delete(event.object.metadata.name!);
    else events.set(event.object.metadata.name!, event.object);
  });

  const current = (): PodTrace => {
    const ofPod = [...events.values()].filter((e) => !uid || !e.involvedObject.uid || e.involvedObject.uid === uid);
    return assemblePodTrace({ namespace, name, ...(pod ? { pod } : {}), events: ofPod });
  };
  const printNew = (trace: PodTrace, nowMs: number, all: boolean) => {
    if (!headerPrinted && trace.rows.length > 0 && (uid || all)) {
      ctx.out(`${formatTraceHeader(trace)}\n${'OFFSET'.padStart(11)}  ${'COMPONENT'.padEnd(FOLLOW_COMPONENT_WIDTH)}  WHAT\n`);
      headerPrinted = true;
    }
    for (const row of trace.rows) if (!firstSeenMs.has(row.key)) firstSeenMs.set(row.key, nowMs);
    if (!headerPrinted) return;
    for (const row of trace.rows) {
      if (printed.has(row.key)) continue;
      // Rows are in time order: hold back this one and every later one until it has settled.
      if (!all && nowMs - firstSeenMs.get(row.key)! < SETTLE_MS) break;
      ctx.out(`${formatTraceRow(row, FOLLOW_COMPONENT_WIDTH)}\n`);
      printed.add(row.key);
    }
  };

  try {
    const ended = Promise.race([podWatch.done, eventWatch.done]).then(() => {
      throw new CliError('the API server closed the watch; run the command again to go on following');
    });
    ended.catch(() => undefined);
    for (;;) {
      const nowMs = Date.now();
      const trace = current();
      if (trace.ready && readyAtMs === undefined) readyAtMs = nowMs;
      const done = (deletedAtMs !== undefined && nowMs - deletedAtMs >= SETTLE_MS * 2) || (readyAtMs !== undefined && nowMs - readyAtMs >= AFTER_READY_MS);
      printNew(trace, nowMs, done);
      if (done) {
        ctx.out(deletedAtMs !== undefined ? 'pod deleted\n' : 'pod is Ready\n');
        return;
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, TICK_MS)), ended]);
    }
  } finally {
    podWatch.stop();
    eventWatch.stop();
  }
}
