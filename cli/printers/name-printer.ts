// `-o name` and every "pod/web created" message: the resource's singular name, its group when
// it has one, a slash, the object's name. `pod/web`, `deployment.apps/nginx`.

import type { KubeObject } from '../../lib/api/types.js';
import { resourceForKind, type ResourceInfo } from '../../lib/api/resources.js';

export function qualifiedSingular(info: ResourceInfo): string {
  return info.group ? `${info.singular}.${info.group}` : info.singular;
}

export function kindSlashName(info: ResourceInfo, name: string): string {
  return `${qualifiedSingular(info)}/${name}`;
}

/** For an object whose resource is known from its apiVersion and kind; falls back to the kind. */
export function objectName(obj: KubeObject): string {
  const info = resourceForKind(obj.apiVersion, obj.kind);
  const name = obj.metadata?.name ?? '';
  return info ? kindSlashName(info, name) : `${(obj.kind ?? 'object').toLowerCase()}/${name}`;
}

export function printNames(objects: KubeObject[]): string {
  return objects.map((o) => objectName(o) + '\n').join('');
}
