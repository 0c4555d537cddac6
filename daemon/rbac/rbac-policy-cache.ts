// The RBAC authorizer's view of the cluster's roles and bindings: an in-memory copy of the four
// RBAC resources, kept current by a watch on the registry (kube-apiserver's RBAC authorizer reads
// the same objects from its informers' caches, never from etcd per request). A write to a Role or
// a binding takes effect for the next request: the registry delivers watch events synchronously
// with each write.

import type { KubeObject } from '../../lib/api/types.js';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, ROLE_BINDINGS, ROLES, type ClusterRole, type ClusterRoleBinding, type Role, type RoleBinding } from '../../lib/api/rbac-types.js';
import type { RbacPolicy } from '../../lib/rbac/rbac-decision.js';
import { internalContext, type Registry } from '../api/registry.js';

/** Objects of one resource by `namespace/name` (cluster-scoped: `/name`). */
class ObjectIndex<T extends KubeObject> {
  readonly byKey = new Map<string, T>();

  static keyOf(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  apply(type: string, obj: T): void {
    const key = ObjectIndex.keyOf(obj.metadata.namespace, obj.metadata.name ?? '');
    if (type === 'DELETED') this.byKey.delete(key);
    else if (type === 'ADDED' || type === 'MODIFIED') this.byKey.set(key, obj);
  }
}

export class RbacPolicyCache implements RbacPolicy {
  private readonly roles = new ObjectIndex<Role>();
  private readonly clusterRoles = new ObjectIndex<ClusterRole>();
  private readonly roleBindingIndex = new ObjectIndex<RoleBinding>();
  private readonly clusterRoleBindingIndex = new ObjectIndex<ClusterRoleBinding>();
  private readonly stops: (() => void)[] = [];

  /** Starts watching; the current objects are loaded before this returns. */
  static watch(registry: Registry): RbacPolicyCache {
    const cache = new RbacPolicyCache();
    const follow = <T extends KubeObject>(resource: string, index: ObjectIndex<T>) =>
      cache.stops.push(registry.watch(resource, {}, internalContext(), (event) => index.apply(event.type, event.object as T)));
    follow(ROLES, cache.roles);
    follow(CLUSTER_ROLES, cache.clusterRoles);
    follow(ROLE_BINDINGS, cache.roleBindingIndex);
    follow(CLUSTER_ROLE_BINDINGS, cache.clusterRoleBindingIndex);
    return cache;
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  clusterRoleBindings(): readonly ClusterRoleBinding[] {
    return [...this.clusterRoleBindingIndex.byKey.values()];
  }

  roleBindings(namespace: string): readonly RoleBinding[] {
    return [...this.roleBindingIndex.byKey.values()].filter((b) => b.metadata.namespace === namespace);
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.byKey.get(ObjectIndex.keyOf(undefined, name));
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roles.byKey.get(ObjectIndex.keyOf(namespace, name));
  }
}
