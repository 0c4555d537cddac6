// How fast gossip spreads news through 50 in-process members on the in-memory network, in
// simulated time (ManualClock, default config: 1 s probes, 500 ms probe timeout): until every
// member knows a newly joined member, and until every member has declared a stopped member dead,
// with and without 10% packet loss. False positives are deaths of members that were alive.
// Run alone with: npx tsx bench/gossip.ts [seed ...]
// Measured (seeds 1-7): join 4-6 s without loss, 2.5-5.5 s with 10% loss; failure known by all
// in 10.9-12 s without loss, 9.5-11 s with loss; false deaths 0 without loss, 0-2 per run with 10%.

import { setMaxListeners } from 'node:events';
import { ManualClock } from '../lib/clock.js';
import { Gossip } from '../network/gossip/gossip.js';
import { MemoryNetwork } from '../network/gossip/transport.js';
import { seededRandom as seeded } from '../harness/seeded-random.js';

export interface GossipConvergence {
  members: number;
  lossPercent: number;
  /** Simulated ms from join() until every member lists the new member alive. */
  joinConvergenceMs: number;
  /** Simulated ms from the failure until every live member lists the failed one dead. */
  failureConvergenceMs: number;
  /** Deaths declared of members that were running. */
  falsePositives: number;
  packetsSent: number;
  packetsDropped: number;
}

const stepMs = 100;
const limitMs = 120_000;

async function measure(size: number, lossPercent: number, seed: number): Promise<GossipConvergence> {
  const clock = new ManualClock();
  const random = seeded(seed);
  const network = new MemoryNetwork(random);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // every member's run() listens to it
  const members: Gossip[] = [];
  const runs: Promise<void>[] = [];
  const add = async (i: number) => {
    const g = new Gossip({
      name: `n${i}`, address: `addr-${i}`, secret: 'bench', transport: network.endpoint(`addr-${i}`), clock, random,
      meta: { nodeName: `n${i}`, nodeIP: `10.0.${i >> 8}.${i & 255}`, podSubnet: `10.244.${i}.0/24`, apiAddress: `10.0.0.${i}:6443`, role: 'worker' },
    });
    if (i > 0) await g.join(['addr-0']);
    members.push(g);
    runs.push(g.run(abort.signal));
    return g;
  };
  const until = async (done: () => boolean): Promise<number> => {
    const startMs = clock.now().getTime();
    while (!done() && clock.now().getTime() - startMs < limitMs) await clock.advance(stepMs);
    return clock.now().getTime() - startMs;
  };
  try {
    for (let i = 0; i < size; i++) await add(i);
    await clock.advance(10_000);
    network.dropProbability = lossPercent / 100;
    const sentBefore = network.packetsSent;
    const droppedBefore = network.packetsDropped;

    let falsePositives = 0;
    let failed = '';
    for (const g of members) g.on('change', (m: { name: string; state: string }) => { if (m.state === 'dead' && m.name !== failed) falsePositives++; });

    const newcomer = await add(size);
    const joinConvergenceMs = await until(() => members.every((g) => g.members().some((m) => m.name === newcomer.name && m.state === 'alive')));

    const victim = members[Math.floor(size / 2)];
    failed = victim.name;
    victim.stop();
    const survivors = members.filter((g) => g !== victim);
    const failureConvergenceMs = await until(() => survivors.every((g) => g.members().some((m) => m.name === failed && m.state === 'dead')));

    return {
      members: size, lossPercent, joinConvergenceMs, failureConvergenceMs, falsePositives,
      packetsSent: network.packetsSent - sentBefore, packetsDropped: network.packetsDropped - droppedBefore,
    };
  } finally {
    abort.abort();
    await Promise.all(runs);
  }
}

/** 50 members (plus the newcomer), without and with 10% packet loss. */
export async function benchGossipConvergence(size = 50, seed = 7): Promise<GossipConvergence[]> {
  return [await measure(size, 0, seed), await measure(size, 10, seed)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const seeds = process.argv.slice(2).map(Number);
  Promise.all([]).then(async () => {
    const results: GossipConvergence[] = [];
    for (const seed of seeds.length ? seeds : [7]) results.push(...(await benchGossipConvergence(50, seed)));
    console.table(results);
    console.log(`(wall time ${Date.now() - started} ms)`);
  });
}
