// The shared logic of `kubelab label` and `kubelab annotate`: read `key=value` and `key-`
// arguments, and plan the merge patch of metadata.labels / metadata.annotations, refusing to
// change an existing value unless --overwrite says so (kubectl's guard against typos that
// would silently re-point a Service selector).

import { CliError } from './cli-errors.js';

export interface MetadataChanges {
  set: Record<string, string>;
  remove: string[];
}

/** An argument is a change if it has `=` or ends in `-`; everything else names objects. */
export function isMetadataChange(arg: string): boolean {
  return arg.includes('=') || (arg.endsWith('-') && arg.length > 1);
}

export function parseMetadataChanges(args: string[]): MetadataChanges {
  const changes: MetadataChanges = { set: {}, remove: [] };
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq > 0) changes.set[arg.slice(0, eq)] = arg.slice(eq + 1);
    else if (eq < 0 && arg.endsWith('-')) changes.remove.push(arg.slice(0, -1));
    else throw new CliError(`invalid argument "${arg}": expected key=value or key-`);
  }
  for (const key of changes.remove) {
    if (key in changes.set) throw new CliError(`can not both modify and remove the key "${key}" in the same command`);
  }
  return changes;
}

/**
 * The map for a merge patch (`null` removes a key), or undefined when nothing would change.
 * `noun` is `label` or `annotation`, for messages.
 */
export function planMetadataPatch(current: Record<string, string> | undefined, changes: MetadataChanges, overwrite: boolean): Record<string, string | null> | undefined {
  const have = current ?? {};
  const patch: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(changes.set)) {
    if (key in have && have[key] !== value && !overwrite) {
      throw new CliError(`'${key}' already has a value (${have[key]}), and --overwrite is false`);
    }
    if (have[key] !== value) patch[key] = value;
  }
  for (const key of changes.remove) if (key in have) patch[key] = null;
  return Object.keys(patch).length ? patch : undefined;
}
