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

/** Remembers `json` as the encoding of `object` (which must not change afterwards). */
export function rememberEncoding(object: object, json: string): void {
  encodings.set(object, json);
}

/** The JSON text of `object`: the remembered one, or made now (and remembered). */
export function encodedJson(object: object): string {
  let json = encodings.get(object);
  if (json === undefined) {
    json = JSON.stringify(object);
    encodings.set(object, json);
  }
  return json;
}
