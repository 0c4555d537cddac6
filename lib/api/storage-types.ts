// The storage kinds as TypeScript sees them: PersistentVolume, PersistentVolumeClaim (core/v1)
// and StorageClass (storage.k8s.io/v1). Their schemas are in schemas/storage.ts.

import type { KubeObject, LabelSelector, ObjectReference } from './types.js';

export type AccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export type ReclaimPolicy = 'Retain' | 'Delete' | 'Recycle';
export type VolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
export type ClaimPhase = 'Pending' | 'Bound' | 'Lost';

// A volume's node affinity uses the same NodeSelector as a pod's (affinity-types.ts).
export type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from './affinity-types.js';
import type { NodeSelector } from './affinity-types.js';

export interface PersistentVolume extends KubeObject {
  spec: {
    capacity?: Record<string, string>;
    accessModes?: AccessMode[];
    claimRef?: ObjectReference;
    persistentVolumeReclaimPolicy?: ReclaimPolicy;
    storageClassName?: string;
    volumeMode?: string;
    nodeAffinity?: { required?: NodeSelector };
    hostPath?: { path: string; type?: string };
    local?: { path: string; fsType?: string };
    mountOptions?: string[];
  };
  status?: { phase?: VolumePhase; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec: {
    accessModes?: AccessMode[];
    selector?: LabelSelector;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    volumeName?: string;
    storageClassName?: string | null;
    volumeMode?: string;
  };
  status?: { phase?: ClaimPhase; accessModes?: AccessMode[]; capacity?: Record<string, string> };
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: ReclaimPolicy;
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
}
