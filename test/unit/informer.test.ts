import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { Informer } from '../../lib/client/informer.js';
import { objectKey, splitKey } from '../../lib/client/object-key.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { ManualClock } from '../../lib/clock.js';
import { object, ScriptedApiClient } from '../helpers/scripted-api-client.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records what the handlers heard, as `ADDED default/a`. */
function recordEvents(informer: Informer): string[] {
  const heard: string[] = [];
  informer.addEventHandler({
    onAdd: (obj) => heard.push(`ADDED ${objectKey(obj)}`),
    onUpdate: (_old, obj) => heard.push(`MODIFIED ${objectKey(obj)}`),
    onDelete: (obj) => heard.push(`DELETED ${objectKey(obj)}`),
  });
  return heard;
}

describe('objectKey / splitKey', () => {
  it('namespace/name for namespaced objects, the name alone for cluster-scoped ones, and back', () => {
    assert.equal(objectKey(object('web', '1')), 'default/web');
    assert.equal(objectKey({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } } as KubeObject), 'node-1');
    assert.deepEqual(splitKey('default/web'), { namespace: 'default', name: 'web' });
    assert.deepEqual(splitKey('node-1'), { namespace: undefined, name: 'node-1' });
  });
});

describe('Informer', () => {
  let client: ScriptedApiClient;
  let clock: ManualClock;
  let abort: AbortController;

  beforeEach(() => {
    client = new ScriptedApiClient();
    clock = new ManualClock();
    abort = new AbortController();
  });
  afterEach(() => abort.abort());

  it('lists and watches with the same list options, the watch from the list\'s resourceVersion', async () => {
    client.setList('pods', '10', [object('a', '5', 'default', { app: 'web' })]);
    const listOptions = { namespace: 'default', labelSelector: 'app=web', fieldSelector: 'spec.nodeName=node-1' };
    const informer = new Informer({ client, clock, resource: 'pods', listOptions });
    const heard = recordEvents(informer);
    void informer.start(abort.signal);
    await informer.waitForSync();
    await settle();
    assert.deepEqual(client.lists, [{ resource: 'pods', options: listOptions }]);
    assert.deepEqual(client.watches.map((watch) => watch.options), [{ ...listOptions, resourceVersion: '10' }]);
    assert.ok(informer.hasSynced);
    assert.deepEqual(heard, ['ADDED default/a']);
  });

  it('delivers watch events to its handlers and keeps the cache; an update with the same resourceVersion is no news', async () => {
    client.setList('pods', '10', [object('a', '5')]);
    const informer = new Informer({ client, clock, resource: 'pods' });
    const heard = recordEvents(informer);
    void informer.start(abort.signal);
    await informer.waitForSync();
    await settle();
    const [watch] = client.watches;
    watch.emit('ADDED', object('b', '11'));
    watch.emit('MODIFIED', object('a', '12'));
    watch.emit('MODIFIED', object('a', '12'));
    watch.emit('DELETED', object('b', '13'));
    assert.deepEqual(heard, ['ADDED default/a', 'ADDED default/b', 'MODIFIED default/a', 'DELETED default/b']);
    assert.deepEqual(informer.list().map(objectKey), ['default/a']);
    assert.equal(informer.get('default/a')?.metadata.resourceVersion, '12');
  });

  it('a handler that throws on a poison object is reported; the other handlers and the watch go on', async () => {
    client.setList('pods', '10', []);
    const errors: string[] = [];
    const informer = new Informer({ client, clock, resource: 'pods', onError: (error) => errors.push(String(error)) });
    informer.addEventHandler({
      onAdd: (obj) => {
        if (obj.metadata.name === 'poison') throw new TypeError('(c.ports ?? []).filter is not a function');
      },
    });
    const heard = recordEvents(informer);
    void informer.start(abort.signal);
    await informer.waitForSync();
    await settle();
    const [watch] = client.watches;
    watch.emit('ADDED', object('poison', '11'));
    watch.emit('ADDED', object('good', '12'));
    assert.deepEqual(heard, ['ADDED default/poison', 'ADDED default/good']);
    assert.deepEqual(errors, ['Error: an event handler of the pods informer failed: (c.ports ?? []).filter is not a function']);
    assert.equal(client.watches.length, 1, 'the same watch goes on');
  });

  it('resumes an ended watch from the last version it saw, without listing again', async () => {
    client.setList('pods', '10', []);
    const informer = new Informer({ client, clock, resource: 'pods' });
    void informer.start(abort.signal);
    await informer.waitForSync();
    await settle();
    client.watches[0].emit('ADDED', object('a', '15'));
    client.watches[0].end();
    await settle();
    assert.equal(client.watches.length, 2);
    assert.equal(client.watches[1].options.resourceVersion, '15');
    assert.equal(client.lists.length, 1);
  });

  it('after a watch that ends without an event, waits retryDelayMs before watching again (no hot loop)', async () => {
    client.setList('pods', '10', []);
    const informer = new Informer({ client, clock, resource: 'pods', retryDelayMs: 1000 });
    void informer.start(abort.signal);
    await informer.waitForSync();
    await settle();
    client.watches[0].end();
    for (let i = 0; i < 5; i++) await settle();
    assert.equal(client.watches.length, 1, 'no new watch before the delay');
    await clock.advance(1000);
    assert.equal(client.watches.length, 2);
    assert.equal(client.watches[1].options.resourceVersion, '10');
  });

  it('410 Gone: lists again, reports objects that vanished meanwhile as deletions, and watches from the new list', async () => {
    client.setList('pods', '10', [object('a', '5'), object('b', '6')]);
    const informer = new Informer({ client, clock, resource: 'pods' });
    const heard = recordEvents(informer);
    void informer.start(abort.signal);
    await informer.waitForSync();
    await settle();
    // Meanwhile b was deleted, a changed and c was created; the server's history no longer has version 10.
    client.setList('pods', '40', [object('a', '30'), object('c', '35')]);
    client.watches[0].gone();
    for (let i = 0; i < 5; i++) await settle();
    assert.deepEqual(heard, ['ADDED default/a', 'ADDED default/b', 'DELETED default/b', 'MODIFIED default/a', 'ADDED default/c']);
    assert.deepEqual(informer.list().map(objectKey).sort(), ['default/a', 'default/c']);
    assert.equal(client.lists.length, 2);
    assert.equal(client.watches.at(-1)!.options.resourceVersion, '40');
  });

  it('a handler added after the first list hears about every cached object; removing it stops the events', async () => {
    client.setList('pods', '10', [object('a', '5')]);
    const informer = new Informer({ client, clock, resource: 'pods' });
    void informer.start(abort.signal);
    await informer.waitForSync();
    const heard: string[] = [];
    const remove = informer.addEventHandler({ onAdd: (obj) => heard.push(objectKey(obj)) });
    assert.deepEqual(heard, ['default/a']);
    remove();
    await settle();
    client.watches[0].emit('ADDED', object('b', '11'));
    assert.deepEqual(heard, ['default/a']);
  });

  it('start() runs one loop however often it is called; waitForSync returns when the signal aborts', async () => {
    const informer = new Informer({ client, clock, resource: 'pods' });
    client.list = () => new Promise(() => {}); // a list that never answers
    const first = informer.start(abort.signal);
    assert.equal(informer.start(abort.signal), first);
    const waiting = informer.waitForSync(abort.signal);
    abort.abort();
    await waiting;
    assert.equal(informer.hasSynced, false);
  });
});

describe('SharedInformerFactory', () => {
  it('two components asking for the same resource and options share one informer and ONE watch', async () => {
    const client = new ScriptedApiClient();
    const clock = new ManualClock();
    const abort = new AbortController();
    client.setList('pods', '10', [object('a', '5')]);
    const factory = new SharedInformerFactory({ client, clock });
    const forReplicaSets = factory.informerFor('pods');
    const forEndpoints = factory.informerFor('pods', {});
    assert.equal(forReplicaSets, forEndpoints);
    const heardByReplicaSets = recordEvents(forReplicaSets);
    const heardByEndpoints = recordEvents(forEndpoints);
    void forReplicaSets.start(abort.signal);
    void forEndpoints.start(abort.signal);
    await forEndpoints.waitForSync();
    await settle();
    assert.equal(client.watches.length, 1);
    assert.equal(client.lists.length, 1);
    client.watches[0].emit('DELETED', object('a', '11'));
    assert.deepEqual(heardByReplicaSets, ['ADDED default/a', 'DELETED default/a']);
    assert.deepEqual(heardByEndpoints, ['ADDED default/a', 'DELETED default/a']);
    abort.abort();
  });

  it('different options are different informers (the scheduler\'s unbound pods, a kubelet\'s own)', () => {
    const factory = new SharedInformerFactory({ client: new ScriptedApiClient(), clock: new ManualClock() });
    const all = factory.informerFor<KubeObject>('pods');
    const unbound = factory.informerFor<KubeObject>('pods', { fieldSelector: 'spec.nodeName=' });
    const mine = factory.informerFor<KubeObject>('pods', { fieldSelector: 'spec.nodeName=node-1' });
    assert.equal(new Set([all, unbound, mine]).size, 3);
    assert.equal(factory.informerFor('pods', { fieldSelector: 'spec.nodeName=' }), unbound);
    assert.equal(factory.size, 3);
  });
});
