import assert from 'node:assert/strict';
import { backoffDelayMs, backoffRemainingMs, nextBackoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';

const kubelet: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };
const workQueue: BackoffPolicy = { initialMs: 5, maxMs: 1_000_000 };

describe('backoff', () => {
  describe('backoffDelayMs: the wait after the Nth failure in a row', () => {
    const cases: { name: string; policy: BackoffPolicy; failures: number; want: number }[] = [
      { name: 'no failure: no wait', policy: kubelet, failures: 0, want: 0 },
      { name: 'first failure: the initial wait', policy: kubelet, failures: 1, want: 10_000 },
      { name: 'second: doubled', policy: kubelet, failures: 2, want: 20_000 },
      { name: 'fifth: 160 s', policy: kubelet, failures: 5, want: 160_000 },
      { name: 'sixth: capped at 300 s, not 320 s', policy: kubelet, failures: 6, want: 300_000 },
      { name: 'far later: still the cap', policy: kubelet, failures: 200, want: 300_000 },
      { name: 'work queue: 5 ms, 10 ms, 20 ms ...', policy: workQueue, failures: 3, want: 20 },
      { name: 'another factor', policy: { initialMs: 100, maxMs: 10_000, factor: 3 }, failures: 3, want: 900 },
      { name: 'a cap below the initial wait wins', policy: { initialMs: 100, maxMs: 50 }, failures: 1, want: 50 },
    ];
    for (const c of cases) it(c.name, () => assert.equal(backoffDelayMs(c.policy, c.failures), c.want));
  });

  describe('nextBackoffDelayMs: from the previous wait', () => {
    const cases: { name: string; previous: number | undefined; want: number }[] = [
      { name: 'none before: the initial wait', previous: undefined, want: 10_000 },
      { name: 'doubles', previous: 10_000, want: 20_000 },
      { name: 'capped', previous: 200_000, want: 300_000 },
      { name: 'at the cap: stays', previous: 300_000, want: 300_000 },
    ];
    for (const c of cases) it(c.name, () => assert.equal(nextBackoffDelayMs(kubelet, c.previous), c.want));

    it('walks the same sequence as backoffDelayMs', () => {
      let delay: number | undefined;
      for (let failures = 1; failures <= 8; failures++) {
        delay = nextBackoffDelayMs(kubelet, delay);
        assert.equal(delay, backoffDelayMs(kubelet, failures));
      }
    });
  });

  describe('backoffRemainingMs', () => {
    const cases: { name: string; window: { delayMs: number; failedAtMs: number } | undefined; nowMs: number; want: number }[] = [
      { name: 'no back-off', window: undefined, nowMs: 1_000, want: 0 },
      { name: 'just failed: the whole wait', window: { delayMs: 10_000, failedAtMs: 1_000 }, nowMs: 1_000, want: 10_000 },
      { name: 'part way', window: { delayMs: 10_000, failedAtMs: 1_000 }, nowMs: 7_000, want: 4_000 },
      { name: 'exactly over', window: { delayMs: 10_000, failedAtMs: 1_000 }, nowMs: 11_000, want: 0 },
      { name: 'long over', window: { delayMs: 10_000, failedAtMs: 1_000 }, nowMs: 99_000, want: 0 },
    ];
    for (const c of cases) it(c.name, () => assert.equal(backoffRemainingMs(c.window, c.nowMs), c.want));
  });
});
