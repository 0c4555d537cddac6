// The local-path provisioner's decisions (k3s's rancher/local-path-provisioner, kubelab's way):
// a claim of the default class `local-path` gets a directory on the node where its first pod
// was scheduled, under that node's data dir, and a PersistentVolume that says so:
//   hostPath <dataDir>/storage/pvc-<uid>_<namespace>_<claim> (DirectoryOrCreate: the kubelet of
//   that node makes the directory when it first mounts it), required nodeAffinity to the node's
//   kubernetes.io/hostname (so every later pod of the claim goes there), the class's reclaim
//   policy, and pv.kubernetes.io/provisioned-by, which names who deletes it.
// Deleting is the node's job (daemon/storage/local-path-reclaimer.ts): only that node's agent
// can reach the directory, as k3s's helper pod does on its node.

import path from 'node:path/posix';
import type { Node } from '../api/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../api/storage-types.js';
import { LOCAL_PATH_DIRECTORY, LOCAL_PATH_PROVISIONER, NODE_DATA_DIR_ANNOTATION, PROVISIONED_BY_ANNOTATION } from './storage-names.js';
import { affinityToNode, hostnameOfAffinity } from './volume-node-affinity.js';

/** The access modes a directory on one node can offer. */
const LOCAL_PATH_ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod'];

/** Kubernetes names dynamically provisioned volumes after the claim's uid. */
export const provisionedVolumeName = (claim: PersistentVolumeClaim): string => `pvc-${claim.metadata.uid}`;

/** The volume for `claim` on `node`, or why there cannot be one. */
export function planLocalPathVolume(claim: PersistentVolumeClaim, storageClass: StorageClass, node: Node): { volume: PersistentVolume } | { error: string } {
  const unsupported = (claim.spec.accessModes ?? []).filter((m) => !LOCAL_PATH_ACCESS_MODES.includes(m));
  if (unsupported.length > 0) return { error: `${LOCAL_PATH_PROVISIONER} offers ${LOCAL_PATH_ACCESS_MODES.join(' and ')} only (a directory on one node); the claim asks for ${unsupported.join(', ')}` };
  const dataDir = node.metadata.annotations?.[NODE_DATA_DIR_ANNOTATION];
  if (!dataDir) return { error: `node "${node.metadata.name}" has not published its data dir (annotation ${NODE_DATA_DIR_ANNOTATION}); is its kubelab agent running a current version?` };
  const name = provisionedVolumeName(claim);
  return {
    volume: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { [PROVISIONED_BY_ANNOTATION]: LOCAL_PATH_PROVISIONER } },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.storage ?? '0' },
        accessModes: claim.spec.accessModes,
        persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
        storageClassName: storageClass.metadata.name,
        volumeMode: 'Filesystem',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
        hostPath: { path: path.join(dataDir, LOCAL_PATH_DIRECTORY, `${name}_${claim.metadata.namespace}_${claim.metadata.name}`), type: 'DirectoryOrCreate' },
        nodeAffinity: affinityToNode(node),
      },
    },
  };
}

/**
 * What the node agent whose kubernetes.io/hostname is `node.hostname` does about a volume:
 * delete the directory of a local-path volume of its own whose claim is gone and whose policy
 * is Delete, then the volume object. Only a directory right under its own `<dataDir>/storage/`
 * is ever removed: an annotation is easy to forge, and a volume that says
 * provisioned-by local-path with hostPath "/" must not empty the node.
 */
export function planLocalPathReclaim(volume: PersistentVolume, node: { hostname: string; dataDir: string }): { action: 'none' } | { action: 'delete'; directory: string } | { action: 'refuse'; message: string } {
  if (volume.metadata.annotations?.[PROVISIONED_BY_ANNOTATION] !== LOCAL_PATH_PROVISIONER) return { action: 'none' };
  if (hostnameOfAffinity(volume) !== node.hostname) return { action: 'none' };
  if (volume.status?.phase !== 'Released' || volume.spec.persistentVolumeReclaimPolicy !== 'Delete') return { action: 'none' };
  const directory = volume.spec.hostPath?.path ?? '';
  const root = path.join(node.dataDir, LOCAL_PATH_DIRECTORY);
  const normalized = path.normalize(directory);
  if (path.dirname(normalized) !== root || normalized !== directory) {
    return { action: 'refuse', message: `${LOCAL_PATH_PROVISIONER} deletes only directories right under ${root}; ${JSON.stringify(directory)} is not one, so it is left alone: delete the volume and its data yourself` };
  }
  return { action: 'delete', directory };
}
