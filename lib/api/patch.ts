// The three ways a client may describe a change to an object instead of sending all of it:
//
// - JSON merge patch (RFC 7386): a partial object; maps merge, `null` deletes, lists replace.
//   `kubectl label`, `annotate` and `scale` send these.
// - JSON patch (RFC 6902): a list of operations (add, remove, replace, move, copy, test) on JSON
//   pointers. `kubectl rollout undo` sends one.
// - Strategic merge patch (Kubernetes' own): a merge patch that knows which lists hold named
//   things (containers by name, service ports by port) and merges them by that key. `kubectl
//   apply`, `set image` and `rollout pause` send these. See strategic-merge-patch.ts.
//
// None of them modify their inputs: each returns a new document. Each first passes the patch
// through checkJsonDocument (safe-json.ts): no `__proto__` key and no runaway nesting gets in.

import { ApiError, badRequest } from '../errors.js';
import { checkJsonDocument, isPrototypeKey } from './safe-json.js';

export { applyStrategicMergePatch } from './strategic-merge-patch.js';

type Json = unknown;
type JsonMap = Record<string, Json>;

const isMap = (v: unknown): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// RFC 7386

/** Applies a JSON merge patch: maps merge recursively, `null` deletes a key, anything else replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  checkJsonDocument(patch, 'the merge patch');
  return mergeValues(target, patch);
}

function mergeValues(target: Json, patch: Json): Json {
  if (!isMap(patch)) return structuredClone(patch);
  const result: JsonMap = isMap(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergeValues(result[key], value);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// RFC 6902

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: Json;
  from?: string;
}

/** The patch is not a valid list of operations: the client's fault, 400. */
const malformed = (detail: string): ApiError => badRequest(`invalid JSON patch: ${detail}`);
/** A valid operation that does not apply to this object (missing path, failed test): 422, as the API server answers. */
const notApplicable = (detail: string): ApiError => new ApiError(422, 'Invalid', detail);

/** `/spec/containers/0/image` → ['spec', 'containers', '0', 'image']; `~1` is `/` and `~0` is `~`. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw malformed(`JSON pointer ${JSON.stringify(pointer)} must be empty or start with "/"`);
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  const forbidden = tokens.find(isPrototypeKey);
  if (forbidden !== undefined) throw malformed(`JSON pointer ${JSON.stringify(pointer)} names "${forbidden}", which is refused (lib/api/safe-json.ts)`);
  return tokens;
}

function checkOperations(ops: unknown): JsonPatchOperation[] {
  if (!Array.isArray(ops)) throw malformed('the body must be a JSON array of operations');
  ops.forEach((op, i) => {
    if (!isMap(op)) throw malformed(`operation ${i} is not an object`);
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op.op as string)) {
      throw malformed(`operation ${i} has unknown "op" ${JSON.stringify(op.op)} (expected add, remove, replace, move, copy or test)`);
    }
    if (typeof op.path !== 'string') throw malformed(`operation ${i} (${op.op}) is missing "path"`);
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') throw malformed(`operation ${i} (${op.op}) is missing "from"`);
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
      throw malformed(`operation ${i} (${op.op}) is missing "value"`);
    }
  });
  return ops as JsonPatchOperation[];
}

/** Applies RFC 6902 operations in order; any failure rejects the whole patch. */
export function applyJsonPatch(target: Json, ops: unknown): Json {
  checkJsonDocument(ops, 'the JSON patch');
  let doc = structuredClone(target);
  for (const op of checkOperations(ops)) {
    const path = parseJsonPointer(op.path);
    switch (op.op) {
      case 'add':
        doc = add(doc, path, structuredClone(op.value), op);
        break;
      case 'remove':
        doc = remove(doc, path, op).doc;
        break;
      case 'replace':
        get(doc, path, op);
        doc = path.length === 0 ? structuredClone(op.value) : set(doc, path, structuredClone(op.value), op);
        break;
      case 'move': {
        const from = parseJsonPointer(op.from!);
        if (op.path.startsWith(`${op.from}/`)) throw notApplicable(`move operation: "from" ${op.from} is a prefix of "path" ${op.path}`);
        const removed = remove(doc, from, op);
        doc = add(removed.doc, path, removed.value, op);
        break;
      }
      case 'copy':
        doc = add(doc, path, structuredClone(get(doc, parseJsonPointer(op.from!), op, 'from')), op);
        break;
      case 'test':
        if (!deepEqual(get(doc, path, op), op.value)) {
          throw notApplicable(`test operation failed: the value at ${op.path} is ${JSON.stringify(get(doc, path, op))}, not ${JSON.stringify(op.value)}`);
        }
        break;
    }
  }
  return doc;
}

function describe(op: JsonPatchOperation): string {
  return `${op.op} operation`;
}

/** The container of the last token: every token before it must exist. */
function parentOf(doc: Json, path: string[], op: JsonPatchOperation): Json {
  let current = doc;
  for (let i = 0; i < path.length - 1; i++) current = child(current, path[i], path, op);
  return current;
}

function child(container: Json, token: string, path: string[], op: JsonPatchOperation, which = 'path'): Json {
  if (Array.isArray(container)) {
    const index = arrayIndex(token, container.length, op);
    return container[index];
  }
  if (isMap(container) && Object.prototype.hasOwnProperty.call(container, token)) return container[token];
  throw notApplicable(`${describe(op)} does not apply: doc is missing ${which} /${path.map(escapeToken).join('/')} (no "${token}")`);
}

/** An existing element's index, or with `insert` also the length (the position after the last element). */
function arrayIndex(token: string, length: number, op: JsonPatchOperation, insert = false): number {
  if (!/^(0|[1-9]\d*)$/.test(token)) throw notApplicable(`${describe(op)} does not apply: "${token}" is not an array index`);
  const index = Number(token);
  if (index > (insert ? length : length - 1)) {
    throw notApplicable(`${describe(op)} does not apply: index ${index} is out of bounds for an array of length ${length}`);
  }
  return index;
}

const escapeToken = (t: string): string => t.replace(/~/g, '~0').replace(/\//g, '~1');

function get(doc: Json, path: string[], op: JsonPatchOperation, which = 'path'): Json {
  let current = doc;
  for (const token of path) current = child(current, token, path, op, which);
  return current;
}

function set(doc: Json, path: string[], value: Json, op: JsonPatchOperation): Json {
  const parent = parentOf(doc, path, op);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, op)] = value;
  else if (isMap(parent)) parent[last] = value;
  else throw notApplicable(`${describe(op)} does not apply: the parent of /${path.map(escapeToken).join('/')} is not an object or array`);
  return doc;
}

/** `add` creates or replaces a map key, and inserts into an array (`-` appends). */
function add(doc: Json, path: string[], value: Json, op: JsonPatchOperation): Json {
  if (path.length === 0) return value;
  const parent = parentOf(doc, path, op);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(last, parent.length, op, true);
    parent.splice(index, 0, value);
  } else if (isMap(parent)) {
    parent[last] = value;
  } else {
    throw notApplicable(`${describe(op)} does not apply: the parent of /${path.map(escapeToken).join('/')} is not an object or array`);
  }
  return doc;
}

function remove(doc: Json, path: string[], op: JsonPatchOperation): { doc: Json; value: Json } {
  if (path.length === 0) throw notApplicable(`${describe(op)} does not apply: cannot remove the whole document`);
  const value = get(doc, path, op, op.op === 'move' ? 'from' : 'path');
  const parent = parentOf(doc, path, op);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as JsonMap)[last];
  return { doc, value };
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
