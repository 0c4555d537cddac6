// The Deployment controller (Kubernetes' pkg/controller/deployment).
//
// A Deployment never touches pods. It owns one ReplicaSet per version of its pod template and
// moves replicas from the old ReplicaSets to the new one, by a strategy (rolling.ts,
// recreate.ts). The ReplicaSet controller does the pod work.
//
// Handlers enqueue the Deployment a change concerns: its own changes; changes of the ReplicaSets
// it controls (their status is how a rollout learns that new pods became available); deletions
// of its pods (Recreate waits for old pods to be gone). reconcile(key) then decides, in
// Kubernetes' order:
// 1. a Deployment being deleted only gets its status refreshed;
// 2. pause/resume is noted as a condition; a paused Deployment only scales (no rollout);
// 3. a change of spec.replicas alone is a scaling event: scale, do not roll;
// 4. otherwise roll out with the Deployment's strategy.

import type { Deployment, Pod, ReplicaSet } from '../../lib/api/types.js';
import { matchesLabels, requirementsFromLabelSelector } from '../../lib/api/selectors.js';
import { isNotFound } from '../../lib/errors.js';
import { WorkQueue } from '../../lib/work-queue.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Clock } from '../../lib/clock.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { controllerOf, controllerRefTo, performClaims, planClaims } from './controller-ref.js';
import { Informer, keyOf, splitKey } from './informer.js';
import { rolloutRecreate } from './recreate.js';
import { DEFAULT_RESYNC_PERIOD_MS, type ControllerOptions } from './replica-set-controller.js';
import { rolloutRolling } from './rolling.js';
import { DEPLOYMENTS, DeploymentSync, REPLICA_SETS } from './sync.js';

export class DeploymentController {
  readonly queue: WorkQueue;
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly recorder: EventRecorder;
  private readonly workers: number;
  private readonly resyncPeriodMs: number;

  constructor(options: ControllerOptions) {
    this.client = options.client;
    this.clock = options.clock;
    this.recorder = options.recorder;
    this.workers = options.workers ?? 2;
    this.resyncPeriodMs = options.resyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS;
    const onError = options.onError ?? ((key, error) => console.error(`deployment-controller: syncing ${key}: ${error instanceof Error ? error.message : String(error)}`));
    this.queue = new WorkQueue({ clock: this.clock, onError });
    const enqueue = (d: Deployment) => this.queue.add(keyOf(d));
    this.deployments = new Informer<Deployment>(this.client, DEPLOYMENTS, { onAdd: enqueue, onUpdate: (_o, d) => enqueue(d), onDelete: enqueue }, this.clock);
    this.replicaSets = new Informer<ReplicaSet>(this.client, REPLICA_SETS, {
      onAdd: (rs) => this.onReplicaSetChange(rs),
      onUpdate: (old, rs) => {
        if (controllerOf(old)?.uid !== controllerOf(rs)?.uid) this.onReplicaSetChange(old);
        this.onReplicaSetChange(rs);
      },
      onDelete: (rs) => this.onReplicaSetChange(rs),
    }, this.clock);
    this.pods = new Informer<Pod>(this.client, 'pods', { onDelete: (pod) => this.onPodDelete(pod) }, this.clock);
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.deployments.run(signal), this.replicaSets.run(signal), this.pods.run(signal)];
    await Promise.all([this.deployments.hasSynced(), this.replicaSets.hasSynced(), this.pods.hasSynced()]);
    await Promise.all([...informers, this.queue.process((key) => this.reconcile(key), this.workers, signal), this.runResync(signal)]);
  }

  private async runResync(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.clock.sleep(this.resyncPeriodMs, signal);
      if (!signal.aborted) for (const d of this.deployments.list()) this.queue.add(keyOf(d));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Event handlers

  /** The controlling Deployment; for an orphan ReplicaSet, every Deployment that could adopt it. */
  private onReplicaSetChange(rs: ReplicaSet): void {
    const ref = controllerOf(rs);
    if (ref) {
      if (ref.kind === 'Deployment') this.queue.add(`${rs.metadata.namespace}/${ref.name}`);
      return;
    }
    for (const d of this.deployments.list()) {
      if (d.metadata.namespace === rs.metadata.namespace && matchesLabels(requirementsFromLabelSelector(d.spec.selector), rs.metadata.labels)) {
        this.queue.add(keyOf(d));
      }
    }
  }

  /** A pod of one of our ReplicaSets went away: Recreate may be waiting for exactly that. */
  private onPodDelete(pod: Pod): void {
    const rsRef = controllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(`${pod.metadata.namespace}/${rsRef.name}`);
    const dRef = rs && controllerOf(rs);
    if (dRef?.kind === 'Deployment') this.queue.add(`${pod.metadata.namespace}/${dRef.name}`);
  }

  // -------------------------------------------------------------------------------------------
  // Reconcile

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let d: Deployment;
    try {
      d = await this.client.get<Deployment>(DEPLOYMENTS, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const sync = new DeploymentSync(d, { client: this.client, clock: this.clock, recorder: this.recorder, requeueAfter: (ms) => this.queue.addAfter(key, ms) });

    const selector = requirementsFromLabelSelector(d.spec.selector);
    if (selector.length === 0) {
      // An empty selector would claim every ReplicaSet and pod of the namespace: refuse.
      this.recorder.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await sync.writeStatus({ ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      return;
    }

    const rsList = await this.claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) return sync.syncStatusOnly(rsList);

    await sync.syncPausedCondition();
    if (sync.d.spec.paused) return sync.syncScale(rsList);

    const { newRS, oldRSs } = await sync.replicaSetsWithRevision(rsList, false);
    if (sync.isScalingEvent(newRS, oldRSs)) return sync.syncScale(await sync.ownedReplicaSets());

    const current = await sync.ownedReplicaSets();
    if (sync.d.spec.strategy?.type === 'Recreate') return rolloutRecreate(sync, current);
    return rolloutRolling(sync, current);
  }

  /** The ReplicaSets this Deployment controls, after adopting matching orphans and releasing strays. */
  private async claimReplicaSets(d: Deployment, selector: ReturnType<typeof requirementsFromLabelSelector>): Promise<ReplicaSet[]> {
    const all = (await this.client.list<ReplicaSet>(REPLICA_SETS, { namespace: d.metadata.namespace })).items;
    const plan = planClaims(d, all, (rs) => matchesLabels(selector, rs.metadata.labels));
    return performClaims(this.client, REPLICA_SETS, plan, controllerRefTo(d, 'apps/v1', 'Deployment'));
  }
}
