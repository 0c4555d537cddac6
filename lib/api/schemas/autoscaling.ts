// The autoscaling group: HorizontalPodAutoscaler in autoscaling/v2 (the stored version, what the
// controller reads) and autoscaling/v1 (served too, converted on the way in and out: `kubectl
// autoscale` in 1.32 still POSTs a v1 object, as protobuf). Field numbers are those of
// k8s.io/api/autoscaling/{v1,v2}/generated.proto, so both kinds decode from protobuf.
//
// The v2 metric sources kubelab cannot measure (Object, Pods, External: they need a custom or
// external metrics API) are in the schema, because Kubernetes' type has them, and refused with a
// 422 by lib/api/validate-autoscaling.ts rather than accepted and ignored.

import { LabelSelector, ObjectMeta } from './meta.js';
import { definition, enumOf, int32, int64, kindSchema, listOfObjects, object, quantity, string, time, type KindSchema } from './schema.js';

const CrossVersionObjectReference = (version: 'v1' | 'v2') =>
  definition(`io.k8s.api.autoscaling.${version}.CrossVersionObjectReference`, 'CrossVersionObjectReference contains enough information to let you identify the referred resource.', {
    kind: string('kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', { required: true, proto: 1 }),
    name: string('name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names', { required: true, proto: 2 }),
    apiVersion: string('apiVersion is the API version of the referent', { proto: 3 }),
  });

const HpaConditionV2 = definition('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition', 'HorizontalPodAutoscalerCondition describes the state of a HorizontalPodAutoscaler at a certain point.', {
  type: string('type describes the current condition', { required: true, proto: 1 }),
  status: string('status is the status of the condition (True, False, Unknown)', { required: true, proto: 2 }),
  lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another', { proto: 3 }),
  reason: string("reason is the reason for the condition's last transition.", { proto: 4 }),
  message: string('message is a human-readable explanation containing details about the transition', { proto: 5 }),
});

const MetricTarget = definition('io.k8s.api.autoscaling.v2.MetricTarget', 'MetricTarget defines the target value, average value, or average utilization of a specific metric', {
  type: enumOf(['Utilization', 'Value', 'AverageValue'], 'type represents whether the metric type is Utilization, Value, or AverageValue', { required: true, proto: 1 }),
  value: quantity('value is the target value of the metric (as a quantity).', { proto: 2, pointer: true }),
  averageValue: quantity('averageValue is the target value of the average of the metric across all relevant pods (as a quantity)', { proto: 3, pointer: true }),
  averageUtilization: int32('averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods. Currently only valid for Resource metric source type', { proto: 4, pointer: true }),
});

const MetricValueStatus = definition('io.k8s.api.autoscaling.v2.MetricValueStatus', 'MetricValueStatus holds the current value for a metric', {
  value: quantity('value is the current value of the metric (as a quantity).', { proto: 1, pointer: true }),
  averageValue: quantity('averageValue is the current value of the average of the metric across all relevant pods (as a quantity)', { proto: 2, pointer: true }),
  averageUtilization: int32('currentAverageUtilization is the current value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods.', { proto: 3, pointer: true }),
});

const MetricIdentifier = definition('io.k8s.api.autoscaling.v2.MetricIdentifier', 'MetricIdentifier defines the name and optionally selector for a metric', {
  name: string('name is the name of the given metric', { required: true, proto: 1 }),
  selector: object(LabelSelector, 'selector is the string-encoded form of a standard kubernetes label selector for the given metric.', { proto: 2, pointer: true }),
});

const metricSourceFields = (target: boolean) => ({
  resource: object(
    target
      ? definition('io.k8s.api.autoscaling.v2.ResourceMetricSource', 'ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).', {
          name: string('name is the name of the resource in question.', { required: true, proto: 1 }),
          target: object(MetricTarget, 'target specifies the target value for the given metric', { required: true, proto: 2 }),
        })
      : definition('io.k8s.api.autoscaling.v2.ResourceMetricStatus', 'ResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).', {
          name: string('name is the name of the resource in question.', { required: true, proto: 1 }),
          current: object(MetricValueStatus, 'current contains the current value for the given metric', { required: true, proto: 2 }),
        }),
    'resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory).',
    { proto: 4 },
  ),
  containerResource: object(
    target
      ? definition('io.k8s.api.autoscaling.v2.ContainerResourceMetricSource', 'ContainerResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing a single container in each pod of the current scale target.', {
          name: string('name is the name of the resource in question.', { required: true, proto: 1 }),
          target: object(MetricTarget, 'target specifies the target value for the given metric', { required: true, proto: 2 }),
          container: string('container is the name of the container in the pods of the scaling target', { required: true, proto: 3 }),
        })
      : definition('io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus', 'ContainerResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing a single container in each pod in the current scale target.', {
          name: string('name is the name of the resource in question.', { required: true, proto: 1 }),
          current: object(MetricValueStatus, 'current contains the current value for the given metric', { required: true, proto: 2 }),
          container: string('container is the name of the container in the pods of the scaling target', { required: true, proto: 3 }),
        }),
    'containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod of the current scale target (e.g. CPU or memory).',
    { proto: 7 },
  ),
  object: object(
    definition(`io.k8s.api.autoscaling.v2.ObjectMetric${target ? 'Source' : 'Status'}`, 'ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).', {
      describedObject: object(CrossVersionObjectReference('v2'), 'describedObject specifies the descriptions of a object,such as kind,name apiVersion', { required: true, proto: 1 }),
      metric: object(MetricIdentifier, 'metric identifies the target metric by name and selector', { required: true, proto: 3 }),
      ...(target
        ? { target: object(MetricTarget, 'target specifies the target value for the given metric', { required: true, proto: 2 }) }
        : { current: object(MetricValueStatus, 'current contains the current value for the given metric', { required: true, proto: 2 }) }),
    }),
    'object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object). kubelab refuses it: it serves no custom metrics API.',
    { proto: 2 },
  ),
  pods: object(
    definition(`io.k8s.api.autoscaling.v2.PodsMetric${target ? 'Source' : 'Status'}`, 'PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (for example, transactions-processed-per-second).', {
      metric: object(MetricIdentifier, 'metric identifies the target metric by name and selector', { required: true, proto: 1 }),
      ...(target
        ? { target: object(MetricTarget, 'target specifies the target value for the given metric', { required: true, proto: 2 }) }
        : { current: object(MetricValueStatus, 'current contains the current value for the given metric', { required: true, proto: 2 }) }),
    }),
    'pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second). kubelab refuses it: it serves no custom metrics API.',
    { proto: 3 },
  ),
  external: object(
    definition(`io.k8s.api.autoscaling.v2.ExternalMetric${target ? 'Source' : 'Status'}`, 'ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).', {
      metric: object(MetricIdentifier, 'metric identifies the target metric by name and selector', { required: true, proto: 1 }),
      ...(target
        ? { target: object(MetricTarget, 'target specifies the target value for the given metric', { required: true, proto: 2 }) }
        : { current: object(MetricValueStatus, 'current contains the current value for the given metric', { required: true, proto: 2 }) }),
    }),
    'external refers to a global metric that is not associated with any Kubernetes object. kubelab refuses it: it serves no external metrics API.',
    { proto: 5 },
  ),
});

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

const MetricSpec = definition('io.k8s.api.autoscaling.v2.MetricSpec', 'MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).', {
  type: enumOf(METRIC_TYPES, 'type is the type of metric source. It should be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each mapping to a matching field in the object.', { required: true, proto: 1 }),
  ...metricSourceFields(true),
});

const MetricStatus = definition('io.k8s.api.autoscaling.v2.MetricStatus', 'MetricStatus describes the last-read state of a single metric.', {
  type: enumOf(METRIC_TYPES, 'type is the type of metric source.', { required: true, proto: 1 }),
  ...metricSourceFields(false),
});

const HPAScalingPolicy = definition('io.k8s.api.autoscaling.v2.HPAScalingPolicy', 'HPAScalingPolicy is a single policy which must hold true for a specified past interval.', {
  type: enumOf(['Pods', 'Percent'], 'type is used to specify the scaling policy.', { required: true, proto: 1 }),
  value: int32('value contains the amount of change which is permitted by the policy. It must be greater than zero', { required: true, proto: 2 }),
  periodSeconds: int32('periodSeconds specifies the window of time for which the policy should hold true. PeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).', { required: true, proto: 3 }),
});

const HPAScalingRules = definition('io.k8s.api.autoscaling.v2.HPAScalingRules', 'HPAScalingRules configures the scaling behavior for one direction: a stabilization window and the policies that limit the rate of change.', {
  stabilizationWindowSeconds: int32('stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down. Must be between 0 and 3600 (one hour). If not set: for scale up 0 (no stabilization), for scale down 300 (the controller flag --horizontal-pod-autoscaler-downscale-stabilization).', { proto: 3, pointer: true }),
  selectPolicy: enumOf(['Max', 'Min', 'Disabled'], 'selectPolicy is used to specify which policy should be used. If not set, the default value Max is used.', { proto: 1, pointer: true }),
  policies: listOfObjects(HPAScalingPolicy, 'policies is a list of potential scaling polices which can be used during scaling. At least one policy must be specified, otherwise the HPAScalingRules will be discarded as invalid', { proto: 2 }),
});

export const HorizontalPodAutoscaler: KindSchema = kindSchema('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.', {
  spec: object(
    definition('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', 'HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.', {
      scaleTargetRef: object(CrossVersionObjectReference('v2'), 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.', { required: true, proto: 1 }),
      minReplicas: int32('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod.', { proto: 2, pointer: true }),
      maxReplicas: int32('maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.', { required: true, proto: 3 }),
      metrics: listOfObjects(MetricSpec, 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used). If not set, the default metric will be set to 80% average CPU utilization.', { proto: 4 }),
      behavior: object(
        definition('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior', 'HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).', {
          scaleUp: object(HPAScalingRules, 'scaleUp is scaling policy for scaling Up. If not set, the default value is the higher of: increase no more than 4 pods per 15 seconds, double the number of pods per 15 seconds. No stabilization is used.', { proto: 1, pointer: true }),
          scaleDown: object(HPAScalingRules, 'scaleDown is scaling policy for scaling Down. If not set, the default value is to allow to scale down to minReplicas pods, with a 300 second stabilization window (i.e., the highest recommendation for the last 300sec is used).', { proto: 2, pointer: true }),
        }),
        'behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively). If not set, the default HPAScalingRules for scale up and scale down are used.',
        { proto: 5, pointer: true },
      ),
    }),
    'spec is the specification for the behaviour of the autoscaler.',
    { proto: 2 },
  ),
  status: object(
    definition('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', 'HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.', {
      observedGeneration: int64('observedGeneration is the most recent generation observed by this autoscaler.', { proto: 1, pointer: true }),
      lastScaleTime: time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods, used by the autoscaler to control how often the number of pods is changed.', { proto: 2, pointer: true }),
      currentReplicas: int32('currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.', { proto: 3 }),
      desiredReplicas: int32('desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler.', { proto: 4 }),
      currentMetrics: listOfObjects(MetricStatus, 'currentMetrics is the last read state of the metrics used by this autoscaler.', { proto: 5 }),
      conditions: listOfObjects(HpaConditionV2, 'conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.', { proto: 6 }),
    }),
    'status is the current information about the autoscaler.',
    { proto: 3 },
  ),
}, ObjectMeta);

/** autoscaling/v1: served, never stored (lib/api/autoscaling-conversion.ts converts it to v2). */
export const HorizontalPodAutoscalerV1: KindSchema = kindSchema('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'configuration of a horizontal pod autoscaler.', {
  spec: object(
    definition('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec', 'specification of a horizontal pod autoscaler.', {
      scaleTargetRef: object(CrossVersionObjectReference('v1'), 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.', { required: true, proto: 1 }),
      minReplicas: int32('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod.', { proto: 2, pointer: true }),
      maxReplicas: int32('maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.', { required: true, proto: 3 }),
      targetCPUUtilizationPercentage: int32('targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods; if not specified the default autoscaling policy will be used.', { proto: 4, pointer: true }),
    }),
    'spec defines the behaviour of autoscaler.',
    { proto: 2 },
  ),
  status: object(
    definition('io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus', 'current status of a horizontal pod autoscaler', {
      observedGeneration: int64('observedGeneration is the most recent generation observed by this autoscaler.', { proto: 1, pointer: true }),
      lastScaleTime: time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods; used by the autoscaler to control how often the number of pods is changed.', { proto: 2, pointer: true }),
      currentReplicas: int32('currentReplicas is the current number of replicas of pods managed by this autoscaler.', { proto: 3 }),
      desiredReplicas: int32('desiredReplicas is the desired number of replicas of pods managed by this autoscaler.', { proto: 4 }),
      currentCPUUtilizationPercentage: int32('currentCPUUtilizationPercentage is the current average CPU utilization over all pods, represented as a percentage of requested CPU, e.g. 70 means that an average pod is using now 70% of its requested CPU.', { proto: 5, pointer: true }),
    }),
    'status is the current information about the autoscaler.',
    { proto: 3 },
  ),
}, ObjectMeta);
