import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.js';
import { Codec } from '../../../network/gossip/codec.js';

describe('gossip codec', () => {
  const setup = () => {
    const clock = new ManualClock();
    return { clock, sender: new Codec({ secret: 's3cret', clock }), receiver: new Codec({ secret: 's3cret', clock }) };
  };

  it('accepts a good packet and returns its body', () => {
    const { sender, receiver } = setup();
    const r = receiver.decode<{ type: string }>(sender.encode('n1', { type: 'ping' }));
    assert.ok(r.ok);
    assert.equal(r.envelope.from, 'n1');
    assert.deepEqual(r.envelope.body, { type: 'ping' });
  });

  const rejections: Array<[string, (s: ReturnType<typeof setup>) => Buffer | Buffer[], string]> = [
    ['garbage', () => Buffer.from('not json'), 'malformed'],
    ['an unsigned packet', () => Buffer.from(JSON.stringify({ payload: '{}' })), 'unsigned'],
    ['a packet signed with another secret', ({ clock }) => new Codec({ secret: 'other', clock }).encode('n9', {}), 'forged'],
    ['a packet whose body was altered', ({ sender }) => {
      const outer = JSON.parse(sender.encode('n1', { role: 'worker' }).toString());
      outer.payload = outer.payload.replace('worker', 'master');
      return Buffer.from(JSON.stringify(outer));
    }, 'forged'],
    ['the same packet twice', ({ sender }) => { const p = sender.encode('n1', {}); return [p, p]; }, 'replayed'],
  ];
  for (const [title, make, reason] of rejections) {
    it(`rejects ${title} as ${reason} and counts it`, () => {
      const s = setup();
      const packets = ([] as Buffer[]).concat(make(s));
      const results = packets.map((p) => s.receiver.decode(p));
      const last = results[results.length - 1];
      assert.deepEqual(last, { ok: false, reason });
      assert.equal(s.receiver.rejected[reason as keyof typeof s.receiver.rejected], 1);
    });
  }

  it('rejects a packet older than the replay window as stale', async () => {
    const { clock, sender, receiver } = setup();
    const p = sender.encode('n1', {});
    await clock.advance(31_000);
    assert.deepEqual(receiver.decode(p), { ok: false, reason: 'stale' });
    assert.equal(receiver.rejected.stale, 1);
  });
});
