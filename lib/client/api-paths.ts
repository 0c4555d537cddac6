// Where a resource lives on the API server: Kubernetes' URL scheme in one function.
//
//   core group      /api/v1/namespaces/default/pods/web/log
//   named groups    /apis/apps/v1/namespaces/default/deployments/nginx/scale
//   cluster-scoped  /api/v1/nodes/node-1
//   all namespaces  /api/v1/pods                    (a namespaced resource listed without a namespace)

import { resourceByKey, type ResourceInfo } from '../api/resources.js';

/** The ResourceInfo of a store key (`pods`, `deployments.apps`), or an error naming the key. */
export function resourceInfoFor(resource: string): ResourceInfo {
  const info = resourceByKey(resource);
  if (!info) throw new Error(`unknown resource "${resource}": expected a key such as "pods" or "deployments.apps" (see lib/api/resources.ts)`);
  return info;
}

export function groupVersionPath(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
}

/**
 * The path of a collection (no name) or of one object. The namespace is ignored for
 * cluster-scoped resources, and optional for namespaced ones (absent = across all namespaces).
 */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(info);
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.plural}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`a ${info.singular} name must not be empty`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

/** `?a=1&b=x` from defined values only; arrays repeat the key (exec's `command`). */
export function queryString(query: Record<string, string | number | boolean | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
