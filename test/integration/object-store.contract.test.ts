// The ObjectStore contract, run on both backends: the embedded nedb store and the store on a real
// etcd (Debian's etcd-server, started by this file on free loopback ports). Whatever the API
// server, the controllers and the clients rely on (versions, conflicts, watch order with previous
// values, resuming, 410 Gone once history is gone, list versions, paging) must hold on both, so
// the backend is a deployment choice, never a behaviour change.
//
// Versions are compared, never spelled out: nedb counts from 1, etcd's revision is database-wide.

import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, conflict } from '../../lib/errors.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { EtcdObjectStore } from '../../daemon/store/etcd-store.js';
import type { ObjectStore, StoreEvent } from '../../daemon/store/object-store.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';

interface Backend {
  store: ObjectStore;
  /** Makes the store forget its history up to `version` (nedb: writes push it out; etcd: compaction). */
  forgetHistoryUpTo(version: number): Promise<void>;
}

const NEDB_HISTORY = 20;
const CLOCK = () => new Date('2024-05-01T12:00:00.123Z');

function pod(name: string, labels: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
  return err;
}

const rv = (obj: KubeObject): number => Number(obj.metadata.resourceVersion);
const seen = (events: StoreEvent[]) => events.map((e) => [e.type, e.object.metadata.name, e.resourceVersion]);

function objectStoreContract(name: string, makeBackend: () => Promise<Backend>): void {
  describe(`ObjectStore contract: ${name}`, function () {
    this.timeout(20_000);
    let store: ObjectStore;
    let backend: Backend;
    beforeEach(async () => {
      backend = await makeBackend();
      store = backend.store;
    });
    afterEach(() => store.close());

    it('creates, gets, lists, updates and deletes with increasing versions', async () => {
      const created = await store.create('pods', pod('a'));
      assert.equal(rv(await store.get('pods', 'default', 'a')), rv(created));
      const other = await store.create('pods', pod('b', {}, 'other'));
      assert.ok(rv(other) > rv(created));
      assert.deepEqual((await store.list('pods')).items.map((p) => p.metadata.name), ['a', 'b']);
      const inDefault = await store.list('pods', { namespace: 'default' });
      assert.deepEqual(inDefault.items.map((p) => p.metadata.name), ['a']);

      const updated = await store.update('pods', { ...created, metadata: { ...created.metadata, labels: { x: 'y' } } });
      assert.ok(rv(updated) > rv(other));
      assert.deepEqual((await store.get('pods', 'default', 'a')).metadata.labels, { x: 'y' });

      const deleted = await store.delete('pods', 'default', 'a');
      assert.ok(rv(deleted) > rv(updated), 'a delete stamps the object with its own version');
      assert.equal((await failure(store.get('pods', 'default', 'a'))).message, 'pods "a" not found');
      assert.equal((await failure(store.delete('pods', 'default', 'a'))).code, 404);
      assert.equal(store.currentResourceVersion(), rv(deleted));
    });

    it('keys cluster-scoped objects without a namespace', async () => {
      await store.create('nodes', { kind: 'Node', metadata: { name: 'n1' }, spec: {} });
      assert.equal((await store.get('nodes', undefined, 'n1')).metadata.name, 'n1');
      assert.deepEqual((await store.list('nodes')).items.map((n) => n.metadata.name), ['n1']);
    });

    it('stamps uid, creationTimestamp and generation, and keeps identity on update', async () => {
      const created = await store.create('pods', pod('a'));
      assert.match(created.metadata.uid!, /^[0-9a-f-]{36}$/);
      assert.equal(created.metadata.creationTimestamp, '2024-05-01T12:00:00Z');
      assert.equal(created.metadata.generation, 1);
      const labelled = await store.update('pods', { ...created, metadata: { ...created.metadata, uid: 'forged', labels: { a: 'b' } } });
      assert.equal(labelled.metadata.uid, created.metadata.uid);
      assert.equal(labelled.metadata.generation, 1, 'metadata-only change keeps the generation');
      const respec = await store.update('pods', { ...labelled, spec: { containers: [{ name: 'c', image: 'kubelab/hello:v1' }] } });
      assert.equal(respec.metadata.generation, 2, 'spec change bumps the generation');
      assert.equal((await store.get('pods', 'default', 'a')).metadata.uid, created.metadata.uid);
    });

    it('answers a second create of the same name with 409 AlreadyExists', async () => {
      await store.create('pods', pod('a'));
      const err = await failure(store.create('pods', pod('a')));
      assert.equal(err.code, 409);
      assert.equal(err.reason, 'AlreadyExists');
      assert.equal(err.message, 'pods "a" already exists');
    });

    it('lets exactly one of concurrent creates of one name win', async () => {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.create('pods', pod('race'))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    it('guards update and delete by resourceVersion: 409 Conflict with the real message', async () => {
      const created = await store.create('pods', pod('a'));
      await store.update('pods', created);
      const err = await failure(store.update('pods', created));
      assert.equal(err.code, 409);
      assert.equal(err.reason, 'Conflict');
      assert.equal(err.message, 'Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the latest version and try again');
      const staleDelete = await failure(store.delete('pods', 'default', 'a', { resourceVersion: created.metadata.resourceVersion }));
      assert.equal(staleDelete.code, 409);
      assert.match(staleDelete.message, /^Operation cannot be fulfilled on pods "a": Precondition failed: ResourceVersion in precondition: /);
      assert.equal((await failure(store.delete('pods', 'default', 'a', { uid: 'other' }))).code, 409);
      const current = await store.get('pods', 'default', 'a');
      await store.delete('pods', 'default', 'a', { uid: created.metadata.uid, resourceVersion: current.metadata.resourceVersion });
      assert.equal((await failure(store.get('pods', 'default', 'a'))).code, 404);
    });

    it('guaranteedUpdate retries on conflict and skips unchanged writes', async () => {
      await store.create('pods', pod('a'));
      let calls = 0;
      const result = await store.guaranteedUpdate('pods', 'default', 'a', async (current) => {
        calls += 1;
        if (calls === 1) await store.update('pods', { ...current, metadata: { ...current.metadata, labels: { racing: 'yes' } } });
        return { ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, mine: 'yes' } } };
      });
      assert.equal(calls, 2);
      assert.deepEqual(result.metadata.labels, { racing: 'yes', mine: 'yes' });
      const before = store.currentResourceVersion();
      await store.guaranteedUpdate('pods', 'default', 'a', (current) => current);
      assert.equal(store.currentResourceVersion(), before, 'no write when nothing changed');
    });

    it('returns copies: mutating a result does not change the store', async () => {
      const created = await store.create('pods', pod('a', { app: 'web' }));
      created.metadata.labels!.app = 'changed';
      assert.equal((await store.get('pods', 'default', 'a')).metadata.labels!.app, 'web');
    });

    it('answers a list with the version of the latest write, from which a watch misses nothing', async () => {
      await store.create('pods', pod('a'));
      const last = await store.create('pods', pod('b'));
      const list = await store.list('pods');
      assert.equal(Number(list.metadata.resourceVersion), rv(last));
      const events: StoreEvent[] = [];
      const stop = store.watch('pods', { resourceVersion: Number(list.metadata.resourceVersion) }, (e) => events.push(e));
      assert.deepEqual(events, [], 'nothing the list already showed');
      const c = await store.create('pods', pod('c'));
      stop();
      assert.deepEqual(seen(events), [['ADDED', 'c', rv(c)]]);
    });

    describe('watch', () => {
      it('from 0 sends ADDED for current objects, then every change in order with the previous state', async () => {
        const a = await store.create('pods', pod('a', { v: '1' }));
        const b = await store.create('pods', pod('b'));
        const events: StoreEvent[] = [];
        const stop = store.watch('pods', {}, (e) => events.push(e));
        const a2 = await store.update('pods', { ...a, metadata: { ...a.metadata, labels: { v: '2' } } });
        const gone = await store.delete('pods', 'default', 'a');
        stop();
        await store.create('pods', pod('after-stop'));
        assert.deepEqual(seen(events), [
          ['ADDED', 'a', rv(a)],
          ['ADDED', 'b', rv(b)],
          ['MODIFIED', 'a', rv(a2)],
          ['DELETED', 'a', rv(gone)],
        ]);
        assert.deepEqual(events[2].previous?.metadata.labels, { v: '1' }, 'MODIFIED carries the state before');
        assert.deepEqual(events[3].previous?.metadata.labels, { v: '2' }, 'DELETED carries the last state');
        assert.equal(events[3].object.metadata.resourceVersion, String(rv(gone)), 'stamped with the delete\'s version');
      });

      it('from N replays exactly the changes of the resource after N, then follows live', async () => {
        const a = await store.create('pods', pod('a'));
        await store.create('nodes', { kind: 'Node', metadata: { name: 'n' } });
        const a2 = await store.update('pods', { ...a, metadata: { ...a.metadata, labels: { v: '2' } } });
        const b = await store.create('pods', pod('b'));
        const events: StoreEvent[] = [];
        const stop = store.watch('pods', { resourceVersion: rv(a) }, (e) => events.push(e));
        assert.deepEqual(seen(events), [
          ['MODIFIED', 'a', rv(a2)],
          ['ADDED', 'b', rv(b)],
        ]);
        const c = await store.create('pods', pod('c'));
        stop();
        assert.deepEqual(seen(events).at(-1), ['ADDED', 'c', rv(c)]);
      });

      it('turns MODIFIED into ADDED or DELETED for a filtered watch', async () => {
        const a = await store.create('pods', pod('a', { app: 'web' }));
        const events: StoreEvent[] = [];
        const stop = store.watch('pods', { namespace: 'default', filter: (o) => o.metadata.labels?.app === 'db' }, (e) => events.push(e));
        const nowDb = await store.update('pods', { ...a, metadata: { ...a.metadata, labels: { app: 'db' } } });
        const stillDb = await store.update('pods', { ...nowDb, metadata: { ...nowDb.metadata, labels: { app: 'db', x: '1' } } });
        const web = await store.update('pods', { ...stillDb, metadata: { ...stillDb.metadata, labels: { app: 'web' } } });
        await store.create('pods', pod('other', { app: 'db' }, 'elsewhere'));
        stop();
        assert.deepEqual(seen(events), [
          ['ADDED', 'a', rv(nowDb)],
          ['MODIFIED', 'a', rv(stillDb)],
          ['DELETED', 'a', rv(web)],
        ]);
        assert.deepEqual(events[2].object.metadata.labels, { app: 'db', x: '1' }, 'DELETED carries the last matching state');
      });

      it('answers 410 Gone (Expired, too old resource version) once the history is gone, and resumes from after it', async () => {
        const a = await store.create('pods', pod('a'));
        let last = a;
        for (let i = 0; i < 3; i += 1) last = await store.update('pods', { ...last, metadata: { ...last.metadata, labels: { i: String(i) } } });
        await backend.forgetHistoryUpTo(rv(last));
        assert.throws(() => store.watch('pods', { resourceVersion: rv(a) }, () => {}), (err: ApiError) => {
          assert.equal(err.code, 410);
          assert.equal(err.reason, 'Expired');
          assert.match(err.message, /^too old resource version: /);
          return true;
        });
        const events: StoreEvent[] = [];
        const stop = store.watch('pods', { resourceVersion: store.currentResourceVersion() }, (e) => events.push(e));
        const b = await store.create('pods', pod('b'));
        stop();
        assert.deepEqual(seen(events).filter(([, name]) => name === 'b'), [['ADDED', 'b', rv(b)]]);
      });
    });

    describe('paging', () => {
      it('cuts a list into pages in key order, all read at the first page\'s version', async () => {
        for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await store.create('pods', pod(name));
        const first = await store.listPage('pods', { namespace: 'default', limit: 2 });
        assert.deepEqual(first.items.map((i) => i.object.metadata.name), ['p1', 'p2']);
        assert.equal(first.lastKey, 'p2');
        assert.equal(first.remainingItemCount, 3);
        assert.equal(JSON.parse(first.items[0].json).metadata.name, 'p1');
        // Changes after the first page are not seen by the later pages of the same list.
        await store.delete('pods', 'default', 'p3');
        await store.create('pods', pod('p35'));
        const second = await store.listPage('pods', { namespace: 'default', limit: 2, startKey: 'p2\u0000', resourceVersion: first.resourceVersion });
        assert.deepEqual(second.items.map((i) => i.object.metadata.name), ['p3', 'p4']);
        assert.equal(second.resourceVersion, first.resourceVersion);
        const third = await store.listPage('pods', { namespace: 'default', limit: 2, startKey: 'p4\u0000', resourceVersion: first.resourceVersion });
        assert.deepEqual(third.items.map((i) => i.object.metadata.name), ['p5']);
        assert.equal(third.lastKey, undefined);
        // A fresh list sees the latest state.
        assert.deepEqual((await store.list('pods', { namespace: 'default' })).items.map((p) => p.metadata.name), ['p1', 'p2', 'p35', 'p4', 'p5']);
      });

      it('filters pages with a selector and says keys remain without counting them', async () => {
        for (const [name, app] of [['a', 'web'], ['b', 'db'], ['c', 'web'], ['d', 'web']]) await store.create('pods', pod(name, { app }));
        const page = await store.listPage('pods', { limit: 2, filter: (o) => o.metadata.labels?.app === 'web' });
        assert.deepEqual(page.items.map((i) => i.object.metadata.name), ['a', 'c']);
        assert.equal(page.lastKey, 'default/c');
        assert.equal(page.remainingItemCount, undefined);
      });

      it('answers 410 Gone for a page at a version whose history is gone', async () => {
        for (const name of ['p1', 'p2', 'p3']) await store.create('pods', pod(name));
        const first = await store.listPage('pods', { limit: 1 });
        let last = await store.create('pods', pod('p4'));
        for (let i = 0; i < 2; i += 1) last = await store.update('pods', { ...last, metadata: { ...last.metadata, labels: { i: String(i) } } });
        await backend.forgetHistoryUpTo(rv(last));
        const err = await failure(store.listPage('pods', { limit: 1, startKey: 'default/p1\u0000', resourceVersion: first.resourceVersion }));
        assert.equal(err.code, 410);
        assert.equal(err.reason, 'Expired');
      });
    });
  });
}

objectStoreContract('nedb', async () => {
  const store = new NedbObjectStore({ clock: CLOCK, historySize: NEDB_HISTORY });
  await store.open();
  return {
    store,
    // nedb's history is a ring of the last NEDB_HISTORY changes: enough writes elsewhere push everything out.
    async forgetHistoryUpTo() {
      for (let i = 0; i <= NEDB_HISTORY; i += 1) await store.create('configmaps', { kind: 'ConfigMap', metadata: { name: `filler-${i}`, namespace: 'default' } });
    },
  };
});

describe('ObjectStore contract: etcd', () => {
  let etcd: EtcdProcess | undefined;
  let stores = 0;
  before(async function () {
    this.timeout(30_000);
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  // Every case gets its own key prefix on the one etcd: the stores do not see each other's objects.
  objectStoreContract('etcd v3', async () => {
    stores += 1;
    const store = new EtcdObjectStore({ endpoints: [etcd!.endpoint], prefix: `/registry-${stores}/`, clock: CLOCK, compactionIntervalMs: 0 });
    await store.open();
    return { store, forgetHistoryUpTo: (version) => store.compact(version) };
  });

  // Two servers on one etcd: each one's watch cache learns the other's writes a moment later.
  // A read-modify-write starts from that cache, so it must never lose or refuse on its lag.
  describe('two stores on one etcd (a watch cache behind etcd)', function () {
    this.timeout(20_000);
    let first: EtcdObjectStore;
    let second: EtcdObjectStore;
    beforeEach(async () => {
      stores += 1;
      first = new EtcdObjectStore({ endpoints: [etcd!.endpoint], prefix: `/registry-${stores}/`, clock: CLOCK, compactionIntervalMs: 0 });
      second = new EtcdObjectStore({ endpoints: [etcd!.endpoint], prefix: `/registry-${stores}/`, clock: CLOCK, compactionIntervalMs: 0 });
      await first.open();
      await second.open();
    });
    afterEach(async () => {
      await first.close();
      await second.close();
    });

    it('guaranteedUpdate right after the other store wrote keeps that write and applies its own on top', async () => {
      await first.create('pods', pod('a'));
      for (let i = 0; i < 20; i += 1) {
        await second.guaranteedUpdate('pods', 'default', 'a', (current) => ({ ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, second: String(i) } } }));
        await first.guaranteedUpdate('pods', 'default', 'a', (current) => ({ ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, first: String(i) } } }));
        assert.deepEqual((await second.get('pods', 'default', 'a')).metadata.labels, { second: String(i), first: String(i) });
      }
    });

    it('guaranteedUpdate with the version a client just read from the other store is no conflict', async () => {
      await first.create('pods', pod('a'));
      for (let i = 0; i < 20; i += 1) {
        const current = await second.get('pods', 'default', 'a');
        const read = await second.update('pods', { ...current, metadata: { ...current.metadata, labels: { round: String(i) } } });
        // As the API's precondition check does: the client's version must be the current one.
        const written = await first.guaranteedUpdate('pods', 'default', 'a', (current) => {
          if (current.metadata.resourceVersion !== read.metadata.resourceVersion) throw conflict('pods', 'a');
          return { ...current, metadata: { ...current.metadata, labels: { round: String(i), by: 'first' } } };
        });
        assert.deepEqual(written.metadata.labels, { round: String(i), by: 'first' });
      }
    });

    it('a read-modify-write nobody races is one etcd transaction and no read', async () => {
      await first.create('pods', pod('a'));
      const before = await etcdRequests(etcd!.endpoint);
      for (let i = 0; i < 10; i += 1) {
        await first.guaranteedUpdate('pods', 'default', 'a', (current) => ({ ...current, metadata: { ...current.metadata, labels: { i: String(i) } } }));
      }
      const after = await etcdRequests(etcd!.endpoint);
      assert.deepEqual({ Range: after.Range - before.Range, Txn: after.Txn - before.Txn }, { Range: 0, Txn: 10 });
    });
  });
});

/** How many Range and Txn requests etcd has answered (its /metrics, grpc_server_handled_total). */
async function etcdRequests(endpoint: string): Promise<{ Range: number; Txn: number }> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const count = (method: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('grpc_server_handled_total{') && line.includes(`grpc_method="${method}"`))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  return { Range: count('Range'), Txn: count('Txn') };
}
