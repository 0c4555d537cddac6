// Converting HorizontalPodAutoscalers between autoscaling/v2 (stored) and autoscaling/v1
// (served), as kube-apiserver does (pkg/apis/autoscaling/v1/conversion.go).
//
// v1 knows one metric: targetCPUUtilizationPercentage is the v2 metric
// {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: N}}},
// and status.currentCPUUtilizationPercentage is that metric's current averageUtilization. What v1
// has no field for travels in annotations, so that reading an HPA through v1 and writing it back
// (kubectl apply or edit of a v1 manifest) loses nothing:
//   autoscaling.alpha.kubernetes.io/metrics          the other v2 metrics (JSON list)
//   autoscaling.alpha.kubernetes.io/behavior         spec.behavior (JSON)
//   autoscaling.alpha.kubernetes.io/conditions       status.conditions (JSON list)
//   autoscaling.alpha.kubernetes.io/current-metrics  status.currentMetrics (JSON list)
// Converting to v2 reads them back and removes them; they never reach the store.

import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1, MetricSpec } from './autoscaling-types.js';
import type { KubeObject } from './types.js';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONVERSION_ANNOTATIONS = [METRICS_ANNOTATION, BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, CURRENT_METRICS_ANNOTATION];

const isCpuUtilization = (metric: MetricSpec): boolean =>
  metric.type === 'Resource' && metric.resource?.name === 'cpu' && metric.resource.target?.type === 'Utilization' && metric.resource.target.averageUtilization !== undefined;

/** JSON in an annotation; a value that does not parse is left out (kube-apiserver ignores it too). */
function parsed<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export function hpaV2ToV1(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const { spec, status } = hpa;
  const metrics = spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((metric) => metric !== cpu);
  const annotations: Record<string, string> = { ...(hpa.metadata.annotations ?? {}) };
  if (others.length > 0) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (spec?.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  if (status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
  const currentCpu = status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current.averageUtilization;
  const otherCurrent = status?.currentMetrics?.filter((m) => !(m.type === 'Resource' && m.resource?.name === 'cpu')) ?? [];
  if (otherCurrent.length > 0) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherCurrent);
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: spec?.scaleTargetRef,
      ...(spec?.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec?.maxReplicas,
      ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource!.target.averageUtilization } : {}),
    },
    ...(status
      ? {
          status: {
            ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
            ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
            currentReplicas: status.currentReplicas ?? 0,
            desiredReplicas: status.desiredReplicas ?? 0,
            ...(currentCpu !== undefined ? { currentCPUUtilizationPercentage: currentCpu } : {}),
          },
        }
      : {}),
  };
}

/** A v1 object (as a client sent it: fields may be missing or of a wrong type) as the v2 object to store. */
export function hpaV1ToV2(v1: KubeObject): HorizontalPodAutoscaler {
  const hpa = v1 as HorizontalPodAutoscalerV1;
  const spec = (hpa.spec ?? {}) as Partial<HorizontalPodAutoscalerV1['spec']>;
  const annotations = { ...(hpa.metadata?.annotations ?? {}) };
  const others = parsed<MetricSpec[]>(annotations[METRICS_ANNOTATION]) ?? [];
  const behavior = parsed<HorizontalPodAutoscaler['spec']['behavior']>(annotations[BEHAVIOR_ANNOTATION]);
  const conditions = parsed<NonNullable<HorizontalPodAutoscaler['status']>['conditions']>(annotations[CONDITIONS_ANNOTATION]);
  const currentOthers = parsed<NonNullable<HorizontalPodAutoscaler['status']>['currentMetrics']>(annotations[CURRENT_METRICS_ANNOTATION]) ?? [];
  for (const key of CONVERSION_ANNOTATIONS) delete annotations[key];

  const metrics: MetricSpec[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...(Array.isArray(others) ? others : []));

  const metadata = { ...(hpa.metadata ?? {}) };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;

  const status = hpa.status;
  const v2: HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: spec.scaleTargetRef!,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas!,
      ...(metrics.length > 0 ? { metrics } : {}),
      ...(behavior ? { behavior } : {}),
    },
  };
  if (status) {
    const current = status.currentCPUUtilizationPercentage;
    const currentMetrics = [
      ...(current !== undefined ? [{ type: 'Resource' as const, resource: { name: 'cpu', current: { averageUtilization: current } } }] : []),
      ...(Array.isArray(currentOthers) ? currentOthers : []),
    ];
    v2.status = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      ...(status.currentReplicas !== undefined ? { currentReplicas: status.currentReplicas } : {}),
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(currentMetrics.length > 0 ? { currentMetrics } : {}),
      ...(Array.isArray(conditions) ? { conditions } : {}),
    };
  }
  return v2;
}
