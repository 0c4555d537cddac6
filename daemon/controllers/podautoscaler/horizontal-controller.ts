// The horizontal pod autoscaler controller: Kubernetes' HorizontalController
// (pkg/controller/podautoscaler/horizontal.go), which runs as "horizontalpodautoscaling" in
// kube-controller-manager.
//
// Every sync period (15 s) each HPA is reconciled:
// 1. read the target's scale through its /scale subresource (current replicas and the pod
//    selector); a target that cannot be read sets AbleToScale=False (FailedGetScale);
// 2. outside [minReplicas, maxReplicas] the count is brought inside at once; a target scaled to
//    0 by hand is left alone (ScalingDisabled);
// 3. otherwise each metric is measured through the resource metrics API (metrics.k8s.io
//    PodMetrics, as metrics-server serves them) and turned into a replica count by the
//    replica calculator (replica-calculator.ts); the highest count wins; a metric that cannot
//    be measured sets ScalingActive=False with Kubernetes' reason;
// 4. the count is stabilized and rate-limited (normalize-replicas.ts) and, if it differs, written
//    to /scale with a SuccessfulRescale event;
// 5. status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime, conditions) is
//    written through /status when it changed.
// The HPA only sets a number; the Deployment or ReplicaSet controller makes the pods.

import type {
  CrossVersionObjectReference,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  HorizontalPodAutoscalerStatus,
  HpaConditionType,
  MetricSpec,
  MetricStatus,
  MetricValueStatus,
} from '../../../lib/api/autoscaling-types.js';
import { formatCpu } from '../../../lib/api/quantity.js';
import { resourceForKind, resourceKey } from '../../../lib/api/resources.js';
import { matchesLabels, parseLabelSelector } from '../../../lib/api/selectors.js';
import type { KubeObject, LabelSelector, Pod } from '../../../lib/api/types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { errorMessage, isNotFound } from '../../../lib/errors.js';
import { rfc3339 } from '../../../lib/time.js';
import { labelSelectorToString } from '../../../lib/api/selectors.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { HPA_DEFAULTS } from '../../config.js';
import { logger } from '../../../lib/logger.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { ReplicaNormalizer, type ConditionNote } from './normalize-replicas.js';
import { calcRawResourceReplicas, calcResourceReplicas, targetAverageMilli, type ReplicaCalculatorConfig } from './replica-calculator.js';
import { ApiResourceMetricsClient, type ResourceMetricsClient } from './resource-metrics-client.js';

export interface HorizontalControllerOptions extends ControllerOptions {
  /** How often every HPA is evaluated (--hpa-sync-period). */
  syncPeriodMs?: number;
  /** The scale-down stabilization window of HPAs that set none (--hpa-downscale-stabilization). */
  downscaleStabilizationMs?: number;
  tolerance?: number;
  cpuInitializationPeriodMs?: number;
  initialReadinessDelayMs?: number;
  /** Where pod usage comes from: the metrics.k8s.io API (ApiResourceMetricsClient); none: every metric is unknown. */
  metrics?: ResourceMetricsClient;
}

interface TargetScale {
  replicas: number;
  selector: string;
  resource: string;
}

interface MetricResult {
  replicas: number;
  /** Kubernetes' metric name in messages: `cpu resource utilization (percentage of request)`. */
  name: string;
  status: MetricStatus;
}

export class HorizontalController extends Controller {
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly recorder: EventRecorder;
  private readonly metricsClient: ResourceMetricsClient;
  private readonly normalizer: ReplicaNormalizer;
  private readonly calculator: ReplicaCalculatorConfig;
  private readonly log = logger('horizontal-pod-autoscaler');

  constructor(options: HorizontalControllerOptions) {
    // Kubernetes re-evaluates every HPA each sync period: that is this controller's resync.
    super({ ...options, resyncPeriodMs: options.syncPeriodMs ?? HPA_DEFAULTS.syncPeriodMs }, { component: 'horizontal-pod-autoscaler' });
    this.recorder = options.recorder;
    this.metricsClient = options.metrics ?? new ApiResourceMetricsClient(() => undefined);
    this.normalizer = new ReplicaNormalizer(options.downscaleStabilizationMs ?? HPA_DEFAULTS.downscaleStabilizationMs);
    this.calculator = {
      tolerance: options.tolerance ?? HPA_DEFAULTS.tolerance,
      cpuInitializationPeriodMs: options.cpuInitializationPeriodMs ?? HPA_DEFAULTS.cpuInitializationPeriodMs,
      delayOfInitialReadinessStatusMs: options.initialReadinessDelayMs ?? HPA_DEFAULTS.initialReadinessDelayMs,
    };
    this.hpas = this.informers.informerFor<HorizontalPodAutoscaler>('horizontalpodautoscalers.autoscaling');
    this.hpas.addEventHandler({
      // A new or changed HPA is looked at now; deletions only make the memory go.
      onAdd: (hpa) => this.queue.add(objectKey(hpa)),
      onUpdate: (old, hpa) => {
        if (old.metadata.generation !== hpa.metadata.generation) this.queue.add(objectKey(hpa));
      },
      onDelete: (hpa) => this.normalizer.forget(objectKey(hpa)),
    });
  }

  protected watched(): Informer[] {
    return [this.hpas];
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let hpa: HorizontalPodAutoscaler;
    try {
      hpa = await this.client.get<HorizontalPodAutoscaler>('horizontalpodautoscalers.autoscaling', namespace, name);
    } catch (error) {
      if (isNotFound(error)) {
        this.normalizer.forget(key);
        return;
      }
      throw error;
    }
    const before = structuredClone(hpa.status ?? {});
    const status: HorizontalPodAutoscalerStatus = { ...structuredClone(hpa.status ?? {}), observedGeneration: hpa.metadata.generation };
    // A failure to measure or to scale is told on the HPA (its conditions, a Warning event) and
    // tried again at the next sync period, as Kubernetes' HPA queue does; a back-off retry
    // sooner would only repeat the same event.
    let failure: unknown;
    try {
      await this.reconcileAutoscaler(key, hpa, status);
    } catch (error) {
      failure = error;
    }
    if (JSON.stringify(before) !== JSON.stringify(status)) {
      await this.client.updateStatus('horizontalpodautoscalers.autoscaling', { ...hpa, status });
    }
    if (failure) this.log.warn(`${key}: ${errorMessage(failure)}`);
  }

  private async reconcileAutoscaler(key: string, hpa: HorizontalPodAutoscaler, status: HorizontalPodAutoscalerStatus): Promise<void> {
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${ref.name}`;
    const nowMs = this.clock.now().getTime();
    const setCondition = (type: HpaConditionType, note: ConditionNote) => setHpaCondition(status, type, note, rfc3339(new Date(nowMs)));

    let scale: TargetScale;
    try {
      scale = await this.readScale(hpa.metadata.namespace ?? 'default', ref);
    } catch (error) {
      const message = `the HPA controller was unable to get the target's current scale: ${errorMessage(error)}`;
      setCondition('AbleToScale', { status: 'False', reason: 'FailedGetScale', message });
      this.recorder.record(hpa, 'Warning', 'FailedGetScale', errorMessage(error));
      throw new Error(`failed to query scale subresource for ${reference}: ${errorMessage(error)}`, { cause: error });
    }
    setCondition('AbleToScale', { status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });

    const current = scale.replicas;
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    status.currentReplicas = current;
    let desired = 0;
    let rescaleReason = '';

    if (current === 0 && minReplicas !== 0) {
      // Scaled to zero by hand: autoscaling is off until someone scales it up again.
      setCondition('ScalingActive', { status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
      desired = 0;
    } else if (current > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (current < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, scale, status, setCondition, nowMs);
      desired = computed.replicas;
      if (desired > current) rescaleReason = `${computed.name} above target`;
      if (desired < current) rescaleReason = 'All metrics below target';
      const normalized = this.normalizer.normalize({ key, currentReplicas: current, desiredReplicas: desired, minReplicas, maxReplicas, behavior: hpa.spec.behavior, nowMs });
      setCondition('AbleToScale', normalized.ableToScale);
      setCondition('ScalingLimited', normalized.scalingLimited);
      desired = normalized.replicas;
    }

    status.desiredReplicas = desired;
    if (desired === current) return;
    try {
      await this.client.patch(scale.resource, hpa.metadata.namespace, ref.name, { spec: { replicas: desired } }, 'merge', { subresource: 'scale' });
    } catch (error) {
      setCondition('AbleToScale', { status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${errorMessage(error)}` });
      this.recorder.record(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${rescaleReason}; error: ${errorMessage(error)}`);
      throw error;
    }
    setCondition('AbleToScale', { status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
    this.recorder.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`);
    this.normalizer.recordScaleEvent(key, hpa.spec.behavior, current, desired, nowMs);
    status.lastScaleTime = rfc3339(new Date(nowMs));
  }

  /** The target's Scale: its spec.replicas and its selector, read as /scale shows them. */
  private async readScale(namespace: string, ref: CrossVersionObjectReference): Promise<TargetScale> {
    const info = resourceForKind(ref.apiVersion, ref.kind);
    if (!info || !['Deployment', 'ReplicaSet', 'ReplicationController'].includes(info.kind)) {
      throw new Error(`no scale subresource for ${ref.apiVersion ?? ''} ${ref.kind}: kubelab scales Deployments, ReplicaSets and ReplicationControllers`);
    }
    const resource = resourceKey(info);
    const target = await this.client.get<KubeObject & { spec?: { replicas?: number; selector?: LabelSelector | Record<string, string> } }>(resource, namespace, ref.name);
    const selector = target.spec?.selector;
    return { replicas: target.spec?.replicas ?? 1, selector: selector ? labelSelectorToString(selector) : '', resource };
  }

  /** Each metric's proposal; the highest wins. Kubernetes' computeReplicasForMetrics, errors and conditions included. */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: TargetScale,
    status: HorizontalPodAutoscalerStatus,
    setCondition: (type: HpaConditionType, note: ConditionNote) => void,
    nowMs: number,
  ): Promise<{ replicas: number; name: string }> {
    const specs = hpa.spec.metrics ?? [];
    if (scale.selector === '') {
      const message = 'the HPA target\'s scale is missing a selector';
      setCondition('ScalingActive', { status: 'False', reason: 'InvalidSelector', message });
      this.recorder.record(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      throw new Error(message);
    }
    const namespace = hpa.metadata.namespace ?? 'default';
    const requirements = parseLabelSelector(scale.selector);
    const pods = (await this.client.list<Pod>('pods', { namespace })).items.filter((pod) => matchesLabels(requirements, pod.metadata.labels));

    let best: { replicas: number; name: string } | undefined;
    const statuses: MetricStatus[] = [];
    let invalid = 0;
    let firstError: Error | undefined;
    for (const spec of specs) {
      try {
        const result = await this.measure(spec, namespace, scale.selector, pods, scale.replicas, nowMs);
        statuses.push(result.status);
        if (!best || result.replicas > best.replicas) best = { replicas: result.replicas, name: result.name };
      } catch (error) {
        invalid += 1;
        firstError ??= error as Error;
        statuses.push({ type: spec.type });
        const reason = 'FailedGetResourceMetric';
        this.recorder.record(hpa, 'Warning', reason, errorMessage(error));
        setCondition('ScalingActive', { status: 'False', reason, message: `the HPA was unable to compute the replica count: ${errorMessage(error)}` });
      }
    }
    status.currentMetrics = statuses.filter((s) => s.resource || s.containerResource);
    if (status.currentMetrics.length === 0) delete status.currentMetrics;
    // Never scale down on partial information: one unreadable metric might have asked for more.
    if (!best || invalid >= specs.length || (invalid > 0 && best.replicas < scale.replicas)) {
      const error = new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${errorMessage(firstError)}`);
      this.recorder.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', error.message);
      throw new Error(`failed to compute desired number of replicas based on listed metrics for ${hpa.spec.scaleTargetRef.kind}/${namespace}/${hpa.spec.scaleTargetRef.name}: ${error.message}`);
    }
    if (invalid === 0) {
      setCondition('ScalingActive', { status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${best.name}` });
    }
    return best;
  }

  /** One Resource or ContainerResource metric: its proposal and its status entry. */
  private async measure(spec: MetricSpec, namespace: string, selector: string, pods: Pod[], currentReplicas: number, nowMs: number): Promise<MetricResult> {
    const source = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
    if (!source) throw new Error(`kubelab does not support ${spec.type} metrics`);
    const container = spec.type === 'ContainerResource' ? spec.containerResource!.container : undefined;
    const resource = source.name;
    const prefix = container ? `${resource} container resource` : `${resource} resource`;
    const target = source.target;
    const metricStatus = (current: MetricValueStatus): MetricStatus =>
      container
        ? { type: 'ContainerResource', containerResource: { name: resource, container, current } }
        : { type: 'Resource', resource: { name: resource, current } };

    let metrics;
    try {
      metrics = await this.metricsClient.podMetrics(namespace, selector, resource, container);
    } catch (error) {
      const what = target.type === 'Utilization' ? 'utilization' : 'usage';
      throw new Error(`failed to get ${resource} ${what}: unable to get metrics for resource ${resource}: ${errorMessage(error)}`, { cause: error });
    }
    const input = { currentReplicas, resource, container, pods, metrics, nowMs };
    if (target.type === 'Utilization') {
      try {
        const proposal = calcResourceReplicas({ ...input, targetUtilization: target.averageUtilization ?? 0 }, this.calculator);
        return {
          replicas: proposal.replicas,
          name: `${prefix} utilization (percentage of request)`,
          status: metricStatus({ averageUtilization: proposal.utilization, averageValue: formatMilli(resource, proposal.rawAverage) }),
        };
      } catch (error) {
        throw new Error(`failed to get ${resource} utilization: ${errorMessage(error)}`, { cause: error });
      }
    }
    try {
      const proposal = calcRawResourceReplicas({ ...input, targetAverage: targetAverageMilli(resource, target.averageValue ?? '0') }, this.calculator);
      return { replicas: proposal.replicas, name: prefix, status: metricStatus({ averageValue: formatMilli(resource, proposal.rawAverage) }) };
    } catch (error) {
      throw new Error(`failed to get ${resource} usage: ${errorMessage(error)}`, { cause: error });
    }
  }
}

/** A milli-unit average as the quantity Kubernetes writes: `250m` of cpu, `67108864` (bytes) or `1500m` of memory. */
function formatMilli(resource: string, milli: number): string {
  if (resource === 'cpu') return formatCpu(Math.round(milli));
  return milli % 1000 === 0 ? String(milli / 1000) : `${Math.round(milli)}m`;
}

/** Sets one condition, keeping lastTransitionTime when the status did not change (Kubernetes' setCondition). */
export function setHpaCondition(status: HorizontalPodAutoscalerStatus, type: HpaConditionType, note: ConditionNote, now: string): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  const next: HorizontalPodAutoscalerCondition = {
    type,
    status: note.status,
    lastTransitionTime: existing && existing.status === note.status ? existing.lastTransitionTime : now,
    reason: note.reason,
    message: note.message,
  };
  if (existing) conditions[conditions.indexOf(existing)] = next;
  else conditions.push(next);
  status.conditions = conditions;
}
