import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GOSSIP_KEYRING_SECRET, GossipKeyStore } from '../../daemon/pki/gossip-keys.js';
import { MemoryRegistry } from '../helpers/memory-registry.js';
import { untilPasses } from '../helpers/until-passes.js';

/** Two servers' key stores on one store: what several API servers on one etcd do. */
describe('the gossip keyring shared by several servers through the store', () => {
  const dirs: string[] = [];
  const stores: GossipKeyStore[] = [];
  const open = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-gossip-shared-'));
    dirs.push(dir);
    const store = await GossipKeyStore.open(dir, 0);
    stores.push(store);
    return { dir, store };
  };
  const keysOf = (store: GossipKeyStore) => store.keyring.list().map((k) => k.key);
  afterEach(async () => {
    for (const store of stores.splice(0)) store.stop();
    for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
  });

  it('the first server publishes its ring; the next adopts it, in memory and in its file', async () => {
    const registry = new MemoryRegistry();
    const first = await open();
    await first.store.shareThrough(registry);
    const second = await open();
    assert.notDeepEqual(keysOf(second.store), keysOf(first.store), 'each made a ring of its own at first');
    await second.store.shareThrough(registry);
    assert.deepEqual(keysOf(second.store), keysOf(first.store));
    const file = JSON.parse(await fs.readFile(path.join(second.dir, 'gossip-keyring.json'), 'utf8')) as { keys: { key: string }[] };
    assert.deepEqual(file.keys.map((k) => k.key), keysOf(first.store));
    const secret = await registry.get('secrets', GOSSIP_KEYRING_SECRET.namespace, GOSSIP_KEYRING_SECRET.name);
    assert.equal((secret as { type?: string }).type, 'kubelab.io/gossip-keyring');
  });

  it('a rotation on one server reaches the other through the watch', async () => {
    const registry = new MemoryRegistry();
    const first = await open();
    const second = await open();
    await first.store.shareThrough(registry);
    await second.store.shareThrough(registry);
    const rotated = await second.store.rotate();
    assert.equal(rotated.keys.length, 2);
    // The watch handler writes the file, then takes the keys.
    await untilPasses(async () => assert.deepEqual(keysOf(first.store), rotated.keys.map((k) => k.key)), 2_000, 10);
    assert.deepEqual(keysOf(first.store).slice(1), keysOf(second.store).slice(1));
  });
});
