// The steps every Deployment strategy shares (Kubernetes' deployment/sync.go and progress.go):
// find the new and old ReplicaSets and keep revisions in order, create the new ReplicaSet, scale
// one ReplicaSet (with its ScalingReplicaSet event), scale proportionally when only the size
// changed or the Deployment is paused, prune history, and write status.
//
// A DeploymentSync lives for one reconcile of one Deployment. It holds the Deployment as last
// written (`deployment`), so each write is based on the version the previous write returned,
// and a stale read shows up as a Conflict that makes the work queue run the whole pass again.

import type { Deployment, Pod, ReplicaSet } from '../../../lib/api/types.js';
import type { ApiClient } from '../../../lib/client/api-client.js';
import type { Clock } from '../../../lib/clock.js';
import { isAlreadyExists, isNotFound } from '../../../lib/errors.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { controllerOf, controllerRefTo } from '../controller-ref.js';
import { POD_TEMPLATE_HASH_LABEL, podTemplateHash, templatesEqual } from '../../../lib/api/pod-template-hash.js';
import {
  REASON,
  deploymentStatusEqual,
  getCondition,
  hasProgressDeadline,
  newCondition,
  planPausedCondition,
  planRolloutStatus,
  calculateStatus,
  setCondition,
  type DeploymentStatus,
} from './progress.js';
import { planProportionalScale } from './proportional-scale.js';
import { activeReplicaSets, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, isSaturated, specReplicas } from './replica-set-lists.js';
import { planHistoryCleanup } from './rollback-history.js';
import { DESIRED_REPLICAS_ANNOTATION, REVISION_ANNOTATION, maxRevision, replicasAnnotationsNeedUpdate, setNewReplicaSetAnnotations, setReplicasAnnotations } from './revision.js';
import { desiredReplicas, maxSurge, newReplicaSetReplicas } from './rolling-plan.js';
import { errorMessage } from '../../../lib/errors.js';

export const DEPLOYMENTS = 'deployments.apps';
export const REPLICA_SETS = 'replicasets.apps';

export interface DeploymentSyncDeps {
  client: ApiClient;
  clock: Clock;
  recorder: EventRecorder;
  /** Asks for another pass of this Deployment later (the progress-deadline check). */
  requeueAfter(ms: number): void;
}

export class DeploymentSync {
  constructor(
    public deployment: Deployment,
    private readonly deps: DeploymentSyncDeps,
  ) {}

  get client(): ApiClient {
    return this.deps.client;
  }

  now(): Date {
    return this.deps.clock.now();
  }

  // -------------------------------------------------------------------------------------------
  // New and old ReplicaSets, revisions

  /**
   * The new ReplicaSet (created when `createIfMissing`) and all old ones, with the new one's
   * revision raised to max(old) + 1 and the Deployment's revision annotation following it.
   */
  async replicaSetsWithRevision(replicaSetList: ReplicaSet[], createIfMissing: boolean): Promise<{ newReplicaSet: ReplicaSet | undefined; oldReplicaSets: ReplicaSet[] }> {
    const oldReplicaSets = findOldReplicaSets(this.deployment, replicaSetList);
    const newReplicaSet = await this.newReplicaSet(replicaSetList, oldReplicaSets, createIfMissing);
    return { newReplicaSet, oldReplicaSets };
  }

  private async newReplicaSet(replicaSetList: ReplicaSet[], oldReplicaSets: ReplicaSet[], createIfMissing: boolean): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(this.deployment, replicaSetList);
    const newRevision = maxRevision(oldReplicaSets) + 1;
    const replicas = { desired: desiredReplicas(this.deployment), max: desiredReplicas(this.deployment) + maxSurge(this.deployment) };

    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(this.deployment, copy, newRevision, true, replicas);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (this.deployment.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec.minReadySeconds = this.deployment.spec.minReadySeconds ?? 0;
        // The next pass (woken by this write) brings the Deployment's revision up to date.
        return this.client.update<ReplicaSet>(REPLICA_SETS, copy);
      }
      await this.setDeploymentRevision(copy.metadata.annotations?.[REVISION_ANNOTATION] ?? String(newRevision));
      if (hasProgressDeadline(this.deployment) && !getCondition(this.deployment.status, 'Progressing')) {
        await this.writeCondition(newCondition('Progressing', 'True', REASON.foundNewReplicaSet, `Found new replica set "${copy.metadata.name}"`, this.now()));
      }
      return copy;
    }
    if (!createIfMissing) return undefined;
    return this.createNewReplicaSet(oldReplicaSets, newRevision, replicas);
  }

  /** `<deployment>-<hash>`, its selector and pod labels narrowed by pod-template-hash. */
  private async createNewReplicaSet(oldReplicaSets: ReplicaSet[], newRevision: number, replicas: { desired: number; max: number }): Promise<ReplicaSet> {
    const deployment = this.deployment;
    const status = (deployment.status ?? {}) as DeploymentStatus;
    const hash = podTemplateHash(deployment.spec.template, status.collisionCount);
    const template = structuredClone(deployment.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(deployment.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const replicaSet: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${deployment.metadata.name}-${hash}`,
        namespace: deployment.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        ownerReferences: [controllerRefTo(deployment, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: deployment.spec.minReadySeconds ?? 0, selector, template },
    };
    replicaSet.spec.replicas = newReplicaSetReplicas(deployment, [...oldReplicaSets, replicaSet], replicaSet);
    setNewReplicaSetAnnotations(deployment, replicaSet, newRevision, false, replicas);

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.client.create<ReplicaSet>(REPLICA_SETS, replicaSet);
    } catch (error) {
      if (!isAlreadyExists(error)) {
        const message = `Failed to create new replica set "${replicaSet.metadata.name}": ${errorMessage(error)}`;
        if (hasProgressDeadline(deployment)) await this.writeCondition(newCondition('Progressing', 'False', REASON.failedReplicaSetCreate, message, this.now())).catch(() => undefined);
        this.deps.recorder.record(deployment, 'Warning', REASON.failedReplicaSetCreate, message);
        throw error;
      }
      // Ours with the same template (a previous pass created it): use it. Anything else is a
      // hash collision: bump collisionCount so the next pass computes another name.
      const found = await this.client.get<ReplicaSet>(REPLICA_SETS, replicaSet.metadata.namespace, replicaSet.metadata.name ?? '');
      if (controllerOf(found)?.uid !== deployment.metadata.uid || !templatesEqual(found.spec.template, deployment.spec.template)) {
        await this.writeStatus({ ...status, collisionCount: (status.collisionCount ?? 0) + 1 });
        throw error;
      }
      created = found;
      alreadyExisted = true;
    }
    if (!alreadyExisted && specReplicas(created) > 0) {
      this.deps.recorder.record(deployment, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${specReplicas(created)} from 0`);
    }
    await this.setDeploymentRevision(String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(deployment)) {
      await this.writeCondition(newCondition('Progressing', 'True', REASON.newReplicaSet, `Created new replica set "${created.metadata.name}"`, this.now()));
    }
    return created;
  }

  /** The Deployment's `deployment.kubernetes.io/revision` follows its new ReplicaSet's. */
  private async setDeploymentRevision(revision: string): Promise<void> {
    if (this.deployment.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const status = this.deployment.status;
    const updated = await this.client.update<Deployment>(DEPLOYMENTS, {
      ...this.deployment,
      metadata: { ...this.deployment.metadata, annotations: { ...(this.deployment.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision } },
    });
    this.deployment = { ...updated, status: updated.status ?? status };
  }

  // -------------------------------------------------------------------------------------------
  // Scaling

  /** Sets one ReplicaSet's size (and replicas annotations); records ScalingReplicaSet if it moved. */
  async scaleReplicaSet(replicaSet: ReplicaSet, newScale: number, operation?: 'up' | 'down'): Promise<{ scaled: boolean; replicaSet: ReplicaSet }> {
    const desired = desiredReplicas(this.deployment);
    const max = desired + maxSurge(this.deployment);
    const oldScale = specReplicas(replicaSet);
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(replicaSet, desired, max)) return { scaled: false, replicaSet };
    const copy = structuredClone(replicaSet);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.client.update<ReplicaSet>(REPLICA_SETS, copy);
    if (sizeChanged) {
      const verb = operation ?? (oldScale < newScale ? 'up' : 'down');
      this.deps.recorder.record(this.deployment, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${replicaSet.metadata.name} to ${newScale} from ${oldScale}`);
    }
    return { scaled: sizeChanged, replicaSet: updated };
  }

  /** A change of spec.replicas only: the desired-replicas annotation of an active ReplicaSet disagrees. */
  isScalingEvent(newReplicaSet: ReplicaSet | undefined, oldReplicaSets: ReplicaSet[]): boolean {
    return activeReplicaSets([newReplicaSet, ...oldReplicaSets]).some((replicaSet) => {
      const desired = replicaSet.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      return desired !== undefined && Number(desired) !== desiredReplicas(this.deployment);
    });
  }

  /**
   * Scaling without rolling (Kubernetes' sync + scale): used when only the size changed or the
   * Deployment is paused. One active ReplicaSet takes the new size; a saturated new ReplicaSet
   * means old ones go to 0; otherwise the change is shared proportionally.
   */
  async syncScale(replicaSetList: ReplicaSet[]): Promise<void> {
    const { newReplicaSet, oldReplicaSets } = await this.replicaSetsWithRevision(replicaSetList, false);
    const activeOrLatest = findActiveOrLatest(newReplicaSet, oldReplicaSets);
    if (activeOrLatest) {
      if (specReplicas(activeOrLatest) !== desiredReplicas(this.deployment)) await this.scaleReplicaSet(activeOrLatest, desiredReplicas(this.deployment));
    } else if (isSaturated(this.deployment, newReplicaSet)) {
      for (const old of activeReplicaSets(oldReplicaSets)) await this.scaleReplicaSet(old, 0);
    } else if ((this.deployment.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const { steps, operation } = planProportionalScale(this.deployment, [...oldReplicaSets, ...(newReplicaSet ? [newReplicaSet] : [])]);
      for (const step of steps) await this.scaleReplicaSet(step.replicaSet, step.replicas, operation || undefined);
    }
    if (this.deployment.spec.paused) await this.cleanupHistory(oldReplicaSets);
    await this.syncStatusOnly(await this.ownedReplicaSets());
  }

  /** Re-reads the ReplicaSets this Deployment controls (after writes, for status). */
  async ownedReplicaSets(): Promise<ReplicaSet[]> {
    const list = await this.client.list<ReplicaSet>(REPLICA_SETS, { namespace: this.deployment.metadata.namespace });
    return list.items.filter((replicaSet) => controllerOf(replicaSet)?.uid === this.deployment.metadata.uid);
  }

  /** Pods of this Deployment's ReplicaSets, by ReplicaSet uid (Recreate waits on them). */
  async podsByReplicaSet(replicaSetList: ReplicaSet[]): Promise<Map<string, Pod[]>> {
    const uids = new Set(replicaSetList.map((replicaSet) => replicaSet.metadata.uid));
    const pods = (await this.client.list<Pod>('pods', { namespace: this.deployment.metadata.namespace })).items;
    const byRS = new Map<string, Pod[]>();
    for (const pod of pods) {
      const uid = controllerOf(pod)?.uid;
      if (!uid || !uids.has(uid)) continue;
      byRS.set(uid, [...(byRS.get(uid) ?? []), pod]);
    }
    return byRS;
  }

  // -------------------------------------------------------------------------------------------
  // History and status

  async cleanupHistory(oldReplicaSets: ReplicaSet[]): Promise<void> {
    for (const replicaSet of planHistoryCleanup(this.deployment, oldReplicaSets)) {
      await this.client.delete(REPLICA_SETS, replicaSet.metadata.namespace, replicaSet.metadata.name ?? '', { preconditions: { uid: replicaSet.metadata.uid } }).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
  }

  /** Numbers and Available only (no progress estimate): for paused or deleting Deployments. */
  async syncStatusOnly(replicaSetList: ReplicaSet[]): Promise<void> {
    const newReplicaSet = findNewReplicaSet(this.deployment, replicaSetList);
    const status = calculateStatus(this.deployment, replicaSetList, newReplicaSet, this.now());
    await this.writeStatus(status);
  }

  /** Numbers, Available and Progressing after a rollout step (syncRolloutStatus). */
  async syncRolloutStatus(): Promise<void> {
    const replicaSetList = await this.ownedReplicaSets();
    const newReplicaSet = findNewReplicaSet(this.deployment, replicaSetList);
    const plan = planRolloutStatus(this.deployment, replicaSetList, newReplicaSet, this.now());
    const changed = await this.writeStatus(plan.status);
    if (!changed && plan.recheckAfterMs !== undefined) this.deps.requeueAfter(plan.recheckAfterMs);
  }

  /** Pause or resume noted as a Progressing condition (checkPausedConditions). */
  async syncPausedCondition(): Promise<void> {
    const status = planPausedCondition(this.deployment, this.now());
    if (status) await this.writeStatus(status);
  }

  async writeCondition(condition: ReturnType<typeof newCondition>): Promise<void> {
    const status = structuredClone((this.deployment.status ?? {}) as DeploymentStatus);
    setCondition(status, condition);
    await this.writeStatus(status);
  }

  /** Writes the status if it differs; each write is one MODIFIED event `rollout status` sees. */
  async writeStatus(status: DeploymentStatus): Promise<boolean> {
    if (deploymentStatusEqual(this.deployment.status as DeploymentStatus, status)) return false;
    this.deployment = await this.client.updateStatus<Deployment>(DEPLOYMENTS, { ...this.deployment, status });
    return true;
  }
}
