// `kubectl top`'s tables, cell for cell (k8s.io/kubectl/pkg/metricsutil/metrics_printer.go):
// CPU in whole millicores rounded up (`%vm` of Quantity.MilliValue), memory in whole MiB rounded
// down (`%vMi` of Value()/2^20), a node's percentages against its allocatable, and Go's tabwriter
// with kubectl's settings (minimum width 6, padding 3, every cell ended by a tab, so lines carry
// trailing spaces as kubectl's do). Rows are sorted by name, or by usage, highest first, with
// --sort-by. Pure: cli/commands/top.ts fetches and prints.

import { parseQuantity } from '../lib/api/quantity.js';
import type { NodeMetrics, PodMetrics, ResourceUsage } from '../lib/metrics/metrics-api.js';

const MIN_WIDTH = 6;
const PADDING = 3;

/** Go's tabwriter over rows whose every cell ends with a tab. */
export function tabulate(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? MIN_WIDTH, cell.length + PADDING)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('') + '\n').join('');
}

/** Millicores, rounded up as Quantity.MilliValue does. */
export function milliCores(quantity: string): number {
  return Math.ceil(Math.round(parseQuantity(quantity) * 1e9) / 1e6);
}

const MI = 1024 * 1024;
/** Whole MiB, rounded down, as kubectl prints memory. */
export function mebibytes(quantity: string): number {
  return Math.floor(Math.ceil(parseQuantity(quantity)) / MI);
}

export type SortBy = 'cpu' | 'memory' | undefined;

interface Usage {
  nanoCores: number;
  bytes: number;
}

const usageOf = (u: ResourceUsage): Usage => ({ nanoCores: Math.round(parseQuantity(u.cpu) * 1e9), bytes: Math.ceil(parseQuantity(u.memory)) });
const sum = (usages: Usage[]): Usage => usages.reduce((a, b) => ({ nanoCores: a.nanoCores + b.nanoCores, bytes: a.bytes + b.bytes }), { nanoCores: 0, bytes: 0 });
const cpuCell = (u: Usage) => `${Math.ceil(u.nanoCores / 1e6)}m`;
const memoryCell = (u: Usage) => `${Math.floor(u.bytes / MI)}Mi`;

/** Highest first by the chosen resource; by name otherwise (the caller's comparator). */
function byUsage<T>(sortBy: SortBy, usage: (item: T) => Usage, byName: (a: T, b: T) => number): (a: T, b: T) => number {
  if (sortBy === 'cpu') return (a, b) => Math.ceil(usage(b).nanoCores / 1e6) - Math.ceil(usage(a).nanoCores / 1e6) || byName(a, b);
  if (sortBy === 'memory') return (a, b) => usage(b).bytes - usage(a).bytes || byName(a, b);
  return byName;
}

/** A node's allocatable CPU (millicores) and memory (bytes), for the percentages. */
export interface NodeAllocatable {
  milliCpu?: number;
  memoryBytes?: number;
}

/** `kubelab top nodes`: NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%), then `<unknown>` rows for nodes without metrics. */
export function nodeMetricsTable(metrics: NodeMetrics[], allocatable: Map<string, NodeAllocatable>, options: { sortBy?: SortBy; noHeaders?: boolean } = {}): string {
  if (metrics.length === 0) return '';
  const rows: string[][] = options.noHeaders ? [] : [['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']];
  const sorted = [...metrics].sort(byUsage(options.sortBy, (m) => usageOf(m.usage), (a, b) => a.metadata.name.localeCompare(b.metadata.name)));
  const missing = new Map(allocatable);
  for (const m of sorted) {
    const usage = usageOf(m.usage);
    const available = allocatable.get(m.metadata.name);
    missing.delete(m.metadata.name);
    const row = [m.metadata.name, cpuCell(usage)];
    if (available?.milliCpu) row.push(`${Math.trunc((Math.ceil(usage.nanoCores / 1e6) / available.milliCpu) * 100)}%`);
    row.push(memoryCell(usage));
    if (available?.memoryBytes) row.push(`${Math.trunc((usage.bytes / available.memoryBytes) * 100)}%`);
    rows.push(row);
  }
  for (const name of missing.keys()) rows.push([name, '<unknown>', '<unknown>', '<unknown>', '<unknown>']);
  return tabulate(rows);
}

/** `kubelab top pods`: [NAMESPACE] [POD] NAME CPU(cores) MEMORY(bytes), a pod's containers summed unless --containers. */
export function podMetricsTable(metrics: PodMetrics[], options: { allNamespaces?: boolean; containers?: boolean; sortBy?: SortBy; noHeaders?: boolean } = {}): string {
  if (metrics.length === 0) return '';
  const rows: string[][] = [];
  if (!options.noHeaders) rows.push([...(options.allNamespaces ? ['NAMESPACE'] : []), ...(options.containers ? ['POD'] : []), 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
  const podUsage = (m: PodMetrics) => sum(m.containers.map((c) => usageOf(c.usage)));
  const byName = (a: PodMetrics, b: PodMetrics) => (options.allNamespaces && a.metadata.namespace !== b.metadata.namespace ? a.metadata.namespace.localeCompare(b.metadata.namespace) : a.metadata.name.localeCompare(b.metadata.name));
  for (const m of [...metrics].sort(byUsage(options.sortBy, podUsage, byName))) {
    const namespace = options.allNamespaces ? [m.metadata.namespace] : [];
    if (!options.containers) {
      const usage = podUsage(m);
      rows.push([...namespace, m.metadata.name, cpuCell(usage), memoryCell(usage)]);
      continue;
    }
    const containers = [...m.containers].sort(byUsage(options.sortBy, (c) => usageOf(c.usage), (a, b) => a.name.localeCompare(b.name)));
    for (const c of containers) rows.push([...namespace, m.metadata.name, c.name, cpuCell(usageOf(c.usage)), memoryCell(usageOf(c.usage))]);
  }
  return tabulate(rows);
}
