import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../../lib/errors.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import type { StoreEvent } from '../../daemon/store/object-store.js';

function pod(name: string, labels: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] },
  };
}

function codeOf(promise: Promise<unknown>): Promise<number> {
  return promise.then(
    () => 0,
    (err: unknown) => (err instanceof ApiError ? err.code : -1),
  );
}

// The behaviour both backends share is in test/integration/object-store.contract.test.ts;
// this file keeps what is nedb's own: exact counter values, the datafile, group commit.
describe('NedbObjectStore', () => {
  let store: NedbObjectStore;
  beforeEach(async () => {
    store = new NedbObjectStore({ clock: () => new Date('2024-05-01T12:00:00.123Z') });
    await store.open();
  });
  afterEach(() => store.close());

  it('creates, gets, lists, updates and deletes', async () => {
    const created = await store.create('pods', pod('a'));
    assert.equal(created.metadata.resourceVersion, '1');
    assert.deepEqual((await store.get('pods', 'default', 'a')).spec, created.spec);
    await store.create('pods', pod('b', {}, 'other'));
    assert.deepEqual((await store.list('pods')).items.map((p) => p.metadata.name), ['a', 'b']);
    const inDefault = await store.list('pods', { namespace: 'default' });
    assert.deepEqual(inDefault.items.map((p) => p.metadata.name), ['a']);
    assert.equal(inDefault.metadata.resourceVersion, '2');

    const updated = await store.update('pods', { ...created, metadata: { ...created.metadata, labels: { x: 'y' } } });
    assert.equal(updated.metadata.resourceVersion, '3');
    assert.deepEqual(updated.metadata.labels, { x: 'y' });

    const deleted = await store.delete('pods', 'default', 'a');
    assert.equal(deleted.metadata.resourceVersion, '4', 'a delete stamps the object with its own version');
    assert.equal(await codeOf(store.get('pods', 'default', 'a')), 404);
    assert.equal(await codeOf(store.delete('pods', 'default', 'a')), 404);
    assert.equal(store.currentResourceVersion(), 4);
  });

  it('never lists a version whose write is still in flight (a watch from it would miss that write)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-store-race-'));
    const disk = new NedbObjectStore({ dataDir: dir });
    await disk.open();
    try {
      const base = await disk.create('pods', pod('a'));
      const pending = disk.update('pods', { ...base, metadata: { ...base.metadata, labels: { v: '2' } } });
      let written = false;
      void pending.then(() => (written = true));
      // Look while the update travels to the disk: every list must be consistent with its version.
      while (!written) {
        const list = await disk.list('pods');
        const shown = list.items[0]?.metadata.labels?.v === '2';
        const listedVersion = Number(list.metadata.resourceVersion);
        assert.equal(listedVersion > Number(base.metadata.resourceVersion), shown, `list at version ${listedVersion} shows the update: ${shown}`);
        await new Promise((r) => setImmediate(r));
      }
      await pending;
    } finally {
      await disk.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('gives concurrent creates distinct, increasing versions', async () => {
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create('pods', pod(`p${i}`))));
    const versions = created.map((p) => Number(p.metadata.resourceVersion));
    assert.deepEqual(versions, Array.from({ length: 20 }, (_, i) => i + 1));
  });

  describe('watch', () => {
    it('from 0 sends ADDED for current objects, then live events in order', async () => {
      await store.create('pods', pod('a'));
      await store.create('pods', pod('b'));
      const events: StoreEvent[] = [];
      const stop = store.watch('pods', {}, (e) => events.push(e));
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'a'], ['ADDED', 'b']]);
      await store.delete('pods', 'default', 'a');
      stop();
      await store.create('pods', pod('c'));
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name, e.resourceVersion]), [
        ['ADDED', 'a', 1],
        ['ADDED', 'b', 2],
        ['DELETED', 'a', 3],
      ]);
    });

    it('from N replays exactly the changes after N', async () => {
      const a = await store.create('pods', pod('a'));
      await store.create('nodes', { kind: 'Node', metadata: { name: 'n' } });
      await store.update('pods', { ...a, metadata: { ...a.metadata, labels: { v: '2' } } });
      await store.create('pods', pod('b'));
      const events: StoreEvent[] = [];
      store.watch('pods', { resourceVersion: 1 }, (e) => events.push(e));
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name, e.resourceVersion]), [
        ['MODIFIED', 'a', 3],
        ['ADDED', 'b', 4],
      ]);
    });

    it('fails with 410 Gone when the version is older than the history', async () => {
      const small = new NedbObjectStore({ historySize: 2 });
      await small.open();
      for (const name of ['a', 'b', 'c', 'd']) await small.create('pods', pod(name));
      assert.throws(() => small.watch('pods', { resourceVersion: 1 }, () => {}), (err: ApiError) => {
        assert.equal(err.code, 410);
        assert.equal(err.message, 'too old resource version: 1 (2)');
        return true;
      });
      const events: StoreEvent[] = [];
      small.watch('pods', { resourceVersion: 2 }, (e) => events.push(e));
      assert.deepEqual(events.map((e) => e.resourceVersion), [3, 4]);
      await small.close();
    });

  });

  describe('persistence', () => {
    let dataDir: string;
    beforeEach(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-store-'));
    });
    afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

    it('keeps objects with dotted labels and a counter that never goes backwards', async () => {
      const first = new NedbObjectStore({ dataDir });
      await first.open();
      await first.create('nodes', { kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', $odd: 'x' } } });
      await first.create('pods', pod('a'));
      await first.create('pods', pod('b'));
      await first.delete('pods', 'default', 'b');
      const watchBefore: StoreEvent[] = [];
      first.watch('pods', { resourceVersion: 1 }, (e) => watchBefore.push(e));
      assert.equal(watchBefore.length, 3);
      await first.close();

      const second = new NedbObjectStore({ dataDir });
      await second.open();
      try {
        assert.equal(second.currentResourceVersion(), 4, 'the delete of the newest object is remembered');
        const node = await second.get('nodes', undefined, 'n1');
        assert.deepEqual(node.metadata.labels, { 'kubernetes.io/hostname': 'n1', $odd: 'x' });
        assert.equal((await second.get('pods', 'default', 'a')).metadata.resourceVersion, '2');
        assert.equal((await second.list('pods')).items.length, 1);
        assert.throws(() => second.watch('pods', { resourceVersion: 3 }, () => {}), (err: ApiError) => err.code === 410);
        const resumed: StoreEvent[] = [];
        second.watch('pods', { resourceVersion: 4 }, (e) => resumed.push(e));
        const c = await second.create('pods', pod('c'));
        assert.equal(c.metadata.resourceVersion, '5');
        assert.deepEqual(resumed.map((e) => e.object.metadata.name), ['c']);
      } finally {
        await second.close();
      }
    });

    it('compacts the append-only datafile to one line per live document', async () => {
      const store = new NedbObjectStore({ dataDir, compactEveryWrites: 5 });
      await store.open();
      let a = await store.create('pods', pod('a'));
      for (let i = 0; i < 9; i += 1) a = await store.update('pods', { ...a, metadata: { ...a.metadata, labels: { i: String(i) } } });
      await store.close();
      const lines = (await fs.readFile(path.join(dataDir, 'objects.db'), 'utf8')).trim().split('\n');
      assert.equal(lines.length, 1);
    });
  });

  describe('group commit', () => {
    let dataDir: string;
    beforeEach(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-group-commit-'));
    });
    afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

    it('appends concurrent writes in few batches, acknowledges each only once its line is in the file, in version order', async () => {
      const disk = new NedbObjectStore({ dataDir });
      await disk.open();
      try {
        const seen: number[] = [];
        disk.watch('pods', { resourceVersion: disk.currentResourceVersion() }, (e) => seen.push(e.resourceVersion));
        const inFileWhenAcknowledged: boolean[] = [];
        const writes = Array.from({ length: 100 }, (_, i) =>
          disk.create('pods', pod(`p${i}`)).then((created) => {
            const file = readFileSync(path.join(dataDir, 'objects.db'), 'utf8');
            inFileWhenAcknowledged.push(file.includes(`"_id":"pods/default/p${i}"`));
            return created;
          }),
        );
        const created = await Promise.all(writes);
        assert.deepEqual(created.map((p) => Number(p.metadata.resourceVersion)), Array.from({ length: 100 }, (_, i) => i + 1));
        assert.ok(inFileWhenAcknowledged.every(Boolean), 'every acknowledged write was already in the datafile');
        assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i + 1), 'watchers hear every write once, in version order');
        const { batches, appends } = disk.appendStats();
        assert.equal(appends, 100);
        assert.ok(batches < 10, `100 concurrent writes went to the file in ${batches} appends`);
      } finally {
        await disk.close();
      }
    });

    it('keeps conflicts between writes of one batch: the second update from the same version fails', async () => {
      const disk = new NedbObjectStore({ dataDir });
      await disk.open();
      try {
        const base = await disk.create('pods', pod('a'));
        const results = await Promise.allSettled([
          disk.update('pods', { ...base, metadata: { ...base.metadata, labels: { by: 'one' } } }),
          disk.update('pods', { ...base, metadata: { ...base.metadata, labels: { by: 'two' } } }),
          disk.create('pods', pod('a')),
        ]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected']);
        assert.equal(((results[1] as PromiseRejectedResult).reason as ApiError).code, 409);
        assert.equal(((results[2] as PromiseRejectedResult).reason as ApiError).reason, 'AlreadyExists');
        assert.deepEqual((await disk.get('pods', 'default', 'a')).metadata.labels, { by: 'one' });
      } finally {
        await disk.close();
      }
    });

    it('compacts in the background while writes go on, and loses none of them', async () => {
      const busy = new NedbObjectStore({ dataDir, compactEveryWrites: 10 });
      await busy.open();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 300) await busy.create('pods', pod(`p${next++}`));
        }),
      );
      // The rewrite starts during the writes and runs in the background: on a loaded machine it may still be finishing.
      for (let i = 0; i < 200 && busy.appendStats().rewrites < 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(busy.appendStats().rewrites >= 1, 'the datafile was rewritten during the writes');
      // Restarted without close: the file as the compactions and appends left it.
      const restarted = new NedbObjectStore({ dataDir });
      await restarted.open();
      try {
        assert.equal((await restarted.list('pods')).items.length, 300);
      } finally {
        await restarted.close();
      }
    });

    it('a restart without close (a crash) finds every acknowledged write, deletes included', async () => {
      const crashed = new NedbObjectStore({ dataDir });
      await crashed.open();
      await Promise.all(Array.from({ length: 30 }, (_, i) => crashed.create('pods', pod(`p${i}`))));
      await Promise.all([crashed.delete('pods', 'default', 'p29'), crashed.delete('pods', 'default', 'p0')]);
      // No close(): nothing is compacted or flushed beyond what the acknowledgements promised.
      const restarted = new NedbObjectStore({ dataDir });
      await restarted.open();
      try {
        const list = await restarted.list('pods');
        assert.equal(list.items.length, 28);
        assert.equal(restarted.currentResourceVersion(), 32, 'the counter of the newest write, a delete, survived');
      } finally {
        await restarted.close();
      }
    });
  });
});
