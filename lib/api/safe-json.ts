// The one gate every JSON document from outside passes before kubelab's code walks it: request
// bodies (POST, PUT, each PATCH type) and query parameters in daemon/api/server.ts, patches where
// lib/api/patch.ts applies them, and JSON patch paths (`/metadata/__proto__/k`).
//
// Two things can make an ordinary JavaScript walk over a parsed document dangerous:
//
// - Prototype keys. JSON.parse turns `{"__proto__": {"k": "v"}}` into an object with an *own*
//   key `__proto__`, harmless by itself. But a merge that copies it with `result[key] = ...`, or
//   descends into `result[key]` before writing, reaches Object.prototype instead: one PATCH then
//   adds `k` to every object of the daemon (`if (volume.hostPath)` becomes true everywhere).
//   `constructor` then `prototype` is the same road by another name.
// - Nesting. JSON.parse copes with 50,000 levels, but every recursive step after it
//   (structuredClone, a merge, validation, JSON.stringify for the store) overflows the stack.
//
// The choice here is to REFUSE such documents (400 Bad Request, nothing written) rather than to
// parse into null-prototype objects. A null-prototype object is only safe until the first copy:
// structuredClone, a spread or the store's JSON round trip give back plain objects, and the next
// `obj[key] = value` in any controller would meet `__proto__` again. Refusing at the door keeps
// every later line of the code base ordinary. The cost is small: Go's decoder has no prototypes,
// so kube-apiserver would store a ConfigMap key named `constructor`; kubelab answers 400 for it.
// `__proto__` is not a valid label or annotation key anyway.
//
// The depth limit is 100 levels. Go's encoding/json stops at 10,000; kubelab's recursive code
// would overflow long before that, and the deepest real object (a Deployment's pod template
// with affinity terms) is about 15 levels deep.

import { badRequest } from '../errors.js';

/** Keys that lead to a prototype when a JavaScript merge follows them. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** How many levels of objects and arrays a document may nest (the top level is 1). */
export const MAX_JSON_DEPTH = 100;

export const isPrototypeKey = (key: string): boolean => PROTOTYPE_KEYS.has(key);

/**
 * Throws a 400 when `document` nests deeper than MAX_JSON_DEPTH or holds a key of
 * PROTOTYPE_KEYS at any depth. `what` names the document in the message ("the request body").
 * The walk uses its own stack, so a document nested 50,000 levels deep is refused, not a crash.
 */
export function checkJsonDocument(document: unknown, what: string): void {
  const pending: { value: unknown; depth: number; path: string }[] = [{ value: document, depth: 1, path: '' }];
  while (pending.length > 0) {
    const { value, depth, path } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) {
      throw badRequest(`${what} is nested more than ${MAX_JSON_DEPTH} levels deep (at ${path.slice(0, 60)}...); no kubelab object needs that`);
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push({ value: item, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      // A strategic merge patch names fields inside directive keys: `$setElementOrder/<field>`.
      const field = key.startsWith('$') ? key.slice(key.lastIndexOf('/') + 1) : key;
      if (isPrototypeKey(field)) {
        throw badRequest(`${what} contains the key "${key}" (at ${at}): the keys ${[...PROTOTYPE_KEYS].map((k) => `"${k}"`).join(', ')} are refused anywhere in a document`);
      }
      pending.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: at });
    }
  }
}
