// Which store the API server runs on (`kubelabd server --store nedb|etcd`), opened in one place.
//
// Encryption at rest is decided here, above the backend: the same transformer (the key in
// <data-dir>/encryption-config.yaml) encrypts Secrets whether their bytes end up in nedb's
// datafile or in etcd, exactly as kube-apiserver's EncryptionConfiguration sits above etcd.
// With etcd, every API server of the cluster must hold the same encryption-config.yaml.

import path from 'node:path';
import { ensureEncryption } from './encryption-config.js';
import { EtcdObjectStore, type EtcdTlsFiles } from './etcd-store.js';
import { NedbObjectStore } from './nedb-store.js';
import type { ObjectStore } from './object-store.js';
import { STORE_DIRECTORY } from './rotate-encryption-key.js';
import { writeStoreBackendMarker } from './store-backend-marker.js';

export type StoreBackend = { type: 'nedb' } | { type: 'etcd'; endpoints: string[]; tls?: EtcdTlsFiles; prefix?: string };

/** Opens the chosen store; fails with a message saying what to fix when etcd does not answer. */
export async function openStore(dataDir: string, backend: StoreBackend = { type: 'nedb' }): Promise<ObjectStore> {
  const transformer = await ensureEncryption(dataDir);
  const store =
    backend.type === 'etcd'
      ? new EtcdObjectStore({ endpoints: backend.endpoints, transformer, ...(backend.tls ? { tls: backend.tls } : {}), ...(backend.prefix ? { prefix: backend.prefix } : {}) })
      : new NedbObjectStore({ dataDir: path.join(dataDir, STORE_DIRECTORY), transformer });
  await store.open();
  await writeStoreBackendMarker(dataDir, backend.type);
  return store;
}
