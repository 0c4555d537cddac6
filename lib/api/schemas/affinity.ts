// The pod's scheduling constraints (k8s.io/api/core/v1): Affinity (node affinity, pod affinity
// and anti-affinity) and TopologySpreadConstraint, typed field by field so a misspelt operator or
// a `weight: "high"` is refused at the API, as kube-apiserver refuses it. The scheduler
// (lib/scheduling/) honours every field here.

import { LabelSelector } from './meta.js';
import { definition, enumOf, int32, listOfObjects, object, string, stringList } from './schema.js';

const NodeSelectorRequirement = definition('io.k8s.api.core.v1.NodeSelectorRequirement', 'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
  key: string('The label key that the selector applies to.', { required: true, proto: 1 }),
  operator: enumOf(['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'], "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.", { required: true, proto: 2 }),
  values: stringList('An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer.', { proto: 3 }),
});

export const NodeSelectorTerm = definition('io.k8s.api.core.v1.NodeSelectorTerm', 'A null or empty node selector term matches no objects. The requirements of them are ANDed.', {
  matchExpressions: listOfObjects(NodeSelectorRequirement, "A list of node selector requirements by node's labels.", { proto: 1 }),
  matchFields: listOfObjects(NodeSelectorRequirement, "A list of node selector requirements by node's fields.", { proto: 2 }),
});

export const NodeSelector = definition('io.k8s.api.core.v1.NodeSelector', 'A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.', {
  nodeSelectorTerms: listOfObjects(NodeSelectorTerm, 'Required. A list of node selector terms. The terms are ORed.', { required: true, proto: 1 }),
});

const NodeAffinity = definition('io.k8s.api.core.v1.NodeAffinity', 'Node affinity is a group of node affinity scheduling rules.', {
  requiredDuringSchedulingIgnoredDuringExecution: object(NodeSelector, 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.', { proto: 1, pointer: true }),
  preferredDuringSchedulingIgnoredDuringExecution: listOfObjects(
    definition('io.k8s.api.core.v1.PreferredSchedulingTerm', "An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op). A null preferred scheduling term matches no objects (i.e. is also a no-op).", {
      weight: int32('Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.', { required: true, proto: 1 }),
      preference: object(NodeSelectorTerm, 'A node selector term, associated with the corresponding weight.', { required: true, proto: 2 }),
    }),
    'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.',
    { proto: 2 },
  ),
});

const PodAffinityTerm = definition('io.k8s.api.core.v1.PodAffinityTerm', 'Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running', {
  labelSelector: object(LabelSelector, "A label query over a set of resources, in this case pods. If it's null, this PodAffinityTerm matches with no Pods.", { proto: 1, pointer: true }),
  namespaces: stringList('namespaces specifies a static list of namespace names that the term applies to. null or empty namespaces list and null namespaceSelector means "this pod\'s namespace".', { proto: 2 }),
  topologyKey: string('This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running. Empty topologyKey is not allowed.', { required: true, proto: 3 }),
  namespaceSelector: object(LabelSelector, "A label query over the set of namespaces that the term applies to. An empty selector ({}) matches all namespaces.", { proto: 4, pointer: true }),
  matchLabelKeys: stringList("MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key in (value)`.", { proto: 5 }),
  mismatchLabelKeys: stringList("MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key notin (value)`.", { proto: 6 }),
});

const podAffinityFields = (what: 'affinity' | 'anti-affinity') => ({
  requiredDuringSchedulingIgnoredDuringExecution: listOfObjects(PodAffinityTerm, `If the ${what} requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. When there are multiple elements, the lists of nodes corresponding to each podAffinityTerm are intersected, i.e. all terms must be satisfied.`, { proto: 1 }),
  preferredDuringSchedulingIgnoredDuringExecution: listOfObjects(
    definition('io.k8s.api.core.v1.WeightedPodAffinityTerm', 'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)', {
      weight: int32('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.', { required: true, proto: 1 }),
      podAffinityTerm: object(PodAffinityTerm, 'Required. A pod affinity term, associated with the corresponding weight.', { required: true, proto: 2 }),
    }),
    `The scheduler will prefer to schedule pods to nodes that satisfy the ${what} expressions specified by this field, but it may choose a node that violates one or more of the expressions.`,
    { proto: 2 },
  ),
});

export const Affinity = definition('io.k8s.api.core.v1.Affinity', 'Affinity is a group of affinity scheduling rules.', {
  nodeAffinity: object(NodeAffinity, 'Describes node affinity scheduling rules for the pod.', { proto: 1, pointer: true }),
  podAffinity: object(definition('io.k8s.api.core.v1.PodAffinity', 'Pod affinity is a group of inter pod affinity scheduling rules.', podAffinityFields('affinity')), 'Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).', { proto: 2, pointer: true }),
  podAntiAffinity: object(definition('io.k8s.api.core.v1.PodAntiAffinity', 'Pod anti affinity is a group of inter pod anti affinity scheduling rules.', podAffinityFields('anti-affinity')), 'Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).', { proto: 3, pointer: true }),
});

export const TopologySpreadConstraint = definition('io.k8s.api.core.v1.TopologySpreadConstraint', 'TopologySpreadConstraint specifies how to spread matching pods among the given topology.', {
  maxSkew: int32('MaxSkew describes the degree to which pods may be unevenly distributed. It is the maximum permitted difference between the number of matching pods in the target topology and the global minimum. It must be greater than zero.', { required: true, proto: 1 }),
  topologyKey: string('TopologyKey is the key of node labels. Nodes that have a label with this key and identical values are considered to be in the same topology.', { required: true, proto: 2 }),
  whenUnsatisfiable: enumOf(['DoNotSchedule', 'ScheduleAnyway'], "WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint. DoNotSchedule (default) tells the scheduler not to schedule it; ScheduleAnyway tells the scheduler to schedule the pod in any location, but giving higher precedence to topologies that would help reduce the skew.", { required: true, proto: 3 }),
  labelSelector: object(LabelSelector, 'LabelSelector is used to find matching pods. Pods that match this label selector are counted to determine the number of pods in their corresponding topology domain.', { proto: 4, pointer: true }),
  minDomains: int32('MinDomains indicates a minimum number of eligible domains. When the number of eligible domains with matching topology keys is less than minDomains, the global minimum is treated as 0. Defaults to 1; only with whenUnsatisfiable DoNotSchedule.', { proto: 5, pointer: true }),
  nodeAffinityPolicy: enumOf(['Honor', 'Ignore'], "NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew. If this value is nil, the behavior is equivalent to the Honor policy.", { proto: 6, pointer: true }),
  nodeTaintsPolicy: enumOf(['Honor', 'Ignore'], 'NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew. If this value is nil, the behavior is equivalent to the Ignore policy.', { proto: 7, pointer: true }),
  matchLabelKeys: stringList("MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated. The keys are used to lookup values from the incoming pod labels, those key-value labels are ANDed with labelSelector.", { proto: 8 }),
});
