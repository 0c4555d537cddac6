// The replica calculator: how many pods a metric asks for. Kubernetes' replica_calculator.go
// (pkg/controller/podautoscaler), pure: pods, their measured usage and the clock come in as
// arguments, a number and what was measured go out.
//
// The idea in one line: desiredReplicas = ceil(currentReplicas x currentMetric / target).
// The care is in which pods count:
// - a deleted or Failed pod is ignored; a Pending pod is "unready";
// - for cpu, a pod still in its initialization period (cpuInitializationPeriod, 5 min) counts
//   as unready when it is not Ready or its sample was taken before it became Ready plus one
//   metric window; after that period, a pod that is not Ready and never was (its Ready
//   condition changed within delayOfInitialReadinessStatus, 30 s, of its start) is unready too:
//   a starting JVM burns cpu that says nothing about the load;
// - a running pod without a sample is "missing".
// The ratio is first computed over the ready pods with samples. When pods were left out, it is
// computed again conservatively: on a scale up, missing and unready pods count as using 0; on a
// scale down, missing pods count as using 100 % of their request (or of the target, if higher).
// If that second ratio is within the tolerance, or points the other way, nothing changes.
// A ratio within the tolerance (0.1: between 0.9 and 1.1) never scales: it avoids flapping
// around the target.

import type { Pod } from '../../../lib/api/types.js';
import { parseCpuMillis, parseMemoryBytes } from '../../../lib/api/quantity.js';

/** One pod's usage of one resource: cpu in millicores, memory in millibytes (Kubernetes' MilliValue). */
export interface PodMetric {
  value: number;
  /** When the sample was taken, and over which window (a cpu rate is an average over it). */
  timestampMs: number;
  windowMs: number;
}

/** Pod name → usage. */
export type PodMetricsInfo = Map<string, PodMetric>;

export interface ReplicaCalculatorConfig {
  /** A usage ratio within 1 ± tolerance does not scale (--horizontal-pod-autoscaler-tolerance). */
  tolerance: number;
  /** How long after a pod starts its cpu samples may be start-up noise (--horizontal-pod-autoscaler-cpu-initialization-period). */
  cpuInitializationPeriodMs: number;
  /** A Ready condition set this soon after start is the pod's first (--horizontal-pod-autoscaler-initial-readiness-delay). */
  delayOfInitialReadinessStatusMs: number;
}

export interface PodGroups {
  readyPodCount: number;
  unreadyPods: Set<string>;
  missingPods: Set<string>;
  ignoredPods: Set<string>;
}

const parseMilli = (resource: string, quantity: string | number): number =>
  resource === 'cpu' ? parseCpuMillis(quantity) : Math.round(parseMemoryBytes(quantity) * 1000);

/** Which pods count, which are unready, missing or ignored (Kubernetes' groupPods). */
export function groupPods(pods: Pod[], metrics: PodMetricsInfo, resource: string, config: ReplicaCalculatorConfig, nowMs: number): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unreadyPods: new Set(), missingPods: new Set(), ignoredPods: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      groups.ignoredPods.add(name);
      continue;
    }
    if (!pod.status?.phase || pod.status.phase === 'Pending') {
      groups.unreadyPods.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missingPods.add(name);
      continue;
    }
    if (resource === 'cpu' && isUnreadyForCpu(pod, metric, config, nowMs)) {
      groups.unreadyPods.add(name);
      continue;
    }
    groups.readyPodCount += 1;
  }
  return groups;
}

function isUnreadyForCpu(pod: Pod, metric: PodMetric, config: ReplicaCalculatorConfig, nowMs: number): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const startMs = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  if (!ready || Number.isNaN(startMs)) return true;
  const transitionMs = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
  if (startMs + config.cpuInitializationPeriodMs > nowMs) {
    // Still possibly initializing: ignore the sample if the pod is unready, or if it was taken
    // before one whole metric window had passed since the pod became ready.
    return ready.status === 'False' || metric.timestampMs < transitionMs + metric.windowMs;
  }
  // Past initialization: ignore the pod only if it is unready and has never been ready.
  return ready.status === 'False' && startMs + config.delayOfInitialReadinessStatusMs > transitionMs;
}

/**
 * Each pod's request of `resource` (milli-units), summed over its containers (or the one named),
 * restartable init containers (sidecars) included. A container without a request makes
 * utilization undefined: Kubernetes' error says which.
 */
export function podRequests(pods: Pod[], resource: string, container?: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => (c as { restartPolicy?: string }).restartPolicy === 'Always')];
    let sum = 0;
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const request = c.resources?.requests?.[resource];
      if (request === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += parseMilli(resource, request);
    }
    requests.set(pod.metadata.name ?? '', sum);
  }
  return requests;
}

export interface UtilizationRatio {
  ratio: number;
  /** Average utilization in percent of the requests, truncated to an integer as Kubernetes does. */
  utilization: number;
  /** Average usage per pod, milli-units. */
  rawAverage: number;
}

/** Usage over requests, of the pods that have both (Kubernetes' GetResourceUtilizationRatio). */
export function utilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): UtilizationRatio {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let pods = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue; // a sample of a pod we do not select: ignored
    metricsTotal += metric.value;
    requestsTotal += request;
    pods += 1;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / pods) };
}

/** Average usage over the target average (Kubernetes' GetMetricUsageRatio). */
function usageRatio(metrics: PodMetricsInfo, targetAverage: number): { ratio: number; average: number } {
  let total = 0;
  for (const metric of metrics.values()) total += metric.value;
  const average = metrics.size > 0 ? total / metrics.size : 0;
  return { ratio: average / targetAverage, average: Math.trunc(average) };
}

const withinTolerance = (ratio: number, tolerance: number): boolean => Math.abs(1 - ratio) <= tolerance;

export interface ResourceReplicasInput {
  currentReplicas: number;
  resource: string;
  /** Only this container's usage and request count (a ContainerResource metric). */
  container?: string;
  pods: Pod[];
  metrics: PodMetricsInfo;
  nowMs: number;
}

export interface ReplicaProposal {
  replicas: number;
  /** Utilization targets: the measured utilization (percent). */
  utilization?: number;
  /** Average usage per pod, milli-units. */
  rawAverage: number;
  timestampMs: number;
}

/** Shared steps of both target types: group, drop what does not count, fail when nothing is left. */
function countedMetrics(input: ResourceReplicasInput, config: ReplicaCalculatorConfig): { metrics: PodMetricsInfo; groups: PodGroups; timestampMs: number } {
  if (input.pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(input.metrics);
  const timestampMs = [...input.metrics.values()][0]?.timestampMs ?? input.nowMs;
  const groups = groupPods(input.pods, metrics, input.resource, config, input.nowMs);
  for (const name of [...groups.ignoredPods, ...groups.unreadyPods]) metrics.delete(name);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  return { metrics, groups, timestampMs };
}

/**
 * Replicas for a Utilization target (percent of the requests). Throws Kubernetes' messages when
 * it cannot say: no pods, no samples, a container without a request.
 */
export function calcResourceReplicas(input: ResourceReplicasInput & { targetUtilization: number }, config: ReplicaCalculatorConfig): ReplicaProposal {
  const { metrics, groups, timestampMs } = countedMetrics(input, config);
  const requests = podRequests(input.pods, input.resource, input.container);
  const first = utilizationRatio(metrics, requests, input.targetUtilization);
  const result = (replicas: number): ReplicaProposal => ({ replicas, utilization: first.utilization, rawAverage: first.rawAverage, timestampMs });

  const scaleUpWithUnready = groups.unreadyPods.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missingPods.size === 0) {
    if (withinTolerance(first.ratio, config.tolerance)) return result(input.currentReplicas);
    // Only ready pods with samples remain: the ratio applies to them.
    return result(Math.ceil(first.ratio * groups.readyPodCount));
  }
  // Be conservative about the pods we could not measure.
  for (const name of groups.missingPods) {
    const request = requests.get(name) ?? 0;
    // Scale down: as if they used all of their request (or the target, above 100 %); scale up: nothing.
    const value = first.ratio < 1 ? (request * Math.max(100, input.targetUtilization)) / 100 : 0;
    metrics.set(name, { value, timestampMs, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of groups.unreadyPods) metrics.set(name, { value: 0, timestampMs, windowMs: 0 });
  const second = utilizationRatio(metrics, requests, input.targetUtilization);
  if (withinTolerance(second.ratio, config.tolerance) || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) {
    // The unmeasured pods would reverse the direction or make it negligible: do not scale.
    return result(input.currentReplicas);
  }
  const replicas = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1 && replicas > input.currentReplicas) || (second.ratio > 1 && replicas < input.currentReplicas)) return result(input.currentReplicas);
  return result(replicas);
}

/** Replicas for an AverageValue target (milli-units per pod): the same steps on plain averages. */
export function calcRawResourceReplicas(input: ResourceReplicasInput & { targetAverage: number }, config: ReplicaCalculatorConfig): ReplicaProposal {
  const { metrics, groups, timestampMs } = countedMetrics(input, config);
  const first = usageRatio(metrics, input.targetAverage);
  const result = (replicas: number): ReplicaProposal => ({ replicas, rawAverage: first.average, timestampMs });

  const scaleUpWithUnready = groups.unreadyPods.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missingPods.size === 0) {
    if (withinTolerance(first.ratio, config.tolerance)) return result(input.currentReplicas);
    return result(Math.ceil(first.ratio * groups.readyPodCount));
  }
  for (const name of groups.missingPods) {
    metrics.set(name, { value: first.ratio < 1 ? input.targetAverage : 0, timestampMs, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of groups.unreadyPods) metrics.set(name, { value: 0, timestampMs, windowMs: 0 });
  const second = usageRatio(metrics, input.targetAverage);
  if (withinTolerance(second.ratio, config.tolerance) || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) {
    return result(input.currentReplicas);
  }
  const replicas = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1 && replicas > input.currentReplicas) || (second.ratio > 1 && replicas < input.currentReplicas)) return result(input.currentReplicas);
  return result(replicas);
}

/** A target AverageValue quantity in the calculator's milli-units. */
export function targetAverageMilli(resource: string, quantity: string): number {
  return parseMilli(resource, quantity);
}
