// The steps every Deployment strategy shares (Kubernetes' deployment/sync.go and progress.go):
// find the new and old ReplicaSets and keep revisions in order, create the new ReplicaSet, scale
// one ReplicaSet (with its ScalingReplicaSet event), scale proportionally when only the size
// changed or the Deployment is paused, prune history, and write status.
//
// A DeploymentSync lives for one reconcile of one Deployment. It holds the Deployment as last
// written (`d`), so each write is based on the version the previous write returned, and a stale
// read shows up as a Conflict that makes the work queue run the whole pass again.

import type { Deployment, Pod, ReplicaSet } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Clock } from '../../lib/clock.js';
import { isAlreadyExists, isNotFound } from '../../lib/errors.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { controllerOf, controllerRefTo } from './controller-ref.js';
import { POD_TEMPLATE_HASH_LABEL, podTemplateHash, templatesEqual } from '../../lib/api/pod-template-hash.js';
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
    public d: Deployment,
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
  async replicaSetsWithRevision(rsList: ReplicaSet[], createIfMissing: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const oldRSs = findOldReplicaSets(this.d, rsList);
    const newRS = await this.newReplicaSet(rsList, oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfMissing: boolean): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(this.d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    const replicas = { desired: desiredReplicas(this.d), max: desiredReplicas(this.d) + maxSurge(this.d) };

    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(this.d, copy, newRevision, true, replicas);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (this.d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec.minReadySeconds = this.d.spec.minReadySeconds ?? 0;
        // The next pass (woken by this write) brings the Deployment's revision up to date.
        return this.client.update<ReplicaSet>(REPLICA_SETS, copy);
      }
      await this.setDeploymentRevision(copy.metadata.annotations?.[REVISION_ANNOTATION] ?? String(newRevision));
      if (hasProgressDeadline(this.d) && !getCondition(this.d.status, 'Progressing')) {
        await this.writeCondition(newCondition('Progressing', 'True', REASON.foundNewReplicaSet, `Found new replica set "${copy.metadata.name}"`, this.now()));
      }
      return copy;
    }
    if (!createIfMissing) return undefined;
    return this.createNewReplicaSet(oldRSs, newRevision, replicas);
  }

  /** `<deployment>-<hash>`, its selector and pod labels narrowed by pod-template-hash. */
  private async createNewReplicaSet(oldRSs: ReplicaSet[], newRevision: number, replicas: { desired: number; max: number }): Promise<ReplicaSet> {
    const d = this.d;
    const status = (d.status ?? {}) as DeploymentStatus;
    const hash = podTemplateHash(d.spec.template, status.collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        ownerReferences: [controllerRefTo(d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newReplicaSetReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false, replicas);

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.client.create<ReplicaSet>(REPLICA_SETS, rs);
    } catch (error) {
      if (!isAlreadyExists(error)) {
        const message = `Failed to create new replica set "${rs.metadata.name}": ${error instanceof Error ? error.message : String(error)}`;
        if (hasProgressDeadline(d)) await this.writeCondition(newCondition('Progressing', 'False', REASON.failedReplicaSetCreate, message, this.now())).catch(() => undefined);
        this.deps.recorder.record(d, 'Warning', REASON.failedReplicaSetCreate, message);
        throw error;
      }
      // Ours with the same template (a previous pass created it): use it. Anything else is a
      // hash collision: bump collisionCount so the next pass computes another name.
      const found = await this.client.get<ReplicaSet>(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name ?? '');
      if (controllerOf(found)?.uid !== d.metadata.uid || !templatesEqual(found.spec.template, d.spec.template)) {
        await this.writeStatus({ ...status, collisionCount: (status.collisionCount ?? 0) + 1 });
        throw error;
      }
      created = found;
      alreadyExisted = true;
    }
    if (!alreadyExisted && specReplicas(created) > 0) {
      this.deps.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${specReplicas(created)} from 0`);
    }
    await this.setDeploymentRevision(String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      await this.writeCondition(newCondition('Progressing', 'True', REASON.newReplicaSet, `Created new replica set "${created.metadata.name}"`, this.now()));
    }
    return created;
  }

  /** The Deployment's `deployment.kubernetes.io/revision` follows its new ReplicaSet's. */
  private async setDeploymentRevision(revision: string): Promise<void> {
    if (this.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const status = this.d.status;
    const updated = await this.client.update<Deployment>(DEPLOYMENTS, {
      ...this.d,
      metadata: { ...this.d.metadata, annotations: { ...(this.d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision } },
    });
    this.d = { ...updated, status: updated.status ?? status };
  }

  // -------------------------------------------------------------------------------------------
  // Scaling

  /** Sets one ReplicaSet's size (and replicas annotations); records ScalingReplicaSet if it moved. */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number, operation?: 'up' | 'down'): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const oldScale = specReplicas(rs);
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.client.update<ReplicaSet>(REPLICA_SETS, copy);
    if (sizeChanged) {
      const verb = operation ?? (oldScale < newScale ? 'up' : 'down');
      this.deps.recorder.record(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} to ${newScale} from ${oldScale}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /** A change of spec.replicas only: the desired-replicas annotation of an active ReplicaSet disagrees. */
  isScalingEvent(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    return activeReplicaSets([newRS, ...oldRSs]).some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      return desired !== undefined && Number(desired) !== desiredReplicas(this.d);
    });
  }

  /**
   * Scaling without rolling (Kubernetes' sync + scale): used when only the size changed or the
   * Deployment is paused. One active ReplicaSet takes the new size; a saturated new ReplicaSet
   * means old ones go to 0; otherwise the change is shared proportionally.
   */
  async syncScale(rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsWithRevision(rsList, false);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (specReplicas(activeOrLatest) !== desiredReplicas(this.d)) await this.scaleReplicaSet(activeOrLatest, desiredReplicas(this.d));
    } else if (isSaturated(this.d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleReplicaSet(old, 0);
    } else if ((this.d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const { steps, operation } = planProportionalScale(this.d, [...oldRSs, ...(newRS ? [newRS] : [])]);
      for (const step of steps) await this.scaleReplicaSet(step.rs, step.replicas, operation || undefined);
    }
    if (this.d.spec.paused) await this.cleanupHistory(oldRSs);
    await this.syncStatusOnly(await this.ownedReplicaSets());
  }

  /** Re-reads the ReplicaSets this Deployment controls (after writes, for status). */
  async ownedReplicaSets(): Promise<ReplicaSet[]> {
    const list = await this.client.list<ReplicaSet>(REPLICA_SETS, { namespace: this.d.metadata.namespace });
    return list.items.filter((rs) => controllerOf(rs)?.uid === this.d.metadata.uid);
  }

  /** Pods of this Deployment's ReplicaSets, by ReplicaSet uid (Recreate waits on them). */
  async podsByReplicaSet(rsList: ReplicaSet[]): Promise<Map<string, Pod[]>> {
    const uids = new Set(rsList.map((rs) => rs.metadata.uid));
    const pods = (await this.client.list<Pod>('pods', { namespace: this.d.metadata.namespace })).items;
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

  async cleanupHistory(oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of planHistoryCleanup(this.d, oldRSs)) {
      await this.client.delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name ?? '', { preconditions: { uid: rs.metadata.uid } }).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
  }

  /** Numbers and Available only (no progress estimate): for paused or deleting Deployments. */
  async syncStatusOnly(rsList: ReplicaSet[]): Promise<void> {
    const newRS = findNewReplicaSet(this.d, rsList);
    const status = calculateStatus(this.d, rsList, newRS, this.now());
    await this.writeStatus(status);
  }

  /** Numbers, Available and Progressing after a rollout step (syncRolloutStatus). */
  async syncRolloutStatus(): Promise<void> {
    const rsList = await this.ownedReplicaSets();
    const newRS = findNewReplicaSet(this.d, rsList);
    const plan = planRolloutStatus(this.d, rsList, newRS, this.now());
    const changed = await this.writeStatus(plan.status);
    if (!changed && plan.recheckAfterMs !== undefined) this.deps.requeueAfter(plan.recheckAfterMs);
  }

  /** Pause or resume noted as a Progressing condition (checkPausedConditions). */
  async syncPausedCondition(): Promise<void> {
    const status = planPausedCondition(this.d, this.now());
    if (status) await this.writeStatus(status);
  }

  async writeCondition(condition: ReturnType<typeof newCondition>): Promise<void> {
    const status = structuredClone((this.d.status ?? {}) as DeploymentStatus);
    setCondition(status, condition);
    await this.writeStatus(status);
  }

  /** Writes the status if it differs; each write is one MODIFIED event `rollout status` sees. */
  async writeStatus(status: DeploymentStatus): Promise<boolean> {
    if (deploymentStatusEqual(this.d.status as DeploymentStatus, status)) return false;
    this.d = await this.client.updateStatus<Deployment>(DEPLOYMENTS, { ...this.d, status });
    return true;
  }
}
