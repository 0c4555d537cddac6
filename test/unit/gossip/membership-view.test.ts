import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.js';
import { Gossip } from '../../../network/gossip/gossip.js';
import { DeferredMembershipView, gossipMembershipView } from '../../../network/gossip/membership-view.js';
import { MemoryNetwork } from '../../../network/gossip/transport.js';

const meta = (i: number) => ({ nodeName: `n${i}`, nodeIP: `10.0.0.${i}`, podSubnet: `10.244.${i}.0/24`, apiAddress: `10.0.0.${i}:6443`, role: i === 0 ? 'server' : 'agent' });

describe('gossipMembershipView', () => {
  it('reads a running member\'s table by node name and calls listeners on every change until unsubscribed', async () => {
    const clock = new ManualClock();
    const network = new MemoryNetwork(() => 0.5);
    const abort = new AbortController();
    const members: Gossip[] = [];
    for (let i = 0; i < 3; i++) {
      const member = new Gossip({ name: `n${i}`, address: `addr-${i}`, meta: meta(i), secret: 'lab', transport: network.endpoint(`addr-${i}`), clock });
      members.push(member);
    }
    const view = gossipMembershipView(members[0]);
    let changes = 0;
    const unsubscribe = view.onChange(() => changes++);
    const runs: Promise<void>[] = [];
    try {
      await members[1].join(['addr-0']);
      await members[2].join(['addr-0']);
      runs.push(...members.map((m) => m.run(abort.signal)));
      await clock.advance(3_000);
      assert.equal(view.stateOf('n0'), 'alive');
      assert.equal(view.stateOf('n2'), 'alive');
      assert.equal(view.stateOf('unknown-node'), undefined);
      assert.ok(changes >= 2, `joins are changes (${changes})`);

      members[2].stop();
      await clock.advance(30_000);
      assert.equal(view.stateOf('n2'), 'dead');
      const seen = changes;
      unsubscribe();
      await members[1].leave();
      await clock.advance(3_000);
      assert.equal(view.stateOf('n1'), 'left');
      assert.equal(changes, seen, 'no calls after unsubscribing');
    } finally {
      abort.abort();
      await Promise.all(runs);
    }
  });
});

describe('DeferredMembershipView', () => {
  it('knows nothing until bound; earlier listeners move to the bound view and hear of it once', () => {
    const states = new Map<string, 'alive' | 'dead'>([['n1', 'alive']]);
    const listeners = new Set<() => void>();
    const target = {
      stateOf: (name: string) => states.get(name),
      onChange: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
    };
    const view = new DeferredMembershipView();
    let calls = 0;
    const unsubscribe = view.onChange(() => calls++);
    assert.equal(view.stateOf('n1'), undefined);

    view.bind(target);
    assert.equal(calls, 1, 'told once on bind');
    assert.equal(view.stateOf('n1'), 'alive');
    states.set('n1', 'dead');
    for (const listener of listeners) listener();
    assert.equal(calls, 2);
    assert.equal(view.stateOf('n1'), 'dead');

    unsubscribe();
    assert.equal(listeners.size, 0, 'unsubscribed from the bound view');
    assert.throws(() => view.bind(target), /already bound/);
  });
});
