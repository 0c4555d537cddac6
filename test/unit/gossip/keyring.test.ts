// The gossip keyring: which key signs when, what a rotation keeps, and that members holding
// rings fetched at different moments of a rotation keep understanding each other.

import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.js';
import { Codec } from '../../../network/gossip/codec.js';
import { GossipKeyring, rotateKeys, RotationTooSoonError, type GossipKey } from '../../../network/gossip/keyring.js';
import { keysOfDocument, keyringDocument } from '../../../daemon/pki/gossip-keys.js';

const DELAY = 30_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const key = (name: string, addedAtMs: number): GossipKey => ({ key: name, addedAtMs });

describe('gossip keyring', () => {
  const signingCases: [string, GossipKey[], number, string][] = [
    ['the only key, even just made', [key('a', T0)], T0, 'a'],
    ['the old key while the new one waits for the delay', [key('b', T0), key('a', T0 - 86_400_000)], T0 + DELAY - 1, 'a'],
    ['the new key once the delay has passed', [key('b', T0), key('a', T0 - 86_400_000)], T0 + DELAY, 'b'],
    ['the oldest key when none is active yet (clock behind)', [key('b', T0), key('a', T0 - 1)], T0 - 10, 'a'],
  ];
  for (const [title, keys, now, want] of signingCases) {
    it(`signs with ${title}`, () => assert.equal(new GossipKeyring(keys, DELAY).signingKey(now), want));
  }

  it('accepts every key of the ring', () => {
    assert.deepEqual(new GossipKeyring([key('b', T0), key('a', 0)], DELAY).acceptedKeys(), ['b', 'a']);
  });

  it('rotates: the new key first, the key in use kept, older keys dropped', () => {
    assert.deepEqual(rotateKeys([key('a', T0)], 'b', T0 + 1, DELAY), [key('b', T0 + 1), key('a', T0)]);
    assert.deepEqual(rotateKeys([key('b', T0), key('a', 0)], 'c', T0 + DELAY, DELAY), [key('c', T0 + DELAY), key('b', T0)]);
  });

  it('refuses a rotation before the previous rotation\'s key is in use (it would drop the key everyone signs with)', () => {
    assert.throws(() => rotateKeys([key('b', T0), key('a', 0)], 'c', T0 + DELAY - 1, DELAY), (err: Error) => {
      assert.ok(err instanceof RotationTooSoonError);
      assert.match(err.message, /not in use yet \(it signs from 2026-01-01T00:00:30\.000Z\)/);
      return true;
    });
  });

  it('refuses an empty ring, and reads back what it writes', () => {
    assert.throws(() => new GossipKeyring([], DELAY), /at least one key/);
    const keys = [key('ab'.repeat(32), T0), key('cd'.repeat(32), T0 - 1000)];
    assert.deepEqual(keysOfDocument(JSON.parse(JSON.stringify(keyringDocument(keys))), 'the file'), keys);
    assert.throws(() => keysOfDocument({ keys: [] }, 'f'), /f holds no gossip keys/);
    assert.throws(() => keysOfDocument({ keys: [{ key: 'short', addedAt: 'now' }] }, 'f'), /f: keys\[0\] must be/);
  });

  it('keeps members talking through a rotation, whichever ring each one has fetched', () => {
    const clock = new ManualClock(new Date(T0));
    const oldRing = [key('a'.repeat(64), T0 - 86_400_000)];
    const server = new GossipKeyring(oldRing, DELAY);
    const lagging = new GossipKeyring(oldRing, DELAY); // has not fetched the new ring yet
    const codecs = { server: new Codec({ keyring: server, clock }), lagging: new Codec({ keyring: lagging, clock }) };
    const talk = () => [codecs.lagging.decode(codecs.server.encode('server', {})).ok, codecs.server.decode(codecs.lagging.encode('agent', {})).ok];

    server.replace(rotateKeys(server.list(), 'b'.repeat(64), clock.now().getTime(), DELAY));
    assert.deepEqual(talk(), [true, true], 'the server still signs with the old key');
    lagging.replace(server.list()); // the agent's poll, well within the delay
    clock.advance(DELAY);
    assert.deepEqual(talk(), [true, true], 'both sign with the new key now');
    assert.equal(server.signingKey(clock.now().getTime()), 'b'.repeat(64));

    const outsider = new Codec({ keyring: new GossipKeyring(oldRing, DELAY), clock });
    assert.equal(codecs.server.decode(outsider.encode('old-only', {})).ok, true, 'the old key is still accepted until the next rotation');
    server.replace(rotateKeys(server.list(), 'c'.repeat(64), clock.now().getTime(), DELAY));
    assert.deepEqual(codecs.server.decode(outsider.encode('old-only', {})), { ok: false, reason: 'forged' }, 'dropped after the next one');
  });
});
