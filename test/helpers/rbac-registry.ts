// A real registry with RBAC as kubelabd server has it: the default roles and bindings, the
// Node+RBAC authorizer chain over a watch cache, and the clusterrole-aggregation controller that
// fills in view, edit and admin. For API tests of who may do what:
//
//   const rbac = await startRbacRegistry();
//   const api = await ApiTestServer.start({ registry: rbac.registry, authorizer: rbac.authorizer,
//     tokens: [{ token: 'alice-token', user: 'alice', groups: [] }] });   // groups: [] = not an admin
//   ...
//   await api.close(); await rbac.close();

import { internalContext } from '../../daemon/api/registry.js';
import { LocalClient } from '../../daemon/api/local-client.js';
import { NodeAuthorizer } from '../../daemon/api/node-authorizer.js';
import { AuthorizerChain, RbacAuthorizer } from '../../daemon/api/rbac-authorizer.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { ClusterRoleAggregationController } from '../../daemon/controllers/clusterrole-aggregation/clusterrole-aggregation-controller.js';
import { ensureBootstrapPolicy } from '../../daemon/rbac/ensure-bootstrap-policy.js';
import { RbacPolicyCache } from '../../daemon/rbac/rbac-policy-cache.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { CLUSTER_ROLES, type ClusterRole } from '../../lib/api/rbac-types.js';
import { systemClock } from '../../lib/clock.js';
import { eventually } from './api-test-server.js';

export interface RbacRegistry {
  registry: ResourceRegistry;
  authorizer: AuthorizerChain;
  close(): Promise<void>;
}

export async function startRbacRegistry(): Promise<RbacRegistry> {
  const store = new NedbObjectStore({});
  await store.open();
  const registry = new ResourceRegistry({ store });
  await registry.ensureSystemNamespaces();
  await ensureBootstrapPolicy(registry);
  const policy = RbacPolicyCache.watch(registry);
  const authorizer = new AuthorizerChain(new NodeAuthorizer(registry), new RbacAuthorizer(policy));
  const abort = new AbortController();
  const running = new ClusterRoleAggregationController({ client: new LocalClient(registry), clock: systemClock }).run(abort.signal);
  // admin aggregates edit, which aggregates view: wait for the whole chain.
  await eventually(async () => {
    const admin = (await registry.get(CLUSTER_ROLES, undefined, 'admin', internalContext())) as ClusterRole;
    return (admin.rules ?? []).some((r) => r.resources?.includes('pods/log'));
  }, 10_000, 'the aggregated admin, edit and view roles');
  return {
    registry,
    authorizer,
    async close() {
      abort.abort();
      await running.catch(() => {});
      policy.stop();
      await store.close();
    },
  };
}
