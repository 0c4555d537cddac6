// The keys of one resource in byte order: the store's range index.
//
// etcd keeps keys sorted, so "the ConfigMaps of namespace default" is the range of keys starting
// with `default/`, and "the next 500 after default/cm-0499" starts one binary search away. This is
// the same idea in memory: a sorted array of `namespace/name` keys (just `name` for cluster-scoped
// kinds) kept sorted on every create and delete (a binary search and one splice; an update does
// not move a key). Listing never sorts the whole collection again.

/** Plain code-unit order, as Go compares strings byte-wise (kubelab's keys are ASCII). */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** The index of the first key >= `key`. */
  lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(this.keys[middle], key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Adds the key if it is not there yet. */
  add(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  remove(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** The keys with index in [from, to), in order (a copy, safe to keep while keys change). */
  slice(from: number, to: number): string[] {
    return this.keys.slice(from, to);
  }

  /** The index range of the keys that start with `prefix` (all keys for ''). */
  prefixRange(prefix: string): { from: number; to: number } {
    if (prefix === '') return { from: 0, to: this.keys.length };
    return { from: this.lowerBound(prefix), to: this.lowerBound(prefixEnd(prefix)) };
  }
}

/** The smallest string greater than every string starting with `prefix` (etcd's range end). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
