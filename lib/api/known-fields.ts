// Which fields each kind has: the schema behind `fieldValidation=Strict`, kubectl's default.
//
// The real API server decodes JSON into Go structs and reports every field the struct lacks:
// `strict decoding error: unknown field "spec.containers[0].imagee"`. kubelab has no structs, so
// this file writes down the field names of the k8s.io/api v1.32 types it serves, as nested
// data: an object lists its fields, `[x]` is a list of x, and FREE accepts anything (maps with
// arbitrary keys such as labels, and sub-objects kubelab passes through untouched, like
// affinity or securityContext). `status` is FREE everywhere: components write it, users rarely do.

type Schema = typeof FREE | { readonly [field: string]: Schema } | readonly Schema[];

/** Any value, any keys. */
const FREE = 'free' as const;

const ObjectReference = { kind: FREE, namespace: FREE, name: FREE, uid: FREE, apiVersion: FREE, resourceVersion: FREE, fieldPath: FREE };

const ObjectMeta = {
  name: FREE, generateName: FREE, namespace: FREE, selfLink: FREE, uid: FREE, resourceVersion: FREE, generation: FREE,
  creationTimestamp: FREE, deletionTimestamp: FREE, deletionGracePeriodSeconds: FREE, labels: FREE, annotations: FREE,
  ownerReferences: [{ apiVersion: FREE, kind: FREE, name: FREE, uid: FREE, controller: FREE, blockOwnerDeletion: FREE }],
  finalizers: FREE, managedFields: FREE,
};

const LabelSelector = { matchLabels: FREE, matchExpressions: [{ key: FREE, operator: FREE, values: FREE }] };

const KeyToPath = { key: FREE, path: FREE, mode: FREE };
const LocalObjectReference = { name: FREE };
const KeySelector = { name: FREE, key: FREE, optional: FREE };

const HTTPGetAction = { path: FREE, port: FREE, host: FREE, scheme: FREE, httpHeaders: [{ name: FREE, value: FREE }] };
const TCPSocketAction = { port: FREE, host: FREE };
const ExecAction = { command: FREE };

const Probe = {
  exec: ExecAction, httpGet: HTTPGetAction, tcpSocket: TCPSocketAction, grpc: { port: FREE, service: FREE },
  initialDelaySeconds: FREE, timeoutSeconds: FREE, periodSeconds: FREE, successThreshold: FREE, failureThreshold: FREE,
  terminationGracePeriodSeconds: FREE,
};

const LifecycleHandler = { exec: ExecAction, httpGet: HTTPGetAction, tcpSocket: TCPSocketAction, sleep: { seconds: FREE } };

const EnvVar = {
  name: FREE,
  value: FREE,
  valueFrom: {
    fieldRef: { apiVersion: FREE, fieldPath: FREE },
    resourceFieldRef: { containerName: FREE, resource: FREE, divisor: FREE },
    configMapKeyRef: KeySelector,
    secretKeyRef: KeySelector,
  },
};

const ResourceRequirements = { limits: FREE, requests: FREE, claims: [{ name: FREE, request: FREE }] };

const containerFields = {
  name: FREE, image: FREE, command: FREE, args: FREE, workingDir: FREE,
  ports: [{ name: FREE, hostPort: FREE, containerPort: FREE, protocol: FREE, hostIP: FREE }],
  envFrom: [{ prefix: FREE, configMapRef: { name: FREE, optional: FREE }, secretRef: { name: FREE, optional: FREE } }],
  env: [EnvVar],
  resources: ResourceRequirements,
  resizePolicy: [{ resourceName: FREE, restartPolicy: FREE }],
  restartPolicy: FREE,
  volumeMounts: [{ name: FREE, readOnly: FREE, recursiveReadOnly: FREE, mountPath: FREE, subPath: FREE, mountPropagation: FREE, subPathExpr: FREE }],
  volumeDevices: [{ name: FREE, devicePath: FREE }],
  livenessProbe: Probe, readinessProbe: Probe, startupProbe: Probe,
  lifecycle: { postStart: LifecycleHandler, preStop: LifecycleHandler, stopSignal: FREE },
  terminationMessagePath: FREE, terminationMessagePolicy: FREE, imagePullPolicy: FREE,
  securityContext: FREE, stdin: FREE, stdinOnce: FREE, tty: FREE,
};
const Container = containerFields;
const EphemeralContainer = { ...containerFields, targetContainerName: FREE };

/** The sources kubelab understands are spelled out; the cloud and legacy ones are passed through. */
const Volume = {
  name: FREE,
  hostPath: { path: FREE, type: FREE },
  emptyDir: { medium: FREE, sizeLimit: FREE },
  secret: { secretName: FREE, items: [KeyToPath], defaultMode: FREE, optional: FREE },
  configMap: { name: FREE, items: [KeyToPath], defaultMode: FREE, optional: FREE },
  persistentVolumeClaim: { claimName: FREE, readOnly: FREE },
  downwardAPI: { items: [{ path: FREE, fieldRef: FREE, resourceFieldRef: FREE, mode: FREE }], defaultMode: FREE },
  projected: { sources: FREE, defaultMode: FREE },
  nfs: { server: FREE, path: FREE, readOnly: FREE },
  image: { reference: FREE, pullPolicy: FREE },
  gcePersistentDisk: FREE, awsElasticBlockStore: FREE, gitRepo: FREE, iscsi: FREE, glusterfs: FREE, rbd: FREE,
  flexVolume: FREE, cinder: FREE, cephfs: FREE, flocker: FREE, fc: FREE, azureFile: FREE, vsphereVolume: FREE,
  quobyte: FREE, azureDisk: FREE, photonPersistentDisk: FREE, portworxVolume: FREE, scaleIO: FREE, storageos: FREE,
  csi: FREE, ephemeral: FREE,
};

const PodSpec = {
  volumes: [Volume],
  initContainers: [Container],
  containers: [Container],
  ephemeralContainers: [EphemeralContainer],
  restartPolicy: FREE, terminationGracePeriodSeconds: FREE, activeDeadlineSeconds: FREE, dnsPolicy: FREE,
  nodeSelector: FREE, serviceAccountName: FREE, serviceAccount: FREE, automountServiceAccountToken: FREE,
  nodeName: FREE, hostNetwork: FREE, hostPID: FREE, hostIPC: FREE, shareProcessNamespace: FREE,
  securityContext: FREE,
  imagePullSecrets: [LocalObjectReference],
  hostname: FREE, subdomain: FREE, affinity: FREE, schedulerName: FREE,
  tolerations: [{ key: FREE, operator: FREE, value: FREE, effect: FREE, tolerationSeconds: FREE }],
  hostAliases: [{ ip: FREE, hostnames: FREE }],
  priorityClassName: FREE, priority: FREE,
  dnsConfig: { nameservers: FREE, searches: FREE, options: [{ name: FREE, value: FREE }] },
  readinessGates: [{ conditionType: FREE }],
  runtimeClassName: FREE, enableServiceLinks: FREE, preemptionPolicy: FREE, overhead: FREE,
  topologySpreadConstraints: FREE, setHostnameAsFQDN: FREE, os: { name: FREE }, hostUsers: FREE,
  schedulingGates: [{ name: FREE }],
  resourceClaims: [{ name: FREE, resourceClaimName: FREE, resourceClaimTemplateName: FREE, source: FREE }],
  resources: ResourceRequirements,
};

const PodTemplateSpec = { metadata: ObjectMeta, spec: PodSpec };

const top = (fields: Record<string, Schema>): Schema => ({ apiVersion: FREE, kind: FREE, metadata: ObjectMeta, status: FREE, ...fields });

const SCHEMAS: Record<string, Schema> = {
  pods: top({ spec: PodSpec }),
  replicationcontrollers: top({ spec: { replicas: FREE, minReadySeconds: FREE, selector: FREE, template: PodTemplateSpec } }),
  'replicasets.apps': top({ spec: { replicas: FREE, minReadySeconds: FREE, selector: LabelSelector, template: PodTemplateSpec } }),
  'deployments.apps': top({
    spec: {
      replicas: FREE, selector: LabelSelector, template: PodTemplateSpec,
      strategy: { type: FREE, rollingUpdate: { maxUnavailable: FREE, maxSurge: FREE } },
      minReadySeconds: FREE, revisionHistoryLimit: FREE, paused: FREE, progressDeadlineSeconds: FREE,
    },
  }),
  // DaemonSet and ControllerRevision (issue 15).
  'daemonsets.apps': top({
    spec: {
      selector: LabelSelector, template: PodTemplateSpec,
      updateStrategy: { type: FREE, rollingUpdate: { maxUnavailable: FREE, maxSurge: FREE } },
      minReadySeconds: FREE, revisionHistoryLimit: FREE,
    },
  }),
  'controllerrevisions.apps': top({ data: FREE, revision: FREE }),
  services: top({
    spec: {
      ports: [{ name: FREE, protocol: FREE, appProtocol: FREE, port: FREE, targetPort: FREE, nodePort: FREE }],
      selector: FREE, clusterIP: FREE, clusterIPs: FREE, type: FREE, externalIPs: FREE, sessionAffinity: FREE,
      loadBalancerIP: FREE, loadBalancerSourceRanges: FREE, externalName: FREE, externalTrafficPolicy: FREE,
      healthCheckNodePort: FREE, publishNotReadyAddresses: FREE, sessionAffinityConfig: { clientIP: { timeoutSeconds: FREE } },
      ipFamilies: FREE, ipFamilyPolicy: FREE, allocateLoadBalancerNodePorts: FREE, loadBalancerClass: FREE,
      internalTrafficPolicy: FREE, trafficDistribution: FREE,
    },
  }),
  secrets: top({ data: FREE, stringData: FREE, type: FREE, immutable: FREE }),
  configmaps: top({ data: FREE, binaryData: FREE, immutable: FREE }),
  namespaces: top({ spec: { finalizers: FREE } }),
  nodes: top({
    spec: {
      podCIDR: FREE, podCIDRs: FREE, providerID: FREE, unschedulable: FREE,
      taints: [{ key: FREE, value: FREE, effect: FREE, timeAdded: FREE }], configSource: FREE, externalID: FREE,
    },
  }),
  events: top({
    involvedObject: ObjectReference, reason: FREE, message: FREE, source: { component: FREE, host: FREE },
    firstTimestamp: FREE, lastTimestamp: FREE, count: FREE, type: FREE, eventTime: FREE, series: FREE, action: FREE,
    related: ObjectReference, reportingComponent: FREE, reportingInstance: FREE,
  }),
  endpoints: top({
    subsets: [{
      addresses: [{ ip: FREE, hostname: FREE, nodeName: FREE, targetRef: ObjectReference }],
      notReadyAddresses: [{ ip: FREE, hostname: FREE, nodeName: FREE, targetRef: ObjectReference }],
      ports: [{ name: FREE, port: FREE, protocol: FREE, appProtocol: FREE }],
    }],
  }),
};

/**
 * The paths of fields `resource`'s schema does not know, as the API server names them:
 * `spec.foo`, `spec.containers[0].imagee`. Unknown resources have no schema: nothing is unknown.
 */
export function findUnknownFields(resource: string, obj: unknown): string[] {
  const schema = SCHEMAS[resource];
  if (!schema) return [];
  const unknown: string[] = [];
  walk(obj, schema, '', unknown);
  return unknown;
}

function walk(value: unknown, schema: Schema, path: string, unknown: string[]): void {
  if (schema === FREE || value === null || typeof value !== 'object') return;
  if (Array.isArray(schema)) {
    // A list: check each element. A non-list value is a type error, not an unknown field.
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, schema[0], `${path}[${i}]`, unknown));
    return;
  }
  if (Array.isArray(value)) return;
  const fields = schema as { readonly [field: string]: Schema };
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (!Object.prototype.hasOwnProperty.call(fields, key)) unknown.push(childPath);
    else walk(child, fields[key], childPath, unknown);
  }
}
