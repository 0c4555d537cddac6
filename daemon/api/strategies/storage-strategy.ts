// Volumes and claims (Kubernetes' persistentvolume and persistentvolumeclaim strategies, and the
// StorageObjectInUseProtection admission plugin): both are born with a protection finalizer, so a
// DELETE of a claim a pod still mounts, or of a volume still bound, only marks them Terminating
// (strategies/finalizers.ts); the protection controllers remove the finalizer when it is safe.
// Their status is the binder's: a new one starts Pending, and only /status writes it.

import type { KubeObject } from '../../../lib/api/types.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../../lib/storage/storage-names.js';
import { defaultStrategy, type Strategy } from './strategy.js';

function protectedStrategy(finalizer: string): Strategy {
  return {
    ...defaultStrategy(true),
    prepareForCreate(obj: KubeObject) {
      obj.status = { phase: 'Pending' };
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) obj.metadata.finalizers = [...finalizers, finalizer];
    },
  };
}

export const persistentVolumeStrategy = protectedStrategy(PV_PROTECTION_FINALIZER);
export const persistentVolumeClaimStrategy = protectedStrategy(PVC_PROTECTION_FINALIZER);
