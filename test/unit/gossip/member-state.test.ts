import assert from 'node:assert/strict';
import { applyAlive, applyDead, applySuspect, type Member, type MemberMeta } from '../../../network/gossip/member-state.js';

const meta: MemberMeta = { nodeName: 'n2', nodeIP: '10.0.0.2', podSubnet: '10.244.2.0/24', apiAddress: '10.0.0.2:6443', role: 'worker' };
const member = (state: Member['state'], incarnation: number, name = 'n2'): Member => ({ name, address: 'a2', incarnation, state, meta });

describe('member-state merge rules', () => {
  describe('applyAlive', () => {
    const cases: Array<[string, Member | undefined, number, Member['state'] | undefined]> = [
      ['a new member is recorded alive', undefined, 1, 'alive'],
      ['an older incarnation is ignored', member('alive', 3), 2, undefined],
      ['the same incarnation does not clear a suspicion', member('suspect', 3), 3, undefined],
      ['the same incarnation does not raise the dead', member('dead', 3), 3, undefined],
      ['a higher incarnation refutes a suspicion', member('suspect', 3), 4, 'alive'],
      ['a higher incarnation brings a dead member back', member('dead', 3), 4, 'alive'],
      ['a duplicate alive is not news', member('alive', 3), 3, undefined],
    ];
    for (const [title, current, incarnation, want] of cases) {
      it(title, () => {
        const r = applyAlive(current, { name: 'n2', address: 'a2', incarnation, meta }, 'n1');
        assert.equal(r.member?.state, want);
        assert.equal(r.rebroadcast, want !== undefined);
      });
    }
    it('new metadata at the same incarnation is news', () => {
      const r = applyAlive(member('alive', 3), { name: 'n2', address: 'a2', incarnation: 3, meta: { ...meta, role: 'master' } }, 'n1');
      assert.equal(r.member?.meta.role, 'master');
    });
    it('an alive about us at a higher incarnation makes us refute above it', () => {
      const r = applyAlive(member('alive', 2, 'n1'), { name: 'n1', address: 'a1', incarnation: 5, meta }, 'n1');
      assert.equal(r.refuteWithIncarnation, 6);
      assert.equal(r.member, undefined);
    });
  });

  describe('applySuspect', () => {
    const cases: Array<[string, Member | undefined, number, Member['state'] | undefined]> = [
      ['an unknown member cannot be suspected', undefined, 1, undefined],
      ['an older incarnation is ignored', member('alive', 3), 2, undefined],
      ['suspect overrides alive at the same incarnation', member('alive', 3), 3, 'suspect'],
      ['a higher incarnation suspicion applies too', member('alive', 3), 4, 'suspect'],
      ['an existing suspicion is not news', member('suspect', 3), 3, undefined],
      ['the dead stay dead', member('dead', 3), 4, undefined],
    ];
    for (const [title, current, incarnation, want] of cases) {
      it(title, () => {
        const r = applySuspect(current, { name: 'n2', incarnation, from: 'n3' }, 'n1');
        assert.equal(r.member?.state, want);
      });
    }
    it('a suspicion about us at our incarnation makes us refute', () => {
      const r = applySuspect(member('alive', 3, 'n1'), { name: 'n1', incarnation: 3, from: 'n3' }, 'n1');
      assert.deepEqual(r, { rebroadcast: false, refuteWithIncarnation: 4 });
    });
    it('a suspicion about an older incarnation of us is not refuted again, but we announce ourselves again', () => {
      const r = applySuspect(member('alive', 3, 'n1'), { name: 'n1', incarnation: 2, from: 'n3' }, 'n1');
      assert.deepEqual(r, { rebroadcast: false, reannounce: true });
    });
    it('an old suspicion about another member is simply ignored', () => {
      const r = applySuspect(member('alive', 3), { name: 'n2', incarnation: 2, from: 'n3' }, 'n1');
      assert.deepEqual(r, { rebroadcast: false });
    });
  });

  describe('applyDead', () => {
    const cases: Array<[string, Member | undefined, number, boolean, Member['state'] | undefined]> = [
      ['an unknown member is ignored', undefined, 1, false, undefined],
      ['an older incarnation is ignored', member('suspect', 3), 2, false, undefined],
      ['dead overrides suspect', member('suspect', 3), 3, false, 'dead'],
      ['dead overrides alive', member('alive', 3), 3, false, 'dead'],
      ['a graceful leave is recorded as left', member('alive', 3), 3, true, 'left'],
      ['already dead is not news', member('dead', 3), 3, false, undefined],
    ];
    for (const [title, current, incarnation, left, want] of cases) {
      it(title, () => {
        const r = applyDead(current, { name: 'n2', incarnation, from: 'n3', left }, 'n1');
        assert.equal(r.member?.state, want);
      });
    }
    it('an old death notice about us (already refuted) makes us announce ourselves again', () => {
      const r = applyDead(member('alive', 3, 'n1'), { name: 'n1', incarnation: 2, from: 'n3' }, 'n1');
      assert.deepEqual(r, { rebroadcast: false, reannounce: true });
    });
    it('a death notice about us makes us refute', () => {
      const r = applyDead(member('alive', 3, 'n1'), { name: 'n1', incarnation: 3, from: 'n3' }, 'n1');
      assert.equal(r.refuteWithIncarnation, 4);
    });
  });
});
