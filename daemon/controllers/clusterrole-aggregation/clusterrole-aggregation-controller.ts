// The clusterrole-aggregation controller (kube-controller-manager): keeps the rules of every
// ClusterRole with an aggregationRule equal to the union of the ClusterRoles its selectors match
// (lib/rbac/aggregate-rules.ts). Any ClusterRole change may change any aggregated role (edit
// aggregates view, admin aggregates edit), so every change enqueues every aggregated role; the
// queue folds the duplicates and the chain converges in as many passes as it is deep.

import { CLUSTER_ROLES, type ClusterRole } from '../../../lib/api/rbac-types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { hasRules, planAggregatedRules } from '../../../lib/rbac/aggregate-rules.js';
import { Controller, type ControllerOptions } from '../controller.js';

export const CLUSTER_ROLE_AGGREGATION_COMPONENT = 'clusterrole-aggregation-controller';

export class ClusterRoleAggregationController extends Controller {
  private readonly clusterRoles: Informer<ClusterRole>;

  /** Needs no recorder: it writes no events. */
  constructor(options: Omit<ControllerOptions, 'recorder'> & { recorder?: ControllerOptions['recorder'] }) {
    super(options, { component: CLUSTER_ROLE_AGGREGATION_COMPONENT, workers: 1 });
    this.clusterRoles = this.informers.informerFor<ClusterRole>(CLUSTER_ROLES);
    this.clusterRoles.addEventHandler({
      onAdd: () => this.enqueueAggregated(),
      onUpdate: () => this.enqueueAggregated(),
      onDelete: () => this.enqueueAggregated(),
    });
  }

  protected watched(): Informer[] {
    return [this.clusterRoles];
  }

  private enqueueAggregated(): void {
    for (const role of this.clusterRoles.list()) if (role.aggregationRule) this.queue.add(objectKey(role));
  }

  async reconcile(key: string): Promise<void> {
    const role = this.clusterRoles.get(key);
    if (!role) return;
    const rules = planAggregatedRules(role, this.clusterRoles.list());
    if (rules === undefined || hasRules(role, rules)) return;
    // A merge patch of rules alone: the role's other fields stay the user's.
    await this.client.patch(CLUSTER_ROLES, undefined, splitKey(key).name, { rules }, 'merge');
  }
}
