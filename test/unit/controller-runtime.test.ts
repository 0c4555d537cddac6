import assert from 'node:assert/strict';
import { Informer } from '../../lib/client/informer.js';
import { objectKey } from '../../lib/client/object-key.js';
import { ManualClock } from '../../lib/clock.js';
import { runController, runEvery } from '../../lib/controller-runtime.js';
import { WorkQueue } from '../../lib/work-queue.js';
import { object, ScriptedApiClient } from '../helpers/scripted-api-client.js';

const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A controller on a scripted pods informer whose handlers enqueue the pod's key. */
function newController(items = [object('a', '5'), object('b', '6')]) {
  const client = new ScriptedApiClient();
  client.setList('pods', '10', items);
  const clock = new ManualClock();
  const abort = new AbortController();
  const queue = new WorkQueue({ clock, onError: () => {} });
  const informer = new Informer({ client, clock, resource: 'pods' });
  const enqueue = (pod: Parameters<typeof objectKey>[0]) => queue.add(objectKey(pod));
  informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, pod) => enqueue(pod), onDelete: enqueue });
  return { client, clock, abort, queue, informer };
}

describe('runController', () => {
  it('reconciles every key once the cache is filled, and the periodic resync enqueues every key again', async () => {
    const { clock, abort, queue, informer } = newController();
    const reconciled: string[] = [];
    const running = runController({ informers: [informer], queue, clock, signal: abort.signal, resyncMs: 30_000, reconcile: async (key) => void reconciled.push(key) });
    await settle();
    assert.deepEqual(reconciled.sort(), ['default/a', 'default/b']);
    await clock.advance(29_999);
    assert.equal(reconciled.length, 2, 'nothing before the resync period');
    await clock.advance(1);
    assert.deepEqual(reconciled.sort(), ['default/a', 'default/a', 'default/b', 'default/b']);
    abort.abort();
    await running;
  });

  it('events for one key that arrive while it waits are deduplicated: one reconcile', async () => {
    const { client, clock, abort, queue, informer } = newController([object('a', '5')]);
    const reconciled: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const running = runController({
      informers: [informer], queue, clock, signal: abort.signal, workers: 1,
      reconcile: async (key) => {
        reconciled.push(key);
        if (key === 'default/a') await blocked;
      },
    });
    await settle();
    const watch = client.watches[0];
    for (let version = 20; version < 25; version++) watch.emit('MODIFIED', object('b', String(version)));
    release();
    await settle();
    assert.deepEqual(reconciled, ['default/a', 'default/b']);
    abort.abort();
    await running;
  });

  it('never reconciles one key twice at once, even with many workers; a change during the pass gets one more pass', async () => {
    const { client, clock, abort, queue, informer } = newController([object('a', '5')]);
    let inFlight = 0;
    let maxInFlight = 0;
    let passes = 0;
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const running = runController({
      informers: [informer], queue, clock, signal: abort.signal, workers: 4,
      reconcile: async () => {
        passes++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (passes === 1) await blocked;
        inFlight--;
      },
    });
    await settle();
    client.watches[0].emit('MODIFIED', object('a', '20'));
    client.watches[0].emit('MODIFIED', object('a', '21'));
    await settle();
    assert.equal(passes, 1, 'the second pass waits for the first');
    release();
    await settle();
    assert.equal(passes, 2);
    assert.equal(maxInFlight, 1);
    abort.abort();
    await running;
  });

  it('a failed reconcile is retried with back-off (5 ms, then 10 ms), and a success forgets the failures', async () => {
    const { clock, abort, informer } = newController([object('a', '5')]);
    const errors: string[] = [];
    const queue = new WorkQueue({ clock, baseDelayMs: 5, onError: (key, error) => errors.push(`${key}: ${(error as Error).message}`) });
    informer.addEventHandler({ onAdd: (pod) => queue.add(objectKey(pod)) });
    let attempts = 0;
    const running = runController({
      informers: [informer], queue, clock, signal: abort.signal,
      reconcile: async () => {
        attempts++;
        if (attempts <= 2) throw new Error(`attempt ${attempts} failed`);
      },
    });
    await settle();
    assert.equal(attempts, 1);
    await clock.advance(4);
    assert.equal(attempts, 1, 'not retried before 5 ms');
    await clock.advance(1);
    assert.equal(attempts, 2);
    await clock.advance(9);
    assert.equal(attempts, 2, 'the second retry waits 10 ms');
    await clock.advance(1);
    assert.equal(attempts, 3);
    assert.deepEqual(errors, ['default/a: attempt 1 failed', 'default/a: attempt 2 failed']);
    assert.equal(queue.numRequeues('default/a'), 0);
    abort.abort();
    await running;
  });

  it('runs onSynced once the caches are filled, before any reconcile', async () => {
    const { clock, abort, queue, informer } = newController([object('a', '5')]);
    const steps: string[] = [];
    const running = runController({
      informers: [informer], queue, clock, signal: abort.signal,
      onSynced: () => void steps.push(`synced with ${informer.list().length} pod(s)`),
      reconcile: async (key) => void steps.push(`reconcile ${key}`),
    });
    await settle();
    assert.deepEqual(steps, ['synced with 1 pod(s)', 'reconcile default/a']);
    abort.abort();
    await running;
  });

  it('stops when the signal aborts: workers end, watches stop, the resync timer is gone', async () => {
    const { client, clock, abort, queue, informer } = newController();
    const running = runController({ informers: [informer], queue, clock, signal: abort.signal, resyncMs: 1000, reconcile: async () => {} });
    await settle();
    assert.equal(client.openWatches.length, 1);
    abort.abort();
    await running;
    assert.equal(client.openWatches.length, 0);
    assert.ok(queue.isShuttingDown);
    assert.equal(clock.waiting, 0);
  });

  it('stops while still waiting for a cache that never fills', async () => {
    const { client, clock, abort, queue, informer } = newController();
    client.list = () => new Promise(() => {});
    let reconciled = 0;
    const running = runController({ informers: [informer], queue, clock, signal: abort.signal, reconcile: async () => void reconciled++ });
    await settle();
    abort.abort();
    await running;
    assert.equal(reconciled, 0);
  });
});

describe('runEvery', () => {
  it('runs the step once per period, after the first period (or at once with immediately), until aborted', async () => {
    const clock = new ManualClock();
    const abort = new AbortController();
    let steps = 0;
    const running = runEvery(clock, 1000, abort.signal, () => void steps++);
    await settle();
    assert.equal(steps, 0);
    await clock.advance(1000);
    await clock.advance(1000);
    assert.equal(steps, 2);
    abort.abort();
    await running;

    const again = new AbortController();
    let immediate = 0;
    const runningImmediately = runEvery(clock, 1000, again.signal, () => void immediate++, { immediately: true });
    await settle();
    assert.equal(immediate, 1);
    again.abort();
    await runningImmediately;
  });

  it('a failing step is reported and the loop goes on; without onError the failure ends the loop', async () => {
    const clock = new ManualClock();
    const abort = new AbortController();
    const errors: string[] = [];
    let steps = 0;
    const running = runEvery(clock, 100, abort.signal, () => {
      steps++;
      throw new Error(`step ${steps}`);
    }, { onError: (error) => errors.push((error as Error).message) });
    await clock.advance(100);
    await clock.advance(100);
    assert.deepEqual(errors, ['step 1', 'step 2']);
    abort.abort();
    await running;

    await assert.rejects(runEvery(clock, 0, new AbortController().signal, () => { throw new Error('boom'); }, { immediately: true }), /boom/);
  });
});
