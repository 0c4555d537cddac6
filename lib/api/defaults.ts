// Defaulting: what the API server fills in before it validates and stores an object
// (k8s.io/kubernetes/pkg/apis/*/v1/defaults.go).
//
// Users write short manifests; the stored object is complete, so everything downstream (the
// kubelet, `kubectl describe`, a later `apply` diff) reads one explicit value instead of each
// guessing its own default. `Port: 80/TCP` in describe comes from here, not from the printer.
// Defaulting never overwrites what the user set, and running it twice changes nothing.

import type { KubeObject } from './types.js';
import { defaultCronJob, defaultJob } from './validate-batch.js';
import { defaultRbacObject } from './validate-rbac.js';
import { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStorageClass } from './validate-storage.js';
import { defaultHorizontalPodAutoscaler } from './validate-autoscaling.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const objectsIn = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Sets `obj[key] = value` when the key is absent (or null), and returns the value now there. */
function setDefault<T>(obj: Obj, key: string, value: T): T {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
  return obj[key] as T;
}

/** The object at `obj[key]`, created empty when absent. */
function child(obj: Obj, key: string): Obj {
  if (!isObj(obj[key])) obj[key] = {};
  return obj[key] as Obj;
}

/** Fills in the defaults of one object in place. `resource` is the store key (`pods`, `deployments.apps`). */
export function applyDefaults(resource: string, obj: KubeObject): void {
  const target = obj as Obj;
  switch (resource) {
    case 'pods':
      defaultPod(target);
      break;
    case 'replicationcontrollers':
      defaultReplicationController(target);
      break;
    case 'replicasets.apps':
      defaultReplicaSet(target);
      break;
    case 'deployments.apps':
      defaultDeployment(target);
      break;
    case 'jobs.batch':
      defaultJob(target, defaultPodSpec);
      break;
    case 'cronjobs.batch':
      defaultCronJob(target, defaultPodSpec);
      break;
    case 'daemonsets.apps':
      defaultDaemonSet(target);
      break;
    case 'statefulsets.apps':
      defaultStatefulSet(target);
      break;
    case 'services':
      defaultService(child(target, 'spec'));
      break;
    case 'secrets':
      defaultSecret(target);
      break;
    case 'namespaces':
      defaultNamespace(target);
      break;
    case 'endpoints':
      for (const subset of objectsIn(target.subsets)) for (const port of objectsIn(subset.ports)) setDefault(port, 'protocol', 'TCP');
      break;
    case 'horizontalpodautoscalers.autoscaling':
      defaultHorizontalPodAutoscaler(target);
      break;
    case 'events':
      setDefault(target, 'count', 1);
      setDefault(target, 'type', 'Normal');
      break;
    case 'persistentvolumes':
      defaultPersistentVolume(target);
      break;
    case 'persistentvolumeclaims':
      defaultPersistentVolumeClaim(target);
      break;
    case 'storageclasses.storage.k8s.io':
      defaultStorageClass(target);
      break;
    case 'rolebindings.rbac.authorization.k8s.io':
    case 'clusterrolebindings.rbac.authorization.k8s.io':
      defaultRbacObject(target);
      break;
    default:
      // nodes, configmaps, controllerrevisions: nothing to fill in.
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Pods and pod templates

/**
 * What a Pod gets beyond what any pod template gets (Kubernetes' SetDefaults_Pod and the Priority
 * admission plugin): service links on, requests equal to limits where only limits are set, host
 * ports equal to container ports on the host network, priority 0 (kubelab has no PriorityClasses).
 */
function defaultPod(pod: Obj): void {
  const spec = child(pod, 'spec');
  defaultPodSpec(spec);
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  for (const container of [...objectsIn(spec.containers), ...objectsIn(spec.initContainers)]) {
    if (!isObj(container.resources) || !isObj(container.resources.limits)) continue;
    const requests = child(container.resources, 'requests');
    for (const [resource, limit] of Object.entries(container.resources.limits)) setDefault(requests, resource, limit);
  }
  if (spec.hostNetwork === true) {
    for (const container of [...objectsIn(spec.containers), ...objectsIn(spec.initContainers)]) {
      for (const port of objectsIn(container.ports)) if (port.hostPort === undefined || port.hostPort === null || port.hostPort === 0) port.hostPort = port.containerPort;
    }
  }
}

export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  // The ServiceAccount admission plugin, not defaulting, does this in Kubernetes; same effect.
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'securityContext', {});
  for (const container of [...objectsIn(spec.containers), ...objectsIn(spec.initContainers)]) defaultContainer(container);
  for (const volume of objectsIn(spec.volumes)) defaultVolume(volume);
}

function defaultContainer(container: Obj): void {
  if (typeof container.image === 'string') setDefault(container, 'imagePullPolicy', defaultPullPolicy(container.image));
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'resources', {});
  for (const port of objectsIn(container.ports)) setDefault(port, 'protocol', 'TCP');
  for (const env of objectsIn(container.env)) {
    if (isObj(env.valueFrom) && isObj(env.valueFrom.fieldRef)) setDefault(env.valueFrom.fieldRef, 'apiVersion', 'v1');
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (isObj(container[probe])) defaultProbe(container[probe] as Obj);
  }
  if (isObj(container.lifecycle)) {
    for (const hook of Object.values(container.lifecycle)) if (isObj(hook)) defaultHandler(hook);
  }
}

/**
 * `Always` for `:latest` or an untagged image (it may change under the same name), otherwise
 * `IfNotPresent`. A digest (`@sha256:...`) pins the content, so it counts as tagged.
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: Obj): void {
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

function defaultHandler(handler: Obj): void {
  if (isObj(handler.httpGet)) {
    setDefault(handler.httpGet, 'path', '/');
    setDefault(handler.httpGet, 'scheme', 'HTTP');
  }
}

/**
 * File modes of projected volumes. Secrets default to 292 (0444): kubelab's credentials files are
 * read-only for everyone in the pod, as this project promises (Kubernetes itself uses 0644).
 * ConfigMaps keep Kubernetes' 420 (0644).
 */
const SECRET_DEFAULT_MODE = 0o444;
const CONFIG_MAP_DEFAULT_MODE = 0o644;
/** downwardAPI and projected volumes: Kubernetes' 420 (0644). */
const DOWNWARD_API_DEFAULT_MODE = 0o644;

function defaultVolume(volume: Obj): void {
  const sources = Object.keys(volume).filter((k) => k !== 'name');
  // A volume that names no source is an emptyDir, as in Kubernetes.
  if (sources.length === 0) volume.emptyDir = {};
  if (isObj(volume.secret)) setDefault(volume.secret, 'defaultMode', SECRET_DEFAULT_MODE);
  if (isObj(volume.configMap)) setDefault(volume.configMap, 'defaultMode', CONFIG_MAP_DEFAULT_MODE);
  if (isObj(volume.hostPath)) setDefault(volume.hostPath, 'type', '');
  if (isObj(volume.downwardAPI)) {
    setDefault(volume.downwardAPI, 'defaultMode', DOWNWARD_API_DEFAULT_MODE);
    for (const item of objectsIn(volume.downwardAPI.items)) if (isObj(item.fieldRef)) setDefault(item.fieldRef, 'apiVersion', 'v1');
  }
  if (isObj(volume.projected)) setDefault(volume.projected, 'defaultMode', DOWNWARD_API_DEFAULT_MODE);
}

function defaultTemplateSpec(spec: Obj): void {
  if (isObj(spec.template)) defaultPodSpec(child(spec.template, 'spec'));
}

// ---------------------------------------------------------------------------------------------
// Workloads

/** A ReplicationController's selector and labels default to its pod template's labels (core/v1 only). */
function defaultReplicationController(rc: Obj): void {
  const spec = child(rc, 'spec');
  setDefault(spec, 'replicas', 1);
  const templateLabels = isObj(spec.template) && isObj((spec.template as Obj).metadata)
    ? ((spec.template as Obj).metadata as Obj).labels
    : undefined;
  if (isObj(templateLabels) && Object.keys(templateLabels).length > 0) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    const metadata = child(rc, 'metadata');
    if (!isObj(metadata.labels) || Object.keys(metadata.labels).length === 0) metadata.labels = { ...templateLabels };
  }
  defaultTemplateSpec(spec);
}

function defaultReplicaSet(rs: Obj): void {
  const spec = child(rs, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultTemplateSpec(spec);
}

/** The defaults `kubectl describe deploy` and `rollout` expect: 25%/25% rolling updates, 10 old ReplicaSets, 600 s deadline. */
function defaultDeployment(deployment: Obj): void {
  const spec = child(deployment, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = child(strategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', '25%');
    setDefault(rollingUpdate, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultTemplateSpec(spec);
}

/**
 * A DaemonSet replaces its pods one node at a time (maxUnavailable 1, no surge) and keeps 10 old
 * ControllerRevisions for `kubectl rollout undo`, as apps/v1 defaults it.
 */
function defaultDaemonSet(daemonSet: Obj): void {
  const spec = child(daemonSet, 'spec');
  const strategy = child(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = child(strategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', 1);
    setDefault(rollingUpdate, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultTemplateSpec(spec);
}

/**
 * A StatefulSet starts its pods one at a time (OrderedReady), replaces them from the highest
 * ordinal down (RollingUpdate, partition 0), keeps its claims when scaled or deleted (Retain) and
 * keeps 10 old ControllerRevisions, as apps/v1 defaults it.
 */
function defaultStatefulSet(statefulSet: Obj): void {
  const spec = child(statefulSet, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = child(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setDefault(child(strategy, 'rollingUpdate'), 'partition', 0);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'revisionHistoryLimit', 10);
  for (const claim of objectsIn(spec.volumeClaimTemplates)) {
    setDefault(claim, 'apiVersion', 'v1');
    setDefault(claim, 'kind', 'PersistentVolumeClaim');
    defaultPersistentVolumeClaim(claim);
  }
  defaultTemplateSpec(spec);
}

// ---------------------------------------------------------------------------------------------
// Services, secrets, namespaces

function defaultService(spec: Obj): void {
  const type = setDefault<string>(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = child(child(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(clientIP, 'timeoutSeconds', 10800);
  }
  for (const port of objectsIn(spec.ports)) {
    setDefault(port, 'protocol', 'TCP');
    // A targetPort of 0 or "" means "the same as port" in Kubernetes too.
    if (port.targetPort === 0 || port.targetPort === '') delete port.targetPort;
    setDefault(port, 'targetPort', port.port);
  }
  if (type === 'ExternalName') return;
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'NodePort' || type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
}

/** `stringData` is a write-only convenience: its values are base64-encoded into `data` (winning over it) and it is dropped. */
function defaultSecret(secret: Obj): void {
  setDefault(secret, 'type', 'Opaque');
  if (isObj(secret.stringData)) {
    const data = child(secret, 'data');
    for (const [key, value] of Object.entries(secret.stringData)) {
      data[key] = Buffer.from(String(value), 'utf8').toString('base64');
    }
  }
  delete secret.stringData;
}

function defaultNamespace(namespace: Obj): void {
  const spec = child(namespace, 'spec');
  setDefault(spec, 'finalizers', ['kubernetes']);
  const status = child(namespace, 'status');
  setDefault(status, 'phase', 'Active');
}
