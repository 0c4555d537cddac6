// Field managers: who owns which field of an object (kube-apiserver's fieldmanager, on top of
// structured-merge-diff). Every write records it in `metadata.managedFields`, one entry per
// manager, operation and subresource:
//
//   - Update (create, update, every non-apply patch): the manager takes every field it changed,
//     from whoever owned it before. It never conflicts: it said what it wanted, all of it.
//   - Apply (server-side apply, `kubectl apply --server-side`): the applied configuration is the
//     whole intent of its manager. Its fields become exactly the manager's set; a field the
//     manager applied last time and leaves out now is removed from the object, unless somebody
//     else owns it too. Changing a field another manager owns is a conflict (409, naming the
//     manager and the field) unless the applier forces it, and then it takes the field over.
//     Applying the value a field already has is no conflict: both managers share the field.
//
// The planners here are pure: they take the live object, the new one (or the applied
// configuration) and the entries, and return the new entries or the conflicts. The registry
// (daemon/api/resource-registry.ts) calls them inside its write pipeline.

import { ApiError } from '../errors.js';
import {
  compareFields,
  difference,
  fieldPathString,
  fieldSetOf,
  fieldValues,
  fromFieldsV1,
  intersection,
  isAtOrBelow,
  pathOf,
  removeField,
  toFieldsV1,
  union,
  type FieldScope,
  type FieldSet,
  type FieldsV1,
} from './field-set.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import type { KubeObject, StatusCause } from './types.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

/** What a write is, for field ownership: the kind's resource and version, the subresource, the time. */
export interface WriteScope {
  /** Store key (`deployments.apps`): picks the lists' merge keys. */
  resource: string;
  apiVersion: string;
  subresource?: string;
  /** Which fields count (the status subresource owns status only). */
  fields?: FieldScope;
  /** RFC 3339, for the entries this write touches. */
  now: string;
}

interface Owner {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

/** The entries of an object as the server trusts them: malformed ones (and `[{}]`, the reset) are dropped. */
function ownersOf(entries: unknown): Owner[] {
  if (!Array.isArray(entries)) return [];
  const owners: Owner[] = [];
  for (const raw of entries) {
    if (!raw || typeof raw !== 'object') continue;
    const entry = raw as Partial<ManagedFieldsEntry>;
    if (typeof entry.manager !== 'string' || (entry.operation !== 'Apply' && entry.operation !== 'Update')) continue;
    owners.push({
      entry: {
        manager: entry.manager,
        operation: entry.operation,
        apiVersion: typeof entry.apiVersion === 'string' ? entry.apiVersion : '',
        ...(typeof entry.time === 'string' ? { time: entry.time } : {}),
        fieldsType: 'FieldsV1',
        fieldsV1: {},
        ...(typeof entry.subresource === 'string' && entry.subresource ? { subresource: entry.subresource } : {}),
      },
      set: fromFieldsV1(entry.fieldsV1),
    });
  }
  return owners;
}

const sameOwner = (entry: ManagedFieldsEntry, manager: string, operation: ManagedFieldsEntry['operation'], subresource?: string): boolean =>
  entry.manager === manager && entry.operation === operation && (entry.subresource ?? '') === (subresource ?? '');

function encode(owners: Owner[]): ManagedFieldsEntry[] {
  return owners.filter((o) => o.set.size > 0).map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.set) }));
}

function stripManagedFields(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  return { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
}

/**
 * The entries after an ordinary write (create: `live` undefined) by `manager`: it takes over the
 * fields it added or changed; fields the write removed leave every set. The manager's time moves
 * only when the write changed something.
 */
export function planUpdateManagedFields(input: { scope: WriteScope; live?: KubeObject; next: KubeObject; entries: unknown; manager: string }): ManagedFieldsEntry[] {
  const { scope, manager } = input;
  const compare = compareFields(
    fieldValues(scope.resource, stripManagedFields(input.live), scope.fields),
    fieldValues(scope.resource, stripManagedFields(input.next), scope.fields),
  );
  const changed = union(compare.modified, compare.added);
  const owners = ownersOf(input.entries).map((o) => ({ ...o, set: difference(difference(o.set, changed), compare.removed) }));
  if (changed.size > 0) {
    let own = owners.find((o) => sameOwner(o.entry, manager, 'Update', scope.subresource));
    if (!own) {
      own = { entry: newEntry(manager, 'Update', scope), set: new Set() };
      owners.push(own);
    }
    own.set = union(own.set, changed);
    own.entry = { ...own.entry, apiVersion: scope.apiVersion, time: scope.now };
  }
  return encode(owners);
}

function newEntry(manager: string, operation: ManagedFieldsEntry['operation'], scope: WriteScope): ManagedFieldsEntry {
  return {
    manager,
    operation,
    apiVersion: scope.apiVersion,
    time: scope.now,
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(scope.subresource ? { subresource: scope.subresource } : {}),
  };
}

/** One field another manager owns with another value. */
export interface FieldConflict {
  manager: ManagedFieldsEntry;
  /** `.spec.replicas` */
  field: string;
}

export type ApplyPlan = { object: KubeObject; managedFields: ManagedFieldsEntry[]; conflicts?: undefined } | { conflicts: FieldConflict[] };

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined: the object is created).
 * The configuration merges into the live object (maps by key, associative lists by their merge
 * key, other lists replaced), fields the manager applied before and leaves out now are pruned,
 * and the fields the result changes are checked against every other manager's set.
 */
export function planApply(input: { scope: WriteScope; live?: KubeObject; config: KubeObject; entries: unknown; manager: string; force: boolean }): ApplyPlan {
  const { scope, manager } = input;
  const live = stripManagedFields(input.live) ?? ({ metadata: {} } as KubeObject);
  const config = withoutNulls(stripManagedFields(input.config)) as KubeObject;
  const owners = ownersOf(input.entries);
  const own = owners.find((o) => sameOwner(o.entry, manager, 'Apply', scope.subresource));
  const others = owners.filter((o) => o !== own);

  const applied = fieldSetOf(scope.resource, config, scope.fields);
  const object = applyStrategicMergePatch(live, config, scope.resource) as KubeObject;
  // Pruning: what this manager applied before, no longer applies, and nobody else holds.
  const othersOwn = union(...others.map((o) => o.set));
  const dropped = [...difference(own?.set ?? new Set(), applied)]
    .filter((key) => ![...othersOwn].some((owned) => isAtOrBelow(owned, key)))
    .sort((a, b) => pathOf(b).length - pathOf(a).length);
  for (const key of dropped) removeField(object as unknown as Record<string, unknown>, pathOf(key));

  const compare = compareFields(fieldValues(scope.resource, live, scope.fields), fieldValues(scope.resource, object, scope.fields));
  const changed = union(compare.modified, compare.added);
  const conflicts: FieldConflict[] = [];
  for (const other of others) {
    for (const key of intersection(other.set, changed)) conflicts.push({ manager: other.entry, field: fieldPathString(pathOf(key)) });
  }
  if (conflicts.length > 0 && !input.force) return { conflicts: sortConflicts(conflicts) };

  for (const other of others) other.set = difference(difference(other.set, changed), compare.removed);
  const unchanged = own !== undefined && changed.size === 0 && compare.removed.size === 0 && sameSet(own.set, applied);
  const mine: Owner = { entry: unchanged ? own.entry : newEntry(manager, 'Apply', scope), set: applied };
  const entries = own ? owners.map((o) => (o === own ? mine : o)) : [...owners, mine];
  const managedFields = encode(entries);
  return { object: { ...object, metadata: { ...object.metadata, managedFields } }, managedFields };
}

const sameSet = (a: FieldSet, b: FieldSet): boolean => a.size === b.size && [...a].every((k) => b.has(k));

function sortConflicts(conflicts: FieldConflict[]): FieldConflict[] {
  return conflicts.sort((a, b) => managerIdentity(a.manager).localeCompare(managerIdentity(b.manager)) || a.field.localeCompare(b.field));
}

/** `null` in an applied configuration asks for nothing (structured-merge-diff drops it). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = withoutNulls(v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The 409 a conflict is answered with (apimachinery's managedfields/internal/conflict.go)

/** How kube-apiserver tells the sort order of managers apart: the entry without time and fields. */
function managerIdentity(entry: ManagedFieldsEntry): string {
  return JSON.stringify({
    manager: entry.manager,
    operation: entry.operation,
    ...(entry.operation === 'Update' ? { apiVersion: entry.apiVersion } : {}),
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
  });
}

/** `"kubectl-client-side-apply" using apps/v1` for an updater, `"kubectl"` for an applier. */
export function printManager(entry: ManagedFieldsEntry): string {
  let text = JSON.stringify(entry.manager);
  if (entry.subresource) text = `${text} with subresource ${JSON.stringify(entry.subresource)}`;
  return entry.operation === 'Update' ? `${text} using ${entry.apiVersion}` : text;
}

export function applyConflictError(conflicts: FieldConflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: c.field }));
  return new ApiError(409, 'Conflict', conflictMessage(conflicts), { causes });
}

function conflictMessage(conflicts: FieldConflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${conflicts[0].field}`;
  const byManager = new Map<string, FieldConflict[]>();
  for (const conflict of conflicts) {
    const key = managerIdentity(conflict.manager);
    byManager.set(key, [...(byManager.get(key) ?? []), conflict]);
  }
  const lines: string[] = [];
  for (const key of [...byManager.keys()].sort()) {
    const group = byManager.get(key)!;
    lines.push(`conflicts with ${printManager(group[0].manager)}:`);
    for (const conflict of group) lines.push(`- ${conflict.field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The manager of a write that names none: the User-Agent up to its first `/` (`kubectl/v1.32.0 (linux/amd64)` → `kubectl`). */
export function managerFromUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? '').split('/')[0];
}
