// Backups of the store: `kubelabd snapshot save FILE` and `kubelabd snapshot restore FILE`, what
// k3s calls `k3s etcd-snapshot` and what `etcdctl snapshot save|restore` does for kube-apiserver.
//
// - nedb: the snapshot is a copy of the datafile (store/objects.db), taken while no server holds
//   the store (its LOCK file), so the copy is one consistent state; restoring puts it back in
//   place (the previous datafile is kept beside it). nedb replays the file at the next start.
// - etcd: the snapshot is etcd's own (the Maintenance API's Snapshot stream, the same bytes
//   `etcdctl snapshot save` writes, with etcd's checksum at the end), taken from a running etcd
//   without stopping anything. Restoring is `etcdctl snapshot restore` into a NEW etcd data
//   directory: etcd never restores into the directory of a running member; the user then starts
//   etcd on that directory (a new cluster with the snapshot's keys) and the servers on it.
//
// In both, Secrets stay encrypted in the snapshot: a restored store needs the same
// <data-dir>/encryption-config.yaml (keep it with the snapshot, separately: it is the key).

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { PRIVATE_FILE_MODE } from '../private-files.js';
import { checkEtcdAnswers, etcdClientOptions } from './etcd-store.js';
import { ETCD_STORE_DEFAULTS } from '../config.js';
import type { StoreBackend } from './open-store.js';
import { STORE_DIRECTORY } from './rotate-encryption-key.js';
import { acquireStoreLock } from './store-lock.js';

const DATAFILE = 'objects.db';

export interface SnapshotResult {
  file: string;
  bytes: number;
  /** What the user does next (restore), or where the snapshot came from (save). */
  note: string;
}

/** Saves a snapshot of the store of `dataDir` (nedb) or of the etcd the backend names. */
export async function saveSnapshot(file: string, dataDir: string, backend: StoreBackend): Promise<SnapshotResult> {
  if (backend.type === 'etcd') return saveEtcdSnapshot(file, backend);
  const storeDir = path.join(dataDir, STORE_DIRECTORY);
  const release = await acquireStoreLock(storeDir);
  try {
    await fs.copyFile(path.join(storeDir, DATAFILE), file);
    await fs.chmod(file, PRIVATE_FILE_MODE);
  } finally {
    await release();
  }
  const { size } = await fs.stat(file);
  return { file, bytes: size, note: `a copy of ${path.join(storeDir, DATAFILE)}` };
}

async function saveEtcdSnapshot(file: string, backend: Extract<StoreBackend, { type: 'etcd' }>): Promise<SnapshotResult> {
  const client = new Etcd3(etcdClientOptions(backend.endpoints, backend.tls));
  const partial = `${file}.part`;
  try {
    await checkEtcdAnswers(client, backend.endpoints, ETCD_STORE_DEFAULTS.dialTimeoutMs);
    const out = await fs.open(partial, 'w', PRIVATE_FILE_MODE);
    let revision = '';
    try {
      const stream = await client.maintenance.snapshot();
      // Chunks are written in order; the stream's last chunk carries etcd's sha256 of the whole.
      let writes = Promise.resolve();
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk) => {
          revision ||= chunk.header?.revision ?? '';
          const blob = chunk.blob;
          writes = writes.then(() => out.write(blob).then(() => undefined));
        });
        stream.on('error', reject);
        stream.on('end', () => writes.then(resolve, reject));
      });
    } finally {
      await out.close();
    }
    await fs.rename(partial, file);
    const { size } = await fs.stat(file);
    return { file, bytes: size, note: `etcd at ${backend.endpoints.join(', ')}${revision ? `, revision ${revision}` : ''}` };
  } catch (err) {
    await fs.rm(partial, { force: true });
    throw err;
  } finally {
    client.close();
  }
}

export interface EtcdRestoreOptions {
  /** The new etcd data directory (must not exist). */
  etcdDataDir: string;
  /** etcdctl's --name, --initial-cluster, --initial-advertise-peer-urls for the restored member. */
  name?: string;
  initialCluster?: string;
  initialAdvertisePeerUrls?: string;
  etcdctl?: string;
}

/** Restores a snapshot: nedb into `dataDir`'s store (no server running), etcd into a new etcd data directory. */
export async function restoreSnapshot(file: string, dataDir: string, backend: StoreBackend, etcd?: EtcdRestoreOptions): Promise<SnapshotResult> {
  if (backend.type === 'etcd' && !etcd?.etcdDataDir) throw new Error('restoring an etcd snapshot needs --etcd-data-dir: the new directory etcd will start from');
  const { size } = await fs.stat(file);
  if (backend.type === 'etcd') {
    const restore = etcd!;
    await runEtcdctlRestore(file, restore);
    return {
      file,
      bytes: size,
      note:
        `restored into ${restore.etcdDataDir}: start etcd with --data-dir ${restore.etcdDataDir} (and the same --name, --initial-cluster and ` +
        '--initial-advertise-peer-urls as given here), then kubelabd server --store etcd --etcd-endpoints pointing at it',
    };
  }
  const storeDir = path.join(dataDir, STORE_DIRECTORY);
  await fs.mkdir(storeDir, { recursive: true, mode: 0o700 });
  const release = await acquireStoreLock(storeDir);
  try {
    checkDatafile(await fs.readFile(file, 'utf8'), file);
    const target = path.join(storeDir, DATAFILE);
    const kept = `${target}.before-restore`;
    await fs.rename(target, kept).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await fs.copyFile(file, target);
    await fs.chmod(target, PRIVATE_FILE_MODE);
    return { file, bytes: size, note: `restored into ${target} (the previous datafile is ${kept}); start kubelabd server --data-dir ${dataDir}` };
  } finally {
    await release();
  }
}

/** A nedb datafile is one JSON document per line: anything else is not a kubelab nedb snapshot. */
function checkDatafile(text: string, file: string): void {
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    try {
      const doc = JSON.parse(line) as { _id?: unknown };
      if (typeof doc._id !== 'string') throw new Error('no _id');
    } catch {
      throw new Error(`${file} is not a kubelab nedb snapshot (line ${index + 1} is not a store document); nothing was changed`);
    }
  });
}

function runEtcdctlRestore(file: string, options: EtcdRestoreOptions): Promise<void> {
  const args = ['snapshot', 'restore', file, '--data-dir', options.etcdDataDir];
  if (options.name) args.push('--name', options.name);
  if (options.initialCluster) args.push('--initial-cluster', options.initialCluster);
  if (options.initialAdvertisePeerUrls) args.push('--initial-advertise-peer-urls', options.initialAdvertisePeerUrls);
  const etcdctl = options.etcdctl ?? 'etcdctl';
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(etcdctl, args, { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => reject(new Error(`cannot run ${etcdctl} (install Debian's etcd-client): ${err.message}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`etcdctl ${args.join(' ')} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}
