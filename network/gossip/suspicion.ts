// Lifeguard's dynamic suspicion timeout (section 4.3; memberlist's suspicion.go). In plain SWIM a
// suspect is declared dead after a fixed timeout, which must be long enough for the suspect to
// hear the rumour and refute it even through a lossy network: every real failure pays for that.
// Lifeguard starts long (maxMs) and shrinks the timeout as *independent* members confirm the
// suspicion (each one failed its own probe of the suspect and said so): one member with a bad
// link cannot kill anyone quickly, but several agreeing members bring the timeout down to minMs.
//
//   timeout(c) = max - (max - min) * log(c + 1) / log(k + 1),   never below min
//
// where c is the number of confirmations so far and k the number expected (suspicionMult - 2,
// or 0 in a cluster too small to have that many other members: then the timeout is min at once).
// The log makes the first confirmations count most. Time already spent suspecting counts: a
// confirmation re-arms the timer for timeout(c) - elapsed, firing at once if that has passed.

import type { Clock } from '../../lib/clock.js';

/** How many independent confirmations shrink a suspicion to its minimum (memberlist: SuspicionMult - 2, 0 when the cluster is smaller than that plus two). */
export function confirmationsExpected(suspicionMult: number, liveMembers: number): number {
  const k = suspicionMult - 2;
  return liveMembers - 2 < k ? 0 : Math.max(0, k);
}

/** The total suspicion timeout after `confirmations` of `expected` confirmations, in ms. */
export function suspicionTimeoutAfter(confirmations: number, expected: number, minMs: number, maxMs: number): number {
  if (expected < 1) return minMs;
  const fraction = Math.log(confirmations + 1) / Math.log(expected + 1);
  return Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
}

export interface SuspicionOptions {
  /** The member whose failed probe started the suspicion: it does not count as a confirmation. */
  from: string;
  expected: number;
  minMs: number;
  maxMs: number;
  clock: Clock;
  /** Aborting it (the member stops) cancels the timer. */
  signal: AbortSignal;
  /** Called once when the timeout passes without cancel(): the caller declares the suspect dead. */
  onTimeout: () => void;
}

/** One running suspicion of one member: its timer, and who has confirmed it. */
export class Suspicion {
  private readonly confirmedBy = new Set<string>();
  private readonly startedMs: number;
  private timer = new AbortController();
  private done = false;

  constructor(private readonly options: SuspicionOptions) {
    this.confirmedBy.add(options.from);
    this.startedMs = options.clock.now().getTime();
    this.arm(suspicionTimeoutAfter(0, options.expected, options.minMs, options.maxMs));
  }

  /** Confirmations from members other than the first accuser. */
  get confirmations(): number {
    return this.confirmedBy.size - 1;
  }

  /** Counts `from`'s suspicion if it is new and more are still useful; true when it counted (then the caller passes it on, so others shrink theirs too). */
  confirm(from: string): boolean {
    if (this.done || this.confirmations >= this.options.expected || this.confirmedBy.has(from)) return false;
    this.confirmedBy.add(from);
    const { expected, minMs, maxMs, clock } = this.options;
    const elapsedMs = clock.now().getTime() - this.startedMs;
    this.arm(suspicionTimeoutAfter(this.confirmations, expected, minMs, maxMs) - elapsedMs);
    return true;
  }

  /** Stops the timer (the suspect refuted, or was declared dead some other way). */
  cancel(): void {
    this.done = true;
    this.timer.abort();
  }

  private arm(delayMs: number): void {
    this.timer.abort();
    const timer = new AbortController();
    this.timer = timer;
    const signal = AbortSignal.any([timer.signal, this.options.signal]);
    void this.options.clock.sleep(Math.max(0, delayMs), signal).then(() => {
      if (signal.aborted || this.done) return;
      this.done = true;
      this.options.onTimeout();
    });
  }
}
