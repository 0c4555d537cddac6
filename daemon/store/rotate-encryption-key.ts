// `kubelabd encryption rotate-key`: Kubernetes' key rotation procedure, done in one command on a
// stopped server.
//
// Kubernetes rotates in four steps because several API servers share etcd: (1) add the new key
// as a read key on every server and restart them, (2) make it the write key and restart, (3)
// rewrite every Secret (`kubectl get secrets -A -o json | kubectl replace -f -`), (4) remove the
// old key and restart. kubelab's store is one process's file, so the same steps run here in
// order, each safe to interrupt:
//
//   1. take the store's lock: the server must be stopped (a second process writing the nedb file
//      would lose writes; store-lock.ts),
//   2. write the configuration with the new key first and every old key after it (crash here:
//      the next start reads old values with the old keys and rewrites them with the new one),
//   3. open the store: it rewrites every value not under the new key, and compacts the file,
//   4. check the datafile: no value names an old key any more,
//   5. write the configuration without the old keys (crash before: they are merely unused).
//
// A backup of objects.db taken before the rotation needs the old configuration to be read:
// keep the old encryption-config.yaml with such backups.

import fs from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDirectory } from '../private-files.js';
import { encryptionConfigPath, planDropOldKeys, planNewWriteKey, readEncryptionConfig, writeEncryptionConfig } from './encryption-config.js';
import { NedbObjectStore } from './nedb-store.js';
import { acquireStoreLock } from './store-lock.js';
import { readStoreBackendMarker } from './store-backend-marker.js';
import { aesGcmPrefix, EncryptionTransformer } from './storage-transformer.js';

/** The store directory and datafile inside a server's data dir (server.ts, nedb-store.ts). */
export const STORE_DIRECTORY = 'store';
const DATAFILE = 'objects.db';

export interface RotationResult {
  newKey: string;
  /** Stored objects rewritten with the new key. */
  rewritten: number;
  /** Keys removed from the configuration (no stored value used them any more). */
  removedKeys: string[];
}

/**
 * On etcd the rotation is not done by this command: several servers share the store and the
 * encryption-config.yaml, so Kubernetes' four steps (new read key on every server, then write
 * key, rewrite every Secret, drop the old key, restarting every server between) would have to
 * run across all of them. This command rewrites one server's nedb file only.
 */
export function etcdRotationRefusal(dataDir: string): string {
  return (
    `${dataDir} belongs to a server on --store etcd: kubelabd encryption rotate-key rewrites the embedded nedb store only, ` +
    'and on etcd every server of the cluster shares encryption-config.yaml, so a rotation there must change all of them together; it is not supported yet (nothing was changed)'
  );
}

export async function rotateEncryptionKey(dataDir: string): Promise<RotationResult> {
  const rules = await readEncryptionConfig(dataDir);
  if (!rules) {
    throw new Error(`${encryptionConfigPath(dataDir)} does not exist: is ${dataDir} a kubelabd server's data dir? (a server writes it at its first start)`);
  }
  if ((await readStoreBackendMarker(dataDir)) === 'etcd') throw new Error(etcdRotationRefusal(dataDir));
  const storeDir = path.join(dataDir, STORE_DIRECTORY);
  await ensurePrivateDirectory(storeDir);
  const release = await acquireStoreLock(storeDir);
  try {
    const plan = planNewWriteKey(rules);
    await writeEncryptionConfig(dataDir, plan.rules);

    const store = new NedbObjectStore({ dataDir: storeDir, transformer: new EncryptionTransformer(plan.rules, encryptionConfigPath(dataDir)) });
    await store.open();
    const rewritten = store.rewrittenOnOpen();
    await store.close();

    const datafile = await fs.readFile(path.join(storeDir, DATAFILE), 'utf8').catch(() => '');
    const stillUsed = plan.oldKeys.filter((name) => datafile.includes(aesGcmPrefix(name)));
    if (stillUsed.length > 0) {
      throw new Error(
        `after the rewrite ${path.join(storeDir, DATAFILE)} still holds values under key(s) ${stillUsed.join(', ')}: ` +
          `they stay in ${encryptionConfigPath(dataDir)} (key ${plan.key.name} writes); run the rotation again`,
      );
    }
    await writeEncryptionConfig(dataDir, planDropOldKeys(plan.rules, plan.key.name));
    return { newKey: plan.key.name, rewritten, removedKeys: plan.oldKeys };
  } finally {
    await release();
  }
}
