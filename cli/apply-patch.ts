// The decision at the heart of client-side `kubelab apply`: which JSON merge patch turns the live
// object into what the file now says, without undoing what others (controllers, `kubelab scale`)
// own. Three inputs, as kubectl's three-way merge:
//
//   original  what this user applied last time (the last-applied-configuration annotation)
//   modified  what the file says now (with the new annotation)
//   live      what the server has
//
// A field in the file that differs from live is set; a field that was in the last applied file
// but is gone from the file now is deleted (null); a field neither file mentioned is left alone.
// Lists are replaced whole in a merge patch, and the server fills defaults into them (a
// container's imagePullPolicy), so a list is only sent when it changed since the last apply;
// that keeps an unchanged file `unchanged`.

import type { KubeObject } from '../lib/api/types.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The merge patch from live to modified, given original; `{}` when nothing needs to change. */
export function planApplyPatch(original: unknown, modified: unknown, live: unknown): JsonObject {
  const patch: JsonObject = {};
  const o = isObject(original) ? original : undefined;
  const m = isObject(modified) ? modified : {};
  const l = isObject(live) ? live : {};
  for (const [key, want] of Object.entries(m)) {
    const have = l[key];
    if (isObject(want) && isObject(have)) {
      const sub = planApplyPatch(o?.[key], want, have);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (Array.isArray(want) && o && deepEqual(want, o[key]) && have !== undefined) {
      continue; // unchanged since the last apply; live differs only by server defaults
    } else if (!deepEqual(want, have)) {
      patch[key] = want;
    }
  }
  for (const key of Object.keys(o ?? {})) {
    if (!(key in m) && key in l) patch[key] = null;
  }
  return patch;
}

/** The annotation's value: the object as the file gives it, compact JSON, without the annotation itself. */
export function lastAppliedValue(obj: KubeObject): string {
  const copy = structuredClone(obj);
  const annotations = { ...(copy.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED_ANNOTATION];
  copy.metadata.annotations = annotations;
  return JSON.stringify(copy) + '\n';
}

/** The file's object carrying its own last-applied annotation, as apply sends it. */
export function withLastApplied(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: lastAppliedValue(obj) };
  return copy;
}

/** The last applied object recorded on a live object, if any (and parsable). */
export function lastAppliedOf(live: KubeObject): KubeObject | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as KubeObject;
  } catch {
    return undefined;
  }
}
