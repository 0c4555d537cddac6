// The scheduler's volume binding (kube-scheduler's VolumeBinding plugin), as a pure decision over
// a pod's claims and the cluster's volumes and classes:
// - PreFilter: a claim that does not exist, is being deleted, or is unbound in an Immediate class
//   makes the pod unschedulable on every node, with kube-scheduler's words
//   (`persistentvolumeclaim "data" not found`, `pod has unbound immediate PersistentVolumeClaims`);
// - Filter: a node must reach every bound claim's volume ("node(s) had volume node affinity
//   conflict": a local-path volume ties its pods to its node), and, for an unbound
//   WaitForFirstConsumer claim of a class without a provisioner, hold an available static volume
//   that fits ("node(s) didn't find available persistent volumes to bind");
// - after the node is picked, the unbound WaitForFirstConsumer claims are told which node
//   (volume.kubernetes.io/selected-node); the binder then binds or provisions there, and the pod
//   is bound to the node only once all its claims are Bound (kube-scheduler's PreBind waits too).

import type { Node, Pod } from '../api/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../api/storage-types.js';
import { classOfClaim, findMatchingVolume } from './plan-binding.js';
import { NO_PROVISIONER, SELECTED_NODE_ANNOTATION } from './storage-names.js';
import { REASON_VOLUME_NODE_AFFINITY, volumeFitsNode } from './volume-node-affinity.js';

export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const REASON_NO_VOLUME_TO_BIND = "node(s) didn't find available persistent volumes to bind";

export type PodVolumePlan =
  /** The pod has no claims, or every claim can be served: filter nodes with `nodeReasons`. */
  | { kind: 'schedule'; nodeReasons: (node: Node) => string[]; claimsToSelect: PersistentVolumeClaim[] }
  /** No node can help (PreFilter's UnschedulableAndUnresolvable): why. */
  | { kind: 'unresolvable'; message: string }
  /** A node was picked for its WaitForFirstConsumer claims; they are being bound there: wait. */
  | { kind: 'waitForBinding'; claims: string[] };

export interface PodVolumeInputs {
  pod: Pod;
  /** The claims of the pod's namespace, by name. */
  claims: Map<string, PersistentVolumeClaim>;
  volumes: PersistentVolume[];
  classes: StorageClass[];
}

export function planPodVolumes({ pod, claims, volumes, classes }: PodVolumeInputs): PodVolumePlan {
  const claimNames = [...new Set((pod.spec.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => Boolean(n)))];
  const volumeByName = new Map(volumes.map((v) => [v.metadata.name!, v]));
  const boundVolumes: PersistentVolume[] = [];
  const delayedStatic: PersistentVolumeClaim[] = [];
  const claimsToSelect: PersistentVolumeClaim[] = [];
  const waiting: string[] = [];
  for (const name of claimNames) {
    const claim = claims.get(name);
    if (!claim) return { kind: 'unresolvable', message: `persistentvolumeclaim "${name}" not found` };
    if (claim.metadata.deletionTimestamp) return { kind: 'unresolvable', message: `persistentvolumeclaim "${name}" is being deleted` };
    if (claim.spec.volumeName && claim.status?.phase === 'Bound') {
      const volume = volumeByName.get(claim.spec.volumeName);
      if (!volume) return { kind: 'unresolvable', message: `pvc ${name} bound to non-existent pv ${claim.spec.volumeName}` };
      boundVolumes.push(volume);
      continue;
    }
    const storageClass = classes.find((c) => c.metadata.name === classOfClaim(claim));
    if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer' || claim.spec.volumeName) return { kind: 'unresolvable', message: REASON_UNBOUND_IMMEDIATE };
    if (claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION]) {
      waiting.push(name);
      continue;
    }
    if (storageClass.provisioner === NO_PROVISIONER) delayedStatic.push(claim);
    claimsToSelect.push(claim);
  }
  if (waiting.length > 0) return { kind: 'waitForBinding', claims: waiting };
  const nodeReasons = (node: Node): string[] => {
    if (boundVolumes.some((volume) => !volumeFitsNode(volume, node))) return [REASON_VOLUME_NODE_AFFINITY];
    // Each static claim needs its own volume on this node (two claims never share one).
    const taken = new Set<string>();
    for (const claim of delayedStatic) {
      const match = findMatchingVolume(claim, volumes.filter((v) => !taken.has(v.metadata.name!)), node);
      if (!match) return [REASON_NO_VOLUME_TO_BIND];
      taken.add(match.metadata.name!);
    }
    return [];
  };
  return { kind: 'schedule', nodeReasons, claimsToSelect };
}
