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

import type { Deployment, Pod, ReplicaSet } from '../../../lib/api/types.js';
import { matchesLabels, requirementsFromLabelSelector } from '../../../lib/api/selectors.js';
import { isNotFound } from '../../../lib/errors.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { controllerOf, controllerRefTo, performClaims, planClaims } from '../controller-ref.js';
import { rolloutRecreate } from './recreate.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { rolloutRolling } from './rolling.js';
import { DEPLOYMENTS, DeploymentSync, REPLICA_SETS } from './deployment-sync.js';

export class DeploymentController extends Controller {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(options: ControllerOptions) {
    super(options, { component: 'deployment-controller' });
    this.recorder = options.recorder;
    const informers = this.informers;
    const enqueue = (deployment: Deployment) => this.queue.add(objectKey(deployment));
    this.deployments = informers.informerFor<Deployment>(DEPLOYMENTS);
    this.deployments.addEventHandler({ onAdd: enqueue, onUpdate: (_old, deployment) => enqueue(deployment), onDelete: enqueue });
    this.replicaSets = informers.informerFor<ReplicaSet>(REPLICA_SETS);
    this.replicaSets.addEventHandler({
      onAdd: (replicaSet) => this.onReplicaSetChange(replicaSet),
      onUpdate: (old, replicaSet) => {
        if (controllerOf(old)?.uid !== controllerOf(replicaSet)?.uid) this.onReplicaSetChange(old);
        this.onReplicaSetChange(replicaSet);
      },
      onDelete: (replicaSet) => this.onReplicaSetChange(replicaSet),
    });
    this.pods = informers.informerFor<Pod>('pods');
    this.pods.addEventHandler({ onDelete: (pod) => this.onPodDelete(pod) });
  }

  protected watched(): Informer[] {
    return [this.deployments, this.replicaSets, this.pods];
  }

  // -------------------------------------------------------------------------------------------
  // Event handlers

  /** The controlling Deployment; for an orphan ReplicaSet, every Deployment that could adopt it. */
  private onReplicaSetChange(replicaSet: ReplicaSet): void {
    const ref = controllerOf(replicaSet);
    if (ref) {
      if (ref.kind === 'Deployment') this.queue.add(`${replicaSet.metadata.namespace}/${ref.name}`);
      return;
    }
    for (const deployment of this.deployments.list()) {
      if (deployment.metadata.namespace === replicaSet.metadata.namespace && matchesLabels(requirementsFromLabelSelector(deployment.spec.selector), replicaSet.metadata.labels)) {
        this.queue.add(objectKey(deployment));
      }
    }
  }

  /** A pod of one of our ReplicaSets went away: Recreate may be waiting for exactly that. */
  private onPodDelete(pod: Pod): void {
    const replicaSetRef = controllerOf(pod);
    if (replicaSetRef?.kind !== 'ReplicaSet') return;
    const replicaSet = this.replicaSets.get(`${pod.metadata.namespace}/${replicaSetRef.name}`);
    const deploymentRef = replicaSet && controllerOf(replicaSet);
    if (deploymentRef?.kind === 'Deployment') this.queue.add(`${pod.metadata.namespace}/${deploymentRef.name}`);
  }

  // -------------------------------------------------------------------------------------------
  // Reconcile

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let deployment: Deployment;
    try {
      deployment = await this.client.get<Deployment>(DEPLOYMENTS, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const sync = new DeploymentSync(deployment, { client: this.client, clock: this.clock, recorder: this.recorder, requeueAfter: (ms) => this.queue.addAfter(key, ms) });

    const selector = requirementsFromLabelSelector(deployment.spec.selector);
    if (selector.length === 0) {
      // An empty selector would claim every ReplicaSet and pod of the namespace: refuse.
      this.recorder.record(deployment, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((deployment.status?.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) await sync.writeStatus({ ...(deployment.status ?? {}), observedGeneration: deployment.metadata.generation });
      return;
    }

    const replicaSetList = await this.claimReplicaSets(deployment, selector);
    if (deployment.metadata.deletionTimestamp) return sync.syncStatusOnly(replicaSetList);

    await sync.syncPausedCondition();
    if (sync.deployment.spec.paused) return sync.syncScale(replicaSetList);

    const { newReplicaSet, oldReplicaSets } = await sync.replicaSetsWithRevision(replicaSetList, false);
    if (sync.isScalingEvent(newReplicaSet, oldReplicaSets)) return sync.syncScale(await sync.ownedReplicaSets());

    const current = await sync.ownedReplicaSets();
    if (sync.deployment.spec.strategy?.type === 'Recreate') return rolloutRecreate(sync, current);
    return rolloutRolling(sync, current);
  }

  /** The ReplicaSets this Deployment controls, after adopting matching orphans and releasing strays. */
  private async claimReplicaSets(deployment: Deployment, selector: ReturnType<typeof requirementsFromLabelSelector>): Promise<ReplicaSet[]> {
    const all = (await this.client.list<ReplicaSet>(REPLICA_SETS, { namespace: deployment.metadata.namespace })).items;
    const plan = planClaims(deployment, all, (replicaSet) => matchesLabels(selector, replicaSet.metadata.labels));
    return performClaims(this.client, REPLICA_SETS, plan, controllerRefTo(deployment, 'apps/v1', 'Deployment'));
  }
}
