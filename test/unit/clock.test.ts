import assert from 'node:assert/strict';
import { ManualClock, systemClock } from '../../lib/clock.js';

describe('ManualClock', () => {
  it('wakes sleepers in deadline order as time advances, and no earlier', async () => {
    const clock = new ManualClock('2025-01-01T00:00:00Z');
    const woke: string[] = [];
    void clock.sleep(300).then(() => woke.push(`b@${clock.now().toISOString()}`));
    void clock.sleep(100).then(() => woke.push(`a@${clock.now().toISOString()}`));
    await clock.advance(99);
    assert.deepEqual(woke, []);
    await clock.advance(500);
    assert.deepEqual(woke, ['a@2025-01-01T00:00:00.100Z', 'b@2025-01-01T00:00:00.300Z']);
    assert.equal(clock.now().toISOString(), '2025-01-01T00:00:00.599Z');
  });

  it('lets a loop that sleeps again inside advance() run each period', async () => {
    const clock = new ManualClock();
    let beats = 0;
    const abort = new AbortController();
    const loop = (async () => {
      while (!abort.signal.aborted) {
        beats++;
        await clock.sleep(10_000, abort.signal);
      }
    })();
    await clock.advance(35_000);
    assert.equal(beats, 4);
    abort.abort();
    await loop;
    assert.equal(clock.waiting, 0);
  });

  it('systemClock.sleep resolves early when the signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const sleeping = systemClock.sleep(60_000, abort.signal);
    abort.abort();
    await sleeping;
    assert.ok(Date.now() - started < 1000);
  });
});
