// Fields kubelab knows (they are in the schema: `kubectl explain` shows them, strict decoding
// accepts their names) but does not implement, so it refuses them: issue 20's rule is that every
// accepted field is honoured as Kubernetes honours it, or refused at create with a 422 that names
// it. Never accepted and silently dropped.
//
// One list drives both sides:
//   - the API: findUnsupportedFields walks an object with its kind's schema and returns a
//     `Forbidden: kubelab does not support this field (...)` cause for each refused field that is
//     set (lib/api/validation.ts runs it on every create and update);
//   - the known-fields walk (test/unit/known-fields-walk.test.ts), which counts a refused field
//     as handled and does not descend into it.
// An entry names a struct field (Definition and field name), so `PodSpec.priorityClassName` is
// refused in a Pod and in every pod template (Deployment, Job, CronJob...) alike.
//
// To implement one of these: delete its entry, honour the field, and add a behaviour test with a
// `// covers: KIND path` line (the walk test then requires it).

import { fieldForbidden, type FieldError } from '../../errors.js';
import { kindSchemaOf } from './index.js';
import type { FieldType } from './schema.js';
import { LOCAL_PATH_PROVISIONER } from '../../storage/storage-names.js';

export interface UnsupportedField {
  /** The OpenAPI name of the struct: `io.k8s.api.core.v1.PodSpec`. */
  definition: string;
  field: string;
  /** Why, or what to use instead: the end of the 422's message. */
  why: string;
  /**
   * Values that are what kubelab does anyway, so they are accepted: `priority: 0`, which every
   * pod gets (manifests exported from a real cluster carry it).
   */
  accepts?: readonly unknown[];
}

const core = (name: string) => `io.k8s.api.core.v1.${name}`;
const autoscaling = (name: string) => `io.k8s.api.autoscaling.v2.${name}`;

/** The pod volume types the kubelet cannot mount (lib/api/validate-pod-spec.ts VOLUME_SOURCES lists all). */
const UNMOUNTABLE_VOLUME_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];
/** The PersistentVolume sources other than hostPath and local. */
export const UNSUPPORTED_PERSISTENT_VOLUME_SOURCES = [
  'nfs', 'csi', 'iscsi', 'fc', 'rbd', 'cephfs', 'glusterfs', 'gcePersistentDisk', 'awsElasticBlockStore', 'azureDisk', 'azureFile',
  'cinder', 'flexVolume', 'vsphereVolume', 'portworxVolume',
];

export const UNSUPPORTED_FIELDS: readonly UnsupportedField[] = [
  // PodSpec
  { definition: core('PodSpec'), field: 'priorityClassName', why: 'kubelab has no PriorityClasses and no preemption' },
  { definition: core('PodSpec'), field: 'priority', why: 'kubelab has no PriorityClasses and no preemption: every pod has priority 0', accepts: [0] },
  { definition: core('PodSpec'), field: 'runtimeClassName', why: 'kubelab runs every pod with its one container runtime' },
  { definition: core('PodSpec'), field: 'overhead', why: 'kubelab has no RuntimeClasses' },
  { definition: core('PodSpec'), field: 'readinessGates', why: 'nothing in kubelab sets custom pod conditions, so the pod would never be Ready' },
  { definition: core('PodSpec'), field: 'schedulingGates', why: 'the scheduler does not implement scheduling gates' },
  { definition: core('PodSpec'), field: 'resourceClaims', why: 'kubelab has no dynamic resource allocation' },
  { definition: core('PodSpec'), field: 'resources', why: 'pod-level resources are not implemented; set resources on each container' },
  { definition: core('PodSpec'), field: 'hostUsers', why: 'user namespaces are not implemented' },
  { definition: core('PodOS'), field: 'name', why: 'kubelab nodes run Linux containers only', accepts: ['linux'] },
  // Volumes: the kubelet (daemon/kubelet/volumes.ts) mounts emptyDir, hostPath, secret,
  // configMap, persistentVolumeClaim, downwardAPI and projected; every other type is refused,
  // never quietly replaced by an empty directory.
  ...UNMOUNTABLE_VOLUME_SOURCES.map((source) => ({
    definition: core('Volume'),
    field: source,
    why: `${source} volumes are not mounted: the kubelet mounts emptyDir, hostPath, secret, configMap, persistentVolumeClaim, downwardAPI and projected volumes; for storage that outlives the pod use a persistentVolumeClaim`,
  })),
  { definition: core('EmptyDirVolumeSource'), field: 'medium', why: 'an emptyDir is a directory on the node\'s disk; only the default medium "" is implemented', accepts: [''] },
  { definition: core('EmptyDirVolumeSource'), field: 'sizeLimit', why: 'emptyDir size limits are not enforced' },
  // Projected volumes: configMap, secret, downwardAPI and serviceAccountToken sources are written; nothing issues bundles.
  { definition: core('VolumeProjection'), field: 'clusterTrustBundle', why: 'kubelab serves no ClusterTrustBundles' },
  // Volume mounts are private bind mounts of a directory (Docker's rprivate, which is None).
  { definition: core('VolumeMount'), field: 'mountPropagation', why: 'mounts are private: only the default "None" is implemented', accepts: ['None'] },
  { definition: core('VolumeMount'), field: 'recursiveReadOnly', why: 'a readOnly mount is read-only at its top; only the default "Disabled" is implemented', accepts: ['Disabled'] },
  { definition: core('VolumeMount'), field: 'subPathExpr', why: 'subPath with $(VAR) expansion is not implemented; use subPath' },
  { definition: core('Container'), field: 'volumeDevices', why: 'raw block volumes are not implemented: claims are Filesystem volumes, mounted with volumeMounts' },
  // Security contexts (the values kubelab maps to Docker are in daemon/kubelet/security-options.ts).
  { definition: core('SecurityContext'), field: 'seLinuxOptions', why: 'the nodes run without SELinux' },
  { definition: core('PodSecurityContext'), field: 'seLinuxOptions', why: 'the nodes run without SELinux' },
  { definition: core('PodSecurityContext'), field: 'seLinuxChangePolicy', why: 'the nodes run without SELinux' },
  { definition: core('SecurityContext'), field: 'windowsOptions', why: 'kubelab runs Linux containers only' },
  { definition: core('PodSecurityContext'), field: 'windowsOptions', why: 'kubelab runs Linux containers only' },
  { definition: core('SecurityContext'), field: 'procMount', why: 'Unmasked needs hostUsers: false (user namespaces), which kubelab does not run; /proc is masked as with "Default"', accepts: ['Default'] },
  { definition: core('PodSecurityContext'), field: 'supplementalGroupsPolicy', why: 'Strict cannot be kept on Docker, which always adds the groups the image\'s /etc/group gives the user, as with "Merge"', accepts: ['Merge'] },
  // A Localhost profile needs a profile directory on the node; RuntimeDefault and Unconfined are
  // honoured (lib/api/validate-pod-features.ts refuses the type Localhost by value).
  { definition: core('SeccompProfile'), field: 'localhostProfile', why: 'a Localhost profile needs a profile directory on the node, which kubelab does not keep; use type RuntimeDefault or Unconfined' },
  { definition: core('AppArmorProfile'), field: 'localhostProfile', why: 'a Localhost profile needs a profile directory on the node, which kubelab does not keep; use type RuntimeDefault or Unconfined' },
  // Container
  { definition: core('Container'), field: 'resizePolicy', why: 'in-place resize is not implemented' },
  { definition: core('Probe'), field: 'terminationGracePeriodSeconds', why: 'a container its liveness or startup probe kills gets the pod\'s terminationGracePeriodSeconds' },
  { definition: core('Lifecycle'), field: 'stopSignal', why: 'a container is stopped with the signal its image declares (STOPSIGNAL), or SIGTERM' },
  { definition: core('ResourceRequirements'), field: 'claims', why: 'kubelab has no dynamic resource allocation' },
  // JobSpec (lib/api/validate-batch.ts refused these before the list existed)
  { definition: 'io.k8s.api.batch.v1.JobSpec', field: 'podFailurePolicy', why: 'failed pods count against backoffLimit' },
  { definition: 'io.k8s.api.batch.v1.JobSpec', field: 'successPolicy', why: 'a Job succeeds when completions pods have succeeded' },
  { definition: 'io.k8s.api.batch.v1.JobSpec', field: 'backoffLimitPerIndex', why: 'use backoffLimit' },
  { definition: 'io.k8s.api.batch.v1.JobSpec', field: 'maxFailedIndexes', why: 'use backoffLimit' },
  { definition: 'io.k8s.api.batch.v1.JobSpec', field: 'managedBy', why: "kubelab's Job controller manages every Job" },
  { definition: 'io.k8s.api.batch.v1.JobSpec', field: 'podReplacementPolicy', why: 'replacement pods are created once the old ones are terminating or failed', accepts: ['TerminatingOrFailed'] },
  // ServiceSpec
  { definition: core('ServiceSpec'), field: 'externalIPs', why: 'the service proxy listens on ClusterIPs, node ports and LoadBalancer addresses only' },
  { definition: core('ServiceSpec'), field: 'ipFamilies', why: 'kubelab clusters are IPv4 only', accepts: [['IPv4']] },
  { definition: core('ServiceSpec'), field: 'ipFamilyPolicy', why: 'kubelab clusters are IPv4 only', accepts: ['SingleStack', 'PreferDualStack'] },
  // The traffic policies: the service proxy on every node sends ClusterIP, node port and
  // LoadBalancer traffic to any ready endpoint in the cluster, which is what `Cluster` means (the
  // default, so `kubectl apply` of a typical Service passes). `Local` (keep the client's source
  // address, only node-local endpoints) is not implemented, nor is the health check node port
  // a cloud load balancer would probe for it.
  { definition: core('ServiceSpec'), field: 'externalTrafficPolicy', why: 'the service proxy sends external traffic to endpoints on every node ("Cluster"); "Local" is not implemented', accepts: ['Cluster'] },
  { definition: core('ServiceSpec'), field: 'internalTrafficPolicy', why: 'the service proxy sends ClusterIP traffic to endpoints on every node ("Cluster"); "Local" is not implemented', accepts: ['Cluster'] },
  { definition: core('ServiceSpec'), field: 'healthCheckNodePort', why: 'it only serves externalTrafficPolicy "Local", which kubelab does not implement' },
  { definition: core('ServiceSpec'), field: 'trafficDistribution', why: 'the service proxy picks among all ready endpoints round robin; it has no topology preferences' },
  // LoadBalancer Services: kubelab's one built-in controller (daemon/api/service-allocation.ts,
  // daemon/controllers/service-lb) serves them all, always with node ports, and lets every client in.
  { definition: core('ServiceSpec'), field: 'allocateLoadBalancerNodePorts', why: 'a LoadBalancer Service always gets a node port per port, as with the default true', accepts: [true] },
  { definition: core('ServiceSpec'), field: 'loadBalancerClass', why: "kubelab's built-in LoadBalancer controller serves every LoadBalancer Service; there are no other classes" },
  { definition: core('ServiceSpec'), field: 'loadBalancerSourceRanges', why: 'the service proxy accepts traffic to a LoadBalancer address from every client; source ranges are not enforced', accepts: [[]] },
  // Namespace
  { definition: core('NamespaceSpec'), field: 'finalizers', why: 'a namespace is removed once its content is gone; only the "kubernetes" finalizer exists', accepts: [['kubernetes'], []] },
  // PersistentVolume sources: kubelab mounts hostPath and local volumes (lib/api/validate-storage.ts).
  ...UNSUPPORTED_PERSISTENT_VOLUME_SOURCES.map((source) => ({
    definition: core('PersistentVolumeSpec'),
    field: source,
    why: `${source} volumes are not mounted: kubelab mounts hostPath and local volumes (or use a StorageClass with provisioner ${LOCAL_PATH_PROVISIONER})`,
  })),
  // PersistentVolumeClaims (and StatefulSet claim templates, which are claims)
  { definition: core('PersistentVolumeClaimSpec'), field: 'dataSource', why: 'kubelab cannot populate a volume from a data source: create the claim empty and copy the data in' },
  { definition: core('PersistentVolumeClaimSpec'), field: 'dataSourceRef', why: 'kubelab cannot populate a volume from a data source: create the claim empty and copy the data in' },
  { definition: core('VolumeResourceRequirements'), field: 'limits', why: 'a claim\'s volume is a directory whose size is not enforced, so a limit would be ignored; set resources.requests.storage' },
  { definition: core('PersistentVolumeSpec'), field: 'mountOptions', why: 'hostPath and local volumes are bind mounts, which take no mount options', accepts: [[]] },
  { definition: core('PersistentVolumeSpec'), field: 'volumeAttributesClassName', why: 'kubelab has no VolumeAttributesClasses' },
  { definition: core('PersistentVolumeClaimSpec'), field: 'volumeAttributesClassName', why: 'kubelab has no VolumeAttributesClasses' },
  { definition: core('LocalVolumeSource'), field: 'fsType', why: 'a local volume is a directory; kubelab formats no block devices', accepts: [''] },
  // StorageClass
  { definition: 'io.k8s.api.storage.v1.StorageClass', field: 'mountOptions', why: 'its volumes are bind mounts, which take no mount options', accepts: [[]] },
  { definition: 'io.k8s.api.storage.v1.StorageClass', field: 'allowedTopologies', why: 'use volumeBindingMode WaitForFirstConsumer and the pod\'s nodeSelector', accepts: [[]] },
  { definition: 'io.k8s.api.storage.v1.StorageClass', field: 'allowVolumeExpansion', why: 'kubelab cannot expand volumes: leave it unset or false', accepts: [false] },
  // StatefulSetSpec
  { definition: 'io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy', field: 'maxUnavailable', why: 'alpha in Kubernetes behind the MaxUnavailableStatefulSet feature gate; pods are replaced one at a time: remove the field' },
  // HorizontalPodAutoscaler metrics: kubelab serves the resource metrics API (metrics.k8s.io) only.
  ...(['Object', 'Pods', 'External'] as const).map((type) => ({
    definition: autoscaling('MetricSpec'),
    field: type.toLowerCase(),
    why: `${type} metrics need ${type === 'External' ? 'an external' : 'a custom'} metrics API, which kubelab does not serve (only the resource metrics API, metrics.k8s.io); use a Resource or ContainerResource metric (cpu or memory)`,
  })),
  // Only Resource and ContainerResource metrics get this far, and Kubernetes refuses a Value target for them too.
  { definition: autoscaling('MetricTarget'), field: 'value', why: 'a resource metric has no Value target: use averageValue or averageUtilization' },
  // Lease: coordinated leader election is alpha in Kubernetes (LeaseCandidates pick the holder); kubelab's electors race for the Lease as client-go's do.
  { definition: 'io.k8s.api.coordination.v1.LeaseSpec', field: 'strategy', why: 'coordinated leader election is alpha in Kubernetes and kubelab has no LeaseCandidates: leave it unset' },
  { definition: 'io.k8s.api.coordination.v1.LeaseSpec', field: 'preferredHolder', why: 'coordinated leader election is alpha in Kubernetes and kubelab has no LeaseCandidates: leave it unset' },
  // NodeSpec
  { definition: core('NodeSpec'), field: 'providerID', why: 'kubelab has no cloud provider' },
];

const byDefinition = new Map<string, Map<string, UnsupportedField>>();
for (const entry of UNSUPPORTED_FIELDS) {
  if (!byDefinition.has(entry.definition)) byDefinition.set(entry.definition, new Map());
  byDefinition.get(entry.definition)!.set(entry.field, entry);
}

/** The entry refusing `field` of the struct `definition`, if any. */
export function unsupportedField(definition: string, field: string): UnsupportedField | undefined {
  return byDefinition.get(definition)?.get(field);
}

/** The message of the 422 cause, after `Forbidden: `. */
export const unsupportedMessage = (entry: UnsupportedField): string => `kubelab does not support this field (${entry.why})`;

/** Whether `value` is one of the values the entry lets through (compared as JSON: `['IPv4']`). */
const accepted = (entry: UnsupportedField, value: unknown): boolean => (entry.accepts ?? []).some((a) => JSON.stringify(a) === JSON.stringify(value));

/** A 422 cause for every refused field `obj` sets, with Kubernetes' field paths (`spec.template.spec.priority`). */
export function findUnsupportedFields(resource: string, obj: unknown): FieldError[] {
  const kind = kindSchemaOf(resource);
  if (!kind) return [];
  const errors: FieldError[] = [];
  walk(obj, { type: 'object', of: kind.definition }, '', errors);
  return errors;
}

function walk(value: unknown, type: FieldType, path: string, errors: FieldError[]): void {
  if (value === null || typeof value !== 'object') return;
  if (type.type === 'list') {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, type.items, `${path}[${i}]`, errors));
    return;
  }
  if (Array.isArray(value) || type.type !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (!Object.prototype.hasOwnProperty.call(type.of.fields, key) || child === null || child === undefined) continue;
    const childPath = path ? `${path}.${key}` : key;
    const entry = unsupportedField(type.of.name, key);
    if (entry && !accepted(entry, child)) errors.push(fieldForbidden(childPath, unsupportedMessage(entry)));
    else walk(child, type.of.fields[key], childPath, errors);
  }
}
