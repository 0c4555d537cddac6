// Keeps this host's routing table equal to the host-gw plan: flannel's route manager. Level-
// triggered: each pass re-reads the peers and the kernel's routes, asks planRoutes for the
// difference and applies it, so a pass after a crash, a lost event or a human's `ip route del`
// converges just the same. Passes run when someone calls requestReconcile() (a node was added,
// changed or went NotReady) and every 10 s regardless, as flannel re-checks its routes.

import type { Clock } from '../../lib/clock.js';
import { logger } from '../../lib/logger.js';
import { planRoutes, type Peer, type RoutePlan } from './plan-routes.js';
import type { RouteTable } from './route-table.js';

export interface RouteReconcilerOptions {
  routeTable: RouteTable;
  /** The other nodes as the API shows them now (this node may be among them; it is skipped). */
  peers: () => Peer[] | Promise<Peer[]>;
  self: { nodeName: string; podSubnet?: string };
  clusterCidr: string;
  clock: Clock;
  /** How often a pass runs without being asked: catches routes changed behind our back. */
  resyncMs?: number;
  /** Where a failed pass is reported; the next pass retries. Default: logger('routes'). */
  onError?: (error: unknown) => void;
}

/** Routes are checked this often even without a membership change: one removed by hand comes back within it (flannel: 10 s). */
export const DEFAULT_ROUTE_RESYNC_MS = 10_000;

export class RouteReconciler {
  private readonly resyncMs: number;
  private pending = false;
  private wake = new AbortController();
  /** Routes to peers' subnets in the kernel after the last pass (kubelab_routes_installed). */
  installed = 0;

  constructor(private readonly options: RouteReconcilerOptions) {
    this.resyncMs = options.resyncMs ?? DEFAULT_ROUTE_RESYNC_MS;
  }

  /** One pass: plan against the kernel's routes, then remove stale routes before adding new ones. */
  async reconcileOnce(): Promise<RoutePlan> {
    const { routeTable, self, clusterCidr } = this.options;
    const [peers, currentRoutes] = await Promise.all([this.options.peers(), routeTable.list()]);
    const plan = planRoutes(self, peers, currentRoutes, clusterCidr);
    // Removing first lets a peer whose node IP changed get its new route cleanly.
    for (const route of plan.remove) await routeTable.remove(route);
    for (const route of plan.add) await routeTable.add(route);
    this.installed = currentRoutes.length - plan.remove.length + plan.add.length;
    return plan;
  }

  /** Asks for a pass as soon as possible; many requests during one pass yield one more pass. */
  requestReconcile(): void {
    this.pending = true;
    this.wake.abort();
  }

  /** Passes on request and every resyncMs until `signal` aborts. A failed pass is reported, not fatal. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.pending = false;
      try {
        await this.reconcileOnce();
      } catch (error) {
        (this.options.onError ?? ((err) => logger('routes').error('pass failed, retrying at the next resync', { err })))(error);
      }
      if (this.pending || signal.aborted) continue;
      this.wake = new AbortController();
      await this.options.clock.sleep(this.resyncMs, AbortSignal.any([signal, this.wake.signal]));
    }
  }
}
