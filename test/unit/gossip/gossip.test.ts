import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { ManualClock } from '../../../lib/clock.js';
import { Gossip } from '../../../network/gossip/gossip.js';
import type { GossipConfig } from '../../../network/gossip/gossip-config.js';
import { MemoryNetwork } from '../../../network/gossip/transport.js';
import { seededRandom as seeded } from '../../../harness/seeded-random.js';

const meta = (i: number) => ({ nodeName: `n${i}`, nodeIP: `10.0.0.${i}`, podSubnet: `10.244.${i}.0/24`, apiAddress: `10.0.0.${i}:6443`, role: i === 0 ? 'master' : 'worker' });

async function cluster(size: number, seed = 1, drop = 0, config: Partial<GossipConfig> = {}) {
  const clock = new ManualClock();
  const random = seeded(seed);
  const network = new MemoryNetwork(random);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // every member's run() listens to it
  const members: Gossip[] = [];
  for (let i = 0; i < size; i++) {
    const g = new Gossip({ name: `n${i}`, address: `addr-${i}`, meta: meta(i), secret: 'lab', transport: network.endpoint(`addr-${i}`), clock, random, config });
    if (i > 0) await g.join(['addr-0']);
    members.push(g);
  }
  network.dropProbability = drop;
  const runs = members.map((g) => g.run(abort.signal));
  const stop = async () => { abort.abort(); await Promise.all(runs); };
  return { clock, network, members, stop };
}

const view = (g: Gossip, name: string) => g.members().find((m) => m.name === name);

describe('Gossip (SWIM over MemoryTransport, ManualClock)', () => {
  it('5 members joining through one seed converge, and metadata reaches everyone', async () => {
    const c = await cluster(5);
    try {
      await c.clock.advance(5_000);
      for (const g of c.members) {
        assert.deepEqual(g.members().map((m) => `${m.name}:${m.state}`).sort(), ['n0:alive', 'n1:alive', 'n2:alive', 'n3:alive', 'n4:alive'], g.name);
        assert.equal(view(g, 'n3')?.meta.podSubnet, '10.244.3.0/24');
        assert.equal(view(g, 'n0')?.meta.role, 'master');
      }
    } finally { await c.stop(); }
  });

  it('a stopped member is suspected, then declared dead within the expected time', async () => {
    const c = await cluster(5);
    try {
      await c.clock.advance(3_000);
      c.members[4].stop();
      // Each of 4 probers reaches n4 within one shuffled round (4 intervals); suspicion lasts
      // suspicionMult * max(1, log10(5)) = 4 intervals; gossip then spreads it in a few more.
      await c.clock.advance(4_000 + 1_000);
      assert.ok(c.members.slice(0, 4).some((g) => view(g, 'n4')?.state === 'suspect'), 'someone suspects n4 after one round');
      await c.clock.advance(4_000 + 4_000);
      for (const g of c.members.slice(0, 4)) assert.equal(view(g, 'n4')?.state, 'dead', `${g.name} sees n4 dead`);
    } finally { await c.stop(); }
  });

  it('a suspected live member refutes with a higher incarnation', async () => {
    const c = await cluster(5);
    try {
      await c.clock.advance(3_000);
      // Silence n2's outgoing packets (its acks are lost) until someone suspects it, then restore:
      // n2 still hears the piggybacked suspicion and must refute it.
      const others = ['addr-0', 'addr-1', 'addr-3', 'addr-4'];
      for (const other of others) c.network.setDrop('addr-2', other, 1);
      for (let i = 0; i < 20 && !c.members.some((g) => view(g, 'n2')?.state === 'suspect'); i++) await c.clock.advance(250);
      assert.ok(c.members.some((g) => view(g, 'n2')?.state === 'suspect'), 'n2 is suspected while its acks are lost');
      for (const other of others) c.network.setDrop('addr-2', other, 0);
      await c.clock.advance(4_000);
      assert.ok(view(c.members[2], 'n2')!.incarnation > 1, 'n2 raised its incarnation');
      for (const g of c.members) assert.equal(view(g, 'n2')?.state, 'alive', `${g.name} sees n2 alive`);
    } finally { await c.stop(); }
  });

  it('forged packets are dropped and counted', async () => {
    const c = await cluster(2);
    try {
      const attacker = new Gossip({ name: 'evil', address: 'addr-evil', meta: meta(9), secret: 'wrong', transport: c.network.endpoint('addr-evil'), clock: c.clock });
      await assert.rejects(attacker.join(['addr-0']), /could not join.*forged|could not join/);
      await attacker.probeOnce();
      c.network.endpoint('addr-raw').send('addr-0', Buffer.from(JSON.stringify({ payload: '{"from":"x"}', mac: 'ab' })));
      await c.clock.advance(1_000);
      assert.equal(view(c.members[0], 'evil'), undefined);
      assert.ok(c.members[0].codec.rejected.forged >= 2, `forged count ${c.members[0].codec.rejected.forged}`);
    } finally { await c.stop(); }
  });

  it('10% packet loss causes no false death over 60 probe rounds', async () => {
    const c = await cluster(8, 42, 0.1);
    try {
      let deaths = 0;
      for (const g of c.members) g.on('change', (m) => { if (m.state === 'dead') deaths++; });
      await c.clock.advance(60_000);
      assert.equal(deaths, 0);
      for (const g of c.members) assert.equal(g.liveMembers().length, 8, g.name);
      assert.ok(c.network.packetsDropped > 0);
    } finally { await c.stop(); }
  });

  it('after a partition heals, both sides find each other again (reconnect) and everyone is alive', async () => {
    const c = await cluster(4);
    try {
      await c.clock.advance(3_000);
      c.network.partition('addr-3', true);
      await c.clock.advance(20_000);
      for (const g of c.members.slice(0, 3)) assert.equal(view(g, 'n3')?.state, 'dead', `${g.name} sees n3 dead while cut off`);
      // The cut-off member is slower to give up on the others (Lifeguard): nobody confirms its
      // suspicions, so each lasts the maximum (6 x 4 s), and its missing nacks slow its probing.
      assert.ok(c.members[3].healthScore >= 3, `n3 blames itself (health score ${c.members[3].healthScore})`);
      assert.equal(c.members[0].healthScore, 0, 'n0, whose relays answer nack, does not');
      for (let i = 0; i < 60 && !['n0', 'n1', 'n2'].every((n) => view(c.members[3], n)?.state === 'dead'); i++) await c.clock.advance(1_000);
      for (const n of ['n0', 'n1', 'n2']) assert.equal(view(c.members[3], n)?.state, 'dead', `n3 sees ${n} dead while cut off`);
      c.network.partition('addr-3', false);
      // Nobody probes the dead: only the periodic reconnect (every 10 s) can find them again.
      await c.clock.advance(2 * c.members[0].config.reconnectIntervalMs + 5_000);
      for (const g of c.members) {
        assert.deepEqual(g.members().map((m) => `${m.name}:${m.state}`).sort(), ['n0:alive', 'n1:alive', 'n2:alive', 'n3:alive'], g.name);
      }
    } finally { await c.stop(); }
  });

  it('the gossip interval spreads a joiner to 20 members within a second, long before probes could', async () => {
    // Probes every 10 s: only the gossip rounds (200 ms, fanout 3) can carry the news this fast.
    const c = await cluster(20, 3, 0, { probeIntervalMs: 10_000, probeTimeoutMs: 500 });
    try {
      await c.clock.advance(30_000);
      const joiner = new Gossip({ name: 'n20', address: 'addr-20', meta: meta(20), secret: 'lab', transport: c.network.endpoint('addr-20'), clock: c.clock, random: seeded(9), config: { probeIntervalMs: 10_000, probeTimeoutMs: 500 } });
      await joiner.join(['addr-0']);
      const running = joiner.run(new AbortController().signal);
      await c.clock.advance(1_000);
      for (const g of c.members) assert.equal(view(g, 'n20')?.state, 'alive', `${g.name} knows n20`);
      joiner.stop();
      await running;
    } finally { await c.stop(); }
  });

  it('relays nack when the target is silent, so the prober does not blame itself', async () => {
    const c = await cluster(5, 5);
    try {
      await c.clock.advance(3_000);
      c.members[4].stop();
      await c.clock.advance(6_000);
      for (const g of c.members.slice(0, 4)) {
        if (g.probes.failed === 0) continue;
        assert.ok(g.nacksReceived > 0, `${g.name} received nacks for its probes of the stopped n4`);
        assert.equal(g.healthScore, 0, `${g.name} stays healthy`);
      }
      assert.ok(c.members.some((g) => g.probes.failed > 0), 'someone probed n4');
    } finally { await c.stop(); }
  });

  it('a member whose own packets are lost blames itself and probes more slowly', async () => {
    const c = await cluster(5, 5);
    try {
      await c.clock.advance(3_000);
      for (const other of ['addr-0', 'addr-1', 'addr-2', 'addr-4']) c.network.setDrop('addr-3', other, 1);
      const rounds = (g: Gossip) => g.probes.acked + g.probes.ackedIndirectly + g.probes.failed;
      const before = c.members.map(rounds);
      await c.clock.advance(8_000);
      assert.ok(c.members[3].healthScore > 0, `n3 blames itself (health score ${c.members[3].healthScore})`);
      const n3Rounds = rounds(c.members[3]) - before[3];
      const n0Rounds = rounds(c.members[0]) - before[0];
      assert.ok(n3Rounds < n0Rounds, `n3 probed ${n3Rounds} times, n0 ${n0Rounds}`);
    } finally { await c.stop(); }
  });

  it('a failure confirmed by several members is declared well before the unconfirmed maximum', async () => {
    const c = await cluster(8, 11);
    try {
      await c.clock.advance(3_000);
      c.members[7].stop();
      const startMs = c.clock.now().getTime();
      const survivors = c.members.slice(0, 7);
      while (!survivors.every((g) => view(g, 'n7')?.state === 'dead') && c.clock.now().getTime() - startMs < 60_000) await c.clock.advance(100);
      const tookMs = c.clock.now().getTime() - startMs;
      // Unconfirmed, a suspicion lasts 6 x 4 s = 24 s; confirmed twice, 4 s. Add probe and gossip rounds.
      assert.ok(tookMs <= 12_000, `every survivor saw n7 dead after ${tookMs} ms`);
    } finally { await c.stop(); }
  });

  it('a member that leaves is recorded as left, not dead', async () => {
    const c = await cluster(4);
    try {
      await c.clock.advance(2_000);
      await c.members[3].leave();
      await c.clock.advance(3_000);
      for (const g of c.members.slice(0, 3)) assert.equal(view(g, 'n3')?.state, 'left', g.name);
    } finally { await c.stop(); }
  });
});
