// The probe manager: the kubelet's prober_manager.go. It keeps one probe worker per (pod,
// container, probe type) for each running container that has that probe, and the latest result
// of each, by container ID (the results managers of Kubernetes).
//
// The pod worker talks to it at every sync:
// - updatePod(pod, containers, podIP): start workers for containers that now run, stop those of
//   containers that stopped or were replaced;
// - statusOf(...): which containers are ready and started, for the pod's status;
// - probeFailures(...): which running containers failed liveness or startup and must be killed.
// And it talks back: when a result flips, onChange(podKey) has the pod synced at once, so a pod
// turns Ready (or leaves its Services' endpoints) within a probe period, not at the next resync.

import type { Container, Pod, Probe } from '../../lib/api/types.js';
import { objectKey } from '../../lib/client/object-key.js';
import type { Clock } from '../../lib/clock.js';
import { logger, type Logger } from '../../lib/logger.js';
import type { EventRecorder } from '../events/event-recorder.js';
import type { ContainerStatus } from '../runtime/container-runtime.js';
import { attemptsNewestFirst } from './pod-actions.js';
import type { ContainerProber } from './prober.js';
import { containerIdOf } from './pod-status.js';
import { adoptedProbeResult, initialProbeState, type ProbeResult, type ProbeType } from './probe-state.js';
import { ProbeWorker } from './probe-worker.js';

export interface ProbeManagerOptions {
  prober: ContainerProber;
  recorder: EventRecorder;
  clock: Clock;
  /** A result of this pod (`namespace/name`) changed: sync it. */
  onChange: (podKey: string) => void;
  log?: Logger;
}

/** A running container whose liveness or startup probe failed. */
export interface ProbeFailure {
  containerId: string;
  probeType: 'liveness' | 'startup';
}

const PROBE_FIELDS: [ProbeType, 'livenessProbe' | 'readinessProbe' | 'startupProbe'][] = [
  ['startup', 'startupProbe'],
  ['liveness', 'livenessProbe'],
  ['readiness', 'readinessProbe'],
];

/** The newest attempt of each container of the spec, when it runs. */
/** The containers that may have probes: the app containers and the native sidecars (init containers with restartPolicy Always). */
export function probedContainers(pod: Pod): Container[] {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
}

function runningContainers(pod: Pod, containers: ContainerStatus[]): Map<string, ContainerStatus> {
  const running = new Map<string, ContainerStatus>();
  for (const spec of probedContainers(pod)) {
    const newest = attemptsNewestFirst(containers.filter((c) => c.name === spec.name))[0];
    if (newest?.state === 'running') running.set(spec.name, newest);
  }
  return running;
}

export class ProbeManager {
  /** Workers by `<pod uid>/<container name>/<probe type>`. */
  private readonly workers = new Map<string, ProbeWorker>();
  /** Results by `<container id>/<probe type>`. */
  private readonly results = new Map<string, ProbeResult>();
  private readonly log: Logger;

  constructor(private readonly o: ProbeManagerOptions) {
    this.log = o.log ?? logger('kubelet');
  }

  /** Makes the workers match the pod's running containers: one per probe of each. */
  updatePod(pod: Pod, containers: ContainerStatus[], podIP: string | undefined): void {
    const uid = pod.metadata.uid!;
    const running = runningContainers(pod, containers);
    const wanted = new Set<string>();
    // A pod being deleted is not probed: a container shutting down must not be "restarted".
    if (podIP && !pod.metadata.deletionTimestamp) {
      for (const spec of probedContainers(pod)) {
        const container = running.get(spec.name);
        if (!container) continue;
        for (const [type, field] of PROBE_FIELDS) {
          const probe = spec[field];
          if (!probe) continue;
          const key = `${uid}/${spec.name}/${type}`;
          wanted.add(key);
          const existing = this.workers.get(key);
          if (existing?.containerId === container.id) continue;
          if (existing) this.stopWorker(key);
          this.startWorker(key, pod, type, probe, container, podIP);
        }
      }
    }
    for (const key of this.workers.keys()) if (key.startsWith(`${uid}/`) && !wanted.has(key)) this.stopWorker(key);
  }

  /** Stops every worker of the pod (it is being deleted, or is gone). */
  removePod(uid: string): void {
    for (const key of this.workers.keys()) if (key.startsWith(`${uid}/`)) this.stopWorker(key);
  }

  stopAll(): void {
    for (const key of this.workers.keys()) this.stopWorker(key);
  }

  /**
   * Readiness and `started` of the running containers that have those probes (a container without
   * one is missing from the map: ready and started as soon as it runs).
   */
  statusOf(pod: Pod, containers: ContainerStatus[]): { readiness: Map<string, boolean>; started: Map<string, boolean> } {
    const readiness = new Map<string, boolean>();
    const started = new Map<string, boolean>();
    for (const [name, container] of runningContainers(pod, containers)) {
      const spec = probedContainers(pod).find((c) => c.name === name)!;
      if (spec.readinessProbe) readiness.set(name, this.resultOf(container.id, 'readiness') === 'success');
      if (spec.startupProbe) started.set(name, this.resultOf(container.id, 'startup') === 'success');
    }
    return { readiness, started };
  }

  /** Running containers whose liveness or startup probe has failed, by container name. */
  probeFailures(pod: Pod, containers: ContainerStatus[]): Map<string, ProbeFailure> {
    const failures = new Map<string, ProbeFailure>();
    for (const [name, container] of runningContainers(pod, containers)) {
      for (const probeType of ['startup', 'liveness'] as const) {
        if (this.results.get(`${container.id}/${probeType}`) === 'failure') failures.set(name, { containerId: container.id, probeType });
      }
    }
    return failures;
  }

  /** How many workers run (for tests and debugging). */
  get workerCount(): number {
    return this.workers.size;
  }

  private resultOf(containerId: string, type: ProbeType): ProbeResult {
    return this.results.get(`${containerId}/${type}`) ?? initialProbeState(type).result;
  }

  private startWorker(key: string, pod: Pod, type: ProbeType, probe: Probe, container: ContainerStatus, podIP: string): void {
    const spec = probedContainers(pod).find((c) => c.name === container.name)!;
    const resultKey = `${container.id}/${type}`;
    // A container this kubelet did not start (it restarted) keeps the result its status reports.
    const reported = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
      .find((c) => c.name === container.name && c.containerID === containerIdOf(container));
    const initialResult = adoptedProbeResult(type, reported);
    this.results.set(resultKey, initialResult);
    const worker = new ProbeWorker({
      type,
      probe,
      pod,
      target: { podIP, containerId: container.id, container: spec },
      startedAtMs: Date.parse(container.startedAt ?? container.createdAt),
      initialResult,
      clock: this.o.clock,
      prober: this.o.prober,
      recorder: this.o.recorder,
      isStarted: () => !spec.startupProbe || this.results.get(`${container.id}/startup`) === 'success',
      onResult: (result) => {
        if (this.workers.get(key) !== worker) return;
        this.results.set(resultKey, result);
        this.o.onChange(objectKey(pod));
      },
    });
    this.workers.set(key, worker);
    worker.run().catch((err: unknown) => this.log.error(`${type} probe of ${objectKey(pod)} container ${spec.name}`, { err }));
  }

  private stopWorker(key: string): void {
    const worker = this.workers.get(key);
    if (!worker) return;
    worker.stop();
    this.workers.delete(key);
    this.results.delete(`${worker.containerId}/${key.split('/').pop()}`);
  }
}
