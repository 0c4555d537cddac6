// Time as the API shows it to people and writes it on objects.
//
// humanDuration is apimachinery's duration.HumanDuration: the AGE column of `kubectl get`, the
// `5m ago` of RESTARTS. Precision drops as the duration grows: seconds up to 2 minutes, minutes
// and seconds up to 10 minutes, minutes up to 3 hours, then hours, days and years.
// rfc3339 is how Kubernetes writes timestamps on objects: UTC with whole seconds.

import { systemClock } from './clock.js';

/** `90s`, `5m3s`, `75m`, `3h20m`, `30h`, `3d4h`, `400d`, `3y20d`, `9y`. Negative durations (clock skew) read `0s`. */
export function humanDuration(durationMs: number): string {
  const seconds = Math.floor(durationMs / 1000);
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** The age of a timestamp at `now`, humanised; `<unknown>` when there is no timestamp (as kubectl prints). */
export function ageOf(timestamp: string | null | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return '<unknown>';
  return humanDuration(now.getTime() - then);
}

/** RFC 3339 in UTC with second precision, as the real API server writes it: `2024-05-01T12:00:00Z`. */
export function rfc3339(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * MicroTime as Kubernetes writes it (`2024-05-01T12:00:00.123456Z`): the `eventTime` of an Event,
 * which the pod trace (lib/trace/) needs because rfc3339's whole seconds cannot tell 0.1 s from
 * 0.9 s. A JavaScript Date holds milliseconds, so the last three digits are always 000.
 */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

/**
 * Waits `ms` of real time; resolves early (without an error) when `signal` aborts, so a loop
 * just re-checks its signal. Components that must be testable without waiting use a Clock
 * (lib/clock.ts) instead; this is for the CLI and scripts.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return systemClock.sleep(ms, signal);
}
