// A reproducible random source. Code that draws random numbers (gossip's lossy transport, its
// probe order) takes the source as a parameter; the gossip tests and the gossip benchmark pass
// this one with a fixed seed, so a run that found a problem can be run again to the same result.

/** A small seeded PRNG (mulberry32): uniform in [0, 1), the same sequence for the same seed, so lossy gossip runs are reproducible. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
