// The pod-template-hash: how a Deployment names and recognises the ReplicaSet of each version of
// its pod template.
//
// A Deployment never runs pods itself. For every distinct template it owns one ReplicaSet named
// `<deployment>-<hash>`, whose selector, labels and pod labels carry `pod-template-hash: <hash>`
// so the ReplicaSets of one Deployment never fight over each other's pods.
//
// Two questions are answered here, and both must ignore what does not change the pods:
// - "is this ReplicaSet's template the Deployment's template?" (templatesEqual) — Kubernetes'
//   EqualIgnoreHash. `kubectl rollout undo` writes the old template back with
//   `creationTimestamp: null` and `resources: {}`; a comparison that saw those as differences
//   would create a new ReplicaSet instead of re-using the old one.
// - "what is this template's hash?" (podTemplateHash) — Kubernetes' ComputeHash: FNV-32a over the
//   template (Go walks the struct; we use a canonical JSON: sorted keys, no nulls, no empty
//   objects or arrays, no pod-template-hash label), plus the Deployment's collisionCount when it
//   has one, rendered as a decimal number whose digits are mapped onto consonants and digits
//   (rand.SafeEncodeString) so the name never spells a word and is a valid DNS label.

import type { PodTemplateSpec } from './types.js';

/** The label (and selector key) that ties pods to the ReplicaSet of one template version. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/**
 * The template reduced to what matters for the pods it makes: the pod-template-hash label and
 * creationTimestamp removed, then nulls and empty objects and arrays dropped, recursively.
 * Key order is not touched here (canonicalJson sorts).
 */
export function semanticTemplate(template: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(template ?? {}) as { metadata?: Record<string, unknown> };
  if (copy.metadata) {
    const labels = copy.metadata.labels as Record<string, string> | undefined;
    if (labels) delete labels[POD_TEMPLATE_HASH_LABEL];
    delete copy.metadata.creationTimestamp;
  }
  return pruneEmpty(copy) ?? {};
}

/** undefined means "absent": null, an empty object or array, or one that only held such values. */
function pruneEmpty(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    // Elements keep their positions: an empty element in a list is still an element.
    const items = value.map((item) => pruneEmpty(item) ?? {});
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const pruned = pruneEmpty(child);
      if (pruned !== undefined) out[key] = pruned;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** JSON with object keys sorted at every level, so equal values always print the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Kubernetes' EqualIgnoreHash: the same pods would come out of both templates. */
export function templatesEqual(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(semanticTemplate(a)) === canonicalJson(semanticTemplate(b));
}

/** FNV-1a, 32 bits, over the bytes given. */
export function fnv32a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * apimachinery's rand.SafeEncodeString: each character is replaced by one of 27 characters with
 * no vowels (no accidental words) and no 0/1/3 (no look-alikes of o/l/e).
 */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The hash that names a template's ReplicaSet. `collisionCount` (the Deployment's
 * status.collisionCount) is mixed in as 8 little-endian bytes when present, so bumping it after a
 * name collision yields a different name for the same template.
 */
export function podTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const json = Buffer.from(canonicalJson(semanticTemplate(template)), 'utf8');
  let bytes: Uint8Array = json;
  if (collisionCount !== undefined) {
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    bytes = Buffer.concat([json, extra]);
  }
  return safeEncodeString(String(fnv32a(bytes)));
}
