// `kubelab get`: list or show objects. Human output is the server's own Table (the server knows
// that a pod's READY is `1/1`); -o json|yaml|name|jsonpath print the objects themselves.
// -w keeps the connection open and prints a row per change, as kubectl does.

import type { Argv } from 'yargs';
import type { KubeObject } from '../../lib/api/types.js';
import { resourceKey as key, type ResourceInfo } from '../../lib/api/resources.js';
import { ageOf } from '../../lib/time.js';
import { fromStatus } from '../../lib/errors.js';
import { isTable, type Table } from '../../lib/client/table.js';
import { DEFAULT_LIST_CHUNK_SIZE } from '../../lib/client/rest-client.js';
import type { Status } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { parseOutputFormat, type OutputFormat } from '../output-format.js';
import { parseResourceArgs, type ResourceTarget } from '../resource-args.js';
import { printJson } from '../printers/json-printer.js';
import { printJsonPath } from '../printers/jsonpath.js';
import { printNames, qualifiedSingular } from '../printers/name-printer.js';
import { alignColumns, columnWidths, printTable, tableToText, type TableOptions } from '../printers/table-printer.js';
import { asList, printYaml } from '../printers/yaml-printer.js';
import type { KubelabCommand } from './index.js';
import { isMembersRequest, runGetMembers } from './get-members.js';

export interface GetOptions {
  args: string[];
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  showLabels?: boolean;
  /** Keep metadata.managedFields in -o yaml/json (kubectl hides them unless asked). */
  showManagedFields?: boolean;
  labelColumns?: string[];
  watch?: boolean;
  noHeaders?: boolean;
  /** Lists are fetched in pages of this many items (kubectl's --chunk-size; 0: in one request). */
  chunkSize?: number;
  /** `get members` only: whose gossip view to show. */
  node?: string;
}

export const getCommand: KubelabCommand<GetOptions> = {
  command: 'get [args..]',
  describe: 'Display one or many resources',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE[,TYPE...] [NAME...] or TYPE/NAME' })
      .option('output', { alias: 'o', type: 'string', describe: 'wide, yaml, json, name or jsonpath=TEMPLATE' })
      .option('selector', { alias: 'l', type: 'string', describe: 'label selector, e.g. app=web,tier in (fe,be)' })
      .option('field-selector', { type: 'string', describe: 'field selector, e.g. status.phase=Running' })
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'list across all namespaces' })
      .option('show-labels', { type: 'boolean', describe: 'add a LABELS column' })
      .option('show-managed-fields', { type: 'boolean', default: false, describe: 'keep metadata.managedFields in -o yaml/json/jsonpath' })
      .option('label-columns', { alias: 'L', type: 'string', array: true, describe: 'a column per label key' })
      .option('watch', { alias: 'w', type: 'boolean', describe: 'after listing, print changes as they happen' })
      .option('no-headers', { type: 'boolean', describe: 'leave out the header line' })
      .option('node', { type: 'string', describe: 'get members only: the node whose gossip view to show (default: the control plane\'s node)' })
      .option('chunk-size', { type: 'number', default: DEFAULT_LIST_CHUNK_SIZE, describe: 'fetch large lists in pages of this many items (0: in one request)' }) as unknown as Argv<GetOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runGet(ctx, argv)),
};

export async function runGet(ctx: CliContext, options: GetOptions): Promise<void> {
  if (options.chunkSize !== undefined && (!Number.isInteger(options.chunkSize) || options.chunkSize < 0)) {
    throw new CliError(`--chunk-size must be a whole number of items, 0 or more (got ${options.chunkSize})`);
  }
  if (isMembersRequest(options.args)) return runGetMembers(ctx, options);
  if (options.node !== undefined) throw new CliError('--node applies to kubelab get members only');
  const targets = parseResourceArgs(options.args);
  const format = parseOutputFormat(options.output);
  if (options.selector && targets.some((t) => t.names.length > 0)) throw new CliError('name cannot be provided when a selector is specified');
  if (options.watch) return watchGet(ctx, targets, format, options);
  if (format.kind === 'table') return printTables(ctx, targets, format.wide, options);
  return printObjects(ctx, targets, format, options);
}

const chunkSizeOf = (options: GetOptions): number => options.chunkSize ?? DEFAULT_LIST_CHUNK_SIZE;

function namespaceFor(ctx: CliContext, info: ResourceInfo, options: GetOptions): string | undefined {
  return info.namespaced && !options.allNamespaces ? ctx.namespace : undefined;
}

function tableOptions(info: ResourceInfo, wide: boolean, options: GetOptions, several: boolean): TableOptions {
  return {
    wide,
    withNamespace: Boolean(options.allNamespaces && info.namespaced),
    showLabels: options.showLabels,
    labelColumns: options.labelColumns,
    namePrefix: several ? `${qualifiedSingular(info)}/` : undefined,
  };
}

async function fetchTable(ctx: CliContext, target: ResourceTarget, options: GetOptions): Promise<Table | undefined> {
  const ns = namespaceFor(ctx, target.info, options);
  const listOptions = { labelSelector: options.selector, fieldSelector: options.fieldSelector };
  if (target.names.length === 0) return asTable(await ctx.client.getTable(key(target.info), ns, undefined, listOptions, chunkSizeOf(options)));
  let merged: Table | undefined;
  for (const name of target.names) {
    try {
      const one = asTable(await ctx.client.getTable(key(target.info), ns, name));
      if (!merged) merged = one;
      else merged.rows.push(...one.rows);
    } catch (err) {
      ctx.fail(err);
    }
  }
  return merged;
}

async function printTables(ctx: CliContext, targets: ResourceTarget[], wide: boolean, options: GetOptions): Promise<void> {
  const several = targets.length > 1;
  const blocks: string[] = [];
  for (const target of targets) {
    const table = await fetchTable(ctx, target, options);
    if (!table || table.rows.length === 0) continue;
    blocks.push(printTable(table, { ...tableOptions(target.info, wide, options, several), noHeaders: options.noHeaders }));
  }
  if (blocks.length > 0) ctx.out(blocks.join('\n'));
  else if (targets.every((t) => t.names.length === 0)) ctx.err(noResourcesMessage(ctx, targets, options));
}

function noResourcesMessage(ctx: CliContext, targets: ResourceTarget[], options: GetOptions): string {
  const namespaced = targets.some((t) => t.info.namespaced);
  return namespaced && !options.allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n';
}

async function fetchObjects(ctx: CliContext, targets: ResourceTarget[], options: GetOptions): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const target of targets) {
    const ns = namespaceFor(ctx, target.info, options);
    if (target.names.length === 0) {
      const list = await ctx.client.listAll(key(target.info), { namespace: ns, labelSelector: options.selector, fieldSelector: options.fieldSelector }, chunkSizeOf(options));
      objects.push(...list.items);
      continue;
    }
    for (const name of target.names) {
      try {
        objects.push(await ctx.client.get(key(target.info), ns, name));
      } catch (err) {
        ctx.fail(err);
      }
    }
  }
  return objects;
}

function renderObjects(format: OutputFormat, shown: KubeObject[], single: boolean, showManagedFields = false): string {
  const objects = showManagedFields ? shown : shown.map(withoutManagedFields);
  const value = single ? objects[0] : asList(objects);
  switch (format.kind) {
    case 'json':
      return printJson(value);
    case 'yaml':
      return printYaml(value);
    case 'name':
      return printNames(objects);
    case 'jsonpath':
      return printJsonPath(format.template, value);
    default:
      throw new Error(`renderObjects: ${format.kind} is printed from Tables`);
  }
}

async function printObjects(ctx: CliContext, targets: ResourceTarget[], format: OutputFormat, options: GetOptions): Promise<void> {
  const objects = await fetchObjects(ctx, targets, options);
  const askedForOne = targets.length === 1 && targets[0].names.length === 1;
  if (askedForOne && objects.length === 0) return; // the NotFound was reported
  if (objects.length === 0 && format.kind === 'name') return void ctx.err(noResourcesMessage(ctx, targets, options));
  ctx.out(renderObjects(format, objects, askedForOne, options.showManagedFields));
}

/** The object without metadata.managedFields: who owns which field is noise unless asked for. */
function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _hidden, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** kubectl without server-side printing: NAME and AGE from the objects themselves. */
function asTable(value: unknown): Table {
  if (isTable(value)) return value;
  const list = value as { items?: KubeObject[]; metadata?: KubeObject['metadata'] };
  const objects = list.items ?? [value as KubeObject];
  const now = new Date();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(list.metadata?.resourceVersion ?? '') },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', priority: 0 },
      { name: 'Age', type: 'string', priority: 0 },
    ],
    rows: objects.map((o) => ({ cells: [o.metadata.name, ageOf(o.metadata.creationTimestamp, now)], object: o })),
  };
}

/** `get -w`: list once, then one line per change from the list's resourceVersion on. */
async function watchGet(ctx: CliContext, targets: ResourceTarget[], format: OutputFormat, options: GetOptions): Promise<void> {
  if (targets.length !== 1 || targets[0].names.length > 1) throw new CliError('you may only specify a single resource type and at most one name with --watch');
  const { info, names } = targets[0];
  const namespace = namespaceFor(ctx, info, options);
  const fieldSelector = [options.fieldSelector, names[0] ? `metadata.name=${names[0]}` : undefined].filter(Boolean).join(',') || undefined;
  const listOptions = { namespace, labelSelector: options.selector, fieldSelector };

  if (format.kind !== 'table') {
    const list = await ctx.client.listAll(key(info), listOptions, chunkSizeOf(options));
    for (const obj of list.items) ctx.out(renderObjects(format, [obj], true, options.showManagedFields));
    const watch = ctx.client.watch(key(info), { ...listOptions, resourceVersion: list.metadata.resourceVersion }, (event) => {
      if (event.type === 'ERROR') throw fromStatus(event.object as unknown as Status, 500);
      if (event.type !== 'BOOKMARK') ctx.out(renderObjects(format, [event.object], true, options.showManagedFields));
    });
    return watch.done;
  }

  const initial = asTable(await ctx.client.getTable(key(info), namespace, undefined, listOptions, chunkSizeOf(options)));
  let columns = initial.columnDefinitions ?? [];
  const shape = tableOptions(info, format.wide, options, false);
  const first = tableToText(initial, columns, shape);
  const lines = options.noHeaders ? first.rows : [first.header, ...first.rows];
  let widths = columnWidths(lines);
  let headerPrinted = options.noHeaders || first.rows.length > 0;
  if (first.rows.length > 0) ctx.out(alignColumns(lines, widths));
  else if (!names[0]) ctx.err(noResourcesMessage(ctx, targets, options));

  const watch = ctx.client.watchTable(key(info), { ...listOptions, resourceVersion: initial.metadata.resourceVersion }, (event) => {
    if (event.type === 'ERROR') throw fromStatus(event.object as unknown as Status, 500);
    if (event.type === 'BOOKMARK') return;
    const table = asTable(event.object);
    if (table.columnDefinitions?.length) columns = table.columnDefinitions;
    const text = tableToText(table, columns, shape);
    const out = headerPrinted ? text.rows : [text.header, ...text.rows];
    headerPrinted = true;
    widths = columnWidths(out, widths);
    ctx.out(alignColumns(out, widths));
  });
  await watch.done;
}
