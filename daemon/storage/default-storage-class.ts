// The cluster's default StorageClass, made at server start as k3s makes its `local-path` class:
// a claim that names no class gets it (the binder's retroactive default class), and its volumes
// are directories on the node where the claim's first pod runs (lib/storage/plan-provisioning.ts).
// A class the admin changed is left as it is; one the admin deleted comes back at the next start.

import type { StorageClass } from '../../lib/api/storage-types.js';
import { isAlreadyExists } from '../../lib/errors.js';
import { DEFAULT_CLASS_ANNOTATION, LOCAL_PATH_CLASS, LOCAL_PATH_PROVISIONER } from '../../lib/storage/storage-names.js';
import { internalContext, type Registry } from '../api/registry.js';

export const LOCAL_PATH_STORAGE_CLASS: StorageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: LOCAL_PATH_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
  provisioner: LOCAL_PATH_PROVISIONER,
  reclaimPolicy: 'Delete',
  // The node is known only once a pod of the claim is scheduled: the directory is made there.
  volumeBindingMode: 'WaitForFirstConsumer',
};

export async function ensureDefaultStorageClass(registry: Registry): Promise<void> {
  try {
    await registry.create('storageclasses.storage.k8s.io', undefined, structuredClone(LOCAL_PATH_STORAGE_CLASS), internalContext());
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
