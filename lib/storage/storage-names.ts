// The names Kubernetes and kubelab use to talk about storage: annotations, finalizers, the
// local-path provisioner. Written once here so every component spells them the same way.

/** Added to every claim at create; removed by the claim protection controller once no pod uses the claim. */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
/** Added to every volume at create; removed once the volume is no longer Bound. */
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** A StorageClass with this annotation set to "true" is used by claims that name no class. */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** Set on a WaitForFirstConsumer claim by the scheduler: the node its first pod goes to. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** Set on a claim by the binder: which provisioner is asked to make its volume. */
export const STORAGE_PROVISIONER_ANNOTATION = 'volume.kubernetes.io/storage-provisioner';
/** Set on a volume by the provisioner that made it: the one that must also delete it. */
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';
/** Set on a claim by the binder once bound (`yes`), and on a volume the binder bound itself. */
export const BIND_COMPLETED_ANNOTATION = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER_ANNOTATION = 'pv.kubernetes.io/bound-by-controller';

/** kubelab's local-path provisioner (k3s ships rancher.io/local-path): a directory under the node's data dir. */
export const LOCAL_PATH_PROVISIONER = 'kubelab.io/local-path';
export const LOCAL_PATH_CLASS = 'local-path';
/** Static volumes only: a class whose claims wait for a matching volume a human makes. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** Where each node keeps local-path volumes, relative to its data dir. */
export const LOCAL_PATH_DIRECTORY = 'storage';
/** Set by each node agent on its Node: its data dir, under which its local-path volumes live. */
export const NODE_DATA_DIR_ANNOTATION = 'kubelab.io/data-dir';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

