// The PersistentVolume controller: kube-controller-manager's "persistentvolume-binder"
// (pkg/controller/volume/persistentvolume), with kubelab's local-path provisioner built in.
//
// It watches claims, volumes, classes and nodes. Its handlers only enqueue keys: a claim's key is
// `namespace/name`, a volume's is its `name` (volumes are cluster-wide), so one queue holds both.
// reconcile(key) reads the object from the API, asks the pure planner (lib/storage/plan-binding.ts)
// what to do, and does it:
// - a claim: give it the default class, bind it (volume first, then claim: the volume's claimRef
//   is the half that decides, as in Kubernetes, so a crash between the two writes is finished by
//   the next pass), provision a local-path volume on the node the scheduler picked, or record why
//   it is still Pending (`kubectl describe pvc` shows it);
// - a volume: keep its phase (Available, Bound, Released, Failed) true to its claim.
// Deleting a Released local-path volume happens on its node (daemon/storage/local-path-reclaimer.ts).

import type { Node } from '../../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../lib/api/storage-types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from '../../../lib/errors.js';
import { claimStatusBound, planClaim, planVolume, volumeIsBoundToClaim, type ClaimEvent } from '../../../lib/storage/plan-binding.js';
import { planLocalPathVolume } from '../../../lib/storage/plan-provisioning.js';
import { BIND_COMPLETED_ANNOTATION, BOUND_BY_CONTROLLER_ANNOTATION } from '../../../lib/storage/storage-names.js';
import { rfc3339 } from '../../../lib/time.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { Controller, type ControllerOptions } from '../controller.js';

export const PERSISTENT_VOLUME_COMPONENT = 'persistentvolume-controller';
const CLASSES = 'storageclasses.storage.k8s.io';

export class PersistentVolumeController extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: EventRecorder;

  constructor(options: ControllerOptions) {
    super(options, { component: PERSISTENT_VOLUME_COMPONENT });
    this.recorder = options.recorder;
    this.claims = this.informers.informerFor<PersistentVolumeClaim>('persistentvolumeclaims');
    this.volumes = this.informers.informerFor<PersistentVolume>('persistentvolumes');
    this.classes = this.informers.informerFor<StorageClass>(CLASSES);
    this.nodes = this.informers.informerFor<Node>('nodes');
    this.claims.addEventHandler({ onAdd: (c) => this.onClaim(c), onUpdate: (_o, c) => this.onClaim(c), onDelete: (c) => this.onClaim(c) });
    this.volumes.addEventHandler({ onAdd: (v) => this.onVolume(v), onUpdate: (_o, v) => this.onVolume(v), onDelete: (v) => this.onVolume(v) });
    // A new or changed class can unblock claims that name it: look at the unbound ones again.
    const onClass = () => this.claims.list().filter((c) => !c.spec.volumeName).forEach((c) => this.queue.add(objectKey(c)));
    this.classes.addEventHandler({ onAdd: onClass, onUpdate: onClass, onDelete: onClass });
  }

  protected watched(): Informer[] {
    return [this.claims, this.volumes, this.classes, this.nodes];
  }

  protected override resync(): void {
    for (const claim of this.claims.list()) this.queue.add(objectKey(claim));
    for (const volume of this.volumes.list()) this.queue.add(objectKey(volume));
  }

  private onClaim(claim: PersistentVolumeClaim): void {
    this.queue.add(objectKey(claim));
    if (claim.spec?.volumeName) this.queue.add(claim.spec.volumeName);
  }

  private onVolume(volume: PersistentVolume): void {
    this.queue.add(objectKey(volume));
    const ref = volume.spec?.claimRef;
    if (ref?.namespace && ref.name) this.queue.add(`${ref.namespace}/${ref.name}`);
  }

  /** A key with a slash is a claim (`namespace/name`), one without is a volume. */
  async reconcile(key: string): Promise<void> {
    if (key.includes('/')) await this.syncClaim(key);
    else await this.syncVolume(key);
  }

  // -------------------------------------------------------------------------------------------
  // Claims

  private async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = await this.getOrUndefined<PersistentVolumeClaim>('persistentvolumeclaims', namespace, name);
    if (!claim) return;
    const plan = planClaim({
      claim,
      volumes: this.volumes.list(),
      classes: this.classes.list(),
      nodes: new Map(this.nodes.list().map((n) => [n.metadata.name!, n])),
    });
    switch (plan.action) {
      case 'none':
        return;
      case 'setClass':
        await this.client.patch('persistentvolumeclaims', namespace, name, { spec: { storageClassName: plan.className } }, 'merge');
        return;
      case 'bind':
        return this.bind(claim, plan.volumeName);
      case 'provision':
        return this.provision(claim, plan.className, plan.nodeName);
      case 'pending':
        this.tell(claim, plan.event);
        return;
      case 'lost':
        this.tell(claim, plan.event);
        await this.writeClaimStatus(claim, { ...claim.status, phase: 'Lost' });
        return;
    }
  }

  /** Volume first (claimRef with the claim's uid, phase Bound), then the claim (volumeName, phase Bound). */
  private async bind(claim: PersistentVolumeClaim, volumeName: string): Promise<void> {
    let volume = await this.getOrUndefined<PersistentVolume>('persistentvolumes', undefined, volumeName);
    if (!volume) return; // gone meanwhile: the next pass decides again
    if (!volumeIsBoundToClaim(volume, claim) || !volume.spec.claimRef?.uid) {
      if (volume.spec.claimRef && !volumeIsBoundToClaim(volume, claim)) return; // taken meanwhile
      const preBound = Boolean(volume.spec.claimRef);
      volume = await this.client.update<PersistentVolume>('persistentvolumes', {
        ...volume,
        metadata: { ...volume.metadata, annotations: { ...volume.metadata.annotations, ...(preBound ? {} : { [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes' }) } },
        spec: {
          ...volume.spec,
          claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion },
        },
      });
    }
    if (volume.status?.phase !== 'Bound') volume = await this.writeVolumeStatus(volume, 'Bound');
    let bound = claim;
    if (claim.spec.volumeName !== volumeName || claim.metadata.annotations?.[BIND_COMPLETED_ANNOTATION] !== 'yes') {
      const byController = !claim.spec.volumeName;
      bound = await this.client.update<PersistentVolumeClaim>('persistentvolumeclaims', {
        ...claim,
        metadata: {
          ...claim.metadata,
          annotations: { ...claim.metadata.annotations, [BIND_COMPLETED_ANNOTATION]: 'yes', ...(byController ? { [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes' } : {}) },
        },
        spec: { ...claim.spec, volumeName },
      });
    }
    if (!claimStatusBound(bound, volume)) {
      await this.writeClaimStatus(bound, { phase: 'Bound', capacity: volume.spec.capacity, accessModes: volume.spec.accessModes });
    }
  }

  private async provision(claim: PersistentVolumeClaim, className: string, nodeName: string | undefined): Promise<void> {
    const storageClass = this.classes.get(className);
    const node = nodeName ? this.nodes.get(nodeName) : undefined;
    if (!storageClass || !node) return; // the planner checked both; a stale cache catches up at the next pass
    const planned = planLocalPathVolume(claim, storageClass, node);
    if ('error' in planned) {
      this.tell(claim, { type: 'Warning', reason: 'ProvisioningFailed', message: planned.error });
      return;
    }
    try {
      await this.client.create('persistentvolumes', planned.volume);
      this.recorder.record(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${planned.volume.metadata.name} on node ${node.metadata.name} (${planned.volume.spec.hostPath?.path})`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.tell(claim, { type: 'Warning', reason: 'ProvisioningFailed', message: `failed to provision volume with StorageClass "${className}": ${errorMessage(err)}` });
        throw err;
      }
    }
    // The new volume is pre-bound to the claim (claimRef with its uid): the next pass binds them.
    this.queue.add(objectKey(claim));
  }

  // -------------------------------------------------------------------------------------------
  // Volumes

  private async syncVolume(name: string): Promise<void> {
    const volume = await this.getOrUndefined<PersistentVolume>('persistentvolumes', undefined, name);
    if (!volume) return;
    const ref = volume.spec.claimRef;
    // Never judge a claim gone from the cache alone: a Released Delete volume loses its data.
    const claim = ref?.namespace && ref.name ? await this.getOrUndefined<PersistentVolumeClaim>('persistentvolumeclaims', ref.namespace, ref.name) : undefined;
    const plan = planVolume({ volume, claim });
    switch (plan.action) {
      case 'none':
        return;
      case 'phase':
        if (plan.event) this.recorder.record(volume, plan.event.type, plan.event.reason, plan.event.message);
        await this.writeVolumeStatus(volume, plan.phase, plan.message);
        return;
      case 'unbind': {
        const annotations = { ...volume.metadata.annotations };
        delete annotations[BOUND_BY_CONTROLLER_ANNOTATION];
        const { claimRef: _dropped, ...spec } = volume.spec;
        const unbound = await this.client.update<PersistentVolume>('persistentvolumes', { ...volume, metadata: { ...volume.metadata, annotations }, spec });
        await this.writeVolumeStatus(unbound, 'Available');
        return;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  private tell(claim: PersistentVolumeClaim, event: ClaimEvent): void {
    this.recorder.record(claim, event.type, event.reason, event.message);
  }

  private async writeVolumeStatus(volume: PersistentVolume, phase: 'Available' | 'Bound' | 'Released' | 'Failed', message?: string): Promise<PersistentVolume> {
    const changed = volume.status?.phase !== phase;
    const status = {
      phase,
      ...(message ? { message } : {}),
      lastPhaseTransitionTime: changed || !volume.status?.lastPhaseTransitionTime ? rfc3339(this.clock.now()) : volume.status.lastPhaseTransitionTime,
    };
    return this.client.updateStatus<PersistentVolume>('persistentvolumes', { ...volume, status });
  }

  private async writeClaimStatus(claim: PersistentVolumeClaim, status: PersistentVolumeClaim['status']): Promise<void> {
    try {
      await this.client.updateStatus<PersistentVolumeClaim>('persistentvolumeclaims', { ...claim, status });
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
      this.queue.add(objectKey(claim)); // changed meanwhile: look again
    }
  }

  private async getOrUndefined<T extends PersistentVolume | PersistentVolumeClaim>(resource: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.client.get<T>(resource, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
