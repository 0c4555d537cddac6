// The key of an API object in every cache and work queue: client-go's MetaNamespaceKeyFunc and
// SplitMetaNamespaceKey.
//
// Work queues hold keys, never objects: a worker reads the newest object by its key when it gets
// to it, so a queue that saw ten changes of `default/web` holds one key and does one pass. The
// key is `namespace/name`, or just `name` for cluster-scoped objects (Nodes), and splitKey turns
// it back into the two parts a `client.get` needs.

import type { KubeObject } from '../api/types.js';

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name = '' } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of objectKey: `default/web` → namespace default, name web; `node-1` → no namespace. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
