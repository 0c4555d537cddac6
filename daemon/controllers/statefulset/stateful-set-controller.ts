// The StatefulSet controller: Kubernetes' StatefulSetController (pkg/controller/statefulset),
// which runs as the "statefulset" controller of kube-controller-manager.
//
// A StatefulSet runs pods that are not interchangeable: web-0, web-1, web-2, each with its own
// name, host name and claims, made in order and removed in reverse. The controller watches
// StatefulSets and pods; the handlers only enqueue the set a change concerns. reconcile(key):
// 1. reads the set and the namespace's pods, claims its pods (adopts orphans it selects);
// 2. finds or creates the ControllerRevision of the template (the update revision) and reads
//    the current one (stateful-revisions.ts);
// 3. asks planStatefulSet which ordinals to create and which pods to delete (ordering, scale
//    down, one rolling-update step), makes each new pod's claims before the pod, and does it;
// 4. keeps the claims' owner references as persistentVolumeClaimRetentionPolicy says;
// 5. writes status and removes revisions beyond revisionHistoryLimit.
// Pods are left to the scheduler; the claims bind where their first pod goes (local-path).

import type { ControllerRevision, Pod, PodTemplateSpec, StatefulSet, StatefulSetStatus } from '../../../lib/api/types.js';
import { canonicalJson, podTemplateHash } from '../../../lib/api/pod-template-hash.js';
import { matchesLabels, requirementsFromLabelSelector } from '../../../lib/api/selectors.js';
import { errorMessage, isAlreadyExists, isNotFound } from '../../../lib/errors.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { controllerOf, controllerRefTo, performClaims, planClaims } from '../controller-ref.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { ownedPodEventHandlers } from '../owned-pod-events.js';
import { countStatefulPods, planStatefulSet, revisionOf } from './plan-stateful-pods.js';
import { claimNameFor, newClaim, newStatefulPod, ordinalOf, wantedOrdinals } from './stateful-identity.js';
import {
  claimOwnerRefs,
  historyToClean,
  maxRevision,
  newStatefulRevision,
  ownerRefTo,
  pickCurrent,
  revisionTemplate,
  sameRefs,
  splitStatefulHistory,
  type RetentionPolicy,
} from './stateful-revisions.js';

export const STATEFUL_SET_COMPONENT = 'statefulset-controller';
const CLAIMS = 'persistentvolumeclaims';

export class StatefulSetController extends Controller {
  private readonly statefulSets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(options: ControllerOptions) {
    super(options, { component: STATEFUL_SET_COMPONENT });
    this.recorder = options.recorder;
    this.statefulSets = this.informers.informerFor<StatefulSet>('statefulsets.apps');
    this.statefulSets.addEventHandler({
      onAdd: (set) => this.queue.add(objectKey(set)),
      onUpdate: (_old, set) => this.queue.add(objectKey(set)),
      onDelete: (set) => this.queue.add(objectKey(set)),
    });
    this.pods = this.informers.informerFor<Pod>('pods');
    this.pods.addEventHandler(
      ownedPodEventHandlers({
        kind: 'StatefulSet',
        owners: this.statefulSets,
        selects: (set, pod) => matchesLabels(requirementsFromLabelSelector(set.spec.selector), pod.metadata.labels),
        minReadySecondsOf: (set) => set.spec.minReadySeconds,
        queue: this.queue,
      }),
    );
  }

  protected watched(): Informer[] {
    return [this.statefulSets, this.pods];
  }

  // -------------------------------------------------------------------------------------------
  // Reconcile

  /** One pass for one StatefulSet; safe to run again at any time. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let set: StatefulSet;
    try {
      set = await this.client.get<StatefulSet>('statefulsets.apps', namespace, name);
    } catch (error) {
      // Gone: its pods, revisions and (whenDeleted: Delete) claims are the garbage collector's.
      if (isNotFound(error)) return;
      throw error;
    }
    const selector = requirementsFromLabelSelector(set.spec.selector);
    const matches = (obj: KubeObject) => selector.length > 0 && matchesLabels(selector, obj.metadata.labels);
    const listPods = async () => (await this.client.list<Pod>('pods', { namespace })).items;
    const claimed = planClaims(set, await listPods(), matches);
    const pods = await performClaims(this.client, 'pods', claimed, controllerRefTo(set, 'apps/v1', 'StatefulSet'));
    if (set.metadata.deletionTimestamp) return;

    const revisions = await this.ownedRevisions(set, matches);
    const updateRevision = await this.ensureUpdateRevision(set, revisions);
    const currentRevision = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? updateRevision;
    const templateOf = (revisionName: string): PodTemplateSpec =>
      revisionName === updateRevision.metadata.name ? set.spec.template : (revisionTemplate(currentRevision) ?? set.spec.template);

    const ordinals = wantedOrdinals(set);
    const withOrdinals = pods.map((pod) => ({ ordinal: ordinalOf(name, pod.metadata.name), pod })).filter(({ ordinal }) => ordinal >= 0);
    await this.reconcileClaimOwners(set, withOrdinals, new Set(ordinals));
    const strategy = set.spec.updateStrategy?.type === 'OnDelete' ? { type: 'OnDelete' as const } : { type: 'RollingUpdate' as const, partition: set.spec.updateStrategy?.rollingUpdate?.partition ?? 0 };
    const minReadySeconds = set.spec.minReadySeconds ?? 0;
    const plan = planStatefulSet({
      ordinals,
      pods: withOrdinals,
      podManagementPolicy: set.spec.podManagementPolicy ?? 'OrderedReady',
      updateStrategy: strategy,
      currentRevision: currentRevision.metadata.name ?? '',
      updateRevision: updateRevision.metadata.name ?? '',
      minReadySeconds,
      now: this.clock.now(),
    });
    const failures: unknown[] = [];
    await Promise.all([
      ...plan.delete.map((pod) => this.deletePod(set, pod).catch((error) => failures.push(error))),
      ...plan.create.map(({ ordinal, revision }) => this.createPod(set, ordinal, templateOf(revision), revision).catch((error) => failures.push(error))),
    ]);

    const now = (await listPods()).filter((pod) => controllerOf(pod)?.uid === set.metadata.uid && ordinalOf(name, pod.metadata.name) >= 0);
    const status = await this.writeStatus(set, now, currentRevision.metadata.name ?? '', updateRevision.metadata.name ?? '', minReadySeconds);
    await this.cleanupHistory(set, matches, now, [currentRevision, updateRevision]);
    // Ready pods become available by time alone: look again then.
    if (minReadySeconds > 0 && (status.readyReplicas ?? 0) > (status.availableReplicas ?? 0)) this.queue.addAfter(key, minReadySeconds * 1000);
    if (failures.length > 0) throw failures[0];
  }

  /** updateStatefulSetStatus: counts, revisions, and the end of a rolling update (current := update). */
  private async writeStatus(set: StatefulSet, pods: Pod[], currentRevision: string, updateRevision: string, minReadySeconds: number): Promise<StatefulSetStatus> {
    const counts = countStatefulPods(pods, currentRevision, updateRevision, minReadySeconds, this.clock.now());
    const status: StatefulSetStatus = {
      ...set.status,
      ...counts,
      observedGeneration: set.metadata.generation ?? 0,
      currentRevision,
      updateRevision,
      collisionCount: set.status?.collisionCount ?? 0,
    };
    const replicas = set.spec.replicas ?? 1;
    const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    if (rolling && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = updateRevision;
    }
    if (canonicalJson(status) !== canonicalJson(set.status ?? {})) await this.client.updateStatus('statefulsets.apps', { ...set, status });
    return status;
  }

  // -------------------------------------------------------------------------------------------
  // Revisions

  private async ownedRevisions(set: StatefulSet, matches: (obj: ControllerRevision) => boolean): Promise<ControllerRevision[]> {
    const listed = await this.client.list<ControllerRevision>('controllerrevisions.apps', { namespace: set.metadata.namespace });
    return performClaims(this.client, 'controllerrevisions.apps', planClaims(set, listed.items, matches), controllerRefTo(set, 'apps/v1', 'StatefulSet'));
  }

  /** The revision of the set's template, created when missing or renumbered to be the newest (after an undo). */
  private async ensureUpdateRevision(set: StatefulSet, revisions: ControllerRevision[]): Promise<ControllerRevision> {
    const { current, old } = splitStatefulHistory(set, revisions);
    const next = maxRevision(old) + 1;
    const picked = pickCurrent(current);
    if (picked) {
      for (const duplicate of picked.duplicates) await this.deleteIgnoringNotFound('controllerrevisions.apps', duplicate);
      if ((picked.keep.revision ?? 0) >= next) return picked.keep;
      return this.client.update<ControllerRevision>('controllerrevisions.apps', { ...picked.keep, revision: next });
    }
    const collisionCount = set.status?.collisionCount ?? 0;
    const revision = newStatefulRevision(set, podTemplateHash(set.spec.template, collisionCount), next);
    try {
      return await this.client.create<ControllerRevision>('controllerrevisions.apps', revision);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Another template already has this name: count the collision, so the next pass hashes differently.
      await this.client.updateStatus('statefulsets.apps', { ...set, status: { ...(set.status ?? { replicas: 0 }), collisionCount: collisionCount + 1 } });
      throw new Error(`statefulset ${set.metadata.namespace}/${set.metadata.name}: ControllerRevision ${revision.metadata.name} already exists with another template; retrying with collisionCount ${collisionCount + 1}`, { cause: error });
    }
  }

  /** Old revisions beyond revisionHistoryLimit go, except those a live pod or the status still names. */
  private async cleanupHistory(set: StatefulSet, matches: (obj: ControllerRevision) => boolean, pods: Pod[], inUse: ControllerRevision[]): Promise<void> {
    const { old } = splitStatefulHistory(set, await this.ownedRevisions(set, matches));
    const live = new Set([...pods.map((pod) => revisionOf(pod) ?? ''), ...inUse.map((r) => r.metadata.name ?? '')]);
    // historyToClean compares the hash label; a StatefulSet's pods name the revision, so map names to hashes.
    const liveHashes = new Set(old.filter((r) => live.has(r.metadata.name ?? '')).map((r) => r.metadata.labels?.['controller-revision-hash'] ?? ''));
    for (const revision of historyToClean(old, set.spec.revisionHistoryLimit ?? 10, liveHashes)) await this.deleteIgnoringNotFound('controllerrevisions.apps', revision);
  }

  // -------------------------------------------------------------------------------------------
  // Claims

  private retentionPolicy(set: StatefulSet): RetentionPolicy {
    const policy = set.spec.persistentVolumeClaimRetentionPolicy;
    return { whenDeleted: policy?.whenDeleted ?? 'Retain', whenScaled: policy?.whenScaled ?? 'Retain' };
  }

  /** createPersistentVolumeClaims: each claim of the ordinal, made unless it exists; none may be terminating. */
  private async ensureClaims(set: StatefulSet, ordinal: number, podName: string): Promise<void> {
    const setRef = ownerRefTo(set, 'apps/v1', 'StatefulSet');
    for (const template of set.spec.volumeClaimTemplates ?? []) {
      const claimName = claimNameFor(set, template, ordinal);
      try {
        const existing = await this.client.get(CLAIMS, set.metadata.namespace, claimName);
        if (existing.metadata.deletionTimestamp) {
          throw new Error(`pod ${podName}: its claim ${claimName} is being deleted; the pod is made once the claim is gone and can be made again`);
        }
        continue;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      const refs = claimOwnerRefs([], setRef, undefined, this.retentionPolicy(set), false);
      try {
        await this.client.create(CLAIMS, newClaim(set, template, ordinal, refs) as unknown as KubeObject);
        this.recorder.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${claimName} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
      } catch (error) {
        if (isAlreadyExists(error)) continue;
        this.recorder.record(set, 'Warning', 'FailedCreate', `create Claim ${claimName} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(error)}`);
        throw error;
      }
    }
  }

  /** Sets the owner references of every existing claim of the set as the retention policy says. */
  private async reconcileClaimOwners(set: StatefulSet, pods: { ordinal: number; pod: Pod }[], wanted: Set<number>): Promise<void> {
    const templates = set.spec.volumeClaimTemplates ?? [];
    if (templates.length === 0) return;
    const policy = this.retentionPolicy(set);
    const setRef = ownerRefTo(set, 'apps/v1', 'StatefulSet');
    const claims = (await this.client.list(CLAIMS, { namespace: set.metadata.namespace })).items;
    const byName = new Map(claims.map((claim) => [claim.metadata.name, claim]));
    for (const { ordinal, pod } of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      for (const template of templates) {
        const claim = byName.get(claimNameFor(set, template, ordinal));
        if (!claim || claim.metadata.deletionTimestamp) continue;
        const refs = claimOwnerRefs(claim.metadata.ownerReferences ?? [], setRef, ownerRefTo(pod, 'v1', 'Pod'), policy, !wanted.has(ordinal));
        if (sameRefs(claim.metadata.ownerReferences, refs)) continue;
        try {
          await this.client.update(CLAIMS, { ...claim, metadata: { ...claim.metadata, ownerReferences: refs } });
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Pods

  private async createPod(set: StatefulSet, ordinal: number, template: PodTemplateSpec, revisionName: string): Promise<void> {
    const pod = newStatefulPod(set, template, revisionName, ordinal);
    const podName = pod.metadata.name ?? '';
    try {
      await this.ensureClaims(set, ordinal, podName);
      await this.client.create<Pod>('pods', pod);
      this.recorder.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} successful`);
    } catch (error) {
      if (isAlreadyExists(error)) return;
      this.recorder.record(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(error)}`);
      throw error;
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
      this.recorder.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (error) {
      if (isNotFound(error)) return;
      this.recorder.record(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(error)}`);
      throw error;
    }
  }

  private async deleteIgnoringNotFound(resource: string, obj: KubeObject): Promise<void> {
    try {
      await this.client.delete(resource, obj.metadata.namespace, obj.metadata.name ?? '');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
