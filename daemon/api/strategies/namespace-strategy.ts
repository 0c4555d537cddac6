// Namespaces: Active when created; DELETE turns them Terminating, and they disappear only once
// empty (the NamespaceFinalizer deletes their content and then the namespace itself).
//
// The namespaces the cluster itself needs cannot be deleted: kube-system holds the system's
// objects, default is where everything without a namespace goes.

import type { KubeObject, Namespace } from '../../../lib/api/types.js';
import type { DeleteOptions } from '../../../lib/client/api-client.js';
import { forbidden } from '../../../lib/errors.js';
import { rfc3339 } from '../../../lib/time.js';
import type { DeletePlan, Strategy } from './strategy.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export function isTerminating(namespace: KubeObject): boolean {
  return Boolean(namespace.metadata.deletionTimestamp) || (namespace as Namespace).status?.phase === 'Terminating';
}

export const namespaceStrategy: Strategy = {
  statusFields: ['status'],

  prepareForCreate(obj: KubeObject): void {
    obj.status = { phase: 'Active' };
  },

  planDelete(current: KubeObject, _options: DeleteOptions, now: Date): DeletePlan {
    const name = current.metadata.name ?? '';
    if ((SYSTEM_NAMESPACES as readonly string[]).includes(name)) {
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    if (isTerminating(current)) return { action: 'mark', object: current };
    return {
      action: 'mark',
      object: {
        ...current,
        metadata: { ...current.metadata, deletionTimestamp: rfc3339(now) },
        status: { ...(current.status as object | undefined), phase: 'Terminating' },
      },
    };
  },
};
