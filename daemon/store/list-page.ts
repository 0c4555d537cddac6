// Page assembly for paged lists (`?limit=N&continue=TOKEN`), as etcd's range reads give it to
// kube-apiserver: walk the keys in order from the start key, keep the objects the selectors
// match, stop after `limit` of them, and say whether keys remain after the last one examined.
//
// The store first captures the page's candidates synchronously (keys and the immutable objects
// they held at the list's version), so the list reads one consistent snapshot however long the
// filtering takes; this file then decides, a bounded number of candidates per call, so the store
// can yield to the event loop between calls. Pure: no store, no clock, table-tested.
//
// What Kubernetes answers, and so what this does:
// - `continue` is set when keys remain after the last one examined, even if none of them
//   matches the selector (etcd only knows "more keys"); the client's next page may be empty.
// - `remainingItemCount` is set only when nothing is filtered (the count of keys left is then
//   the count of items left); with a selector it is unknown and left out.

/** One key of the range and the object it held at the list's version. */
export interface Candidate<T> {
  key: string;
  object: T;
}

/** Where a page assembly stands: the items taken so far and the next candidate to examine. */
export interface PageProgress<T> {
  items: Candidate<T>[];
  next: number;
}

export interface PageResult<T> {
  items: Candidate<T>[];
  /** The key of the last item examined, when keys remain after it (the next page starts after it). */
  lastKey?: string;
  remainingItemCount?: number;
}

/**
 * Examines at most `budget` more candidates; returns true when the page is complete (limit
 * reached or candidates exhausted). `limit` 0 means no limit.
 */
export function advancePage<T>(
  candidates: readonly Candidate<T>[],
  progress: PageProgress<T>,
  limit: number,
  filter: ((object: T) => boolean) | undefined,
  budget: number,
): boolean {
  const stop = Math.min(candidates.length, progress.next + budget);
  while (progress.next < stop) {
    if (limit > 0 && progress.items.length >= limit) return true;
    const candidate = candidates[progress.next];
    progress.next += 1;
    if (!filter || filter(candidate.object)) progress.items.push(candidate);
  }
  return progress.next >= candidates.length || (limit > 0 && progress.items.length >= limit);
}

/**
 * The finished page. `totalCandidates` is the size of the whole range when `candidates` holds
 * only its beginning (an unfiltered page needs no more than `limit` of them captured).
 */
export function finishPage<T>(
  candidates: readonly Candidate<T>[],
  progress: PageProgress<T>,
  filtered: boolean,
  totalCandidates = candidates.length,
): PageResult<T> {
  const remaining = totalCandidates - progress.next;
  if (remaining <= 0) return { items: progress.items };
  return {
    items: progress.items,
    lastKey: candidates[progress.next - 1]?.key,
    ...(filtered ? {} : { remainingItemCount: remaining }),
  };
}

/**
 * The candidates of a range at an older version: the current keys, with the keys changed since
 * that version replaced by their state then (`overlay`: key → object then, or undefined when it
 * did not exist then). Keys deleted since come back, keys created since drop out. Both inputs
 * are sorted; so is the result.
 */
export function mergeOverlay<T>(
  currentKeys: readonly string[],
  current: (key: string) => T | undefined,
  overlay: ReadonlyMap<string, T | undefined>,
  inRange: (key: string) => boolean,
): Candidate<T>[] {
  const present = new Set(currentKeys);
  const extra = [...overlay.keys()].filter((key) => !present.has(key) && inRange(key)).sort();
  const merged: Candidate<T>[] = [];
  const push = (key: string) => {
    const object = overlay.has(key) ? overlay.get(key) : current(key);
    if (object !== undefined) merged.push({ key, object });
  };
  let i = 0;
  let j = 0;
  while (i < currentKeys.length || j < extra.length) {
    if (j >= extra.length || (i < currentKeys.length && currentKeys[i] < extra[j])) push(currentKeys[i++]);
    else push(extra[j++]);
  }
  return merged;
}
