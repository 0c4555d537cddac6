// Encode once: the JSON text of a stored object, computed when it is written and reused by
// every list and watch that sends it.
//
// A stored object never changes after the store published it (a write stores a new object with
// a new resourceVersion), so its encoding is a property of the object itself: kept in a WeakMap,
// it lives exactly as long as the object does. The write path already makes this text for the
// datafile; lists and watches then splice it into their responses instead of copying and
// stringifying the object for every client (1,000 watchers of a write: one JSON.stringify, not
// 1,000). kube-apiserver's watch cache does the same with its per-event serialization cache.

const encodings = new WeakMap<object, string>();

const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const HAS_GO_ESCAPED = /[<>&\u2028\u2029]/;
const goEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 inside strings as
 * `\u003c`... (the same value to any JSON reader). kube-apiserver's bytes are Go's, and kubectl
 * compares some of them byte for byte: `rollout undo` says "skipped rollback" only when a
 * ControllerRevision's raw data equals the patch it makes from the live template, so a template
 * holding `&&` must arrive escaped, in lists and watches as in single responses (the API server's
 * express app escapes those with `json escape`).
 */
export function goJson(json: string): string {
  return HAS_GO_ESCAPED.test(json) ? json.replace(GO_ESCAPED, goEscape) : json;
}

/** Remembers `json` as the encoding of `object` (which must not change afterwards). */
export function rememberEncoding(object: object, json: string): void {
  encodings.set(object, goJson(json));
}

/** The JSON text of `object`: the remembered one, or made now (and remembered). */
export function encodedJson(object: object): string {
  let json = encodings.get(object);
  if (json === undefined) {
    json = goJson(JSON.stringify(object));
    encodings.set(object, json);
  }
  return json;
}
