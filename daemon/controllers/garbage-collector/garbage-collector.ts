// The garbage collector (Kubernetes' pkg/controller/garbagecollector), for the kinds kubelab
// has that own or are owned: Deployments own ReplicaSets, ReplicaSets and ReplicationControllers
// own pods, CronJobs own Jobs, Jobs own pods.
//
// Ownership is written on the dependent, never on the owner: `metadata.ownerReferences` names
// each owner by kind, name AND uid. So deleting a Deployment deletes nothing else by itself; the
// collector notices, for each dependent, that its owners are gone and deletes it (Background
// propagation), which in turn orphans that ReplicaSet's pods, which are collected next. An owner
// "is gone" when no object of that kind and name exists, or one exists with another uid (a
// namesake created later does not inherit the old one's dependents).
//
// The Orphan policy (`kubelab delete --cascade=orphan`) is the opposite: the API server does not
// remove the owner but marks it (deletionTimestamp) and adds the `orphan` finalizer. The
// collector sees that, removes the owner's ownerReferences from all its dependents, then removes
// the finalizer, at which point the API server removes the owner. Every step is idempotent and
// starts from what the store says, so a restart between steps simply resumes.
//
// The Foreground policy (`--cascade=foreground`) keeps the owner, marked, with the
// `foregroundDeletion` finalizer: the collector deletes its dependents (in the foreground too, when
// their reference blocks the owner's deletion, so a Deployment waits for its ReplicaSets, which
// wait for their pods) and removes the finalizer once no dependent with blockOwnerDeletion is
// left, so the owner is the last to go.
//
// Work is driven by watch events (with a short delay, so an owner and its dependent created
// together are both visible before anyone judges) and by a periodic full scan, so nothing is
// missed while the daemon was down.

import type { KubeObject } from '../../../lib/api/types.js';
import { resourceForKind, resourceKey } from '../../../lib/api/resources.js';
import { isConflict, isNotFound } from '../../../lib/errors.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { Controller, type ControllerOptions } from '../controller.js';

/** The finalizer the API server adds for propagationPolicy=Orphan. */
export const ORPHAN_FINALIZER = 'orphan';
/** The finalizer the API server adds for propagationPolicy=Foreground. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** The resources the collector watches: everything that can own or be owned in kubelab. */
export const GARBAGE_COLLECTED_RESOURCES = ['deployments.apps', 'replicasets.apps', 'replicationcontrollers', 'cronjobs.batch', 'jobs.batch', 'pods', 'daemonsets.apps', 'statefulsets.apps', 'controllerrevisions.apps', 'persistentvolumeclaims'] as const;

export interface GarbageCollectorOptions extends Omit<ControllerOptions, 'recorder'> {
  /** Wait this long after an event before judging an object's owners. */
  verifyDelayMs?: number;
}

export type OwnerVerdict = 'all-gone' | 'some-gone' | 'alive';

/** Pure: given which ownerReferences point at missing owners, what to do with the dependent. */
export function judgeOwners(refCount: number, goneCount: number): OwnerVerdict {
  if (refCount === 0 || goneCount === 0) return 'alive';
  return goneCount === refCount ? 'all-gone' : 'some-gone';
}

export class GarbageCollector extends Controller {
  private readonly resourceInformers: Informer[];
  private readonly verifyDelayMs: number;

  constructor(options: GarbageCollectorOptions) {
    super(options, { component: 'garbage-collector', failing: '' });
    this.verifyDelayMs = options.verifyDelayMs ?? 500;
    this.resourceInformers = GARBAGE_COLLECTED_RESOURCES.map((resource) => {
      const informer = this.informers.informerFor(resource);
      informer.addEventHandler({
        onAdd: (object) => this.onChange(resource, object),
        onUpdate: (_old, object) => this.onChange(resource, object),
        onDelete: (object) => this.onOwnerDeleted(object),
      });
      return informer;
    });
  }

  protected watched(): Informer[] {
    return this.resourceInformers;
  }

  /** A first scan as soon as the caches are filled, then one every resync. */
  protected override onSynced(): void {
    this.scanAll();
  }

  protected override resync(): void {
    this.scanAll();
  }

  /** Enqueues every object that has owners or waits for orphaning. */
  scanAll(): void {
    for (const informer of this.resourceInformers) {
      for (const object of informer.list()) this.onChange(informer.resource, object);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Event handlers

  private onChange(resource: string, object: KubeObject): void {
    const key = `${resource}|${objectKey(object)}`;
    if (hasOrphanFinalizer(object) || hasForegroundFinalizer(object)) this.queue.add(key);
    else if (object.metadata.ownerReferences?.length) this.queue.addAfter(key, this.verifyDelayMs);
  }

  /** An owner went away: everything that names it must be judged, and its owners deleting in the foreground may go now. */
  private onOwnerDeleted(owner: KubeObject): void {
    const ownerUids = new Set((owner.metadata.ownerReferences ?? []).map((ref) => ref.uid));
    for (const informer of this.resourceInformers) {
      for (const object of informer.list()) {
        if (object.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid)) {
          this.queue.addAfter(`${informer.resource}|${objectKey(object)}`, this.verifyDelayMs);
        }
        if (ownerUids.has(object.metadata.uid ?? '') && hasForegroundFinalizer(object)) this.queue.add(`${informer.resource}|${objectKey(object)}`);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reconcile

  async reconcile(queueKey: string): Promise<void> {
    const [resource, key] = queueKey.split('|');
    const { namespace, name } = splitKey(key);
    let object: KubeObject;
    try {
      object = await this.client.get(resource, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }

    if (hasOrphanFinalizer(object)) return this.orphanDependents(resource, object);
    if (hasForegroundFinalizer(object)) return this.deleteDependentsFirst(queueKey, resource, object);

    const refs = object.metadata.ownerReferences ?? [];
    const gone: string[] = [];
    for (const ref of refs) if (await this.ownerIsGone(ref, namespace)) gone.push(ref.uid);

    switch (judgeOwners(refs.length, gone.length)) {
      case 'alive':
        return;
      case 'all-gone':
        await this.client.delete(resource, namespace, name, { propagationPolicy: 'Background', preconditions: { uid: object.metadata.uid } }).catch(ignoreNotFound);
        return;
      case 'some-gone':
        // Still owned by someone: only forget the owners that no longer exist.
        await this.updateOwnerReferences(resource, object, (ref) => !gone.includes(ref.uid));
        return;
    }
  }

  private async ownerIsGone(ref: { apiVersion: string; kind: string; name: string; uid: string }, namespace: string | undefined): Promise<boolean> {
    const info = resourceForKind(ref.apiVersion, ref.kind);
    // A kind kubelab does not serve cannot be checked: never delete on a guess.
    if (!info) return false;
    try {
      const owner = await this.client.get(resourceKey(info), info.namespaced ? namespace : undefined, ref.name);
      return owner.metadata.uid !== ref.uid;
    } catch (error) {
      if (isNotFound(error)) return true;
      throw error;
    }
  }

  /** Step 1: dependents forget this owner. Step 2: the owner loses its finalizer (and goes). */
  private async orphanDependents(resource: string, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid;
    for (const dependentResource of GARBAGE_COLLECTED_RESOURCES) {
      const list = await this.client.list(dependentResource, { namespace: owner.metadata.namespace });
      for (const dependent of list.items) {
        if (dependent.metadata.ownerReferences?.some((ref) => ref.uid === uid)) {
          await this.updateOwnerReferences(dependentResource, dependent, (ref) => ref.uid !== uid);
        }
      }
    }
    await this.retryOnConflict(resource, owner, (current) => {
      if (!current.metadata.finalizers?.includes(ORPHAN_FINALIZER)) return undefined;
      return { ...current, metadata: { ...current.metadata, finalizers: current.metadata.finalizers.filter((f) => f !== ORPHAN_FINALIZER) } };
    });
  }

  /**
   * Foreground: delete every dependent (in the foreground too when it blocks the owner), then,
   * once none that blocks is left, remove the owner's finalizer. Dependents still terminating
   * (a pod in its grace period) block: the owner is checked again when they go, and every second.
   */
  private async deleteDependentsFirst(queueKey: string, resource: string, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid;
    let blocking = 0;
    for (const dependentResource of GARBAGE_COLLECTED_RESOURCES) {
      const list = await this.client.list(dependentResource, { namespace: owner.metadata.namespace });
      for (const dependent of list.items) {
        const ref = dependent.metadata.ownerReferences?.find((r) => r.uid === uid);
        if (!ref) continue;
        if (ref.blockOwnerDeletion) blocking += 1;
        if (dependent.metadata.deletionTimestamp) continue;
        const propagationPolicy = ref.blockOwnerDeletion ? 'Foreground' : 'Background';
        await this.client.delete(dependentResource, dependent.metadata.namespace, dependent.metadata.name ?? '', { propagationPolicy, preconditions: { uid: dependent.metadata.uid } }).catch(ignoreNotFound);
      }
    }
    if (blocking > 0) {
      this.queue.addAfter(queueKey, 1000);
      return;
    }
    await this.retryOnConflict(resource, owner, (current) => {
      if (!current.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return undefined;
      return { ...current, metadata: { ...current.metadata, finalizers: current.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER) } };
    });
  }

  private updateOwnerReferences(resource: string, object: KubeObject, keep: (ref: { uid: string }) => boolean): Promise<void> {
    return this.retryOnConflict(resource, object, (current) => {
      const refs = current.metadata.ownerReferences ?? [];
      const kept = refs.filter(keep);
      if (kept.length === refs.length) return undefined;
      return { ...current, metadata: { ...current.metadata, ownerReferences: kept } };
    });
  }

  /** Read-modify-write that re-reads on Conflict (the kubelet or a controller wrote meanwhile). */
  private async retryOnConflict(resource: string, object: KubeObject, change: (current: KubeObject) => KubeObject | undefined): Promise<void> {
    let current = object;
    for (let attempt = 0; ; attempt++) {
      const next = change(current);
      if (!next) return;
      try {
        await this.client.update(resource, next);
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isConflict(error) || attempt >= 4) throw error;
        current = await this.client.get(resource, object.metadata.namespace, object.metadata.name ?? '');
      }
    }
  }
}

function hasForegroundFinalizer(object: KubeObject): boolean {
  return Boolean(object.metadata.deletionTimestamp) && (object.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER);
}

function hasOrphanFinalizer(object: KubeObject): boolean {
  return Boolean(object.metadata.deletionTimestamp) && (object.metadata.finalizers ?? []).includes(ORPHAN_FINALIZER);
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}
