// Rows of the storage kinds, with kubectl's columns (pkg/printers/internalversion/printers.go:
// printPersistentVolume, printPersistentVolumeClaim, printStorageClass). `kubectl get pv,pvc,sc`.

import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../api/storage-types.js';
import { ageOf } from '../time.js';
import { DEFAULT_CLASS_ANNOTATION } from '../storage/storage-names.js';
import { ageColumn, column, nameColumn, type Printer } from './printer.js';

const SHORT_MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** `RWO,ROX`: kubectl's GetAccessModesAsString, in its fixed order. */
export function accessModesString(modes: string[] | undefined): string {
  const order = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
  return order.filter((m) => modes?.includes(m)).map((m) => SHORT_MODES[m]).join(',');
}

const volumeModeColumn = column('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { wide: true });
const attributesClassColumn = column('VolumeAttributesClass', 'Name of VolumeAttributesClass to which this persistent volume belongs.');

export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn,
    column('Capacity', "capacity is the description of the persistent volume's resources and capacity."),
    column('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    column('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    column('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    column('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    column('StorageClass', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
    attributesClassColumn,
    column('Reason', 'reason is a brief CamelCase string that describes any failure.'),
    ageColumn,
    volumeModeColumn,
  ],
  cells(obj, now) {
    const pv = obj as PersistentVolume;
    const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '';
    const status = pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    return [
      pv.metadata.name ?? '',
      pv.spec?.capacity?.storage ?? '',
      accessModesString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      status,
      claim,
      pv.spec?.storageClassName ?? '',
      '<unset>',
      pv.status?.reason ?? '',
      ageOf(pv.metadata.creationTimestamp, now),
      pv.spec?.volumeMode ?? 'Filesystem',
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    column('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    column('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    column('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    column('StorageClass', 'storageClassName is the name of the StorageClass required by the claim.'),
    attributesClassColumn,
    ageColumn,
    volumeModeColumn,
  ],
  cells(obj, now) {
    const pvc = obj as PersistentVolumeClaim;
    const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    // kubectl shows capacity and access modes only once the claim is bound.
    const bound = Boolean(pvc.spec?.volumeName);
    return [
      pvc.metadata.name ?? '',
      phase,
      pvc.spec?.volumeName ?? '',
      bound ? (pvc.status?.capacity?.storage ?? '') : '',
      bound ? accessModesString(pvc.status?.accessModes) : '',
      pvc.spec?.storageClassName ?? '',
      '<unset>',
      ageOf(pvc.metadata.creationTimestamp, now),
      pvc.spec?.volumeMode ?? 'Filesystem',
    ];
  },
};

export const storageClassPrinter: Printer = {
  columns: [
    nameColumn,
    column('Provisioner', 'provisioner indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    column('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    column('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn,
  ],
  cells(obj, now) {
    const sc = obj as StorageClass;
    const isDefault = sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
    return [
      `${sc.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      Boolean(sc.allowVolumeExpansion),
      ageOf(sc.metadata.creationTimestamp, now),
    ];
  },
};
