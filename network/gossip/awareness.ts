// Local health awareness (Lifeguard, section 4.1; memberlist's awareness.go): a member that misses
// its own acks may be the sick one. A CPU-starved or packet-dropping host sees everyone else go
// quiet, and plain SWIM makes it accuse them all. Lifeguard keeps a small score instead:
//   - a probe answered in time lowers it by one (we are fine);
//   - a failed probe raises it by the number of nacks we expected and did not get: a relay that
//     could not reach the target still answers "nack", so a missing nack means our own messages
//     (or our own event loop) are the problem, not the target; with nobody to relay, by one;
//   - being accused ourselves (a suspicion we must refute) raises it by one.
// The score runs from 0 (healthy) to maxMultiplier - 1, and the probe interval and probe timeout
// are multiplied by (score + 1): a sick member slows down and waits longer before it suspects
// anyone, instead of flooding the cluster with false accusations.

export class Awareness {
  private current = 0;

  /** `maxMultiplier`: the slowest a sick member gets is this many times its normal pace. */
  constructor(private readonly maxMultiplier: number) {
    if (!Number.isInteger(maxMultiplier) || maxMultiplier < 1) throw new Error(`gossip awarenessMaxMultiplier must be an integer of at least 1, not ${maxMultiplier}`);
  }

  /** Applies `delta`, keeping the score within 0 .. maxMultiplier - 1; returns the new score. */
  applyDelta(delta: number): number {
    this.current = Math.min(this.maxMultiplier - 1, Math.max(0, this.current + delta));
    return this.current;
  }

  /** 0 is healthy; higher means this member has been missing its own acks. */
  get score(): number {
    return this.current;
  }

  /** `timeoutMs` stretched by the score: (score + 1) times as long. */
  scaleTimeout(timeoutMs: number): number {
    return timeoutMs * (this.current + 1);
  }
}

/** The score change after one probe round (memberlist's probeNode bookkeeping). */
export function probeAwarenessDelta(outcome: { acked: boolean; expectedNacks: number; nacks: number }): number {
  if (outcome.acked) return -1;
  if (outcome.expectedNacks === 0) return 1;
  return Math.max(0, outcome.expectedNacks - outcome.nacks);
}
