// The binding rules of Kubernetes' PersistentVolume controller (pkg/controller/volume/persistentvolume:
// syncClaim, syncVolume, findMatchingVolume), as pure decisions over a claim or a volume and what
// the cluster holds. The controller (daemon/controllers/volume-binding/) only performs the plan.
//
// A claim asks for a size, access modes and a class; a volume offers them. The binder:
// - gives a claim that names no class the default class (storageclass.kubernetes.io/is-default-class);
// - binds a claim to the SMALLEST available volume of its class that is big enough, offers every
//   access mode it asks for and matches its selector; a volume pre-bound to the claim (claimRef)
//   or named by the claim (volumeName) is taken first, if it fits;
// - leaves a WaitForFirstConsumer claim alone until the scheduler has picked its pod's node
//   (volume.kubernetes.io/selected-node), then binds it to a volume that node can reach, or asks
//   the class's provisioner to make one there;
// - marks a volume whose claim is gone Released, then applies its reclaim policy: Retain keeps
//   it (and its data) Released until an admin acts; Delete lets its provisioner delete it; a
//   Delete volume no provisioner owns is Failed, since nothing can delete it;
// - marks a bound claim whose volume is gone Lost.

import type { KubeObject, Node } from '../api/types.js';
import type { AccessMode, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../api/storage-types.js';
import { parseQuantity } from '../api/quantity.js';
import { matchesLabels, requirementsFromLabelSelector } from '../api/selectors.js';
import { DEFAULT_CLASS_ANNOTATION, LOCAL_PATH_PROVISIONER, NO_PROVISIONER, PROVISIONED_BY_ANNOTATION, SELECTED_NODE_ANNOTATION } from './storage-names.js';
import { volumeFitsNode } from './volume-node-affinity.js';

export interface ClaimEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ClaimPlan =
  /** Nothing to change. */
  | { action: 'none' }
  /** Write spec.storageClassName (the retroactive default class). */
  | { action: 'setClass'; className: string }
  /** Bind claim and volume to each other (claimRef, volumeName, both statuses Bound). Idempotent. */
  | { action: 'bind'; volumeName: string }
  /** Ask the provisioner to make a volume for this claim on `nodeName` (local-path). */
  | { action: 'provision'; className: string; nodeName?: string }
  /** Stay Pending and say why. */
  | { action: 'pending'; event: ClaimEvent }
  /** The bound volume is gone or bound elsewhere: phase Lost. */
  | { action: 'lost'; event: ClaimEvent };

export type VolumePlan =
  | { action: 'none' }
  /** Write status.phase (and message) only. */
  | { action: 'phase'; phase: 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string; event?: ClaimEvent }
  /** Take claimRef off a volume the binder bound to a claim that went elsewhere: Available again. */
  | { action: 'unbind' };

const storageOf = (q: Record<string, string> | undefined): number => {
  try {
    return q?.storage !== undefined ? parseQuantity(q.storage) : 0;
  } catch {
    return 0;
  }
};

/** The class a claim asks for: its storageClassName ("" = volumes without a class). */
export const classOfClaim = (claim: PersistentVolumeClaim): string => claim.spec.storageClassName ?? '';
export const classOfVolume = (volume: PersistentVolume): string => volume.spec.storageClassName ?? '';

/** The default class, as the DefaultStorageClass admission plugin picks it: the newest of those annotated "true". */
export function defaultClassOf(classes: StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
}

/** claimRef → claim: same namespace and name, and the same uid once the binder has filled it in. */
export function volumeIsBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec.claimRef;
  if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** Why `volume` cannot serve `claim` (size, access modes, class, mode), or undefined when it can. */
export function volumeMismatch(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (storageOf(volume.spec.capacity) < storageOf(claim.spec.resources?.requests)) return 'requested PV is too small';
  const offered = new Set<AccessMode>(volume.spec.accessModes ?? []);
  if (!(claim.spec.accessModes ?? []).every((m) => offered.has(m))) return 'incompatible accessMode';
  if (classOfVolume(volume) !== classOfClaim(claim)) return 'storageClassName does not match';
  if ((volume.spec.volumeMode ?? 'Filesystem') !== (claim.spec.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  return undefined;
}

/**
 * findMatchingVolume: the volume pre-bound to this claim if it fits, else the smallest available
 * one that fits and matches the selector. With `node`, only volumes that node can reach count.
 */
export function findMatchingVolume(claim: PersistentVolumeClaim, volumes: PersistentVolume[], node?: Node): PersistentVolume | undefined {
  const selector = claim.spec.selector ? requirementsFromLabelSelector(claim.spec.selector) : undefined;
  let smallest: PersistentVolume | undefined;
  for (const volume of volumes) {
    if (volume.metadata.deletionTimestamp) continue;
    if (volumeMismatch(volume, claim)) continue;
    if (node && !volumeFitsNode(volume, node)) continue;
    if (volumeIsBoundToClaim(volume, claim)) return volume;
    if (volume.spec.claimRef) continue; // bound, or pre-bound to another claim
    if (volume.status?.phase && volume.status.phase !== 'Available' && volume.status.phase !== 'Pending') continue;
    if (selector && !matchesLabels(selector, volume.metadata.labels)) continue;
    if (!smallest || storageOf(volume.spec.capacity) < storageOf(smallest.spec.capacity)) smallest = volume;
  }
  return smallest;
}

export interface ClaimInputs {
  claim: PersistentVolumeClaim;
  volumes: PersistentVolume[];
  classes: StorageClass[];
  /** Nodes by name (for a WaitForFirstConsumer claim's selected node). */
  nodes: Map<string, Node>;
}

/** syncClaim: what the binder does about one claim. */
export function planClaim({ claim, volumes, classes, nodes }: ClaimInputs): ClaimPlan {
  if (claim.metadata.deletionTimestamp && !claim.spec.volumeName) return { action: 'none' };
  const byName = new Map(volumes.map((v) => [v.metadata.name!, v]));

  // Bound (or pre-bound by the user through volumeName).
  if (claim.spec.volumeName) {
    const volume = byName.get(claim.spec.volumeName);
    const wasBound = claim.status?.phase === 'Bound' || claim.status?.phase === 'Lost';
    if (!volume) {
      if (wasBound) return { action: 'lost', event: { type: 'Warning', reason: 'ClaimLost', message: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!' } };
      return { action: 'pending', event: { type: 'Normal', reason: 'FailedBinding', message: `volume "${claim.spec.volumeName}" not found` } };
    }
    if (volume.spec.claimRef && !volumeIsBoundToClaim(volume, claim)) {
      if (wasBound) return { action: 'lost', event: { type: 'Warning', reason: 'ClaimMisbound', message: 'Two claims are bound to the same volume, this one is bound incorrectly' } };
      return { action: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `volume "${claim.spec.volumeName}" already bound to a different claim.` } };
    }
    if (!volume.spec.claimRef) {
      const mismatch = volumeMismatch(volume, claim);
      if (mismatch) return { action: 'pending', event: { type: 'Warning', reason: 'VolumeMismatch', message: `Cannot bind to requested volume "${volume.metadata.name}": ${mismatch}` } };
    }
    return { action: 'bind', volumeName: volume.metadata.name! };
  }

  // The retroactive default class: a claim that names no class gets the default one.
  if (claim.spec.storageClassName === undefined || claim.spec.storageClassName === null) {
    const fallback = defaultClassOf(classes);
    if (fallback) return { action: 'setClass', className: fallback.metadata.name! };
  }
  const className = classOfClaim(claim);
  const storageClass = className ? classes.find((c) => c.metadata.name === className) : undefined;
  const delayed = storageClass?.volumeBindingMode === 'WaitForFirstConsumer';
  const selectedNodeName = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];

  if (delayed && !selectedNodeName) {
    return { action: 'pending', event: { type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' } };
  }
  const selectedNode = selectedNodeName ? nodes.get(selectedNodeName) : undefined;
  if (delayed && !selectedNode) {
    return { action: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `the selected node "${selectedNodeName}" does not exist; delete the pod so that the scheduler picks another node` } };
  }
  const match = findMatchingVolume(claim, volumes, delayed ? selectedNode : undefined);
  if (match) return { action: 'bind', volumeName: match.metadata.name! };

  if (className === '') {
    return { action: 'pending', event: { type: 'Normal', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' } };
  }
  if (!storageClass) {
    return { action: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${className}" not found` } };
  }
  if (storageClass.provisioner === NO_PROVISIONER) {
    return { action: 'pending', event: { type: 'Normal', reason: 'FailedBinding', message: `no persistent volumes available for this claim: storage class "${className}" has no provisioner (${NO_PROVISIONER}); create a matching PersistentVolume` } };
  }
  if (storageClass.provisioner === LOCAL_PATH_PROVISIONER) {
    if (!delayed) {
      return { action: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `${LOCAL_PATH_PROVISIONER} makes a directory on one node and needs volumeBindingMode WaitForFirstConsumer; storage class "${className}" has Immediate` } };
    }
    return { action: 'provision', className, nodeName: selectedNodeName };
  }
  return {
    action: 'pending',
    event: {
      type: 'Normal',
      reason: 'ExternalProvisioning',
      message: `Waiting for a volume to be created either by the external provisioner '${storageClass.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    },
  };
}

/** Whether the claim's status already says Bound to `volume` (capacity and modes from the volume). */
export function claimStatusBound(claim: PersistentVolumeClaim, volume: PersistentVolume): boolean {
  return (
    claim.status?.phase === 'Bound' &&
    claim.spec.volumeName === volume.metadata.name &&
    JSON.stringify(claim.status.capacity ?? {}) === JSON.stringify(volume.spec.capacity ?? {}) &&
    JSON.stringify(claim.status.accessModes ?? []) === JSON.stringify(volume.spec.accessModes ?? [])
  );
}

export interface VolumeInputs {
  volume: PersistentVolume;
  /** The claim its claimRef names, if it exists. */
  claim?: PersistentVolumeClaim;
  /** Provisioners that can delete the volumes they made (kubelab's local-path). */
  deleters?: string[];
}

/** syncVolume: what the binder does about one volume. */
export function planVolume({ volume, claim, deleters = [LOCAL_PATH_PROVISIONER] }: VolumeInputs): VolumePlan {
  const phase = volume.status?.phase;
  const setPhase = (wanted: 'Available' | 'Bound' | 'Released' | 'Failed', message?: string, event?: ClaimEvent): VolumePlan =>
    phase === wanted && (volume.status?.message ?? undefined) === message ? { action: 'none' } : { action: 'phase', phase: wanted, message, event };
  const ref = volume.spec.claimRef;
  if (!ref) return setPhase('Available');
  // Pre-bound by a user to a claim the binder has not bound yet: available to that claim only.
  if (!ref.uid) return setPhase('Available');

  const claimIsOurs = claim && claim.metadata.uid === ref.uid;
  if (claimIsOurs && claim.spec.volumeName === volume.metadata.name) return setPhase('Bound');
  if (claimIsOurs && !claim.spec.volumeName) return { action: 'none' }; // the claim's sync finishes the bind
  if (claimIsOurs) {
    // The claim went to another volume: a binding the binder made is undone, a user's pre-binding waits.
    return volume.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'] === 'yes' ? { action: 'unbind' } : setPhase('Available');
  }

  // The claim is gone (or is a new claim of the same name): Released, then the reclaim policy.
  const policy = volume.spec.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy === 'Retain') return setPhase('Released');
  const provisioner = volume.metadata.annotations?.[PROVISIONED_BY_ANNOTATION];
  if (provisioner && deleters.includes(provisioner)) return setPhase('Released'); // its provisioner deletes it (on its node)
  if (phase === 'Failed') return { action: 'none' };
  const message = `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched; delete the volume and its data yourself, or use persistentVolumeReclaimPolicy Retain`;
  return setPhase('Failed', message, { type: 'Warning', reason: 'VolumeFailedDelete', message });
}

/** Whether a pod still counts as a user of its claims: not finished, whether or not it is being deleted. */
export function podUsesClaim(pod: KubeObject & { spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] }; status?: { phase?: string } }, claim: PersistentVolumeClaim): boolean {
  if (pod.metadata.namespace !== claim.metadata.namespace) return false;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  return (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name);
}
