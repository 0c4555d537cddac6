// `<data-dir>/store-backend`: which backend the server last ran on (`nedb` or `etcd`), written by
// openStore. The offline commands that work on the embedded store only (`kubelabd encryption
// rotate-key`) read it to refuse a data dir whose objects are in etcd, instead of rewriting an
// empty nedb store and dropping the key etcd's Secrets are encrypted with.

import fs from 'node:fs/promises';
import path from 'node:path';

export const STORE_BACKEND_FILE = 'store-backend';

export async function readStoreBackendMarker(dataDir: string): Promise<string | undefined> {
  return fs.readFile(path.join(dataDir, STORE_BACKEND_FILE), 'utf8').then(
    (text) => text.trim(),
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)),
  );
}

export async function writeStoreBackendMarker(dataDir: string, backend: 'nedb' | 'etcd'): Promise<void> {
  if ((await readStoreBackendMarker(dataDir)) !== backend) await fs.writeFile(path.join(dataDir, STORE_BACKEND_FILE), `${backend}\n`, { mode: 0o644 });
}
