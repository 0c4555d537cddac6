// `kubectl get hpa`: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE, as kubectl 1.32's
// server-side printer (printHorizontalPodAutoscaler, formatHPAMetrics) writes them.
// TARGETS is `current/target` per metric, prefixed by the resource name since 1.32
// (`cpu: 10%/50%`), `<unknown>` until the controller has measured, at most two metrics and then
// `+ N more...`; a v1 object (through autoscaling/v1) is printed from its v2 form.

import { hpaV1ToV2 } from '../api/autoscaling-conversion.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from '../api/autoscaling-types.js';
import type { KubeObject } from '../api/types.js';
import { ageOf } from '../time.js';
import { ageColumn, column, nameColumn, type Printer } from './printer.js';

const MAX_LISTED_METRICS = 2;

function metricCell(spec: MetricSpec, status: MetricStatus | undefined): string {
  const source = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
  if (!source) return '<unknown>/<unknown>';
  const current = spec.type === 'Resource' ? status?.resource?.current : status?.containerResource?.current;
  const prefix = spec.type === 'Resource' ? `${source.name}` : `${source.name}/${(source as { container?: string }).container}`;
  if (source.target?.averageValue !== undefined) {
    return `${prefix}: ${current?.averageValue ?? '<unknown>'}/${source.target.averageValue}`;
  }
  const now = current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>';
  const target = source.target?.averageUtilization !== undefined ? `${source.target.averageUtilization}%` : '<auto>';
  return `${prefix}: ${now}/${target}`;
}

/** The TARGETS cell: kubectl pairs spec.metrics[i] with status.currentMetrics[i]. */
export function formatHpaTargets(hpa: HorizontalPodAutoscaler): string {
  const specs = hpa.spec?.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const statuses = hpa.status?.currentMetrics ?? [];
  const cells = specs.map((spec, i) => metricCell(spec, statuses[i]));
  if (cells.length <= MAX_LISTED_METRICS) return cells.join(', ');
  return `${cells.slice(0, MAX_LISTED_METRICS).join(', ')} + ${cells.length - MAX_LISTED_METRICS} more...`;
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    nameColumn,
    column('Reference', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
    column('Targets', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    column('MinPods', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    column('MaxPods', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.', { type: 'integer' }),
    column('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.', { type: 'integer' }),
    ageColumn,
  ],
  cells(obj: KubeObject, now: Date) {
    const hpa = obj.apiVersion === 'autoscaling/v1' ? hpaV1ToV2(obj) : (obj as HorizontalPodAutoscaler);
    const ref = hpa.spec?.scaleTargetRef;
    return [
      hpa.metadata.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHpaTargets(hpa),
      hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      ageOf(hpa.metadata.creationTimestamp, now),
    ];
  },
};
