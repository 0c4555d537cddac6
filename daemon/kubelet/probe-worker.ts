// A probe worker: one loop per (pod, container, probe type) while that container runs (kubelet's
// prober/worker.go). It waits out initialDelaySeconds after the container started, then probes
// every periodSeconds; probe-state.ts decides whether to probe at a tick and what an attempt does
// to the result. When the result flips, the worker tells the probe manager, which has the pod
// synced: a readiness change is written to the pod's status, a liveness failure gets the
// container killed.
//
// A worker belongs to one container ID. When the container is restarted the manager stops this
// worker and starts a fresh one for the new ID, so counts and initial results start over, and an
// old container's answers can never be taken for the new one's.

import type { Pod, Probe } from '../../lib/api/types.js';
import type { Clock } from '../../lib/clock.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { containerFieldPath } from './pod-actions.js';
import { probeEventMessage, type ContainerProber, type ProbeTarget } from './prober.js';
import { initialProbeState, planProbeStep, probeTimings, recordProbeAttempt, type ProbeResult, type ProbeState, type ProbeStep, type ProbeTimings, type ProbeType } from './probe-state.js';

export interface ProbeWorkerOptions {
  type: ProbeType;
  probe: Probe;
  /** The pod, for the Unhealthy events. */
  pod: Pod;
  target: ProbeTarget;
  /** When the container started (ms since the epoch). */
  startedAtMs: number;
  clock: Clock;
  prober: ContainerProber;
  recorder: EventRecorder;
  /** Whether the container has started: its startup probe has succeeded, or it has none. */
  isStarted: () => boolean;
  /** Called when the result flips. */
  onResult: (result: ProbeResult) => void;
  /** Where the result starts (adoptedProbeResult); initialProbeState's when absent. */
  initialResult?: ProbeResult;
}

export class ProbeWorker {
  private state: ProbeState;
  private readonly timings: ProbeTimings;
  private readonly stopped = new AbortController();

  constructor(private readonly o: ProbeWorkerOptions) {
    this.state = { ...initialProbeState(o.type), ...(o.initialResult ? { result: o.initialResult } : {}) };
    this.timings = probeTimings(o.probe);
  }

  get containerId(): string {
    return this.o.target.containerId;
  }

  get result(): ProbeResult {
    return this.state.result;
  }

  /** Probes until stop(), or until there is nothing more to probe in this container. */
  async run(): Promise<void> {
    const { clock } = this.o;
    const signal = this.stopped.signal;
    const firstProbeInMs = this.o.startedAtMs + this.timings.initialDelayMs - clock.now().getTime();
    if (firstProbeInMs > 0) await clock.sleep(firstProbeInMs, signal);
    while (!signal.aborted) {
      const step = await this.probeOnce();
      if (step.action === 'done') return;
      await clock.sleep(this.timings.periodMs, signal);
    }
  }

  stop(): void {
    this.stopped.abort();
  }

  /** One tick: decide, maybe probe, count the attempt; records Unhealthy for every failed attempt. */
  async probeOnce(): Promise<ProbeStep> {
    const { type, clock } = this.o;
    const step = planProbeStep({ type, state: this.state, timings: this.timings, startedAtMs: this.o.startedAtMs, nowMs: clock.now().getTime(), started: this.o.isStarted() });
    if (step.action !== 'probe') return step;
    const outcome = await this.o.prober.probe(type, this.o.probe, this.o.target);
    // Stopped while probing: the container is gone or restarted; this answer is about nothing.
    if (this.stopped.signal.aborted) return { action: 'done' };
    if (outcome.attempt !== 'success') this.o.recorder.record(this.o.pod, 'Warning', 'Unhealthy', probeEventMessage(type, outcome), { fieldPath: containerFieldPath(this.o.pod, this.o.target.container.name) });
    const { state, changed } = recordProbeAttempt(type, this.state, outcome.attempt, this.timings);
    this.state = state;
    if (changed) this.o.onResult(state.result);
    return step;
  }
}
