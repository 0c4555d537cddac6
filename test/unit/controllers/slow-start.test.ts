import assert from 'node:assert/strict';
import { slowStartBatch } from '../../../daemon/controllers/slow-start.js';

/** A pod client that accepts `okCreates` creations, then fails every one (quota exhausted, say). */
function failingAfter(okCreates: number) {
  const client = { calls: 0, created: 0 };
  const create = async () => {
    client.calls += 1;
    if (client.calls > okCreates) throw new Error(`exceeded quota after ${okCreates}`);
    client.created += 1;
  };
  return { client, create };
}

describe('slowStartBatch (creations in batches of 1, 2, 4 ..., stopping at the first failing batch)', () => {
  const cases: { name: string; count: number; okCreates: number; calls: number; successes: number; skipped: number; failed: boolean }[] = [
    { name: 'all succeed', count: 10, okCreates: Infinity, calls: 10, successes: 10, skipped: 0, failed: false },
    { name: 'the very first create fails: one call, not ten', count: 10, okCreates: 0, calls: 1, successes: 0, skipped: 9, failed: true },
    { name: 'fails in the batch of 2: that batch ends the run', count: 10, okCreates: 2, calls: 3, successes: 2, skipped: 7, failed: true },
    { name: 'fails inside the batch of 4: the whole batch was sent, nothing after', count: 10, okCreates: 4, calls: 7, successes: 4, skipped: 3, failed: true },
    { name: 'fails in the last, partial batch', count: 10, okCreates: 8, calls: 10, successes: 8, skipped: 0, failed: true },
    { name: 'a burst of 500 against a quota of 20: 31 calls', count: 500, okCreates: 20, calls: 31, successes: 20, skipped: 469, failed: true },
    { name: 'nothing to create', count: 0, okCreates: 0, calls: 0, successes: 0, skipped: 0, failed: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { client, create } = failingAfter(c.okCreates);
      const result = await slowStartBatch(c.count, create);
      assert.deepEqual(
        { calls: client.calls, successes: result.successes, skipped: result.skipped, failed: result.error !== undefined },
        { calls: c.calls, successes: c.successes, skipped: c.skipped, failed: c.failed },
      );
      assert.equal(client.created, result.successes);
    });
  }
});
