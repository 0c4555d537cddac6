// The core ("legacy", /api/v1) kinds kubelab serves, each as its Kubernetes type has it.
// Protobuf field numbers (`proto`) are filled where kubectl sends protobuf today (Secret,
// ConfigMap, Namespace: lib/api/protobuf-objects.ts decodes them); issue 13 adds the rest.

import { LocalObjectReference, ObjectMeta, ObjectReference, passThroughStatus } from './meta.js';
import { PodSpec, PodTemplateSpec } from './pod.js';
import {
  boolean, BYTES, definition, enumOf, int32, intOrString, kindSchema, listOfObjects, mapOf, object, string, stringList, stringMap, time, type KindSchema,
} from './schema.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export const Pod: KindSchema = kindSchema('', 'v1', 'Pod', 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.', {
  spec: object(PodSpec, 'Specification of the desired behavior of the pod.', { proto: 2 }),
  status: passThroughStatus('Most recently observed status of the pod. This data may not be up to date.', { proto: 3 }),
}, ObjectMeta);

const ServicePort = definition('io.k8s.api.core.v1.ServicePort', "ServicePort contains information on service's port.", {
  name: string('The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names.', { proto: 1 }),
  protocol: enumOf(PROTOCOLS, 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.', { proto: 2 }),
  appProtocol: string('The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand.', { proto: 6, pointer: true }),
  port: int32('The port that will be exposed by this service.', { required: true, proto: 3 }),
  targetPort: intOrString("Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. Defaults to the value of the 'port' field.", { proto: 4 }),
  nodePort: int32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer. Usually assigned by the system.', { proto: 5 }),
});

const ServiceSpec = definition('io.k8s.api.core.v1.ServiceSpec', 'ServiceSpec describes the attributes that a user creates on a service.', {
  ports: listOfObjects(ServicePort, 'The list of ports that are exposed by this service.', { proto: 1 }),
  selector: stringMap('Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints.', { proto: 2 }),
  clusterIP: string('clusterIP is the IP address of the service and is usually assigned randomly. "None" makes a headless service.', { proto: 3 }),
  clusterIPs: stringList('ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.', { proto: 18 }),
  type: enumOf(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.', { proto: 4 }),
  externalIPs: stringList('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', { proto: 5 }),
  sessionAffinity: enumOf(['ClientIP', 'None'], 'Supports "ClientIP" and "None". Used to maintain session affinity. Defaults to None.', { proto: 7 }),
  loadBalancerIP: string('Only applies to Service Type: LoadBalancer. Deprecated.', { proto: 8 }),
  loadBalancerSourceRanges: stringList('If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer to the specified client IPs.', { proto: 9 }),
  externalName: string('externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). Requires `type` to be "ExternalName".', { proto: 10 }),
  externalTrafficPolicy: enumOf(['Cluster', 'Local'], "externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service's \"externally-facing\" addresses.", { proto: 11 }),
  healthCheckNodePort: int32('healthCheckNodePort specifies the healthcheck nodePort for the service.', { proto: 12 }),
  publishNotReadyAddresses: boolean('publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.', { proto: 13 }),
  sessionAffinityConfig: object(
    definition('io.k8s.api.core.v1.SessionAffinityConfig', 'SessionAffinityConfig represents the configurations of session affinity.', {
      clientIP: object(
        definition('io.k8s.api.core.v1.ClientIPConfig', 'ClientIPConfig represents the configurations of Client IP based session affinity.', {
          timeoutSeconds: int32('timeoutSeconds specifies the seconds of ClientIP type session sticky time. Default value is 10800 (3 hours).', { proto: 1, pointer: true }),
        }),
        'clientIP contains the configurations of Client IP based session affinity.',
        { proto: 1, pointer: true },
      ),
    }),
    'sessionAffinityConfig contains the configurations of session affinity.',
    { proto: 14, pointer: true },
  ),
  ipFamilies: stringList('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.', { proto: 19 }),
  ipFamilyPolicy: enumOf(['PreferDualStack', 'RequireDualStack', 'SingleStack'], 'IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.', { proto: 17, pointer: true }),
  allocateLoadBalancerNodePorts: boolean('allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer. Default is "true".', { proto: 20, pointer: true }),
  loadBalancerClass: string('loadBalancerClass is the class of the load balancer implementation this Service belongs to.', { proto: 21, pointer: true }),
  internalTrafficPolicy: enumOf(['Cluster', 'Local'], 'InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.', { proto: 22, pointer: true }),
  trafficDistribution: string('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.', { proto: 23, pointer: true }),
});

export const Service: KindSchema = kindSchema('', 'v1', 'Service', 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.', {
  spec: object(ServiceSpec, 'Spec defines the behavior of a service.', { proto: 2 }),
  status: passThroughStatus('Most recently observed status of the service.', { proto: 3 }),
}, ObjectMeta);

const EndpointAddress = definition('io.k8s.api.core.v1.EndpointAddress', 'EndpointAddress is a tuple that describes single IP address.', {
  ip: string('The IP of this endpoint.', { required: true, proto: 1 }),
  hostname: string('The Hostname of this endpoint', { proto: 3 }),
  nodeName: string('Optional: Node hosting this endpoint. This can be used to determine endpoints local to a node.', { proto: 4, pointer: true }),
  targetRef: object(ObjectReference, 'Reference to object providing the endpoint.', { proto: 2, pointer: true }),
});

const EndpointSubset = definition('io.k8s.api.core.v1.EndpointSubset', 'EndpointSubset is a group of addresses with a common set of ports.', {
  addresses: listOfObjects(EndpointAddress, 'IP addresses which offer the related ports that are marked as ready.', { proto: 1 }),
  notReadyAddresses: listOfObjects(EndpointAddress, 'IP addresses which offer the related ports but are not currently marked as ready because they have not yet finished starting, have recently failed a readiness check, or have recently failed a liveness check.', { proto: 2 }),
  ports: listOfObjects(
    definition('io.k8s.api.core.v1.EndpointPort', 'EndpointPort is a tuple that describes a single port.', {
      name: string('The name of this port. This must match the \'name\' field in the corresponding ServicePort. Optional only if one port is defined.', { proto: 1 }),
      port: int32('The port number of the endpoint.', { required: true, proto: 2 }),
      protocol: enumOf(PROTOCOLS, 'The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.', { proto: 3 }),
      appProtocol: string('The application protocol for this port.', { proto: 4, pointer: true }),
    }),
    'Port numbers available on the related IP addresses.',
    { proto: 3 },
  ),
});

export const Endpoints: KindSchema = kindSchema('', 'v1', 'Endpoints', 'Endpoints is a collection of endpoints that implement the actual service.', {
  subsets: listOfObjects(EndpointSubset, 'The set of all endpoints is the union of all subsets.', { proto: 2 }),
}, ObjectMeta);

const ReplicationControllerSpec = definition('io.k8s.api.core.v1.ReplicationControllerSpec', 'ReplicationControllerSpec is the specification of a replication controller.', {
  replicas: int32('Replicas is the number of desired replicas. Defaults to 1.', { proto: 1, pointer: true }),
  minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.', { proto: 4 }),
  selector: stringMap('Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template.', { proto: 2 }),
  template: object(PodTemplateSpec, 'Template is the object that describes the pod that will be created if insufficient replicas are detected.', { proto: 3, pointer: true }),
});

export const ReplicationController: KindSchema = kindSchema('', 'v1', 'ReplicationController', 'ReplicationController represents the configuration of a replication controller.', {
  spec: object(ReplicationControllerSpec, 'Spec defines the specification of the desired behavior of the replication controller.', { proto: 2 }),
  status: passThroughStatus('Status is the most recently observed status of the replication controller.', { proto: 3 }),
}, ObjectMeta);

export const Secret: KindSchema = kindSchema('', 'v1', 'Secret', 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
  data: mapOf(BYTES, "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string.", { proto: 2 }),
  type: string('Used to facilitate programmatic handling of secret data.', { proto: 3 }),
  stringData: stringMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write.', { proto: 4 }),
  immutable: boolean('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).', { proto: 5, pointer: true }),
}, ObjectMeta);

export const ConfigMap: KindSchema = kindSchema('', 'v1', 'ConfigMap', 'ConfigMap holds configuration data for pods to consume.', {
  data: stringMap("Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field.", { proto: 2 }),
  binaryData: mapOf(BYTES, "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range.", { proto: 3 }),
  immutable: boolean('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).', { proto: 4, pointer: true }),
}, ObjectMeta);

export const Namespace: KindSchema = kindSchema('', 'v1', 'Namespace', 'Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
  spec: object(
    definition('io.k8s.api.core.v1.NamespaceSpec', 'NamespaceSpec describes the attributes on a Namespace.', {
      finalizers: stringList('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.', { proto: 1 }),
    }),
    'Spec defines the behavior of the Namespace.',
    { proto: 2 },
  ),
  status: object(
    definition('io.k8s.api.core.v1.NamespaceStatus', 'NamespaceStatus is information about the current status of a Namespace.', {
      phase: enumOf(['Active', 'Terminating'], 'Phase is the current lifecycle phase of the namespace.', { proto: 1 }),
      conditions: listOfObjects(
        definition('io.k8s.api.core.v1.NamespaceCondition', 'NamespaceCondition contains details about state of namespace.', {
          type: string('Type of namespace controller condition.', { required: true, proto: 1 }),
          status: string('Status of the condition, one of True, False, Unknown.', { required: true, proto: 2 }),
          lastTransitionTime: time('Last time the condition transitioned from one status to another.', { proto: 4 }),
          reason: string('Unique, one-word, CamelCase reason for the condition\'s last transition.', { proto: 5 }),
          message: string('Human-readable message indicating details about last transition.', { proto: 6 }),
        }),
        'Represents the latest available observations of a namespace\'s current state.',
        { proto: 2 },
      ),
    }),
    'Status describes the current status of a Namespace.',
    { proto: 3 },
  ),
}, ObjectMeta);

const Taint = definition('io.k8s.api.core.v1.Taint', 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
  key: string('Required. The taint key to be applied to a node.', { required: true, proto: 1 }),
  value: string('The taint value corresponding to the taint key.', { proto: 2 }),
  effect: enumOf(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.', { required: true, proto: 3 }),
  timeAdded: time('TimeAdded represents the time at which the taint was added.', { proto: 4, pointer: true }),
});

export const Node: KindSchema = kindSchema('', 'v1', 'Node', 'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).', {
  spec: object(
    definition('io.k8s.api.core.v1.NodeSpec', 'NodeSpec describes the attributes that a node is created with.', {
      podCIDR: string('PodCIDR represents the pod IP range assigned to the node.', { proto: 1 }),
      podCIDRs: stringList('podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.', { proto: 7 }),
      providerID: string('ID of the node assigned by the cloud provider.', { proto: 3 }),
      unschedulable: boolean('Unschedulable controls node schedulability of new pods. By default, node is schedulable.', { proto: 4 }),
      taints: listOfObjects(Taint, "If specified, the node's taints.", { proto: 5 }),
      configSource: { type: 'free', doc: 'Deprecated: Previously used to specify the source of the node\'s configuration.' },
      externalID: string('Deprecated. Not all kubelets will set this field.', { proto: 2 }),
    }),
    'Spec defines the behavior of a node.',
    { proto: 2 },
  ),
  status: passThroughStatus('Most recently observed status of the node.', { proto: 3 }),
}, ObjectMeta);

export const Event: KindSchema = kindSchema('', 'v1', 'Event', 'Event is a report of an event somewhere in the cluster.', {
  involvedObject: object(ObjectReference, 'The object that this event is about.', { required: true, proto: 2 }),
  reason: string('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.', { proto: 3 }),
  message: string('A human-readable description of the status of this operation.', { proto: 4 }),
  source: object(
    definition('io.k8s.api.core.v1.EventSource', 'EventSource contains information for an event.', {
      component: string('Component from which the event is generated.', { proto: 1 }),
      host: string('Node name on which the event is generated.', { proto: 2 }),
    }),
    'The component reporting this event. Should be a short machine understandable string.',
    { proto: 5 },
  ),
  firstTimestamp: time('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { proto: 6 }),
  lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.', { proto: 7 }),
  count: int32('The number of times this event has occurred.', { proto: 8 }),
  type: string('Type of this event (Normal, Warning), new types could be added in the future', { proto: 9 }),
  eventTime: time('Time when this Event was first observed.', { proto: 10 }),
  series: { type: 'free', doc: 'Data about the Event series this event represents or nil if it\'s a singleton Event.' },
  action: string('What action was taken/failed regarding to the Regarding object.', { proto: 12 }),
  related: object(ObjectReference, 'Optional secondary object for more complex actions.', { proto: 13, pointer: true }),
  reportingComponent: string('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.', { proto: 14 }),
  reportingInstance: string('ID of the controller instance, e.g. `kubelet-xyzf`.', { proto: 15 }),
}, ObjectMeta);



export const ServiceAccount: KindSchema = kindSchema('', 'v1', 'ServiceAccount', 'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets', {
  secrets: listOfObjects(ObjectReference, 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Deprecated: kubelab, like Kubernetes 1.24+, issues no secret-based tokens.', { proto: 2 }),
  imagePullSecrets: listOfObjects(LocalObjectReference, 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.', { proto: 3 }),
  automountServiceAccountToken: boolean('AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.', { proto: 4, pointer: true }),
}, ObjectMeta);
