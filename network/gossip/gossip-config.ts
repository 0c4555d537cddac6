// The knobs of the gossip protocol, with defaults for a lab of a few to a few dozen hosts on one
// LAN (memberlist's DefaultLANConfig is the model; the values are a little slower to stay quiet).
// A `kubelab lab` passes faster values, chosen by measurement (daemon/config.ts, LAB_GOSSIP).

export interface GossipConfig {
  /** How often each member probes one other. Lower finds failures sooner at the cost of more packets: each member sends about 1 ping per interval, whatever the cluster size. */
  probeIntervalMs: number;
  /** How long to wait for a direct ack before asking others to probe for us. Must exceed a round trip; too low turns a slow network into indirect probes. */
  probeTimeoutMs: number;
  /** How many other members relay a ping (ping-req) when the direct one failed. More of them makes a lossy link to one member less likely to get it suspected. */
  indirectChecks: number;
  /** Suspicion lasts at least suspicionMult * log10(n) probe intervals (n at least 10) before the member is declared dead: time for the rumour to reach it and for it to refute. suspicionMult - 2 independent confirmations bring a suspicion down to this minimum (Lifeguard). */
  suspicionMult: number;
  /** A suspicion nobody else confirms lasts this many times the minimum (Lifeguard): one member with a bad link cannot get others declared dead quickly. */
  suspicionMaxTimeoutMult: number;
  /** How often to send queued rumours (joins, suspicions, deaths) to `gossipNodes` random members, besides piggybacking them on probes: news spreads in a few of these rounds, not in probe rounds. 0 turns it off (probes alone carry rumours, plain SWIM). */
  gossipIntervalMs: number;
  /** How many random members each gossip round sends to (the fanout). More spreads faster, with more packets. */
  gossipNodes: number;
  /** Local health awareness (Lifeguard): a member that misses its own acks stretches its probe interval and timeout up to this many times, instead of accusing healthy members. 1 turns it off. */
  awarenessMaxMultiplier: number;
  /** How often to exchange the whole member table with one random peer over the stream channel: repairs anything the lossy gossip missed, and merges partitions. */
  pushPullIntervalMs: number;
  /** How often to try a full-state sync with one member believed dead: a partition that healed, or a member that came back, is found this way, since nobody probes the dead (Serf's reconnect). */
  reconnectIntervalMs: number;
  /** Each update is sent retransmitMult * ceil(log10(n + 1)) times (memberlist's formula), in gossip rounds and on probes: higher spreads rumours more surely through loss, at the price of bigger packets. */
  retransmitMult: number;
  /** How many updates one packet carries at most, keeping pings well under a UDP datagram. */
  maxPiggybackedUpdates: number;
}

export const defaultGossipConfig: GossipConfig = {
  probeIntervalMs: 1_000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  awarenessMaxMultiplier: 8,
  pushPullIntervalMs: 30_000,
  reconnectIntervalMs: 10_000,
  retransmitMult: 4,
  maxPiggybackedUpdates: 16,
};

/** The shortest a suspicion lasts in a cluster of `n` members (every expected confirmation came) before the suspect is declared dead. */
export function suspicionTimeoutMs(config: GossipConfig, n: number): number {
  return config.suspicionMult * Math.max(1, Math.log10(Math.max(1, n))) * config.probeIntervalMs;
}

/** The longest a suspicion lasts (nobody confirmed it). */
export function suspicionMaxTimeoutMs(config: GossipConfig, n: number): number {
  return config.suspicionMaxTimeoutMult * suspicionTimeoutMs(config, n);
}

/** Refuses settings the protocol cannot work with, saying which knob to change. */
export function validateGossipConfig(config: GossipConfig): void {
  const problems: string[] = [];
  if (!(config.probeIntervalMs > 0)) problems.push(`probeIntervalMs must be above 0 (got ${config.probeIntervalMs})`);
  // The relays of an indirect probe answer "nack" after probeTimeoutMs; that answer must arrive
  // before the prober gives up at the end of its interval, or every failed probe looks like our fault.
  if (!(config.probeTimeoutMs > 0 && config.probeTimeoutMs * 2 <= config.probeIntervalMs)) {
    problems.push(`probeTimeoutMs (${config.probeTimeoutMs}) must be above 0 and at most half of probeIntervalMs (${config.probeIntervalMs}), so indirect probes and their nacks fit in the interval`);
  }
  if (!(config.suspicionMult >= 1)) problems.push(`suspicionMult must be at least 1 (got ${config.suspicionMult})`);
  if (!(config.suspicionMaxTimeoutMult >= 1)) problems.push(`suspicionMaxTimeoutMult must be at least 1 (got ${config.suspicionMaxTimeoutMult})`);
  if (!(config.gossipIntervalMs >= 0)) problems.push(`gossipIntervalMs must be 0 (off) or more (got ${config.gossipIntervalMs})`);
  if (!(Number.isInteger(config.gossipNodes) && config.gossipNodes >= 1)) problems.push(`gossipNodes must be a whole number of at least 1 (got ${config.gossipNodes})`);
  if (!(Number.isInteger(config.awarenessMaxMultiplier) && config.awarenessMaxMultiplier >= 1)) problems.push(`awarenessMaxMultiplier must be a whole number of at least 1 (got ${config.awarenessMaxMultiplier})`);
  if (problems.length) throw new Error(`gossip configuration refused: ${problems.join('; ')}`);
}

/** How many times one update is piggybacked before it leaves the broadcast queue. */
export function retransmitLimit(config: GossipConfig, n: number): number {
  return config.retransmitMult * Math.ceil(Math.log10(n + 1));
}
