// Exponential back-off: how long to wait before trying again something that keeps failing.
//
// Kubernetes uses one idea in many places. The kubelet waits 10 s, 20 s, 40 s ... up to 5 min
// before restarting a container that keeps crashing (CrashLoopBackOff) and before pulling an
// image again (ImagePullBackOff); client-go's work queue retries a failed reconcile after 5 ms,
// 10 ms, 20 ms ... (ItemExponentialFailureRateLimiter). Each time the wait is multiplied by a
// factor (2) and capped, so a thing that fails for a moment is retried soon, while one that
// stays broken costs little: after the cap it is tried once per `maxMs`.
//
// This module only computes delays; the callers keep their own memory (a failure count, or the
// last delay and when it failed) and decide when the back-off is forgotten: the work queue on a
// successful reconcile, the kubelet when a container ran long enough or an image was pulled.

export interface BackoffPolicy {
  /** The wait after the first failure. */
  initialMs: number;
  /** The longest wait: once reached, every further failure waits this long. */
  maxMs: number;
  /** What each further failure multiplies the wait by. Default 2 (doubling). */
  factor?: number;
}

/**
 * The wait after the `failures`-th failure in a row (1 for the first): initial · factor^(failures-1),
 * never more than maxMs. 0 failures means no wait.
 */
export function backoffDelayMs(policy: BackoffPolicy, failures: number): number {
  if (failures <= 0) return 0;
  const delay = policy.initialMs * (policy.factor ?? 2) ** (failures - 1);
  return Math.min(delay, policy.maxMs);
}

/** The wait after one more failure, given the wait after the previous one (undefined: this is the first). */
export function nextBackoffDelayMs(policy: BackoffPolicy, previousDelayMs: number | undefined): number {
  if (previousDelayMs === undefined) return Math.min(policy.initialMs, policy.maxMs);
  return Math.min(previousDelayMs * (policy.factor ?? 2), policy.maxMs);
}

/** The back-off of one thing that failed: the wait it must sit out, counted from when it failed. */
export interface BackoffWindow {
  delayMs: number;
  failedAtMs: number;
}

/** How long is left of a back-off at `nowMs`; 0 once it has passed (or when there is none). */
export function backoffRemainingMs(window: BackoffWindow | undefined, nowMs: number): number {
  if (!window) return 0;
  return Math.max(0, window.failedAtMs + window.delayMs - nowMs);
}
