// `kubelab get members`: the change records (memberChangeOf), the table and change lines the CLI
// prints, the default node, and the gossip member's read-only view (membersSnapshot and the change
// feed) on a simulated cluster with a ManualClock.

import assert from 'node:assert/strict';
import type { Node } from '../../../lib/api/types.js';
import { ManualClock } from '../../../lib/clock.js';
import { memberChangeOf, membersViewOf, type MemberChange, type MemberRecord, type MembersView } from '../../../lib/node-views/members.js';
import { lastAckAge, memberChangeLine, membersTable } from '../../../cli/members-printer.js';
import { isMembersRequest, pickMembersNode } from '../../../cli/commands/get-members.js';
import { createNodeViews } from '../../../daemon/node-views/node-views.js';
import { Gossip } from '../../../network/gossip/gossip.js';
import { MemoryNetwork } from '../../../network/gossip/transport.js';
import { seededRandom } from '../../../harness/seeded-random.js';

const T0 = new Date('2026-12-02T07:00:00.000Z');
const record = (state: MemberRecord['state'], incarnation: number): MemberRecord => ({ name: 'node3', address: '10.99.0.13:7946', state, incarnation });

describe('memberChangeOf: what a new record means', () => {
  const cases: { name: string; previous?: MemberRecord; next: MemberRecord; want?: Partial<MemberChange> }[] = [
    { name: 'a new member joins', next: record('alive', 1), want: { from: undefined, to: 'alive', refuted: false } },
    { name: 'alive -> suspect', previous: record('alive', 1), next: record('suspect', 1), want: { from: 'alive', to: 'suspect', incarnation: 1, refuted: false } },
    { name: 'suspect -> dead', previous: record('suspect', 1), next: record('dead', 1), want: { from: 'suspect', to: 'dead', refuted: false } },
    { name: 'suspect -> alive at a higher incarnation is a refutation', previous: record('suspect', 1), next: record('alive', 2), want: { from: 'suspect', to: 'alive', incarnation: 2, refuted: true } },
    { name: 'a member refuting a rumour about itself: alive -> alive at a higher incarnation', previous: record('alive', 1), next: record('alive', 2), want: { from: 'alive', to: 'alive', refuted: true } },
    { name: 'dead -> alive at a higher incarnation (came back) is a refutation', previous: record('dead', 3), next: record('alive', 4), want: { from: 'dead', to: 'alive', refuted: true } },
    { name: 'suspected again at a higher incarnation', previous: record('suspect', 1), next: record('suspect', 2), want: { from: 'suspect', to: 'suspect', incarnation: 2, refuted: false } },
    { name: 'alive -> left', previous: record('alive', 2), next: record('left', 2), want: { from: 'alive', to: 'left' } },
    { name: 'the same state and incarnation (new metadata only) is no change', previous: record('alive', 1), next: { ...record('alive', 1), address: '10.99.0.99:7946' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const change = memberChangeOf(c.previous, c.next, 'node1', T0);
      if (!c.want) return assert.equal(change, undefined);
      assert.ok(change);
      assert.equal(change.observer, 'node1');
      assert.equal(change.member, 'node3');
      assert.equal(change.time, '2026-12-02T07:00:00.000Z');
      for (const [k, v] of Object.entries(c.want)) assert.equal(change[k as keyof MemberChange], v, k);
    });
  }
});

describe('members table and change lines', () => {
  const view: MembersView = membersViewOf(
    'node1',
    [
      { name: 'node2', address: '10.99.0.12:7946', state: 'alive', incarnation: 1, lastAckMs: T0.getTime() - 400, meta: { nodeIP: '10.99.0.12', podSubnet: '10.244.2.0/24', role: 'agent' } },
      { name: 'node1', address: '10.99.0.11:7946', state: 'alive', incarnation: 1, meta: { nodeIP: '10.99.0.11', podSubnet: '10.244.1.0/24', role: 'server' } },
      { name: 'node3', address: '10.99.0.13:7946', state: 'suspect', incarnation: 2, lastAckMs: T0.getTime() - 125_000, meta: { nodeIP: '10.99.0.13', podSubnet: '10.244.3.0/24', role: 'agent' } },
      { name: 'node4', address: '10.99.0.14:7946', state: 'dead', incarnation: 1 },
    ],
    T0,
  );

  it('lists members by name with state, incarnation and the age of the last ack (tenths below 10 s, - for the observer itself)', () => {
    assert.equal(
      membersTable(view),
      [
        'MEMBER   ADDRESS           STATE     INCARNATION   LAST ACK',
        'node1    10.99.0.11:7946   alive     1             -',
        'node2    10.99.0.12:7946   alive     1             0.4s',
        'node3    10.99.0.13:7946   suspect   2             2m5s',
        'node4    10.99.0.14:7946   dead      1             <never>',
        '',
      ].join('\n'),
    );
  });

  it('-o wide adds node IP, pod subnet and role; --no-headers leaves out the header', () => {
    const lines = membersTable(view, { wide: true, noHeaders: true }).trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^node1 +10\.99\.0\.11:7946 +alive +1 +- +10\.99\.0\.11 +10\.244\.1\.0\/24 +server$/);
    assert.match(lines[3], /^node4 .* <none> +<none> +<none>$/);
  });

  it('ages are taken at the node\'s reading, not the caller\'s clock', () => {
    assert.equal(lastAckAge('2026-12-02T07:00:00.000Z', '2026-12-02T07:00:09.990Z', false), '9.9s');
    assert.equal(lastAckAge('2026-12-02T07:00:00.000Z', '2026-12-02T07:00:30.000Z', false), '30s');
    assert.equal(lastAckAge('2026-12-02T07:00:05.000Z', '2026-12-02T07:00:00.000Z', false), '0.0s');
  });

  it('prints each change on one line with its time, observer, transition and incarnation', () => {
    const at = (from: MemberRecord | undefined, to: MemberRecord) => memberChangeLine(memberChangeOf(from, to, 'node1', T0)!);
    assert.equal(at(record('alive', 1), record('suspect', 1)), '2026-12-02T07:00:00.000Z  node1 sees node3  alive -> suspect  incarnation 1');
    assert.equal(at(record('suspect', 1), record('dead', 1)), '2026-12-02T07:00:00.000Z  node1 sees node3  suspect -> dead  incarnation 1');
    assert.equal(at(undefined, record('alive', 1)), '2026-12-02T07:00:00.000Z  node1 sees node3  joined as alive  incarnation 1');
    assert.equal(
      at(record('suspect', 1), record('alive', 2)),
      '2026-12-02T07:00:00.000Z  node1 sees node3  suspect -> alive  incarnation 2  (refuted: it raised its incarnation to beat the rumour)',
    );
  });
});

describe('get members: which node is asked', () => {
  const node = (name: string, ready: boolean, controlPlane = false): Node =>
    ({
      metadata: { name, labels: controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
      status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    }) as Node;

  it('the Ready control-plane node, else the first Ready node by name, else none', () => {
    assert.equal(pickMembersNode([node('node3', true), node('node1', true, true), node('node2', true)]), 'node1');
    assert.equal(pickMembersNode([node('node3', true), node('node1', false, true), node('node2', true)]), 'node2');
    assert.equal(pickMembersNode([node('node1', false, true)]), undefined);
  });

  it('`get members` and `get member` are members requests; other types are not', () => {
    assert.ok(isMembersRequest(['members']));
    assert.ok(isMembersRequest(['member', 'node2']));
    assert.ok(!isMembersRequest(['nodes']));
    assert.ok(!isMembersRequest([]));
  });
});

describe('a gossip member\'s views: membersSnapshot and the change feed', () => {
  const meta = (i: number) => ({ nodeName: `n${i}`, nodeIP: `10.0.0.${i}`, podSubnet: `10.244.${i}.0/24`, apiAddress: `10.0.0.${i}:6443`, role: 'agent' });
  const emptyProxy = { describe: () => ({ services: [], addresses: [] }) };

  async function cluster(size: number) {
    const clock = new ManualClock(T0);
    const random = seededRandom(7);
    const network = new MemoryNetwork(random);
    const abort = new AbortController();
    const members: Gossip[] = [];
    for (let i = 0; i < size; i++) {
      const g = new Gossip({ name: `n${i}`, address: `addr-${i}`, meta: meta(i), secret: 'lab', transport: network.endpoint(`addr-${i}`), clock, random });
      if (i > 0) await g.join(['addr-0']);
      members.push(g);
    }
    const views = members.map((gossip) => createNodeViews({ nodeName: gossip.name, clock, podSubnet: '', clusterCidr: '10.244.0.0/16', gossip, peers: () => [], proxy: emptyProxy, dns: { servers: [], domain: 'cluster.local' } }));
    const changes = members.map(() => [] as MemberChange[]);
    views.forEach((v, i) => v.onMemberChange((change) => changes[i].push(change)));
    const runs = members.map((g) => g.run(abort.signal));
    return { clock, network, members, views, changes, stop: async () => { abort.abort(); await Promise.all(runs); } };
  }

  it('shows every member alive with a recent last ack, then a stopped member going suspect, then dead', async () => {
    const c = await cluster(3);
    try {
      await c.clock.advance(4_000);
      const view = c.views[0].members();
      assert.deepEqual(view.members.map((m) => `${m.name}:${m.state}:${m.incarnation}`), ['n0:alive:1', 'n1:alive:1', 'n2:alive:1']);
      assert.equal(view.members[0].lastAckAt, undefined, 'no ack from ourselves');
      for (const m of view.members.slice(1)) {
        assert.ok(m.lastAckAt, `${m.name} acked`);
        assert.ok(Date.parse(view.observedAt) - Date.parse(m.lastAckAt) <= 4_000, `${m.name}'s last ack is recent`);
      }
      c.members[2].stop();
      for (let i = 0; i < 60 && !c.changes[0].some((ch) => ch.member === 'n2' && ch.to === 'dead'); i++) await c.clock.advance(500);
      const aboutN2 = c.changes[0].filter((ch) => ch.member === 'n2').map((ch) => `${ch.from}->${ch.to}`);
      assert.deepEqual(aboutN2, ['alive->suspect', 'suspect->dead']);
      assert.equal(c.views[0].members().members.find((m) => m.name === 'n2')?.state, 'dead');
    } finally {
      await c.stop();
    }
  });

  it('a suspected member that refutes shows up as a refutation, in its own feed and in the others\'', async () => {
    const c = await cluster(3);
    try {
      await c.clock.advance(3_000);
      for (const other of ['addr-0', 'addr-1']) c.network.setDrop('addr-2', other, 1);
      for (let i = 0; i < 40 && !c.members.some((g) => g.members().find((m) => m.name === 'n2')?.state === 'suspect'); i++) await c.clock.advance(250);
      for (const other of ['addr-0', 'addr-1']) c.network.setDrop('addr-2', other, 0);
      await c.clock.advance(4_000);
      const own = c.changes[2].filter((ch) => ch.member === 'n2');
      assert.ok(own.some((ch) => ch.refuted && ch.to === 'alive' && ch.incarnation > 1), `n2's own feed: ${JSON.stringify(own)}`);
      const seen = [...c.changes[0], ...c.changes[1]].filter((ch) => ch.member === 'n2');
      assert.ok(seen.some((ch) => ch.from === 'suspect' && ch.to === 'alive' && ch.refuted), `the others' feeds: ${JSON.stringify(seen)}`);
    } finally {
      await c.stop();
    }
  });
});
