// Watches that resume on a server started after their last event: the etcd store's watch cache
// begins at the server's start, so a resourceVersion from before it is served from an etcd watch
// of its own (etcd-store.ts watchFromEtcd) instead of 410 Gone, as long as etcd has not compacted
// it. Two stores on one real etcd (Debian's etcd-server on free loopback ports) play two API
// servers: the first takes the writes, the second opens later and serves the old watch.

import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import type { ApiError } from '../../lib/errors.js';
import { EtcdObjectStore } from '../../daemon/store/etcd-store.js';
import type { StoreEvent } from '../../daemon/store/object-store.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import { untilPasses } from '../helpers/until-passes.js';

const CLOCK = () => new Date('2024-05-01T12:00:00.123Z');
const rv = (obj: KubeObject): number => Number(obj.metadata.resourceVersion);
const seen = (events: StoreEvent[]) => events.map((e) => [e.type, e.object.metadata.name, e.resourceVersion]);

function pod(name: string, labels: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } };
}

describe('etcd store: a watch older than the watch cache is served from etcd', function () {
  this.timeout(30_000);
  let etcd: EtcdProcess | undefined;
  let prefixes = 0;
  let first: EtcdObjectStore;
  let second: EtcdObjectStore | undefined;

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });
  beforeEach(async () => {
    prefixes += 1;
    first = await open();
    second = undefined;
  });
  afterEach(async () => {
    await first.close();
    await second?.close();
  });

  async function open(): Promise<EtcdObjectStore> {
    const store = new EtcdObjectStore({ endpoints: [etcd!.endpoint], prefix: `/registry-resume-${prefixes}/`, clock: CLOCK, compactionIntervalMs: 0 });
    await store.open();
    return store;
  }

  it('replays every change after the version in order, with previous states, then follows live writes of any server', async () => {
    const a = await first.create('pods', pod('a', { v: '1' }));
    await first.create('nodes', { kind: 'Node', metadata: { name: 'n' } });
    const a2 = await first.update('pods', { ...a, metadata: { ...a.metadata, labels: { v: '2' } } });
    const b = await first.create('pods', pod('b'));
    const bGone = await first.delete('pods', 'default', 'b');
    second = await open(); // a server started after those writes: its cache begins after them

    const fromCache: StoreEvent[] = [];
    first.watch('pods', { resourceVersion: rv(a) }, (e) => fromCache.push(e))();
    const events: StoreEvent[] = [];
    const errors: ApiError[] = [];
    const stop = second.watch('pods', { resourceVersion: rv(a), onError: (e) => errors.push(e) }, (e) => events.push(e));
    try {
      await untilPasses(() => assert.equal(events.length, 3));
      assert.deepEqual(seen(events), [
        ['MODIFIED', 'a', rv(a2)],
        ['ADDED', 'b', rv(b)],
        ['DELETED', 'b', rv(bGone)],
      ]);
      assert.deepEqual(seen(events), seen(fromCache), 'the same events the first server\'s cache gives');
      assert.deepEqual(events[0].previous?.metadata.labels, { v: '1' }, 'MODIFIED carries the state before');
      assert.equal(events[2].object.metadata.resourceVersion, String(rv(bGone)), 'DELETED is stamped with the delete\'s version');
      assert.equal(events[2].object.metadata.uid, b.metadata.uid);

      const c = await first.create('pods', pod('c'));
      const a3 = await second.update('pods', { ...a2, metadata: { ...a2.metadata, labels: { v: '3' } } });
      await untilPasses(() => assert.equal(events.length, 5));
      assert.deepEqual(seen(events).slice(3), [
        ['ADDED', 'c', rv(c)],
        ['MODIFIED', 'a', rv(a3)],
      ]);
      assert.deepEqual(errors, []);
    } finally {
      stop();
    }
    // After stop: a new etcd-served watch from the same version hears a later write; the stopped one does not.
    const check: StoreEvent[] = [];
    const stopCheck = second.watch('pods', { resourceVersion: rv(a) }, (e) => check.push(e));
    try {
      await first.create('pods', pod('after-stop'));
      await untilPasses(() => assert.deepEqual(check.at(-1)?.object.metadata.name, 'after-stop'));
      assert.equal(events.length, 5);
    } finally {
      stopCheck();
    }
  });

  it('a filtered watch sees objects start and stop matching as ADDED and DELETED, as from the cache', async () => {
    const a = await first.create('pods', pod('a', { app: 'web' }));
    const nowDb = await first.update('pods', { ...a, metadata: { ...a.metadata, labels: { app: 'db' } } });
    const stillDb = await first.update('pods', { ...nowDb, metadata: { ...nowDb.metadata, labels: { app: 'db', x: '1' } } });
    const web = await first.update('pods', { ...stillDb, metadata: { ...stillDb.metadata, labels: { app: 'web' } } });
    await first.create('pods', pod('other', { app: 'db' }, 'elsewhere'));
    second = await open();
    const events: StoreEvent[] = [];
    const stop = second.watch('pods', { resourceVersion: rv(a), namespace: 'default', filter: (o) => o.metadata.labels?.app === 'db' }, (e) => events.push(e));
    try {
      await untilPasses(() => assert.equal(events.length, 3));
      const db = await first.create('pods', pod('db', { app: 'db' }));
      await untilPasses(() => assert.equal(events.length, 4));
      assert.deepEqual(seen(events), [
        ['ADDED', 'a', rv(nowDb)],
        ['MODIFIED', 'a', rv(stillDb)],
        ['DELETED', 'a', rv(web)],
        ['ADDED', 'db', rv(db)],
      ]);
      assert.deepEqual(events[2].object.metadata.labels, { app: 'db', x: '1' }, 'DELETED carries the last matching state');
    } finally {
      stop();
    }
  });

  it('a version etcd has compacted ends the watch with 410 Expired (at once when this server compacted, else when etcd says so)', async () => {
    const a = await first.create('pods', pod('a'));
    let last = a;
    for (let i = 0; i < 3; i += 1) last = await first.update('pods', { ...last, metadata: { ...last.metadata, labels: { i: String(i) } } });
    second = await open();
    await first.compact(rv(last)); // another server compacted: the second does not know

    const errors: ApiError[] = [];
    const events: StoreEvent[] = [];
    const stop = second.watch('pods', { resourceVersion: rv(a), onError: (e) => errors.push(e) }, (e) => events.push(e));
    await untilPasses(() => assert.equal(errors.length, 1));
    stop();
    assert.equal(errors[0].code, 410);
    assert.equal(errors[0].reason, 'Expired');
    assert.match(errors[0].message, /^too old resource version: \d+ \(etcd compacted its history past it\)$/);
    assert.deepEqual(events, []);

    assert.throws(() => first.watch('pods', { resourceVersion: rv(a) }, () => {}), (err: ApiError) => err.code === 410, 'the server that compacted answers at once');
  });
});
