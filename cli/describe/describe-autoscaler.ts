// `kubelab describe hpa`, in kubectl's layout (describeHorizontalPodAutoscalerV2): the target,
// each metric as `current / target`, the replica bounds, the behavior, how many pods the target
// has and wants, the conditions with their reasons and messages, and the events
// (SuccessfulRescale ...).

import type { HorizontalPodAutoscaler, HPAScalingRules } from '../../lib/api/autoscaling-types.js';
import type { CliContext } from '../cli-context.js';
import { describeEvents, describeMetadata, formatTime } from './describe-common.js';
import { DescribeWriter } from './tab-writer.js';

function describeRules(w: DescribeWriter, title: string, rules: HPAScalingRules | undefined): void {
  if (!rules) return;
  w.line(1, `${title}:`);
  if (rules.stabilizationWindowSeconds !== undefined) w.line(2, `Stabilization Window: ${rules.stabilizationWindowSeconds} seconds`);
  if (rules.selectPolicy) w.line(2, `Select Policy: ${rules.selectPolicy}`);
  if (rules.policies?.length) {
    w.line(2, 'Policies:');
    for (const p of rules.policies) w.line(3, `- Type: ${p.type}`, `Value: ${p.value}`, `Period: ${p.periodSeconds} seconds`);
  }
}

export async function describeHorizontalPodAutoscaler(ctx: CliContext, hpa: HorizontalPodAutoscaler): Promise<string> {
  const w = new DescribeWriter();
  describeMetadata(w, hpa);
  w.line(0, 'CreationTimestamp:', formatTime(hpa.metadata.creationTimestamp));
  const ref = hpa.spec.scaleTargetRef;
  w.line(0, 'Reference:', `${ref.kind}/${ref.name}`);
  w.line(0, 'Metrics:', '( current / target )');
  const current = hpa.status?.currentMetrics ?? [];
  (hpa.spec.metrics ?? []).forEach((metric, i) => {
    const source = metric.type === 'Resource' ? metric.resource : metric.containerResource;
    if (!source) return;
    const now = metric.type === 'Resource' ? current[i]?.resource?.current : current[i]?.containerResource?.current;
    const what = metric.type === 'Resource' ? `resource ${source.name} on pods` : `resource ${source.name} of container "${metric.containerResource!.container}" on pods`;
    if (source.target.averageValue !== undefined) {
      w.line(1, `${what}:`, `${now?.averageValue ?? '<unknown>'} / ${source.target.averageValue}`);
    } else {
      const shown = now?.averageUtilization !== undefined ? `${now.averageUtilization}% (${now.averageValue ?? ''})` : '<unknown>';
      const target = source.target.averageUtilization !== undefined ? `${source.target.averageUtilization}%` : '<auto>';
      w.line(1, `${what}  (as a percentage of request):`, `${shown} / ${target}`);
    }
  });
  w.line(0, 'Min replicas:', hpa.spec.minReplicas ?? '<unset>');
  w.line(0, 'Max replicas:', hpa.spec.maxReplicas);
  if (hpa.spec.behavior) {
    w.line(0, 'Behavior:');
    describeRules(w, 'Scale Up', hpa.spec.behavior.scaleUp);
    describeRules(w, 'Scale Down', hpa.spec.behavior.scaleDown);
  }
  w.line(0, `${ref.kind} pods:`, `${hpa.status?.currentReplicas ?? 0} current / ${hpa.status?.desiredReplicas ?? 0} desired`);
  const conditions = hpa.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type', 'Status', 'Reason', 'Message');
    w.line(1, '----', '------', '------', '-------');
    for (const c of conditions) w.line(1, c.type, c.status, c.reason ?? '', c.message ?? '');
  }
  await describeEvents(ctx, w, hpa);
  return w.toString();
}
