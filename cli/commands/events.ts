// `kubelab events [-n NS | -A] [--for TYPE/NAME] [--types Warning,Normal] [-w] [-o json|yaml]`:
// what happened in a namespace, oldest first, as `kubectl events` prints it
// (cli/printers/events-printer.ts). `--for pod/web` asks the server for that object's events
// only (a field selector on involvedObject.kind and .name); `--types` filters here, as kubectl
// does. `-w` prints the events there are, then each new or updated one as it comes.

import type { Argv } from 'yargs';
import type { Status } from '../../lib/api/types.js';
import { fromStatus } from '../../lib/errors.js';
import { DEFAULT_LIST_CHUNK_SIZE } from '../../lib/client/rest-client.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { EVENT_TYPES, EventTablePrinter, hasEventType, sortEvents, type PrintableEvent } from '../printers/events-printer.js';
import { printJson } from '../printers/json-printer.js';
import { printYaml } from '../printers/yaml-printer.js';
import { resolveType } from '../resource-args.js';
import type { KubelabCommand } from './index.js';

export interface EventsOptions {
  allNamespaces?: boolean;
  for?: string;
  types: string[];
  watch?: boolean;
  output?: 'json' | 'yaml';
  noHeaders?: boolean;
}

export const eventsCommand: KubelabCommand<EventsOptions> = {
  command: 'events',
  describe: 'List events, oldest first: kubelab events [--for TYPE/NAME] [--types Warning] [-w]',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'events of every namespace' })
      .option('for', { type: 'string', describe: 'only the events of this object, TYPE/NAME (pod/web, deploy/web)' })
      .option('types', { type: 'string', array: true, default: [], describe: 'only these types: Normal, Warning (comma-separated)' })
      .option('watch', { alias: 'w', type: 'boolean', describe: 'after listing, print new events as they happen' })
      .option('output', { alias: 'o', type: 'string', choices: ['json', 'yaml'], describe: 'print the events as JSON or YAML' })
      .option('no-headers', { type: 'boolean', describe: 'no header line' }) as unknown as Argv<GlobalOptions & EventsOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runEvents(ctx, argv)),
};

/** `--for TYPE/NAME` as the field selector kubectl sends. */
export function forFieldSelector(typedName: string): string {
  const slash = typedName.indexOf('/');
  if (slash <= 0 || slash === typedName.length - 1) throw new CliError(`--for must be in resource/name form, got "${typedName}"`);
  const info = resolveType(typedName.slice(0, slash));
  return `involvedObject.kind=${info.kind},involvedObject.name=${typedName.slice(slash + 1)}`;
}

/** `--types Warning,Normal` or `--types Warning --types Normal`; refuses other types as kubectl does. */
export function parseEventTypes(values: readonly string[]): string[] {
  const types = values.flatMap((v) => String(v).split(',')).filter((t) => t !== '');
  for (const t of types) if (!EVENT_TYPES.some((known) => known.toLowerCase() === t.toLowerCase())) throw new CliError('valid --types are Normal or Warning');
  return types;
}

export async function runEvents(ctx: CliContext, options: EventsOptions): Promise<void> {
  const types = parseEventTypes(options.types ?? []);
  const fieldSelector = options.for ? forFieldSelector(options.for) : undefined;
  const listOptions = { namespace: options.allNamespaces ? undefined : ctx.namespace, fieldSelector };
  const list = await ctx.client.listAll<PrintableEvent>('events', listOptions, DEFAULT_LIST_CHUNK_SIZE);
  const events = sortEvents(list.items.filter((e) => hasEventType(e, types)));
  const printer = new EventTablePrinter(options.allNamespaces ?? false, options.noHeaders);
  const render = (batch: PrintableEvent[]): string =>
    options.output === 'json' ? printJson(batch[0]) : options.output === 'yaml' ? printYaml(batch[0]) : printer.print(batch, new Date());

  if (options.output && !options.watch) {
    const eventList = { apiVersion: 'v1', items: events, kind: 'EventList', metadata: list.metadata };
    ctx.out(options.output === 'json' ? printJson(eventList) : printYaml(eventList));
    return;
  }
  if (events.length === 0 && !options.watch) {
    ctx.err(options.allNamespaces ? 'No events found.\n' : `No events found in ${ctx.namespace} namespace.\n`);
    return;
  }
  if (options.output) for (const event of events) ctx.out(render([event]));
  else ctx.out(render(events));
  if (!options.watch) return;

  const watch = ctx.client.watch<PrintableEvent>('events', { ...listOptions, resourceVersion: list.metadata.resourceVersion }, (event) => {
    if (event.type === 'ERROR') throw fromStatus(event.object as unknown as Status, 500);
    // Events expire (an hour after they last happened): their deletion is not news.
    if (event.type === 'BOOKMARK' || event.type === 'DELETED') return;
    if (hasEventType(event.object, types)) ctx.out(render([event.object]));
  });
  await watch.done;
}
