// The ReplicaSet controller, which also serves ReplicationControllers: Kubernetes'
// ReplicaSetController (pkg/controller/replicaset), which runs as both the "replicaset" and the
// "replicationmanager" controllers of kube-controller-manager.
//
// A ReplicaSet says "keep N pods like this template running". The controller watches ReplicaSets
// and pods; its event handlers only work out WHICH ReplicaSet a change concerns and enqueue that
// ReplicaSet's key. A worker then calls reconcile(key), which:
// 1. reads the ReplicaSet and the namespace's active pods from the API (the source of truth);
// 2. claims pods: adopts matching orphans, releases owned pods whose labels stopped matching;
// 3. asks planReplicas for the difference and creates or deletes pods (in slow-start batches);
// 4. writes status (replicas, ready, available, observedGeneration) only if it changed.
// Running it twice changes nothing the second time, so a crash or a resync is harmless; the work
// queue never runs one key on two workers at once, so two passes never race to create the same
// missing pod.
//
// The two kinds differ only in their selector: a ReplicaSet has matchLabels/matchExpressions, a
// ReplicationController a plain map where every pair must match.

import type { KubeObject, LabelSelector, Pod, PodTemplateSpec, ReplicaSetStatus } from '../../../lib/api/types.js';
import { matchesLabels, requirementsFromLabelSelector, requirementsFromMap, type LabelRequirement } from '../../../lib/api/selectors.js';
import { isNotFound } from '../../../lib/errors.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { controllerOf, controllerRefTo, performClaims, planClaims } from '../controller-ref.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { calculateReplicaSetStatus, planReplicas, replicaSetStatusEqual, BURST_REPLICAS } from './plan-replicas.js';
import { slowStartBatch } from '../slow-start.js';
import { isPodActive } from '../pod-state.js';
import { ownedPodEventHandlers } from '../owned-pod-events.js';
import { errorMessage } from '../../../lib/errors.js';

/** The object either kind is: a spec with replicas, a selector and a template, and a status. */
export interface ReplicatedObject extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector | Record<string, string>; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
}

export interface ReplicatedKind {
  resource: string;
  apiVersion: string;
  kind: string;
  /** The event source name Kubernetes uses. */
  component: string;
  selectorOf(obj: ReplicatedObject): LabelRequirement[];
}

export const REPLICA_SET_KIND: ReplicatedKind = {
  resource: 'replicasets.apps',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  selectorOf: (replicaSet) => requirementsFromLabelSelector(replicaSet.spec.selector as LabelSelector | undefined),
};

export const REPLICATION_CONTROLLER_KIND: ReplicatedKind = {
  resource: 'replicationcontrollers',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  selectorOf: (replicationController) => requirementsFromMap(replicationController.spec.selector as Record<string, string> | undefined),
};

export class ReplicaSetController extends Controller {
  private readonly owners: Informer<ReplicatedObject>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(
    readonly kind: ReplicatedKind,
    options: ControllerOptions,
    private readonly burstReplicas = BURST_REPLICAS,
  ) {
    super(options, { component: kind.component });
    this.recorder = options.recorder;
    this.owners = this.informers.informerFor<ReplicatedObject>(kind.resource);
    this.owners.addEventHandler({
      onAdd: (owner) => this.onOwnerChange(owner),
      onUpdate: (_old, owner) => this.onOwnerChange(owner),
      onDelete: (owner) => this.onOwnerChange(owner),
    });
    this.pods = this.informers.informerFor<Pod>('pods');
    this.pods.addEventHandler(
      ownedPodEventHandlers({
        kind: kind.kind,
        owners: this.owners,
        selects: (owner, pod) => matchesLabels(kind.selectorOf(owner), pod.metadata.labels),
        minReadySecondsOf: (owner) => owner.spec.minReadySeconds,
        queue: this.queue,
      }),
    );
  }

  protected watched(): Informer[] {
    return [this.owners, this.pods];
  }

  // -------------------------------------------------------------------------------------------
  // Event handlers: work out which keys a change concerns, enqueue them, nothing else
  // (pods: owned-pod-events.ts).

  private onOwnerChange(owner: ReplicatedObject): void {
    this.queue.add(objectKey(owner));
  }

  // -------------------------------------------------------------------------------------------
  // Reconcile

  /** One pass for one ReplicaSet or ReplicationController; safe to run again at any time. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let owner: ReplicatedObject;
    try {
      owner = await this.client.get<ReplicatedObject>(this.kind.resource, namespace, name);
    } catch (error) {
      // Gone: its pods are the garbage collector's business.
      if (isNotFound(error)) return;
      throw error;
    }

    const selector = this.kind.selectorOf(owner);
    // The API refuses this combination today; one stored before it did would create a pod that
    // is never counted as its own at every pass (a pod storm). Say so on the object instead.
    if (!owner.metadata.deletionTimestamp && (selector.length === 0 || !matchesLabels(selector, owner.spec.template?.metadata?.labels))) {
      this.recorder.record(owner, 'Warning', 'SelectorMismatch', `spec.selector does not select the labels of spec.template.metadata.labels, so every pod created would be orphaned: no pod is created; fix the selector or the template's labels`);
      return;
    }
    const allPods = await this.client.list<Pod>('pods', { namespace });
    const active = allPods.items.filter(isPodActive);
    const claims = planClaims(owner, active, (pod) => selector.length > 0 && matchesLabels(selector, pod.metadata.labels));
    const owned = await performClaims(this.client, 'pods', claims, controllerRefTo(owner, this.kind.apiVersion, this.kind.kind));

    let failure: { reason: 'FailedCreate' | 'FailedDelete'; message: string } | undefined;
    let manageError: unknown;
    if (!owner.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(owner, owned);
      } catch (error) {
        manageError = error;
        const diff = owned.length - (owner.spec.replicas ?? 1);
        failure = { reason: diff < 0 ? 'FailedCreate' : 'FailedDelete', message: errorMessage(error) };
      }
    }

    // Re-read the pods: the status reports what exists after this pass's writes.
    const now = this.clock.now();
    const after = (await this.client.list<Pod>('pods', { namespace })).items.filter(
      (pod) => isPodActive(pod) && controllerOf(pod)?.uid === owner.metadata.uid && matchesLabels(selector, pod.metadata.labels),
    );
    const status = calculateReplicaSetStatus({
      activePods: after,
      templateLabels: owner.spec.template?.metadata?.labels ?? {},
      minReadySeconds: owner.spec.minReadySeconds ?? 0,
      now,
      generation: owner.metadata.generation ?? 0,
      previous: owner.status,
      failure,
    });
    if (!replicaSetStatusEqual(owner.status, status)) {
      await this.client.updateStatus(this.kind.resource, { ...owner, status });
    }

    // Ready pods that are not available yet become available by time alone: look again then.
    const minReadySeconds = owner.spec.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status.readyReplicas === (owner.spec.replicas ?? 1) && status.availableReplicas !== status.readyReplicas) {
      this.queue.addAfter(key, minReadySeconds * 1000);
    }
    if (manageError) throw manageError;
  }

  /** Creates or deletes pods so that `owned` (active, claimed) reaches spec.replicas. */
  private async manageReplicas(owner: ReplicatedObject, owned: Pod[]): Promise<void> {
    const plan = planReplicas(owner.spec.replicas ?? 1, owned, this.burstReplicas);
    if (plan.action === 'create') await this.createPods(owner, plan.count);
    if (plan.action === 'delete') await this.deletePods(owner, plan.pods);
  }

  /**
   * Slow start (slow-start.ts): batches of 1, 2, 4 ... created in parallel; the first batch with
   * a failure ends the pass (the rest would most likely fail the same way), and the error is
   * retried with back-off by the work queue.
   */
  private async createPods(owner: ReplicatedObject, count: number): Promise<void> {
    const { error } = await slowStartBatch(count, () => this.createPod(owner));
    if (error) throw error;
  }

  private async createPod(owner: ReplicatedObject): Promise<void> {
    const template = owner.spec.template;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${owner.metadata.name}-`,
        namespace: owner.metadata.namespace,
        labels: { ...(template?.metadata?.labels ?? {}) },
        ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [controllerRefTo(owner, this.kind.apiVersion, this.kind.kind)],
      },
      spec: structuredClone(template?.spec ?? { containers: [] }),
    };
    try {
      const created = await this.client.create<Pod>('pods', pod);
      this.recorder.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (error) {
      this.recorder.record(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
      throw error;
    }
  }

  private async deletePods(owner: ReplicatedObject, pods: Pod[]): Promise<void> {
    const results = await Promise.allSettled(
      pods.map(async (pod) => {
        try {
          await this.client.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
          this.recorder.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (error) {
          if (isNotFound(error)) return;
          this.recorder.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(error)}`);
          throw error;
        }
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
