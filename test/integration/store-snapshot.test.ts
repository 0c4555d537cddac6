// `kubelabd snapshot save|restore` on both backends: what was saved comes back after a restore,
// the same objects with the same uids, and a Secret saved encrypted decrypts with the server's key.
// The etcd case restores into a new data directory and starts a second etcd on it, as a user does.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../lib/api/types.js';
import { ensureEncryption } from '../../daemon/store/encryption-config.js';
import { EtcdObjectStore } from '../../daemon/store/etcd-store.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import type { ObjectStore } from '../../daemon/store/object-store.js';
import { STORE_DIRECTORY } from '../../daemon/store/rotate-encryption-key.js';
import { restoreSnapshot, saveSnapshot } from '../../daemon/store/store-snapshot.js';
import { freePort, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';

const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: name } });
const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, data: { password: 'c2VjcmV0' } };

/** Writes two ConfigMaps and a Secret; returns their uids by name. */
async function seed(store: ObjectStore): Promise<Map<string, string>> {
  const uids = new Map<string, string>();
  for (const obj of [configMap('one'), configMap('two'), secret]) {
    const resource = obj.kind === 'Secret' ? 'secrets' : 'configmaps';
    uids.set(obj.metadata.name!, (await store.create(resource, obj)).metadata.uid!);
  }
  return uids;
}

async function assertRestored(store: ObjectStore, uids: Map<string, string>): Promise<void> {
  const names = (await store.list('configmaps')).items.map((o) => [o.metadata.name, o.metadata.uid]);
  assert.deepEqual(names, [['one', uids.get('one')], ['two', uids.get('two')]], 'the objects saved, and not the one written after the save');
  const restoredSecret = await store.get('secrets', 'default', 'db');
  assert.equal(restoredSecret.metadata.uid, uids.get('db'));
  assert.deepEqual(restoredSecret.data, { password: 'c2VjcmV0' });
}

describe('kubelabd snapshot save and restore', function () {
  this.timeout(60_000);
  let scratch: string;
  const etcds: EtcdProcess[] = [];
  before(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-snapshot-'));
  });
  after(async () => {
    for (const etcd of etcds) await etcd.stop();
    await fs.rm(scratch, { recursive: true, force: true });
  });

  it('nedb: restores a copy of the datafile into a data dir; the store opens with the same objects and uids', async () => {
    const dataDir = path.join(scratch, 'nedb-server');
    await fs.mkdir(dataDir, { mode: 0o700 });
    const transformer = await ensureEncryption(dataDir);
    const store = new NedbObjectStore({ dataDir: path.join(dataDir, STORE_DIRECTORY), transformer });
    await store.open();
    const uids = await seed(store);
    await store.close();
    const file = path.join(scratch, 'nedb.snapshot');
    await saveSnapshot(file, dataDir, { type: 'nedb' });
    assert.doesNotMatch(await fs.readFile(file, 'utf8'), /c2VjcmV0/, 'the Secret stays encrypted in the snapshot');

    // After the backup: a change the restore must undo.
    const later = new NedbObjectStore({ dataDir: path.join(dataDir, STORE_DIRECTORY), transformer });
    await later.open();
    await later.create('configmaps', configMap('three'));
    await later.close();

    const result = await restoreSnapshot(file, dataDir, { type: 'nedb' });
    assert.match(result.note, /objects\.db\.before-restore/);
    const restored = new NedbObjectStore({ dataDir: path.join(dataDir, STORE_DIRECTORY), transformer });
    await restored.open();
    try {
      await assertRestored(restored, uids);
    } finally {
      await restored.close();
    }
  });

  it('nedb: refuses to save while a server holds the store', async () => {
    const dataDir = path.join(scratch, 'nedb-running');
    const store = new NedbObjectStore({ dataDir: path.join(dataDir, STORE_DIRECTORY) });
    await store.open();
    try {
      // The lock is this process's own here; a running kubelabd is another process: simulate it.
      await fs.writeFile(path.join(dataDir, STORE_DIRECTORY, 'LOCK'), `${process.ppid}\n`);
      await assert.rejects(saveSnapshot(path.join(scratch, 'x'), dataDir, { type: 'nedb' }), /is in use by process \d+ \(a running kubelabd server\?\): stop it first/);
    } finally {
      await fs.rm(path.join(dataDir, STORE_DIRECTORY, 'LOCK'), { force: true });
      await store.close();
    }
  });

  it('etcd: saves etcd\'s own snapshot, restores it into a new data dir; a new etcd on it has the same objects and uids', async () => {
    const etcd = await startEtcd();
    etcds.push(etcd);
    const dataDir = path.join(scratch, 'etcd-server');
    await fs.mkdir(dataDir, { mode: 0o700 });
    const transformer = await ensureEncryption(dataDir);
    const store = new EtcdObjectStore({ endpoints: [etcd.endpoint], transformer, compactionIntervalMs: 0 });
    await store.open();
    const uids = await seed(store);
    const file = path.join(scratch, 'etcd.snapshot');
    try {
      const saved = await saveSnapshot(file, dataDir, { type: 'etcd', endpoints: [etcd.endpoint] });
      assert.ok(saved.bytes > 0);
      await store.create('configmaps', configMap('three'));
    } finally {
      await store.close();
    }

    const clientPort = await freePort();
    const peerPort = await freePort();
    const restoredDir = path.join(scratch, 'etcd-restored');
    const result = await restoreSnapshot(file, dataDir, { type: 'etcd', endpoints: [] }, {
      etcdDataDir: restoredDir,
      name: 'default',
      initialCluster: `default=http://127.0.0.1:${peerPort}`,
      initialAdvertisePeerUrls: `http://127.0.0.1:${peerPort}`,
    });
    assert.match(result.note, new RegExp(`start etcd with --data-dir ${restoredDir}`));
    const restoredEtcd = await startEtcd({ dataDir: restoredDir, clientPort, peerPort });
    etcds.push(restoredEtcd);
    const restored = new EtcdObjectStore({ endpoints: [restoredEtcd.endpoint], transformer, compactionIntervalMs: 0 });
    await restored.open();
    try {
      await assertRestored(restored, uids);
    } finally {
      await restored.close();
    }
  });

  it('etcd: restore refuses without a new data dir, and a save names the etcd that does not answer', async () => {
    await assert.rejects(restoreSnapshot(path.join(scratch, 'etcd.snapshot'), scratch, { type: 'etcd', endpoints: [] }), /needs --etcd-data-dir/);
    const port = await freePort();
    await assert.rejects(
      saveSnapshot(path.join(scratch, 'none'), scratch, { type: 'etcd', endpoints: [`http://127.0.0.1:${port}`] }),
      new RegExp(`^Error: etcd at http://127.0.0.1:${port} does not answer \\(`),
    );
  });
});
