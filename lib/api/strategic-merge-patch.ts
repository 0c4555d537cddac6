// Strategic merge patch: Kubernetes' patch format (apimachinery/pkg/util/strategicpatch), what
// `kubectl apply`, `set image` and `rollout pause` send.
//
// A plain merge patch cannot change one container of a pod: lists are replaced whole, so the
// patch would have to repeat every container. A strategic patch knows, per path, which lists hold
// named things and by which key: containers by `name`, container ports by `containerPort`, but a
// Service's ports by `port`. Elements with the same key merge; new ones are appended; other
// lists (command, args, tolerations) are still replaced whole. The key table is path-aware on
// purpose: a naive "ports merge by containerPort everywhere" corrupts Services.
//
// Directives, all removed from the result:
//   `$patch: delete`  on a list element removes the element with that key; on a map, the map.
//   `$patch: replace` replaces the whole map (or, as a list element, the whole list).
//   `$retainKeys: [...]` keeps only those keys of the map (switching deployment strategy types).
//   `$setElementOrder/<list>: [...]` the final order of a merged list (kubectl sends the file's).
//   `$deleteFromPrimitiveList/<list>: [...]` removes values from a merged list of strings (finalizers).

import { badRequest } from '../errors.js';
import { checkJsonDocument } from './safe-json.js';

type Json = unknown;
type JsonMap = Record<string, Json>;

const isMap = (v: unknown): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

/** How a list at some path merges: by a key of its elements, or as a set of primitives. */
type ListStrategy = { mergeKey: string } | { primitiveSet: true };

/** Pod spec lists, keyed by their path inside the PodSpec (from k8s.io/api v0.32 struct tags). */
const POD_SPEC_LISTS: Record<string, ListStrategy> = {
  containers: { mergeKey: 'name' },
  initContainers: { mergeKey: 'name' },
  ephemeralContainers: { mergeKey: 'name' },
  'containers.env': { mergeKey: 'name' },
  'containers.ports': { mergeKey: 'containerPort' },
  'containers.volumeMounts': { mergeKey: 'mountPath' },
  'containers.volumeDevices': { mergeKey: 'devicePath' },
  volumes: { mergeKey: 'name' },
  imagePullSecrets: { mergeKey: 'name' },
  hostAliases: { mergeKey: 'ip' },
  topologySpreadConstraints: { mergeKey: 'topologyKey' },
  schedulingGates: { mergeKey: 'name' },
  resourceClaims: { mergeKey: 'name' },
};

/** Where a resource keeps a PodSpec. */
const POD_SPEC_PATHS: Record<string, string> = {
  pods: 'spec',
  replicationcontrollers: 'spec.template.spec',
  'replicasets.apps': 'spec.template.spec',
  'deployments.apps': 'spec.template.spec',
  'daemonsets.apps': 'spec.template.spec',
  'statefulsets.apps': 'spec.template.spec',
  'jobs.batch': 'spec.template.spec',
  'cronjobs.batch': 'spec.jobTemplate.spec.template.spec',
  podtemplates: 'template.spec',
};

/**
 * The merge strategy of the list at `path` (field names from the root, list indices left out:
 * `spec.template.spec.containers.env`), or undefined for "replace the whole list".
 */
export function listStrategy(resource: string, path: string[]): ListStrategy | undefined {
  const dotted = path.join('.');
  const last2 = path.slice(-2).join('.');
  if (last2 === 'metadata.ownerReferences') return { mergeKey: 'uid' };
  if (last2 === 'metadata.finalizers') return { primitiveSet: true };
  if (dotted === 'status.conditions') return { mergeKey: 'type' };

  const podSpecPath = Object.hasOwn(POD_SPEC_PATHS, resource) ? POD_SPEC_PATHS[resource] : undefined;
  if (podSpecPath && dotted.startsWith(`${podSpecPath}.`)) {
    const inside = dotted.slice(podSpecPath.length + 1).replace(/^(initContainers|ephemeralContainers)\./, 'containers.');
    return Object.hasOwn(POD_SPEC_LISTS, inside) ? POD_SPEC_LISTS[inside] : undefined;
  }
  if (resource === 'pods' && (dotted === 'status.podIPs' || dotted === 'status.hostIPs')) return { mergeKey: 'ip' };
  if (resource === 'services' && dotted === 'spec.ports') return { mergeKey: 'port' };
  if (resource === 'nodes' && dotted === 'status.addresses') return { mergeKey: 'type' };
  return undefined;
}

/** Applies a strategic merge patch to `target` (not modified) for the resource `resource` (store key). */
export function applyStrategicMergePatch(target: Json, patch: Json, resource: string): Json {
  if (!isMap(patch)) throw badRequest('a strategic merge patch must be a JSON object');
  checkJsonDocument(patch, 'the strategic merge patch');
  const merged = mergeMap(isMap(target) ? structuredClone(target) : {}, structuredClone(patch), [], resource);
  return merged === DELETED ? {} : merged;
}

const DELETED = Symbol('deleted');

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

function mergeMap(original: JsonMap, patch: JsonMap, path: string[], resource: string): JsonMap | typeof DELETED {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETED;
  if (directive === 'replace') return stripDirectives(patch) as JsonMap;
  if (directive !== undefined && directive !== 'merge') throw badRequest(`unknown patch directive "$patch: ${String(directive)}" at ${path.join('.') || 'the top level'}`);

  const result = original;
  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM)) continue;
    const field = key.slice(DELETE_FROM.length);
    if (!Array.isArray(values)) throw badRequest(`${key} must be a list`);
    if (Array.isArray(result[field])) result[field] = (result[field] as Json[]).filter((v) => !values.includes(v));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
    } else if (isMap(value)) {
      const merged = mergeMap(isMap(result[key]) ? (result[key] as JsonMap) : {}, value, [...path, key], resource);
      if (merged === DELETED) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, [...path, key], resource);
    } else {
      result[key] = value;
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = key.slice(SET_ORDER.length);
    if (!Array.isArray(order)) throw badRequest(`${key} must be a list`);
    if (Array.isArray(result[field])) result[field] = applyOrder(result[field] as Json[], order, listStrategy(resource, [...path, field]));
  }
  if (patch.$retainKeys !== undefined) {
    const keep = patch.$retainKeys;
    if (!Array.isArray(keep)) throw badRequest('$retainKeys must be a list of field names');
    for (const key of Object.keys(result)) if (!keep.includes(key)) delete result[key];
  }
  return result;
}

function mergeList(original: Json, patch: Json[], path: string[], resource: string): Json[] {
  const strategy = listStrategy(resource, path);
  if (!strategy) return patch.map(stripDirectives);
  const base = Array.isArray(original) ? original : [];
  if ('primitiveSet' in strategy) {
    const result = [...base];
    for (const value of patch) if (!result.includes(value)) result.push(value);
    return result;
  }
  // `[{"$patch": "replace"}, ...items]` replaces the list with the items.
  if (patch.some((e) => isMap(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isMap(e) && e.$patch === 'replace')).map(stripDirectives);
  }
  const { mergeKey } = strategy;
  let result = [...base];
  for (const element of patch) {
    if (!isMap(element)) throw badRequest(`${path.join('.')}: list elements must be objects with the merge key "${mergeKey}", got ${JSON.stringify(element)}`);
    if (!(mergeKey in element)) {
      throw badRequest(`${path.join('.')}: map ${JSON.stringify(element)} does not contain declared merge key: ${mergeKey}`);
    }
    const key = element[mergeKey];
    const index = result.findIndex((e) => isMap(e) && sameKey(e[mergeKey], key));
    if (element.$patch === 'delete') {
      result = result.filter((e) => !(isMap(e) && sameKey(e[mergeKey], key)));
      continue;
    }
    const merged = mergeMap(index >= 0 ? (result[index] as JsonMap) : {}, element, path, resource);
    if (merged === DELETED) continue;
    if (index >= 0) result[index] = merged;
    else result.push(merged);
  }
  return result;
}

/** Merge keys compare as values: a port 80 and "80" in a hand-written patch are the same port. */
const sameKey = (a: Json, b: Json): boolean => a === b || (a !== undefined && b !== undefined && String(a) === String(b));

/**
 * Reorders a merged list as `$setElementOrder` says: listed elements first, in the listed order;
 * elements the list does not mention (present only on the server) keep their order after them.
 */
function applyOrder(list: Json[], order: Json[], strategy: ListStrategy | undefined): Json[] {
  if (!strategy) return list;
  const keyOf = (e: Json): Json => ('mergeKey' in strategy ? (isMap(e) ? e[strategy.mergeKey] : undefined) : e);
  const wanted = order.map(keyOf);
  const rank = (e: Json): number => {
    const i = wanted.findIndex((w) => sameKey(w, keyOf(e)));
    return i < 0 ? wanted.length : i;
  };
  return list
    .map((element, position) => ({ element, position, rank: rank(element) }))
    .sort((a, b) => a.rank - b.rank || a.position - b.position)
    .map((e) => e.element);
}

/** A copy without any `$...` key, at any depth. */
function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.filter((e) => !(isMap(e) && e.$patch === 'delete')).map(stripDirectives);
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}
