import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.js';
import { confirmationsExpected, Suspicion, suspicionTimeoutAfter } from '../../../network/gossip/suspicion.js';
import { defaultGossipConfig, retransmitLimit, suspicionMaxTimeoutMs, suspicionTimeoutMs, validateGossipConfig } from '../../../network/gossip/gossip-config.js';

describe('gossip suspicion timeout (Lifeguard)', () => {
  it('confirmations expected: suspicionMult - 2, or none in a cluster too small for them', () => {
    const cases: Array<[number, number, number]> = [
      // suspicionMult, live members, expected
      [4, 50, 2],
      [4, 4, 2],
      [4, 3, 0],
      [4, 2, 0],
      [5, 10, 3],
      [2, 10, 0],
      [1, 10, 0],
    ];
    for (const [mult, members, want] of cases) assert.equal(confirmationsExpected(mult, members), want, `mult ${mult}, ${members} members`);
  });

  it('the timeout shrinks from max to min, log-scaled on confirmations', () => {
    const cases: Array<[number, number, number]> = [
      // confirmations, expected, timeout ms (min 1,000, max 6,000)
      [0, 2, 6_000],
      [1, 2, 2_845], // 6000 - log(2)/log(3) * 5000: the first confirmation counts most
      [2, 2, 1_000],
      [5, 2, 1_000], // never below min
      [0, 0, 1_000], // nobody to confirm: min at once
      [0, 3, 6_000],
      [1, 3, 3_500],
      [3, 3, 1_000],
    ];
    for (const [confirmations, expected, want] of cases) {
      assert.equal(suspicionTimeoutAfter(confirmations, expected, 1_000, 6_000), want, `${confirmations} of ${expected}`);
    }
  });

  it('a suspicion fires at max alone, earlier once confirmed, and only once', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let fired = 0;
    const s = new Suspicion({ from: 'a', expected: 2, minMs: 1_000, maxMs: 6_000, clock, signal: stop.signal, onTimeout: () => fired++ });
    await clock.advance(2_000);
    assert.equal(s.confirm('a'), false, 'the accuser itself does not confirm');
    assert.equal(s.confirm('b'), true);
    assert.equal(s.confirm('b'), false, 'one member confirms once');
    assert.equal(s.confirmations, 1);
    // 2,845 ms in all after one confirmation: 845 ms left of it.
    await clock.advance(800);
    assert.equal(fired, 0);
    await clock.advance(100);
    assert.equal(fired, 1);
    assert.equal(s.confirm('c'), false, 'a finished suspicion takes no more confirmations');
    await clock.advance(10_000);
    assert.equal(fired, 1);
  });

  it('a confirmation after the shrunken timeout has passed fires at once', async () => {
    const clock = new ManualClock();
    let fired = 0;
    const s = new Suspicion({ from: 'a', expected: 2, minMs: 1_000, maxMs: 6_000, clock, signal: new AbortController().signal, onTimeout: () => fired++ });
    await clock.advance(3_000);
    s.confirm('b');
    s.confirm('c');
    await clock.advance(0);
    assert.equal(fired, 1);
  });

  it('cancel (a refutation) and a stopped member stop the timer', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let fired = 0;
    const refuted = new Suspicion({ from: 'a', expected: 0, minMs: 1_000, maxMs: 6_000, clock, signal: stop.signal, onTimeout: () => fired++ });
    new Suspicion({ from: 'a', expected: 0, minMs: 1_000, maxMs: 6_000, clock, signal: stop.signal, onTimeout: () => fired++ });
    refuted.cancel();
    stop.abort();
    await clock.advance(10_000);
    assert.equal(fired, 0);
  });
});

describe('gossip config arithmetic', () => {
  const config = { ...defaultGossipConfig, probeIntervalMs: 200, suspicionMult: 4, suspicionMaxTimeoutMult: 6, retransmitMult: 4 };
  it('suspicion min and max by cluster size (log10 of n, at least 1)', () => {
    const cases: Array<[number, number, number]> = [
      [3, 800, 4_800],
      [10, 800, 4_800],
      [50, 1_359, 8_155],
      [100, 1_600, 9_600],
    ];
    for (const [n, minMs, maxMs] of cases) {
      assert.equal(Math.round(suspicionTimeoutMs(config, n)), minMs, `min, ${n} members`);
      assert.equal(Math.round(suspicionMaxTimeoutMs(config, n)), maxMs, `max, ${n} members`);
    }
  });

  it('retransmit limit: retransmitMult * ceil(log10(n + 1)), as memberlist', () => {
    const cases: Array<[number, number]> = [[1, 4], [3, 4], [9, 4], [10, 8], [50, 8], [99, 8], [100, 12]];
    for (const [n, want] of cases) assert.equal(retransmitLimit(config, n), want, `${n} members`);
  });

  it('refuses a probe timeout that leaves no room for indirect probes and nacks, naming the knobs', () => {
    assert.doesNotThrow(() => validateGossipConfig(defaultGossipConfig));
    assert.throws(() => validateGossipConfig({ ...defaultGossipConfig, probeIntervalMs: 300, probeTimeoutMs: 500 }), /probeTimeoutMs \(500\).*half of probeIntervalMs \(300\)/);
    assert.throws(() => validateGossipConfig({ ...defaultGossipConfig, gossipNodes: 0 }), /gossipNodes/);
  });
});
