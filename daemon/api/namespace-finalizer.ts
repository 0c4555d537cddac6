// NamespaceFinalizer: how a Terminating namespace empties itself and goes away
// (Kubernetes' namespace controller, reduced to two steps).
//
// Deleting a namespace only marks it Terminating (see strategies/namespace-strategy.ts); while it
// terminates nothing new may be created in it. Then:
// 1. `finalize` deletes every object in it, the way a user's DELETE would: pods on a node are
//    deleted gracefully, so their kubelet stops the containers before the pods disappear.
// 2. `removeIfEmpty` removes the namespace once nothing is left. The registry calls it after every
//    removal of an object in a terminating namespace, so the last pod the kubelet removes is what
//    finally removes the namespace.
// Nothing here is remembered in memory: after a restart, `resumeAll` finds the namespaces still
// marked Terminating in the store and finalizes them again. Every step is safe to repeat.

import { RESOURCES, resourceKey } from '../../lib/api/resources.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound } from '../../lib/errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { isTerminating } from './strategies/namespace-strategy.js';

const NAMESPACED_RESOURCES = RESOURCES.filter((r) => r.namespaced).map(resourceKey);

export interface NamespaceFinalizerOptions {
  store: ObjectStore;
  /** Deletes one object as a DELETE request would (the registry's delete, with its strategies). */
  deleteObject: (resource: string, namespace: string, name: string) => Promise<unknown>;
}

export class NamespaceFinalizer {
  constructor(private readonly options: NamespaceFinalizerOptions) {}

  /** Deletes everything in a terminating namespace, then removes it if that emptied it. */
  async finalize(namespace: string): Promise<void> {
    for (const resource of NAMESPACED_RESOURCES) {
      const { items } = await this.options.store.list(resource, { namespace });
      for (const item of items) {
        if (item.metadata.deletionTimestamp) continue; // already on its way out
        await this.options.deleteObject(resource, namespace, item.metadata.name!).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
    }
    await this.removeIfEmpty(namespace);
  }

  /** Removes the namespace when it is terminating and holds no objects; otherwise does nothing. */
  async removeIfEmpty(namespace: string): Promise<void> {
    const ns = await this.getNamespace(namespace);
    if (!ns || !isTerminating(ns)) return;
    for (const resource of NAMESPACED_RESOURCES) {
      if ((await this.options.store.list(resource, { namespace })).items.length > 0) return;
    }
    await this.options.store.delete('namespaces', undefined, namespace, { uid: ns.metadata.uid }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  /** Picks up the namespaces a previous run left Terminating. */
  async resumeAll(): Promise<void> {
    const { items } = await this.options.store.list('namespaces');
    for (const ns of items.filter(isTerminating)) await this.finalize(ns.metadata.name!);
  }

  private async getNamespace(name: string): Promise<KubeObject | undefined> {
    try {
      return await this.options.store.get('namespaces', undefined, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
