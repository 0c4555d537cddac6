// The knobs of the gossip protocol, with defaults for a lab of a few to a few dozen hosts on one
// LAN (memberlist's DefaultLANConfig is the model; the values are a little slower to stay quiet).

export interface GossipConfig {
  /** How often each member probes one other. Lower finds failures sooner at the cost of more packets: each member sends about 1 ping per interval, whatever the cluster size. */
  probeIntervalMs: number;
  /** How long to wait for a direct ack before asking others to probe for us. Must exceed a round trip; too low turns a slow network into indirect probes. */
  probeTimeoutMs: number;
  /** How many other members relay a ping (ping-req) when the direct one failed. More of them makes a lossy link to one member less likely to get it suspected. */
  indirectChecks: number;
  /** Suspicion lasts suspicionMult * log10(n) probe intervals (at least one) before the member is declared dead: time for the rumour to reach it and for it to refute. */
  suspicionMult: number;
  /** How often to exchange the whole member table with one random peer over the stream channel: repairs anything the lossy gossip missed, and merges partitions. */
  pushPullIntervalMs: number;
  /** How often to try a full-state sync with one member believed dead: a partition that healed, or a member that came back, is found this way, since nobody probes the dead (Serf's reconnect). */
  reconnectIntervalMs: number;
  /** Each update is piggybacked retransmitMult * log10(n + 1) times (at least once more): higher spreads rumours more surely through loss, at the price of bigger packets. */
  retransmitMult: number;
  /** How many updates one packet carries at most, keeping pings well under a UDP datagram. */
  maxPiggybackedUpdates: number;
}

export const defaultGossipConfig: GossipConfig = {
  probeIntervalMs: 1_000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  pushPullIntervalMs: 30_000,
  reconnectIntervalMs: 10_000,
  retransmitMult: 4,
  maxPiggybackedUpdates: 16,
};

/** How long a suspicion lasts in a cluster of `n` members before the suspect is declared dead. */
export function suspicionTimeoutMs(config: GossipConfig, n: number): number {
  return config.suspicionMult * Math.max(1, Math.log10(Math.max(1, n))) * config.probeIntervalMs;
}

/** How many times one update is piggybacked before it leaves the broadcast queue. */
export function retransmitLimit(config: GossipConfig, n: number): number {
  return Math.ceil(config.retransmitMult * Math.log10(n + 1));
}
