// The table of `kubectl events` (kubectl/pkg/cmd/events): LAST SEEN, TYPE, REASON, OBJECT,
// MESSAGE, with NAMESPACE first across all namespaces. Unlike `get events`, events are sorted
// by when they last happened (the series' last observation, else lastTimestamp, else eventTime),
// oldest first, so the newest is right above the prompt. LAST SEEN of a repeated event reads
// `5m (x3 over 10m)`: last seen 5 minutes ago, 3 times, the first 10 minutes ago.
//
// Watching (-w) prints row by row; the printer remembers the widths it used so far, as Go's
// tabwriter does with RememberWidths, so columns stay aligned while they can.

import type { Event } from '../../lib/api/types.js';
import { ageOf } from '../../lib/time.js';
import { alignColumns, columnWidths } from './table-printer.js';

/** An Event as events.k8s.io writes it too: a series instead of count and lastTimestamp. */
export type PrintableEvent = Event & { series?: { count?: number; lastObservedTime?: string } };

export const EVENT_TYPES = ['Normal', 'Warning'] as const;

/** When the event last happened, for sorting; 0 when it says nothing. */
function lastHappenedMs(event: PrintableEvent): number {
  const time = event.series?.lastObservedTime ?? (event.lastTimestamp || undefined) ?? event.eventTime ?? undefined;
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** Oldest first (a stable sort: events that happened together keep the server's order). */
export function sortEvents<T extends PrintableEvent>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => lastHappenedMs(a) - lastHappenedMs(b));
}

/** Whether the event's type is one of `types` (any case); every type when `types` is empty. */
export function hasEventType(event: PrintableEvent, types: readonly string[]): boolean {
  return types.length === 0 || types.some((t) => t.toLowerCase() === (event.type ?? '').toLowerCase());
}

/** The LAST SEEN cell: `45s`, or `5m (x3 over 10m)` for an event seen several times. */
export function eventInterval(event: PrintableEvent, now: Date): string {
  const first = event.eventTime ? ageOf(event.eventTime, now) : ageOf(event.firstTimestamp, now);
  if (event.series) return `${ageOf(event.series.lastObservedTime, now)} (x${event.series.count ?? 0} over ${first})`;
  if ((event.count ?? 0) > 1) return `${ageOf(event.lastTimestamp, now)} (x${event.count} over ${first})`;
  return first;
}

export function eventRow(event: PrintableEvent, now: Date, allNamespaces: boolean): string[] {
  const row = [
    eventInterval(event, now),
    event.type ?? '',
    event.reason ?? '',
    `${event.involvedObject?.kind ?? ''}/${event.involvedObject?.name ?? ''}`,
    (event.message ?? '').trim(),
  ];
  return allNamespaces ? [event.metadata.namespace ?? '', ...row] : row;
}

export function eventHeader(allNamespaces: boolean): string[] {
  const header = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
  return allNamespaces ? ['NAMESPACE', ...header] : header;
}

/** Prints rows of events: the header before the first, widths remembered from row to row. */
export class EventTablePrinter {
  private widths: number[] = [];
  private headerPrinted = false;

  constructor(
    private readonly allNamespaces: boolean,
    private readonly noHeaders = false,
  ) {}

  print(events: readonly PrintableEvent[], now: Date): string {
    if (events.length === 0) return '';
    const lines = events.map((e) => eventRow(e, now, this.allNamespaces));
    if (!this.noHeaders && !this.headerPrinted) {
      lines.unshift(eventHeader(this.allNamespaces));
      this.headerPrinted = true;
    }
    this.widths = columnWidths(lines, this.widths);
    return alignColumns(lines, this.widths);
  }
}
