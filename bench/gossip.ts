// How fast gossip spreads news, and how often it accuses a live member, in-process on the
// in-memory network and in simulated time (ManualClock): 10 minutes of a lossy network run in
// seconds, and a seed reproduces a run exactly.
//   - convergence: 50 members, and 3 as in a lab; until every member knows a newly joined member alive, and until
//     every live member has declared a stopped member dead; without and with 10 % packet loss;
//   - false positives: members that were never stopped, yet declared dead by someone, over 10
//     minutes of simulated time at 10 % packet loss (3 members, as `kubelab lab up`, and 50).
// Each runs with the lab's gossip settings (cli/lab/host-kubelabd.ts, LAB_GOSSIP) and with the
// daemon's defaults (network/gossip/gossip-config.ts).
// Run alone with: npx tsx bench/gossip.ts [--seeds 1,2,3] [--minutes 10] [--config lab|default]

import { setMaxListeners } from 'node:events';
import { LAB_GOSSIP } from '../cli/lab/host-kubelabd.js';
import { ManualClock } from '../lib/clock.js';
import { Gossip } from '../network/gossip/gossip.js';
import { defaultGossipConfig, type GossipConfig } from '../network/gossip/gossip-config.js';
import { MemoryNetwork } from '../network/gossip/transport.js';
import { seededRandom as seeded } from '../harness/seeded-random.js';
import { median } from './stats.js';

export interface GossipSettings {
  label: string;
  config: Partial<GossipConfig>;
}

export const GOSSIP_SETTINGS: GossipSettings[] = [
  { label: 'lab', config: LAB_GOSSIP },
  { label: 'default', config: {} },
];

export interface GossipConvergence {
  settings: string;
  members: number;
  lossPercent: number;
  seed: number;
  /** Simulated ms from join() until every member lists the new member alive. */
  joinConvergenceMs: number;
  /** Simulated ms from the failure until every live member lists the failed one dead. */
  failureConvergenceMs: number;
  /** Deaths declared of members that were running, during the run. */
  falsePositives: number;
  packetsSent: number;
  packetsDropped: number;
}

export interface GossipFalsePositives {
  settings: string;
  members: number;
  lossPercent: number;
  seed: number;
  simulatedMinutes: number;
  /** Times some member started suspecting a live member (each must be refuted in time). */
  suspicions: number;
  /** Times some member declared a live member dead. The target: 0. */
  falsePositives: number;
  /** The highest local health score any member reached (Lifeguard's self-doubt under loss). */
  maxHealthScore: number;
  packetsSent: number;
}

const stepMs = 50;
const limitMs = 120_000;

/** A cluster of `size` members on one in-memory network, joined through member 0 and settled for 10 s. */
async function cluster(size: number, seed: number, config: Partial<GossipConfig>) {
  const clock = new ManualClock();
  const random = seeded(seed);
  const network = new MemoryNetwork(random);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // every member's run() listens to it
  const members: Gossip[] = [];
  const runs: Promise<void>[] = [];
  const add = async (i: number) => {
    const g = new Gossip({
      name: `n${i}`, address: `addr-${i}`, secret: 'bench', transport: network.endpoint(`addr-${i}`), clock, random, config,
      meta: { nodeName: `n${i}`, nodeIP: `10.0.${i >> 8}.${i & 255}`, podSubnet: `10.244.${i}.0/24`, apiAddress: `10.0.0.${i}:6443`, role: 'worker' },
    });
    if (i > 0) await g.join(['addr-0']);
    members.push(g);
    runs.push(g.run(abort.signal));
    return g;
  };
  for (let i = 0; i < size; i++) await add(i);
  await clock.advance(10_000);
  const until = async (done: () => boolean): Promise<number> => {
    const startMs = clock.now().getTime();
    while (!done() && clock.now().getTime() - startMs < limitMs) await clock.advance(stepMs);
    return clock.now().getTime() - startMs;
  };
  const stop = async () => {
    abort.abort();
    await Promise.all(runs);
  };
  return { clock, network, members, add, until, stop };
}

async function measureConvergence(settings: GossipSettings, size: number, lossPercent: number, seed: number): Promise<GossipConvergence> {
  const c = await cluster(size, seed, settings.config);
  try {
    c.network.dropProbability = lossPercent / 100;
    const sentBefore = c.network.packetsSent;
    const droppedBefore = c.network.packetsDropped;

    let falsePositives = 0;
    let failed = '';
    const countFalseDeaths = (g: Gossip) => g.on('change', (m: { name: string; state: string }) => { if (m.state === 'dead' && m.name !== failed) falsePositives++; });
    c.members.forEach(countFalseDeaths);

    const newcomer = await c.add(size);
    countFalseDeaths(newcomer);
    const joinConvergenceMs = await c.until(() => c.members.every((g) => g.members().some((m) => m.name === newcomer.name && m.state === 'alive')));

    const victim = c.members[Math.floor(size / 2)];
    failed = victim.name;
    victim.stop();
    const survivors = c.members.filter((g) => g !== victim);
    const failureConvergenceMs = await c.until(() => survivors.every((g) => g.members().some((m) => m.name === failed && m.state === 'dead')));

    return {
      settings: settings.label, members: size, lossPercent, seed, joinConvergenceMs, failureConvergenceMs, falsePositives,
      packetsSent: c.network.packetsSent - sentBefore, packetsDropped: c.network.packetsDropped - droppedBefore,
    };
  } finally {
    await c.stop();
  }
}

async function measureFalsePositives(settings: GossipSettings, size: number, lossPercent: number, minutes: number, seed: number): Promise<GossipFalsePositives> {
  const c = await cluster(size, seed, settings.config);
  try {
    c.network.dropProbability = lossPercent / 100;
    const sentBefore = c.network.packetsSent;
    let suspicions = 0;
    let falsePositives = 0;
    let maxHealthScore = 0;
    for (const g of c.members) {
      g.on('change', (m: { state: string }) => {
        if (m.state === 'suspect') suspicions++;
        if (m.state === 'dead') falsePositives++;
      });
    }
    for (let elapsedMs = 0; elapsedMs < minutes * 60_000; elapsedMs += 1_000) {
      await c.clock.advance(1_000);
      for (const g of c.members) maxHealthScore = Math.max(maxHealthScore, g.healthScore);
    }
    return { settings: settings.label, members: size, lossPercent, seed, simulatedMinutes: minutes, suspicions, falsePositives, maxHealthScore, packetsSent: c.network.packetsSent - sentBefore };
  } finally {
    await c.stop();
  }
}

/** 50 members (plus the newcomer), without and with 10 % packet loss, one round per seed. */
export async function benchGossipConvergence(settings: GossipSettings, size = 50, seeds = [1, 2, 3]): Promise<GossipConvergence[]> {
  const runs: GossipConvergence[] = [];
  for (const lossPercent of [0, 10]) for (const seed of seeds) runs.push(await measureConvergence(settings, size, lossPercent, seed));
  return runs;
}

/** Live members declared dead over `minutes` of simulated time at 10 % loss: the lab's 3 members and 50. */
export async function benchGossipFalsePositives(settings: GossipSettings, sizes = [3, 50], minutes = 10, seed = 1): Promise<GossipFalsePositives[]> {
  const runs: GossipFalsePositives[] = [];
  for (const size of sizes) runs.push(await measureFalsePositives(settings, size, 10, minutes, seed));
  return runs;
}

/** Medians over the seeds, one line per settings and loss rate; then the false-positive runs. */
export function formatGossipBench(convergence: GossipConvergence[], falsePositives: GossipFalsePositives[]): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines: string[] = [];
  const groups = new Map<string, GossipConvergence[]>();
  for (const r of convergence) groups.set(`${r.settings}|${r.members}|${r.lossPercent}`, [...(groups.get(`${r.settings}|${r.members}|${r.lossPercent}`) ?? []), r]);
  for (const runs of groups.values()) {
    const { settings, members, lossPercent } = runs[0]!;
    const each = (pick: (r: GossipConvergence) => number) => `${seconds(median(runs.map(pick)))} (${runs.map((r) => (pick(r) / 1000).toFixed(2)).join(', ')})`;
    lines.push(
      `  ${settings.padEnd(7)} ${members} members, ${String(lossPercent).padStart(2)}% loss, median of ${runs.length} seeds: ` +
      `joiner known by all ${each((r) => r.joinConvergenceMs)}, failure known by all ${each((r) => r.failureConvergenceMs)}, ` +
      `false deaths ${runs.reduce((sum, r) => sum + r.falsePositives, 0)}`,
    );
  }
  for (const r of falsePositives) {
    lines.push(
      `  ${r.settings.padEnd(7)} ${r.members} members, ${r.lossPercent}% loss, ${r.simulatedMinutes} simulated minutes: ` +
      `${r.falsePositives} false deaths, ${r.suspicions} suspicions (all refuted but those), health score up to ${r.maxHealthScore}, ${r.packetsSent} packets`,
    );
  }
  return ['gossip in simulated time (bench/gossip.ts): convergence medians (each seed), then false positives', ...lines].join('\n');
}

/** Every settings' convergence and false-positive runs. */
export async function benchGossip(seeds = [1, 2, 3], minutes = 10, only?: string): Promise<string> {
  const convergence: GossipConvergence[] = [];
  const falsePositives: GossipFalsePositives[] = [];
  for (const settings of GOSSIP_SETTINGS.filter((s) => !only || s.label === only)) {
    convergence.push(...(await benchGossipConvergence(settings, 50, seeds)));
    // The lab's shape: 3 hosts (one is the server).
    convergence.push(...(await benchGossipConvergence(settings, 3, seeds)));
    // The 50-member false-positive run takes minutes of wall time: only for the lab's settings.
    falsePositives.push(...(await benchGossipFalsePositives(settings, settings.label === 'lab' ? [3, 50] : [3], minutes)));
  }
  return formatGossipBench(convergence, falsePositives);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
  const seeds = (arg('seeds') ?? '1,2,3').split(',').map(Number);
  benchGossip(seeds, Number(arg('minutes') ?? 10), arg('config')).then((report) => {
    console.log(report);
    console.log(`(wall time ${((Date.now() - started) / 1000).toFixed(1)} s; daemon defaults: probe ${defaultGossipConfig.probeIntervalMs} ms)`);
  });
}
