// The pod row of `kubectl get pods`: READY, STATUS, RESTARTS.
//
// STATUS is not a field of the pod: it is computed by Kubernetes' printPod from the phase and the
// container states, in this order (later steps override earlier ones):
//   1. the phase (`Running`, `Pending`...), or status.reason when the kubelet set one (`Evicted`);
//   2. init containers, first unfinished one wins: `Init:CrashLoopBackOff`, `Init:Error`,
//      `Init:ExitCode:3`, or `Init:1/2` while they run in order;
//   3. once initialised, app containers from last to first: a waiting reason
//      (`ContainerCreating`, `CrashLoopBackOff`, `ErrImagePull`), else a terminated reason
//      (`Completed`, `Error`, `OOMKilled`) or `ExitCode:N` / `Signal:N`; a pod that says
//      `Completed` while another container still runs reads `Running` (or `NotReady`);
//   4. a pod being deleted reads `Terminating` (`Unknown` if its node was lost).
// RESTARTS adds how long ago the last restart was: `3 (42s ago)`.

import type { Container, ContainerStatus, KubeObject, Pod, PodStatus } from '../api/types.js';
import { ageOf } from '../time.js';
import { ageColumn, column, nameColumn, type Printer, type TableRowCondition } from './printer.js';

/** Sidecars: init containers with restartPolicy Always run alongside the app containers. */
function isRestartableInitContainer(container: Container | undefined): boolean {
  return (container as (Container & { restartPolicy?: string }) | undefined)?.restartPolicy === 'Always';
}

function conditionIsTrue(status: PodStatus | undefined, type: string): boolean {
  return (status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** The later of two RFC 3339 timestamps (either may be missing). */
function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export interface PodSummary {
  ready: string;
  status: string;
  restarts: number;
  /** When the last restart's previous attempt finished, for `N (5m ago)`. */
  lastRestartAt?: string;
}

/** READY, STATUS and RESTARTS of a pod, computed exactly as Kubernetes' printPod does. */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const initSpecs = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  let totalContainers = (spec.containers ?? []).length;
  for (const c of spec.initContainers ?? []) if (isRestartableInitContainer(c)) totalContainers++;

  let reason: string = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let restarts = 0;
  let sidecarRestarts = 0;
  let readyContainers = 0;
  let lastRestartAt: string | undefined;
  let lastSidecarRestartAt: string | undefined;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i];
    restarts += container.restartCount ?? 0;
    lastRestartAt = later(lastRestartAt, container.lastState?.terminated?.finishedAt);
    const sidecar = isRestartableInitContainer(initSpecs.get(container.name));
    if (sidecar) {
      sidecarRestarts += container.restartCount ?? 0;
      lastSidecarRestartAt = later(lastSidecarRestartAt, container.lastState?.terminated?.finishedAt);
    }
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && container.started) {
      if (container.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionIsTrue(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestartAt = lastSidecarRestartAt;
    let hasRunning = false;
    const statuses: ContainerStatus[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      restarts += container.restartCount ?? 0;
      lastRestartAt = later(lastRestartAt, container.lastState?.terminated?.finishedAt);
      const { waiting, terminated, running } = container.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (container.ready && running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // One container finished but another still runs: the pod as a whole is running.
    if (reason === 'Completed' && hasRunning) reason = conditionIsTrue(status, 'Ready') ? 'Running' : 'NotReady';
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';

  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts, lastRestartAt };
}

function restartsCell(summary: PodSummary, now: Date): string {
  if (summary.restarts !== 0 && summary.lastRestartAt) return `${summary.restarts} (${ageOf(summary.lastRestartAt, now)} ago)`;
  return String(summary.restarts);
}

function readinessGatesCell(pod: Pod): string {
  const gates = (pod.spec?.readinessGates as { conditionType: string }[] | undefined) ?? [];
  if (gates.length === 0) return '<none>';
  const passing = gates.filter((g) => conditionIsTrue(pod.status, g.conditionType)).length;
  return `${passing}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    column('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { wide: true }),
    column('Node', 'NodeName is a request to schedule this pod onto a specific node.', { wide: true }),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node.', { wide: true }),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { wide: true }),
  ],
  cells(obj: KubeObject, now: Date) {
    const pod = obj as Pod;
    const summary = summarizePod(pod);
    const podIP = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName || '<none>';
    return [
      pod.metadata.name ?? '',
      summary.ready,
      summary.status,
      restartsCell(summary, now),
      ageOf(pod.metadata.creationTimestamp, now),
      podIP,
      pod.spec?.nodeName || '<none>',
      nominated,
      readinessGatesCell(pod),
    ];
  },
  conditions(obj: KubeObject): TableRowCondition[] | undefined {
    const phase = (obj as Pod).status?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
