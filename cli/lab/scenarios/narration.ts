// How a scenario tells what happens, as it happens: one line per step with its offset from the
// start of the run ("[+12.3 s] node3 is dead in the server's gossip view"), and at the end a
// timeline of the milestones measured from the moment of the fault ("node3 suspect at +1.1 s,
// dead at +3.8 s, NotReady at +3.9 s ..."). Offsets are measured, never asserted: the gossip and
// node lifecycle timings change as the cluster is tuned, and the scenario is there to show them.
//
// Pure: the clock and the output are injected, so tests format fixed times.

/** `+1.1 s`, `+13.9 s`, `+72.0 s`: tenths of a second, always signed, as the narration prints them. */
export function formatOffset(ms: number): string {
  const tenths = Math.round(ms / 100);
  const sign = tenths < 0 ? '-' : '+';
  return `${sign}${(Math.abs(tenths) / 10).toFixed(1)} s`;
}

/** `10.1 s`: a duration (a back-off, a wait), unsigned. */
export function formatSeconds(ms: number): string {
  return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
}

/** A moment worth a place in the summary: when it happened (absent: it was never seen). */
export interface Milestone {
  label: string;
  atMs?: number;
}

/**
 * One sentence of milestones measured from `anchorMs` (the fault), earliest first:
 * `node3 suspect at +1.1 s, dead at +3.8 s, NotReady at +3.9 s`. A milestone never seen says so
 * at the end (`suspect not seen`), because a fast failure detector may skip a state between two
 * looks.
 */
export function formatTimeline(subject: string, anchorMs: number, milestones: Milestone[]): string {
  // In the order they happened (two watches may see them in another order than the causal one),
  // and the ones never seen last.
  const seen = milestones.filter((m) => m.atMs !== undefined).sort((a, b) => a.atMs! - b.atMs!);
  const unseen = milestones.filter((m) => m.atMs === undefined);
  const parts = [...seen, ...unseen].map((m) => (m.atMs === undefined ? `${m.label} not seen` : `${m.label} at ${formatOffset(m.atMs - anchorMs)}`));
  return subject ? `${subject} ${parts.join(', ')}` : parts.join(', ');
}

/** Writes narrated lines with their offset from the start of the run; remembers milestones. */
export class Narrator {
  readonly startMs: number;
  private readonly milestones = new Map<string, number>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.startMs = now();
  }

  /** Milliseconds since the run started. */
  elapsedMs(): number {
    return this.now() - this.startMs;
  }

  /** The current time on the narrator's clock (for anchors). */
  at(): number {
    return this.now();
  }

  /** `[+12.3 s] text` */
  say(text: string): void {
    this.write(`[${formatOffset(this.elapsedMs()).padStart(8)}] ${text}`);
  }

  /** A line without an offset (headers, the summary). */
  print(text: string): void {
    this.write(text);
  }

  /** Records the first time `key` happened (later calls keep the first) and says `text` then. */
  mark(key: string, text: string): void {
    if (this.milestones.has(key)) return;
    this.milestones.set(key, this.now());
    this.say(text);
  }

  /** When `key` was first marked, on the narrator's clock. */
  markedAt(key: string): number | undefined {
    return this.milestones.get(key);
  }

  /** A timeline of marked keys, from `anchorMs`. */
  timeline(subject: string, anchorMs: number, keys: Array<{ key: string; label: string }>): string {
    return formatTimeline(subject, anchorMs, keys.map(({ key, label }) => ({ label, atMs: this.milestones.get(key) })));
  }
}
