// Storage that outlives pods: PersistentVolume and PersistentVolumeClaim (core/v1) and
// StorageClass (storage.k8s.io/v1), with the fields kubelab honours typed and the volume sources
// it cannot mount kept as `free` objects so that validation can refuse them by name
// (lib/api/validate-storage.ts), rather than a strict decode calling them unknown.

import { LabelSelector, ObjectMeta, ObjectReference } from './meta.js';
import {
  boolean, definition, enumOf, free, kindSchema, listOf, listOfObjects, mapOf, object, QUANTITY, string, stringList, stringMap, time, type Field, type KindSchema,
} from './schema.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

const NodeSelectorRequirement = definition('io.k8s.api.core.v1.NodeSelectorRequirement', 'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
  key: string('The label key that the selector applies to.', { required: true }),
  operator: enumOf(['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'], "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.", { required: true }),
  values: stringList('An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer.'),
});

const NodeSelectorTerm = definition('io.k8s.api.core.v1.NodeSelectorTerm', 'A null or empty node selector term matches no objects. The requirements of them are ANDed.', {
  matchExpressions: listOfObjects(NodeSelectorRequirement, "A list of node selector requirements by node's labels."),
  matchFields: listOfObjects(NodeSelectorRequirement, "A list of node selector requirements by node's fields."),
});

export const NodeSelector = definition('io.k8s.api.core.v1.NodeSelector', 'A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.', {
  nodeSelectorTerms: listOfObjects(NodeSelectorTerm, 'Required. A list of node selector terms. The terms are ORed.', { required: true }),
});

const unsupportedSource = (what: string): Field => free(`${what} kubelab refuses this volume source: it mounts hostPath and local volumes only.`);

const PersistentVolumeSpec = definition('io.k8s.api.core.v1.PersistentVolumeSpec', 'PersistentVolumeSpec is the specification of a persistent volume.', {
  capacity: mapOf(QUANTITY, "capacity is the description of the persistent volume's resources and capacity (`storage`)."),
  accessModes: stringList('accessModes contains all ways the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.'),
  claimRef: object(ObjectReference, 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. Set it to pre-bind this volume to one claim.'),
  persistentVolumeReclaimPolicy: enumOf(['Delete', 'Recycle', 'Retain'], 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated, refused by kubelab).'),
  storageClassName: string('storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.'),
  mountOptions: stringList('mountOptions is the list of mount options, e.g. ["ro", "soft"]. kubelab bind-mounts directories and refuses mount options.'),
  volumeMode: enumOf(['Block', 'Filesystem'], 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec; kubelab supports Filesystem only.'),
  nodeAffinity: object(
    definition('io.k8s.api.core.v1.VolumeNodeAffinity', 'VolumeNodeAffinity defines constraints that limit what nodes this volume can be accessed from.', {
      required: object(NodeSelector, 'required specifies hard node constraints that must be met.'),
    }),
    'nodeAffinity defines constraints that limit what nodes this volume can be accessed from. This field influences the scheduling of pods that use this volume.',
  ),
  volumeAttributesClassName: string('Name of VolumeAttributesClass to which this persistent volume belongs. kubelab has no VolumeAttributesClasses and refuses it.'),
  hostPath: object(
    definition('io.k8s.api.core.v1.HostPathVolumeSource', 'Represents a host path mapped into a pod.', {
      path: string('path of the directory on the host. If the path is a symlink, it will follow the link to the real path.', { required: true }),
      type: enumOf(['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'], 'type for HostPath Volume. Defaults to "".'),
    }),
    'hostPath represents a directory on the host, on whichever node the pod runs. Use nodeAffinity to tie it to one node.',
  ),
  local: object(
    definition('io.k8s.api.core.v1.LocalVolumeSource', 'Local represents directly-attached storage with node affinity.', {
      path: string('path of the full path to the volume on the node. It can be either a directory or block device (disk, partition, ...).', { required: true }),
      fsType: string('fsType is the filesystem type to mount. It applies only when the Path is a block device; kubelab refuses it.'),
    }),
    'local represents directly-attached storage with node affinity (required).',
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
  phase: enumOf(['Available', 'Bound', 'Failed', 'Pending', 'Released'], 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
  message: string('message is a human-readable message indicating details about why the volume is in this state.'),
  reason: string('reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
  lastPhaseTransitionTime: time('lastPhaseTransitionTime is the time the phase transitioned from one to another.'),
});

export const PersistentVolume: KindSchema = kindSchema('', 'v1', 'PersistentVolume', 'PersistentVolume (PV) is a storage resource provisioned by an administrator or a provisioner. It is analogous to a node.', {
  spec: object(PersistentVolumeSpec, 'spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator.'),
  status: object(PersistentVolumeStatus, 'status represents the current information/status for the persistent volume. Populated by the system. Read-only.'),
}, ObjectMeta);

const TypedObjectReference = definition('io.k8s.api.core.v1.TypedObjectReference', 'TypedObjectReference contains enough information to let you locate the typed referenced object', {
  apiGroup: string('APIGroup is the group for the resource being referenced.'),
  kind: string('Kind is the type of resource being referenced', { required: true }),
  name: string('Name is the name of resource being referenced', { required: true }),
  namespace: string('Namespace is the namespace of resource being referenced'),
});

const PersistentVolumeClaimSpec = definition('io.k8s.api.core.v1.PersistentVolumeClaimSpec', 'PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes', {
  accessModes: stringList('accessModes contains the desired access modes the volume should have: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.'),
  selector: object(LabelSelector, 'selector is a label query over volumes to consider for binding.'),
  resources: object(
    definition('io.k8s.api.core.v1.VolumeResourceRequirements', 'VolumeResourceRequirements describes the storage resource requirements for a volume.', {
      limits: mapOf(QUANTITY, 'Limits describes the maximum amount of compute resources allowed.'),
      requests: mapOf(QUANTITY, 'Requests describes the minimum amount of compute resources required (`storage`).'),
    }),
    'resources represents the minimum resources the volume should have.',
  ),
  volumeName: string('volumeName is the binding reference to the PersistentVolume backing this claim. Set it to pre-bind the claim to one volume.'),
  storageClassName: string('storageClassName is the name of the StorageClass required by the claim. "" asks for a volume without a class; absent means the default StorageClass.'),
  volumeMode: enumOf(['Block', 'Filesystem'], 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec; kubelab supports Filesystem only.'),
  dataSource: object(definition('io.k8s.api.core.v1.TypedLocalObjectReference', 'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.', {
    apiGroup: string('APIGroup is the group for the resource being referenced.'),
    kind: string('Kind is the type of resource being referenced', { required: true }),
    name: string('Name is the name of resource being referenced', { required: true }),
  }), 'dataSource field can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim to populate the volume. kubelab refuses it.'),
  dataSourceRef: object(TypedObjectReference, 'dataSourceRef specifies the object from which to populate the volume with data. kubelab refuses it.'),
  volumeAttributesClassName: string('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim. kubelab refuses it.'),
});

const PersistentVolumeClaimStatus = definition('io.k8s.api.core.v1.PersistentVolumeClaimStatus', 'PersistentVolumeClaimStatus is the current status of a persistent volume claim.', {
  phase: enumOf(['Bound', 'Lost', 'Pending'], 'phase represents the current phase of PersistentVolumeClaim.'),
  accessModes: stringList('accessModes contains the actual access modes the volume backing the PVC has.'),
  capacity: mapOf(QUANTITY, 'capacity represents the actual resources of the underlying volume.'),
  conditions: listOf({ type: 'free' }, 'conditions is the current Condition of persistent volume claim.'),
  allocatedResources: mapOf(QUANTITY, 'allocatedResources tracks the resources allocated to a PVC including its capacity.'),
  allocatedResourceStatuses: stringMap('allocatedResourceStatuses stores status of resource being resized for the given PVC.'),
  currentVolumeAttributesClassName: string('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'),
  modifyVolumeStatus: free('ModifyVolumeStatus represents the status object of ControllerModifyVolume operation.'),
});

export const PersistentVolumeClaim: KindSchema = kindSchema('', 'v1', 'PersistentVolumeClaim', "PersistentVolumeClaim is a user's request for and claim to a persistent volume", {
  spec: object(PersistentVolumeClaimSpec, 'spec defines the desired characteristics of a volume requested by a pod author.'),
  status: object(PersistentVolumeClaimStatus, 'status represents the current information/status of a persistent volume claim. Read-only.'),
}, ObjectMeta);

export const StorageClass: KindSchema = kindSchema('storage.k8s.io', 'v1', 'StorageClass', 'StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.', {
  provisioner: string('provisioner indicates the type of the provisioner (kubelab.io/local-path, or kubernetes.io/no-provisioner for static volumes).', { required: true }),
  parameters: stringMap('parameters holds the parameters for the provisioner that should create volumes of this storage class.'),
  reclaimPolicy: enumOf(['Delete', 'Recycle', 'Retain'], 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
  mountOptions: stringList('mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class. kubelab refuses them.'),
  allowVolumeExpansion: boolean('allowVolumeExpansion shows whether the storage class allow volume expand. kubelab cannot expand volumes and refuses true.'),
  volumeBindingMode: enumOf(['Immediate', 'WaitForFirstConsumer'], 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used.'),
  allowedTopologies: listOf({ type: 'free' }, 'allowedTopologies restrict the node topologies where volumes can be dynamically provisioned. kubelab refuses it.'),
}, ObjectMeta);
