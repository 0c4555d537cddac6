// The web view's login codes and sessions (daemon/api/ui/login-codes.ts): a code works once and
// for its TTL only, and says why it is refused; a session ends at its TTL.

import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.js';
import { LoginCodeStore, SessionStore } from '../../../daemon/api/ui/login-codes.js';

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const alice = { name: 'alice', groups: ['system:authenticated'] };

/** A random source that counts, so the codes of a test are known and distinct. */
const counter = (prefix: string) => {
  let n = 0;
  return () => `${prefix}${++n}`;
};

describe('LoginCodeStore', () => {
  const setup = () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    return { clock, codes: new LoginCodeStore({ clock, ttlMs: 60_000, random: counter('code-') }) };
  };

  it('redeems a code once, for the user it was issued to', () => {
    const { codes } = setup();
    const { code, expiresAt } = codes.issue(alice);
    assert.equal(expiresAt.toISOString(), '2026-01-01T00:01:00.000Z');
    assert.deepEqual(codes.redeem(code), { ok: true, user: alice });
    assert.deepEqual(codes.redeem(code), { ok: false, reason: 'used' });
  });

  it('refuses a code at and after its expiry, and one never issued', async () => {
    const { clock, codes } = setup();
    const early = codes.issue(admin).code;
    const late = codes.issue(admin).code;
    await clock.advance(59_999);
    assert.equal(codes.redeem(early).ok, true, 'valid 1 ms before expiry');
    await clock.advance(1);
    assert.deepEqual(codes.redeem(late), { ok: false, reason: 'expired' });
    assert.deepEqual(codes.redeem('code-999'), { ok: false, reason: 'unknown' });
    assert.deepEqual(codes.redeem(''), { ok: false, reason: 'unknown' });
  });

  it('keys codes to their own user: two codes, two users', () => {
    const { codes } = setup();
    const a = codes.issue(alice).code;
    const b = codes.issue(admin).code;
    assert.notEqual(a, b);
    assert.deepEqual(codes.redeem(b), { ok: true, user: admin });
    assert.deepEqual(codes.redeem(a), { ok: true, user: alice });
  });

  it('forgets codes one TTL after they expire (used or not), so the store stays small', async () => {
    const { clock, codes } = setup();
    const used = codes.issue(alice).code;
    codes.redeem(used);
    codes.issue(alice);
    assert.equal(codes.size, 2);
    await clock.advance(60_000);
    assert.deepEqual(codes.redeem(used), { ok: false, reason: 'used' }, 'still remembered as used until a TTL after expiry');
    await clock.advance(60_000);
    codes.issue(alice);
    assert.equal(codes.size, 1);
    assert.deepEqual(codes.redeem(used), { ok: false, reason: 'unknown' });
  });

  it('makes unguessable codes by default (32 random bytes, URL-safe)', () => {
    const codes = new LoginCodeStore({ clock: new ManualClock(), ttlMs: 1000 });
    const a = codes.issue(alice).code;
    const b = codes.issue(alice).code;
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
  });
});

describe('SessionStore', () => {
  it('knows a session until its TTL, then forgets it; unknown and missing ids have no user', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sessions = new SessionStore({ clock, ttlMs: 1000, random: counter('s-') });
    const { id, expiresAt } = sessions.create(alice);
    assert.equal(expiresAt.toISOString(), '2026-01-01T00:00:01.000Z');
    assert.deepEqual(sessions.userOf(id), alice);
    assert.equal(sessions.userOf('s-42'), undefined);
    assert.equal(sessions.userOf(undefined), undefined);
    await clock.advance(1000);
    assert.equal(sessions.userOf(id), undefined);
    assert.equal(sessions.size, 0);
  });

  it('ends a session on delete', () => {
    const sessions = new SessionStore({ clock: new ManualClock(), ttlMs: 1000 });
    const { id } = sessions.create(admin);
    sessions.delete(id);
    assert.equal(sessions.userOf(id), undefined);
  });
});
