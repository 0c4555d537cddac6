// Storage that outlives pods: PersistentVolume and PersistentVolumeClaim (core/v1) and
// StorageClass (storage.k8s.io/v1), with the fields kubelab honours typed and the volume sources
// it cannot mount kept as `free` objects so that validation can refuse them by name
// (lib/api/validate-storage.ts), rather than a strict decode calling them unknown.

import { NodeSelector } from './affinity.js';
import { LabelSelector, ObjectMeta, ObjectReference } from './meta.js';
import {
  boolean, definition, enumOf, free, kindSchema, listOf, listOfObjects, mapOf, object, QUANTITY, string, stringList, stringMap, time, type Field, type KindSchema,
} from './schema.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

const unsupportedSource = (what: string): Field => free(`${what} kubelab refuses this volume source: it mounts hostPath and local volumes only.`);

const PersistentVolumeSpec = definition('io.k8s.api.core.v1.PersistentVolumeSpec', 'PersistentVolumeSpec is the specification of a persistent volume.', {
  capacity: mapOf(QUANTITY, "capacity is the description of the persistent volume's resources and capacity (`storage`).", { proto: 1 }),
  accessModes: stringList('accessModes contains all ways the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.', { proto: 3 }),
  claimRef: object(ObjectReference, 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. Set it to pre-bind this volume to one claim.', { proto: 4, pointer: true }),
  persistentVolumeReclaimPolicy: enumOf(['Delete', 'Recycle', 'Retain'], 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated, refused by kubelab).', { proto: 5 }),
  storageClassName: string('storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.', { proto: 6 }),
  mountOptions: stringList('mountOptions is the list of mount options, e.g. ["ro", "soft"]. kubelab bind-mounts directories and refuses mount options.', { proto: 7 }),
  volumeMode: enumOf(['Block', 'Filesystem'], 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec; kubelab supports Filesystem only.', { proto: 8, pointer: true }),
  nodeAffinity: object(
    definition('io.k8s.api.core.v1.VolumeNodeAffinity', 'VolumeNodeAffinity defines constraints that limit what nodes this volume can be accessed from.', {
      required: object(NodeSelector, 'required specifies hard node constraints that must be met.', { proto: 1, pointer: true }),
    }),
    'nodeAffinity defines constraints that limit what nodes this volume can be accessed from. This field influences the scheduling of pods that use this volume.',
    { proto: 9, pointer: true },
  ),
  volumeAttributesClassName: string('Name of VolumeAttributesClass to which this persistent volume belongs. kubelab has no VolumeAttributesClasses and refuses it.', { proto: 10, pointer: true }),
  hostPath: object(
    definition('io.k8s.api.core.v1.HostPathVolumeSource', 'Represents a host path mapped into a pod.', {
      path: string('path of the directory on the host. If the path is a symlink, it will follow the link to the real path.', { required: true, proto: 1 }),
      type: enumOf(['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'], 'type for HostPath Volume. Defaults to "".', { proto: 2, pointer: true }),
    }),
    'hostPath represents a directory on the host, on whichever node the pod runs. Use nodeAffinity to tie it to one node.',
    { proto: 3, protoIn: 2, pointer: true },
  ),
  local: object(
    definition('io.k8s.api.core.v1.LocalVolumeSource', 'Local represents directly-attached storage with node affinity.', {
      path: string('path of the full path to the volume on the node. It can be either a directory or block device (disk, partition, ...).', { required: true, proto: 1 }),
      fsType: string('fsType is the filesystem type to mount. It applies only when the Path is a block device; kubelab refuses it.', { proto: 2, pointer: true }),
    }),
    'local represents directly-attached storage with node affinity (required).',
    { proto: 20, protoIn: 2, pointer: true },
  ),
  nfs: unsupportedSource('nfs represents an NFS mount on the host.'),
  csi: unsupportedSource('csi represents storage that is handled by an external CSI driver.'),
  iscsi: unsupportedSource('iscsi represents an ISCSI Disk resource.'),
  fc: unsupportedSource('fc represents a Fibre Channel resource.'),
  rbd: unsupportedSource('rbd represents a Rados Block Device mount on the host.'),
  cephfs: unsupportedSource('cephFS represents a Ceph FS mount on the host.'),
  glusterfs: unsupportedSource('glusterfs represents a Glusterfs volume.'),
  gcePersistentDisk: unsupportedSource('gcePersistentDisk represents a GCE Disk resource.'),
  awsElasticBlockStore: unsupportedSource('awsElasticBlockStore represents an AWS Disk resource.'),
  azureDisk: unsupportedSource('azureDisk represents an Azure Data Disk mount on the host.'),
  azureFile: unsupportedSource('azureFile represents an Azure File Service mount on the host.'),
  cinder: unsupportedSource('cinder represents a cinder volume.'),
  flexVolume: unsupportedSource('flexVolume represents a generic volume resource provisioned/attached using an exec based plugin.'),
  vsphereVolume: unsupportedSource('vsphereVolume represents a vSphere volume.'),
  portworxVolume: unsupportedSource('portworxVolume represents a portworx volume.'),
});

const PersistentVolumeStatus = definition('io.k8s.api.core.v1.PersistentVolumeStatus', 'PersistentVolumeStatus is the current status of a persistent volume.', {
  phase: enumOf(['Available', 'Bound', 'Failed', 'Pending', 'Released'], 'phase indicates if a volume is available, bound to a claim, or released by a claim.', { proto: 1 }),
  message: string('message is a human-readable message indicating details about why the volume is in this state.', { proto: 2 }),
  reason: string('reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.', { proto: 3 }),
  lastPhaseTransitionTime: time('lastPhaseTransitionTime is the time the phase transitioned from one to another.', { proto: 4, pointer: true }),
});

export const PersistentVolume: KindSchema = kindSchema('', 'v1', 'PersistentVolume', 'PersistentVolume (PV) is a storage resource provisioned by an administrator or a provisioner. It is analogous to a node.', {
  spec: object(PersistentVolumeSpec, 'spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator.', { proto: 2 }),
  status: object(PersistentVolumeStatus, 'status represents the current information/status for the persistent volume. Populated by the system. Read-only.', { proto: 3 }),
}, ObjectMeta);

const TypedObjectReference = definition('io.k8s.api.core.v1.TypedObjectReference', 'TypedObjectReference contains enough information to let you locate the typed referenced object', {
  apiGroup: string('APIGroup is the group for the resource being referenced.', { proto: 1, pointer: true }),
  kind: string('Kind is the type of resource being referenced', { required: true, proto: 2 }),
  name: string('Name is the name of resource being referenced', { required: true, proto: 3 }),
  namespace: string('Namespace is the namespace of resource being referenced', { proto: 4, pointer: true }),
});

const PersistentVolumeClaimSpec = definition('io.k8s.api.core.v1.PersistentVolumeClaimSpec', 'PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes', {
  accessModes: stringList('accessModes contains the desired access modes the volume should have: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.', { proto: 1 }),
  selector: object(LabelSelector, 'selector is a label query over volumes to consider for binding.', { proto: 4, pointer: true }),
  resources: object(
    definition('io.k8s.api.core.v1.VolumeResourceRequirements', 'VolumeResourceRequirements describes the storage resource requirements for a volume.', {
      limits: mapOf(QUANTITY, 'Limits describes the maximum amount of compute resources allowed.', { proto: 1 }),
      requests: mapOf(QUANTITY, 'Requests describes the minimum amount of compute resources required (`storage`).', { proto: 2 }),
    }),
    'resources represents the minimum resources the volume should have.',
    { proto: 2 },
  ),
  volumeName: string('volumeName is the binding reference to the PersistentVolume backing this claim. Set it to pre-bind the claim to one volume.', { proto: 3 }),
  storageClassName: string('storageClassName is the name of the StorageClass required by the claim. "" asks for a volume without a class; absent means the default StorageClass.', { proto: 5, pointer: true }),
  volumeMode: enumOf(['Block', 'Filesystem'], 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec; kubelab supports Filesystem only.', { proto: 6, pointer: true }),
  dataSource: object(definition('io.k8s.api.core.v1.TypedLocalObjectReference', 'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.', {
    apiGroup: string('APIGroup is the group for the resource being referenced.', { proto: 1, pointer: true }),
    kind: string('Kind is the type of resource being referenced', { required: true, proto: 2 }),
    name: string('Name is the name of resource being referenced', { required: true, proto: 3 }),
  }), 'dataSource field can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim to populate the volume. kubelab refuses it.', { proto: 7, pointer: true }),
  dataSourceRef: object(TypedObjectReference, 'dataSourceRef specifies the object from which to populate the volume with data. kubelab refuses it.', { proto: 8, pointer: true }),
  volumeAttributesClassName: string('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim. kubelab refuses it.', { proto: 9, pointer: true }),
});

const PersistentVolumeClaimStatus = definition('io.k8s.api.core.v1.PersistentVolumeClaimStatus', 'PersistentVolumeClaimStatus is the current status of a persistent volume claim.', {
  phase: enumOf(['Bound', 'Lost', 'Pending'], 'phase represents the current phase of PersistentVolumeClaim.', { proto: 1 }),
  accessModes: stringList('accessModes contains the actual access modes the volume backing the PVC has.', { proto: 2 }),
  capacity: mapOf(QUANTITY, 'capacity represents the actual resources of the underlying volume.', { proto: 3 }),
  conditions: listOf({ type: 'free' }, 'conditions is the current Condition of persistent volume claim.', { proto: 4 }),
  allocatedResources: mapOf(QUANTITY, 'allocatedResources tracks the resources allocated to a PVC including its capacity.', { proto: 5 }),
  allocatedResourceStatuses: stringMap('allocatedResourceStatuses stores status of resource being resized for the given PVC.', { proto: 7 }),
  currentVolumeAttributesClassName: string('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.', { proto: 8, pointer: true }),
  modifyVolumeStatus: free('ModifyVolumeStatus represents the status object of ControllerModifyVolume operation.', { proto: 9, pointer: true }),
});

export const PersistentVolumeClaim: KindSchema = kindSchema('', 'v1', 'PersistentVolumeClaim', "PersistentVolumeClaim is a user's request for and claim to a persistent volume", {
  spec: object(PersistentVolumeClaimSpec, 'spec defines the desired characteristics of a volume requested by a pod author.', { proto: 2 }),
  status: object(PersistentVolumeClaimStatus, 'status represents the current information/status of a persistent volume claim. Read-only.', { proto: 3 }),
}, ObjectMeta);

export const StorageClass: KindSchema = kindSchema('storage.k8s.io', 'v1', 'StorageClass', 'StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.', {
  provisioner: string('provisioner indicates the type of the provisioner (kubelab.io/local-path, or kubernetes.io/no-provisioner for static volumes).', { required: true, proto: 2 }),
  parameters: stringMap('parameters holds the parameters for the provisioner that should create volumes of this storage class.', { proto: 3 }),
  reclaimPolicy: enumOf(['Delete', 'Recycle', 'Retain'], 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.', { proto: 4, pointer: true }),
  mountOptions: stringList('mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class. kubelab refuses them.', { proto: 5 }),
  allowVolumeExpansion: boolean('allowVolumeExpansion shows whether the storage class allow volume expand. kubelab cannot expand volumes and refuses true.', { proto: 6, pointer: true }),
  volumeBindingMode: enumOf(['Immediate', 'WaitForFirstConsumer'], 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used.', { proto: 7, pointer: true }),
  allowedTopologies: listOf({ type: 'free' }, 'allowedTopologies restrict the node topologies where volumes can be dynamically provisioned. kubelab refuses it.', { proto: 8 }),
}, ObjectMeta);
