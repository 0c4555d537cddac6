// Time as the components of kubelab read it: through a Clock, never through Date.now() or
// setTimeout directly, so tests can drive back-offs, heartbeats and resyncs without waiting.
//
// systemClock is the real time. ManualClock is the test double: time stands still until the
// test calls advance(ms), which wakes every sleeper whose deadline has come, oldest deadline first
// (k8s.io/utils/clock/testing.FakeClock plays the same part in Kubernetes' tests).

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or early (without an error) when `signal` aborts, so loops can just re-check it. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep(ms, signal) {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

interface Sleeper {
  deadlineMs: number;
  wake: () => void;
}

/** A clock that moves only when the test says so. */
export class ManualClock implements Clock {
  private nowMs: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | string = '2025-01-01T00:00:00Z') {
    this.nowMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        deadlineMs: this.nowMs + Math.max(0, ms),
        wake: () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
    });
  }

  /** How many sleeps are waiting: lets a test wait until a loop has parked itself. */
  get waiting(): number {
    return this.sleepers.length;
  }

  /**
   * Moves time forward and wakes the sleepers whose deadline has come, one deadline at a time,
   * letting the woken code run (microtasks and I/O callbacks) before time moves on.
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.nowMs + ms;
    for (;;) {
      const due = this.sleepers.filter((s) => s.deadlineMs <= targetMs).sort((a, b) => a.deadlineMs - b.deadlineMs);
      if (due.length === 0) break;
      this.nowMs = Math.max(this.nowMs, due[0].deadlineMs);
      for (const s of due.filter((d) => d.deadlineMs <= this.nowMs)) s.wake();
      await settle();
    }
    this.nowMs = targetMs;
    await settle();
  }

  /** Sets the time without waking anyone (for pure functions that only read now()). */
  set(time: Date | string): void {
    this.nowMs = new Date(time).getTime();
  }
}

/** Lets pending promise callbacks and timers of 0 ms run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
