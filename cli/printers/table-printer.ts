// Lays out a server-side Table the way kubectl does: the server chose the columns and formatted
// every cell; the client upper-cases the headers, keeps priority-0 columns (all with `-o wide`),
// adds what only the client knows (NAMESPACE with -A, LABELS with --show-labels, one column per
// -L key) and aligns with Go's tabwriter rules: each cell padded to its column's width plus 3
// spaces, the last cell of a line not padded.

import type { Table, TableColumnDefinition, TableRow } from '../../lib/client/table.js';

export interface TableOptions {
  wide?: boolean;
  /** Prepend NAMESPACE (kubectl -A on namespaced resources). */
  withNamespace?: boolean;
  showLabels?: boolean;
  /** `-L app -L tier`: one column per key, headed by its upper-cased last path segment. */
  labelColumns?: string[];
  /** `pod/` when several kinds are printed together (`get all`): NAME becomes `pod/web`. */
  namePrefix?: string;
}

export interface TextTable {
  header: string[];
  rows: string[][];
}

const PADDING = 3;

/** Picks and formats the cells; the result is still unaligned text. */
export function tableToText(table: Table, columns: TableColumnDefinition[], options: TableOptions = {}): TextTable {
  const shown = columns.map((c, i) => ({ c, i })).filter(({ c }) => options.wide || c.priority === 0);
  const nameIndex = Math.max(0, columns.findIndex((c) => c.format === 'name'));
  const labelColumns = options.labelColumns ?? [];

  const header = [
    ...(options.withNamespace ? ['NAMESPACE'] : []),
    ...shown.map(({ c }) => c.name.toUpperCase()),
    ...labelColumns.map((key) => key.split('/').pop()!.toUpperCase()),
    ...(options.showLabels ? ['LABELS'] : []),
  ];
  const rows = table.rows.map((row) => {
    const labels = row.object?.metadata?.labels ?? {};
    return [
      ...(options.withNamespace ? [row.object?.metadata?.namespace ?? ''] : []),
      ...shown.map(({ i }) => {
        const cell = formatCell(row.cells[i]);
        return i === nameIndex && options.namePrefix ? options.namePrefix + cell : cell;
      }),
      ...labelColumns.map((key) => labels[key] ?? ''),
      ...(options.showLabels ? [formatLabels(labels)] : []),
    ];
  });
  return { header, rows };
}

function formatCell(cell: unknown): string {
  if (cell === null || cell === undefined) return '<none>';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

/** `app=web,tier=fe` sorted by key, or `<none>`: kubectl's labels.FormatLabels. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

/** The widest cell of each column. */
export function columnWidths(lines: string[][], atLeast: number[] = []): number[] {
  const widths = [...atLeast];
  for (const line of lines) line.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return widths;
}

/** One text line per row, cells padded to the given widths plus 3 spaces, the last one not padded. */
export function alignColumns(lines: string[][], widths = columnWidths(lines)): string {
  return lines
    .map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] + PADDING))).join(''))
    .map((l) => l + '\n')
    .join('');
}

/** The whole table as kubectl prints it (header first unless noHeaders). */
export function printTable(table: Table, options: TableOptions & { noHeaders?: boolean } = {}): string {
  const text = tableToText(table, table.columnDefinitions ?? [], options);
  return alignColumns(options.noHeaders ? text.rows : [text.header, ...text.rows]);
}

export type { TableRow };
