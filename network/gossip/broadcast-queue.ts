// The updates waiting to be piggybacked on outgoing packets (memberlist's TransmitLimitedQueue).
// One entry per member name: a newer rumour about a member replaces the older one, which is no
// longer worth spreading. The least-sent updates go first, and each leaves the queue after its
// retransmit limit, so the queue stays bounded by the cluster size.

export class BroadcastQueue<T> {
  private readonly entries = new Map<string, { update: T; transmits: number }>();

  /** Queues `update` about member `name`, replacing any update about it not yet fully sent. */
  push(name: string, update: T): void {
    this.entries.set(name, { update, transmits: 0 });
  }

  /** Takes up to `max` updates to piggyback, counting a transmission for each. */
  take(max: number, limit: number): T[] {
    const chosen = [...this.entries.entries()].sort((a, b) => a[1].transmits - b[1].transmits).slice(0, max);
    for (const [name, entry] of chosen) {
      entry.transmits++;
      if (entry.transmits >= limit) this.entries.delete(name);
    }
    return chosen.map(([, entry]) => entry.update);
  }

  get length(): number {
    return this.entries.size;
  }
}
