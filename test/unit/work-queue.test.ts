import assert from 'node:assert/strict';
import { ManualClock } from '../../lib/clock.js';
import { WorkQueue } from '../../lib/work-queue.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  it('deduplicates keys added before a worker takes them', async () => {
    const queue = new WorkQueue();
    queue.add('default/a');
    queue.add('default/b');
    queue.add('default/a');
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), 'default/a');
    assert.equal(await queue.get(), 'default/b');
  });

  it('never hands one key to two workers; a key re-added in flight is processed again after', async () => {
    const queue = new WorkQueue();
    queue.add('k');
    const key = await queue.get();
    queue.add('k');
    assert.equal(queue.length, 0, 'the key waits while a worker holds it');
    queue.done(key!);
    assert.equal(queue.length, 1);
    assert.equal(await queue.get(), 'k');
  });

  it('process runs workers concurrently but one key at a time', async () => {
    const queue = new WorkQueue();
    const abort = new AbortController();
    const running = new Set<string>();
    let overlaps = 0;
    const seen: string[] = [];
    let releaseFirst!: () => void;
    const firstBlocked = new Promise<void>((resolve) => (releaseFirst = resolve));
    const done = queue.process(
      async (key) => {
        if (running.has(key)) overlaps++;
        running.add(key);
        seen.push(key);
        if (seen.length === 1) await firstBlocked;
        running.delete(key);
      },
      3,
      abort.signal,
    );
    queue.add('a');
    await tick();
    queue.add('a'); // re-added while the first run is blocked
    queue.add('b');
    await tick();
    assert.deepEqual(seen, ['a', 'b']);
    releaseFirst();
    await tick();
    await tick();
    assert.deepEqual(seen, ['a', 'b', 'a']);
    assert.equal(overlaps, 0);
    abort.abort();
    await done;
  });

  it('addAfter adds the key once the delay has passed on the clock', async () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('k', 1000);
    assert.equal(queue.length, 0);
    await clock.advance(999);
    assert.equal(queue.length, 0);
    await clock.advance(1);
    assert.equal(queue.length, 1);
  });

  it('addAfter keeps the earliest of several requests for one key', async () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('k', 5000);
    queue.addAfter('k', 1000);
    await clock.advance(1000);
    assert.equal(queue.length, 1);
    assert.equal(await queue.get(), 'k');
    queue.done('k');
    await clock.advance(5000);
    assert.equal(queue.length, 0, 'the later request was superseded');
  });

  it('addRateLimited backs off 5 ms, 10 ms, 20 ms ... up to the maximum; forget resets', async () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock, maxDelayMs: 30 });
    const readyAfter = async (): Promise<number> => {
      queue.addRateLimited('k');
      let waited = 0;
      while (queue.length === 0) {
        await clock.advance(1);
        waited++;
      }
      await queue.get();
      queue.done('k');
      return waited;
    };
    assert.deepEqual([await readyAfter(), await readyAfter(), await readyAfter(), await readyAfter()], [5, 10, 20, 30]);
    assert.equal(queue.numRequeues('k'), 4);
    queue.forget('k');
    assert.equal(await readyAfter(), 5);
  });

  it('process retries a failing worker with back-off and forgets the key after a success', async () => {
    const clock = new ManualClock();
    const errors: string[] = [];
    const queue = new WorkQueue({ clock, onError: (key, err) => errors.push(`${key}: ${(err as Error).message}`) });
    const abort = new AbortController();
    let attempts = 0;
    const done = queue.process(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
      },
      1,
      abort.signal,
    );
    queue.add('k');
    await tick();
    assert.equal(attempts, 1);
    await clock.advance(5);
    assert.equal(attempts, 2);
    await clock.advance(9);
    assert.equal(attempts, 2, 'the second retry waits 10 ms');
    await clock.advance(1);
    assert.equal(attempts, 3);
    assert.equal(queue.numRequeues('k'), 0);
    assert.deepEqual(errors, ['k: attempt 1 failed', 'k: attempt 2 failed']);
    abort.abort();
    await done;
  });

  it('shutDown ends process() and ignores later adds', async () => {
    const queue = new WorkQueue();
    const abort = new AbortController();
    const done = queue.process(async () => {}, 2, abort.signal);
    queue.shutDown();
    await done;
    queue.add('k');
    assert.equal(queue.length, 0);
    assert.equal(await queue.get(), undefined);
  });
});
