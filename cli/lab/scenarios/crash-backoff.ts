// CrashLoopBackOff, measured from outside: when did the kubelet restart a crashing container, and
// do the waits between restarts grow as Kubernetes' do? The kubelet restarts a crashed container
// at once the first time, then waits 10 s, 20 s, 40 s ... doubling up to 5 minutes (kubelet's
// backOff for containers; kubelab's daemon/config.ts KUBELET_DEFAULTS.backoff). The scenario
// watches the pod's restartCount and hands the moments it saw each new count to this analysis.
//
// What is measured is the interval between two restarts as a watcher sees them: the back-off
// plus the container's short run (it exits 1 at once) plus the kubelet's and the watch's
// latency. So the expected value is the back-off and the tolerance is reported with the result.
//
// Pure: observations in, table out.

import { formatSeconds } from './narration.js';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Kubernetes' container restart back-off: 10 s doubling to 300 s, the first restart immediate. */
export const KUBERNETES_CRASH_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };

/** A restart the watcher saw: restartCount became `restartCount` at `seenAtMs`. */
export interface RestartObservation {
  restartCount: number;
  seenAtMs: number;
}

export interface BackoffRow {
  /** The restart this row is about (1 = the first restart). */
  restart: number;
  /** Time since the previous restart (or, for the first, since the container first ran). */
  intervalMs: number;
  /** The back-off Kubernetes waits before this restart. */
  expectedMs: number;
  toleranceMs: number;
  withinTolerance: boolean;
}

export interface BackoffAnalysis {
  rows: BackoffRow[];
  /** Every interval within its tolerance of Kubernetes' back-off. */
  ok: boolean;
}

/** The back-off before restart `n` (1-based): 0, then initial, doubling, capped. */
export function expectedBackoffMs(restart: number, policy: BackoffPolicy = KUBERNETES_CRASH_BACKOFF): number {
  if (restart <= 1) return 0;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** (restart - 2));
}

/** How far a measured interval may be from the back-off: the run and the latencies (2 s) plus 10 %. */
export function backoffToleranceMs(expectedMs: number): number {
  return 2_000 + expectedMs / 10;
}

/**
 * Rows for each restart seen. `firstRunSeenAtMs` is when the container was first seen running
 * (the base of the first interval). Observations may skip counts (two restarts between looks):
 * a skipped restart has no row, and the interval after it is not compared.
 */
export function analyseBackoff(firstRunSeenAtMs: number, observations: RestartObservation[], policy: BackoffPolicy = KUBERNETES_CRASH_BACKOFF): BackoffAnalysis {
  const sorted = [...observations].sort((a, b) => a.restartCount - b.restartCount);
  const rows: BackoffRow[] = [];
  let previous: RestartObservation = { restartCount: 0, seenAtMs: firstRunSeenAtMs };
  for (const seen of sorted) {
    if (seen.restartCount === previous.restartCount + 1) {
      const intervalMs = seen.seenAtMs - previous.seenAtMs;
      const expectedMs = expectedBackoffMs(seen.restartCount, policy);
      const toleranceMs = backoffToleranceMs(expectedMs);
      rows.push({ restart: seen.restartCount, intervalMs, expectedMs, toleranceMs, withinTolerance: Math.abs(intervalMs - expectedMs) <= toleranceMs });
    }
    previous = seen;
  }
  return { rows, ok: rows.length > 0 && rows.every((r) => r.withinTolerance) };
}

/** `restart 3: 20.4 s after restart 2 (Kubernetes waits 20.0 s, tolerance ±4.0 s) ok` */
export function formatBackoffRow(row: BackoffRow): string {
  const since = row.restart === 1 ? 'after the first run' : `after restart ${row.restart - 1}`;
  const verdict = row.withinTolerance ? 'ok' : 'OUTSIDE TOLERANCE';
  return `restart ${row.restart}: ${formatSeconds(row.intervalMs)} ${since} (Kubernetes waits ${formatSeconds(row.expectedMs)}, tolerance ±${formatSeconds(row.toleranceMs)}) ${verdict}`;
}
