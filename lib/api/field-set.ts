// Field sets: the fields of an object, named the way server-side apply names them
// (sigs.k8s.io/structured-merge-diff's fieldpath, shown in `metadata.managedFields[].fieldsV1`).
//
// A path is a list of segments from the object's root:
//   `f:replicas`           a field of a map (`.spec.replicas`)
//   `k:{"name":"nginx"}`   the element of an associative list with that key (containers by name)
//   `v:"example.com/x"`    a value of a set list (finalizers)
// A set holds the leaves of an object (scalars, empty maps, lists replaced whole) and the element
// of every associative or set list (so that owning "the container named nginx" is a field too).
// Maps themselves are not members: owning `.spec.replicas` does not mean owning `.spec`.
// Which lists are associative, and by which key, is the strategic merge patch's knowledge
// (listStrategy in strategic-merge-patch.ts): the same lists merge by the same keys in both.
//
// The wire form (FieldsV1) is a tree of those segments, `{}` for a leaf and `".": {}` for a
// member that also has members below it (a list element whose fields are owned too).

import { deepEqual } from './patch.js';
import { listStrategy } from './strategic-merge-patch.js';

export type FieldPath = readonly string[];
/** Paths, each as the JSON text of its segments (a string key for a Set). */
export type FieldSet = Set<string>;
export type FieldsV1 = Record<string, unknown>;

type JsonMap = Record<string, unknown>;
const isMap = (v: unknown): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

export const pathKey = (path: FieldPath): string => JSON.stringify(path);
export const pathOf = (key: string): string[] => JSON.parse(key) as string[];

/** Which top-level fields count: the status subresource owns only status, the main resource everything else. */
export interface FieldScope {
  /** Field-name paths (`status`, `spec.x`) that alone count; absent: all of them. */
  only?: readonly string[];
  /** Field-name paths that never count. */
  except?: readonly string[];
}

/** Never owned by anybody: identity and what the server sets (apimachinery's stripmeta.go, plus deletion marks). */
const SERVER_FIELDS = [
  'apiVersion',
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.generateName',
  'metadata.creationTimestamp',
  'metadata.selfLink',
  'metadata.uid',
  'metadata.generation',
  'metadata.managedFields',
  'metadata.resourceVersion',
  'metadata.deletionTimestamp',
  'metadata.deletionGracePeriodSeconds',
];

/** The marker value of a list element in a FieldValues map (elements have no value of their own). */
const ELEMENT = Symbol('element');

/** Every member of an object's field set with its value (ELEMENT for list elements). */
export type FieldValues = Map<string, unknown>;

/** The field set of `obj` for the resource (store key) `resource`, with each member's value. */
export function fieldValues(resource: string, obj: unknown, scope: FieldScope = {}): FieldValues {
  const out: FieldValues = new Map();
  if (isMap(obj)) walkMap(resource, obj, [], [], scope, out);
  return out;
}

export function fieldSetOf(resource: string, obj: unknown, scope: FieldScope = {}): FieldSet {
  return new Set(fieldValues(resource, obj, scope).keys());
}

function counts(names: string[], scope: FieldScope): boolean {
  const dotted = names.join('.');
  const under = (prefix: string) => dotted === prefix || dotted.startsWith(`${prefix}.`) || prefix.startsWith(`${dotted}.`);
  if (SERVER_FIELDS.includes(dotted)) return false;
  if (scope.except?.some((p) => dotted === p || dotted.startsWith(`${p}.`))) return false;
  if (scope.only && !scope.only.some(under)) return false;
  return true;
}

function walkMap(resource: string, map: JsonMap, path: string[], names: string[], scope: FieldScope, out: FieldValues): void {
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const childNames = [...names, key];
    if (!counts(childNames, scope)) continue;
    walkValue(resource, value, [...path, `f:${key}`], childNames, scope, out);
  }
}

function walkValue(resource: string, value: unknown, path: string[], names: string[], scope: FieldScope, out: FieldValues): void {
  if (isMap(value)) {
    if (Object.keys(value).length === 0) out.set(pathKey(path), value);
    else walkMap(resource, value, path, names, scope, out);
    return;
  }
  if (Array.isArray(value)) {
    const strategy = listStrategy(resource, names);
    if (strategy && 'mergeKey' in strategy && value.every((e) => isMap(e) && e[strategy.mergeKey] !== undefined)) {
      for (const element of value as JsonMap[]) {
        const elementPath = [...path, `k:${JSON.stringify({ [strategy.mergeKey]: element[strategy.mergeKey] })}`];
        out.set(pathKey(elementPath), ELEMENT);
        walkMap(resource, element, elementPath, names, {}, out);
      }
      return;
    }
    if (strategy && 'primitiveSet' in strategy && value.every((e) => !isMap(e) && !Array.isArray(e))) {
      for (const element of value) out.set(pathKey([...path, `v:${JSON.stringify(element)}`]), ELEMENT);
      return;
    }
  }
  out.set(pathKey(path), value); // a scalar, or a list replaced whole (atomic)
}

/** What changed between two versions of an object, as structured-merge-diff's Compare says it. */
export interface FieldComparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

export function compareFields(before: FieldValues, after: FieldValues): FieldComparison {
  const added: FieldSet = new Set();
  const removed: FieldSet = new Set();
  const modified: FieldSet = new Set();
  for (const [key, value] of after) {
    if (!before.has(key)) added.add(key);
    else if (value !== ELEMENT && !deepEqual(before.get(key), value)) modified.add(key);
  }
  for (const key of before.keys()) if (!after.has(key)) removed.add(key);
  return { added, removed, modified };
}

export const union = (...sets: FieldSet[]): FieldSet => new Set(sets.flatMap((s) => [...s]));
export const difference = (a: FieldSet, b: FieldSet): FieldSet => new Set([...a].filter((k) => !b.has(k)));
export const intersection = (a: FieldSet, b: FieldSet): FieldSet => new Set([...a].filter((k) => b.has(k)));

/** Is `key` the path of `ancestor` or below it? */
export function isAtOrBelow(key: string, ancestor: string): boolean {
  return key === ancestor || key.startsWith(`${ancestor.slice(0, -1)},`);
}

// ---------------------------------------------------------------------------------------------
// FieldsV1, the wire form

export function toFieldsV1(set: FieldSet): FieldsV1 {
  const root: JsonMap = {};
  for (const key of set) {
    let node = root;
    for (const segment of pathOf(key)) node = (node[segment] ??= {}) as JsonMap;
    node['.'] = {};
  }
  return sortTree(root);
}

/** Keys in structured-merge-diff's order (`.` first, then fields, keys, values); a member alone reads `{}`. */
function sortTree(node: JsonMap): JsonMap {
  const keys = Object.keys(node).filter((k) => k !== '.');
  if (keys.length === 0) return {};
  const out: JsonMap = {};
  if ('.' in node) out['.'] = {};
  for (const key of keys.sort()) out[key] = sortTree(node[key] as JsonMap);
  return out;
}

/** The set a FieldsV1 tree names; anything that is not such a tree names nothing. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set: FieldSet = new Set();
  const walk = (node: unknown, path: string[]) => {
    if (!isMap(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length > 0) set.add(pathKey(path));
    for (const key of keys) {
      if (key === '.') set.add(pathKey(path));
      else if (/^[fkvi]:/.test(key)) walk(node[key], [...path, key]);
    }
  };
  walk(fields, []);
  set.delete(pathKey([]));
  return set;
}

// ---------------------------------------------------------------------------------------------
// Paths as users read them, and as objects hold them

/** `.spec.template.spec.containers[name="nginx"].image`, as kube-apiserver prints a path in a conflict. */
export function fieldPathString(path: FieldPath): string {
  return path
    .map((segment) => {
      const text = segment.slice(2);
      if (segment.startsWith('f:')) return `.${text}`;
      if (segment.startsWith('k:')) {
        const key = JSON.parse(text) as JsonMap;
        return `[${Object.entries(key).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}]`;
      }
      if (segment.startsWith('v:')) return `[=${text}]`;
      return `[${text}]`;
    })
    .join('');
}

/**
 * Removes the member at `path` from `obj` (in place): a map field, or a list element found by
 * its key or value. Maps left empty by the removal go too. A path that is not there is ignored.
 */
export function removeField(obj: JsonMap, path: FieldPath): void {
  const trail: { container: JsonMap | unknown[]; at: string | number }[] = [];
  let node: unknown = obj;
  for (const segment of path) {
    const text = segment.slice(2);
    if (segment.startsWith('f:') && isMap(node) && Object.hasOwn(node, text)) {
      trail.push({ container: node, at: text });
      node = node[text];
    } else if ((segment.startsWith('k:') || segment.startsWith('v:')) && Array.isArray(node)) {
      const wanted = JSON.parse(text) as unknown;
      const index = segment.startsWith('v:')
        ? node.findIndex((e) => deepEqual(e, wanted))
        : node.findIndex((e) => isMap(e) && Object.entries(wanted as JsonMap).every(([k, v]) => deepEqual(e[k], v)));
      if (index < 0) return;
      trail.push({ container: node, at: index });
      node = node[index];
    } else {
      return;
    }
  }
  for (let i = trail.length - 1; i >= 0; i -= 1) {
    const { container, at } = trail[i];
    if (Array.isArray(container)) container.splice(at as number, 1);
    else delete container[at as string];
    // Stop once the parent still holds something (or is a list: an empty list stays as written).
    if (i === 0 || Array.isArray(container) || Object.keys(container).length > 0) break;
  }
}
