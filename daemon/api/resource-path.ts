// Parsing a REST path into what it names: kube-apiserver's URL scheme.
//
//   /api/v1/{plural}[/{name}[/{subresource}]]                       cluster-scoped (nodes, namespaces)
//   /api/v1/namespaces/{ns}/{plural}[/{name}[/{subresource}]]       namespaced (pods, services...)
//   /api/v1/{plural}                                                a namespaced kind across all namespaces
//   /apis/{group}/{version}/...                                     the same under a named group
//
// `namespaces/{ns}/...` is ambiguous with a cluster-scoped object's subresource
// (`namespaces/default/status` is the status of namespace "default"): a third segment that is a
// namespaced resource of the group/version means a namespaced path.

import { resourceForPath, type ResourceInfo, type SubresourceInfo } from '../../lib/api/resources.js';
import { badRequest } from '../../lib/errors.js';

export interface ResourcePath {
  info: ResourceInfo;
  /** Set on namespaced paths; absent on cluster-scoped ones and on all-namespaces lists. */
  namespace?: string;
  name?: string;
  subresource?: SubresourceInfo;
}

/** One percent-encoded path segment; a broken encoding (`%E0%A4%A`) is the client's mistake, a 400. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`the path segment ${JSON.stringify(segment)} is not valid percent-encoded UTF-8`);
  }
}

export function parseResourcePath(path: string): ResourcePath | undefined {
  const segments = path.split('/').filter((s) => s !== '').map(decodePathSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    [group, version, rest] = ['', segments[1], segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
  } else {
    return undefined;
  }

  const namespaced = rest[0] === 'namespaces' && rest.length >= 3 && resourceForPath(group, version, rest[2])?.namespaced === true;
  if (namespaced) {
    const [, namespace, plural, name, subresource, ...extra] = rest;
    return extra.length ? undefined : resolve(group, version, plural, { namespace, name, subresource }, true);
  }
  const [plural, name, subresource, ...extra] = rest;
  return extra.length ? undefined : resolve(group, version, plural, { name, subresource }, false);
}

function resolve(
  group: string,
  version: string,
  plural: string,
  parts: { namespace?: string; name?: string; subresource?: string },
  namespacedPath: boolean,
): ResourcePath | undefined {
  const info = resourceForPath(group, version, plural);
  if (!info) return undefined;
  // A cluster-scoped kind has no namespaced path; a namespaced kind has only its all-namespaces list.
  if (!namespacedPath && info.namespaced && parts.name !== undefined) return undefined;
  let subresource: SubresourceInfo | undefined;
  if (parts.subresource !== undefined) {
    subresource = info.subresources.find((s) => s.name === parts.subresource);
    if (!subresource) return undefined;
  }
  return {
    info,
    ...(parts.namespace !== undefined ? { namespace: parts.namespace } : {}),
    ...(parts.name !== undefined ? { name: parts.name } : {}),
    ...(subresource ? { subresource } : {}),
  };
}

