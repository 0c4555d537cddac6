import assert from 'node:assert/strict';
import { Awareness, probeAwarenessDelta } from '../../../network/gossip/awareness.js';

describe('gossip local health awareness (Lifeguard)', () => {
  it('the score stays between 0 and max - 1, and stretches timeouts by score + 1', () => {
    const cases: Array<[string, number[], number, number]> = [
      // title, deltas applied in order, score after, 200 ms scaled
      ['starts healthy', [], 0, 200],
      ['cannot go below 0', [-1, -1], 0, 200],
      ['rises with missed acks', [1, 2], 3, 800],
      ['falls back with answered probes', [3, -1, -1], 1, 400],
      ['stops at max - 1', [5, 5, 5], 7, 1_600],
    ];
    for (const [title, deltas, score, scaledMs] of cases) {
      const awareness = new Awareness(8);
      for (const delta of deltas) awareness.applyDelta(delta);
      assert.equal(awareness.score, score, title);
      assert.equal(awareness.scaleTimeout(200), scaledMs, title);
    }
  });

  it('a multiplier of 1 turns it off', () => {
    const awareness = new Awareness(1);
    awareness.applyDelta(4);
    assert.equal(awareness.scaleTimeout(200), 200);
  });

  it('refuses a multiplier below 1 and says which knob', () => {
    assert.throws(() => new Awareness(0), /awarenessMaxMultiplier/);
  });

  it('a probe outcome moves the score as memberlist does', () => {
    const cases: Array<[string, { acked: boolean; expectedNacks: number; nacks: number }, number]> = [
      ['an answered probe (direct or indirect) lowers it', { acked: true, expectedNacks: 0, nacks: 0 }, -1],
      ['a failed probe nobody could relay raises it by one', { acked: false, expectedNacks: 0, nacks: 0 }, 1],
      ['a failed probe whose relays all nacked: the target is down, not us', { acked: false, expectedNacks: 3, nacks: 3 }, 0],
      ['each missing nack counts against us', { acked: false, expectedNacks: 3, nacks: 1 }, 2],
      ['no nack at all: our own packets are lost', { acked: false, expectedNacks: 3, nacks: 0 }, 3],
    ];
    for (const [title, outcome, delta] of cases) assert.equal(probeAwarenessDelta(outcome), delta, title);
  });
});
