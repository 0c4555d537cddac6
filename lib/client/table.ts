// meta.k8s.io/v1 Table: the server-side printing format. The API server knows how to show each
// kind (a pod's READY is `1/1`, a service's PORT(S) is `80/TCP`), so the client asks for a Table
// with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` and only lays the cells out.

import type { ObjectMeta } from '../api/types.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  /** 0 = always shown; 1 and up = only with `-o wide`. */
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  /** PartialObjectMetadata (default) or the whole object (`?includeObject=Object`). */
  object?: { kind?: string; apiVersion?: string; metadata: ObjectMeta; [key: string]: unknown };
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** Watch events after the first one may leave the definitions out. */
  columnDefinitions?: TableColumnDefinition[];
  rows: TableRow[];
}

/** What a client sends to get a Table, falling back to plain JSON from servers that cannot print. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Table';
}
