// Puts the default roles and bindings in place at server start (kube-apiserver's
// rbac/bootstrap-roles post-start hook): lib/rbac/bootstrap-policy.ts says what they are,
// lib/rbac/reconcile-bootstrap-policy.ts what to write when the store already has some.

import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, type ClusterRole, type ClusterRoleBinding } from '../../lib/api/rbac-types.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound } from '../../lib/errors.js';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from '../../lib/rbac/bootstrap-policy.js';
import { planClusterRole, planClusterRoleBinding, type ReconcilePlan } from '../../lib/rbac/reconcile-bootstrap-policy.js';
import { internalContext, type Registry } from '../api/registry.js';
import { retryStartUpWrite } from '../api/retry-start-up-write.js';

async function current<T extends KubeObject>(registry: Registry, resource: string, name: string): Promise<T | undefined> {
  try {
    return (await registry.get(resource, undefined, name, internalContext())) as T;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function perform<T extends KubeObject>(registry: Registry, resource: string, plan: ReconcilePlan<T>): Promise<void> {
  const ctx = internalContext();
  switch (plan.action) {
    case 'create':
      await registry.create(resource, undefined, plan.object, ctx);
      break;
    case 'update':
      await registry.update(resource, undefined, plan.object.metadata.name!, plan.object, ctx);
      break;
    case 'recreate': {
      const { resourceVersion: _rv, uid: _uid, creationTimestamp: _created, ...metadata } = plan.object.metadata;
      await registry.delete(resource, undefined, plan.object.metadata.name!, {}, ctx);
      await registry.create(resource, undefined, { ...plan.object, metadata }, ctx);
      break;
    }
    case 'none':
      break;
  }
}

/** Several servers starting at once on one etcd run this together: each object's read-plan-write is retried when another server wrote it first. */
export async function ensureBootstrapPolicy(registry: Registry): Promise<void> {
  for (const role of BOOTSTRAP_CLUSTER_ROLES) {
    await retryStartUpWrite(`ClusterRole ${role.metadata.name}`, async () =>
      perform(registry, CLUSTER_ROLES, planClusterRole(role, await current<ClusterRole>(registry, CLUSTER_ROLES, role.metadata.name!))),
    );
  }
  for (const binding of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) {
    await retryStartUpWrite(`ClusterRoleBinding ${binding.metadata.name}`, async () =>
      perform(registry, CLUSTER_ROLE_BINDINGS, planClusterRoleBinding(binding, await current<ClusterRoleBinding>(registry, CLUSTER_ROLE_BINDINGS, binding.metadata.name!))),
    );
  }
}
