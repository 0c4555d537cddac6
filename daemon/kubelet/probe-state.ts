// What a probe worker knows and decides, purely: the kubelet prober's worker.go without the I/O.
//
// A probe worker watches one container (one container ID) with one probe type. Each attempt
// succeeds or fails; a single attempt does not change the container's result. The result flips
// only after `successThreshold` successes in a row, or `failureThreshold` failures in a row, so
// one slow answer does not restart a container nor pull a pod out of its Service.
//
// Where each result starts, before any attempt:
// - readiness: failure. A container is not sent traffic until it has answered once.
// - liveness: success. A container is alive until proven otherwise.
// - startup: unknown (not started). Kubernetes marks `started` only after a success; liveness and
//   readiness do not run until then, so a slow-starting app is not killed by its liveness probe.
//
// After a liveness or startup result flips to failure the kubelet kills the container; the worker
// goes "on hold" and probes nothing more: the restarted container gets a new ID and a new worker.

import type { Probe } from '../../lib/api/types.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
/** One attempt's outcome; `error` means the probe could not run (it is ignored, as Kubernetes does). */
export type ProbeAttempt = 'success' | 'failure' | 'error';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface ProbeTimings {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The probe's timings, with Kubernetes' defaults (the API server sets them too; a fake client may not). */
export function probeTimings(probe: Probe): ProbeTimings {
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: (probe.periodSeconds ?? 10) * 1000,
    timeoutMs: (probe.timeoutSeconds ?? 1) * 1000,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

export interface ProbeState {
  /** The container's result for this probe type, as the kubelet acts on it. */
  result: ProbeResult;
  /** The last attempt that counted, and how many in a row had that outcome. */
  lastAttempt?: 'success' | 'failure';
  run: number;
  /** A liveness or startup failure was reported: nothing more to probe in this container. */
  onHold: boolean;
}

export function initialProbeState(type: ProbeType): ProbeState {
  const result: ProbeResult = type === 'readiness' ? 'failure' : type === 'liveness' ? 'success' : 'unknown';
  return { result, run: 0, onHold: false };
}

/**
 * Where a worker's result starts for a container the pod's status already reports on: after a
 * kubelet restart the containers run on, and the API still holds what the previous kubelet
 * measured (`ready`, `started`) for the same container ID. Starting readiness over at failure
 * would pull every pod of the host out of its Services until its first probe, for no fault of
 * the pods (Kubernetes' kubelet does that: kubernetes/kubernetes#100277); carrying the reported
 * result over keeps them in, and the next probes correct it if it is no longer true. Liveness
 * starts at success anyway. `reported` is undefined for a container the status does not know
 * (a new one, or a restarted one with a new ID): then it starts as initialProbeState says.
 */
export function adoptedProbeResult(type: ProbeType, reported: { ready?: boolean; started?: boolean } | undefined): ProbeResult {
  if (type === 'readiness' && reported?.ready === true) return 'success';
  if (type === 'startup' && reported?.started === true) return 'success';
  return initialProbeState(type).result;
}

/** What a worker should do at one tick. */
export type ProbeStep =
  | { action: 'probe' }
  /** Not yet: the initial delay has not passed, or the startup probe has not succeeded. */
  | { action: 'wait'; reason: 'initial delay' | 'not started' }
  /** Nothing more to do for this container: on hold, or a startup probe that already succeeded. */
  | { action: 'done' };

export interface ProbeStepInput {
  type: ProbeType;
  state: ProbeState;
  timings: ProbeTimings;
  /** When the container started (ms since the epoch). */
  startedAtMs: number;
  nowMs: number;
  /** Whether the container has started: its startup probe succeeded, or it has none. */
  started: boolean;
}

/** worker.go's doProbe guards, in its order. */
export function planProbeStep(input: ProbeStepInput): ProbeStep {
  const { type, state, timings, startedAtMs, nowMs, started } = input;
  if (state.onHold) return { action: 'done' };
  // Startup probes run until the container has started, and never after.
  if (type === 'startup' && started) return { action: 'done' };
  // The others wait for the startup probe.
  if (type !== 'startup' && !started) return { action: 'wait', reason: 'not started' };
  if (nowMs - startedAtMs < timings.initialDelayMs) return { action: 'wait', reason: 'initial delay' };
  return { action: 'probe' };
}

/** The state after one attempt, and whether the result changed (the kubelet must then act). */
export function recordProbeAttempt(type: ProbeType, state: ProbeState, attempt: ProbeAttempt, timings: ProbeTimings): { state: ProbeState; changed: boolean } {
  // A probe that could not run says nothing about the container.
  if (attempt === 'error') return { state, changed: false };
  const run = state.lastAttempt === attempt ? state.run + 1 : 1;
  const next: ProbeState = { ...state, lastAttempt: attempt, run };
  const threshold = attempt === 'success' ? timings.successThreshold : timings.failureThreshold;
  if (run < threshold) return { state: next, changed: false };
  const changed = next.result !== attempt;
  next.result = attempt;
  // A failed liveness or startup probe gets the container killed: stop probing it, and start the
  // count over (worker.go resets resultRun so a restarted probe needs the full threshold again).
  if (attempt === 'failure' && type !== 'readiness') {
    next.onHold = true;
    next.run = 0;
  }
  return { state: next, changed };
}
