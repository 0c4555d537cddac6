// Every field in lib/api/schemas/unsupported-fields.ts is refused on create with a 422 cause that
// names it and says kubelab does not support it, in a Pod and in a pod template alike; the values
// kubelab does anyway (priority 0, os linux, serviceAccountName default) are accepted.
//
// covers: Pod spec.os

import assert from 'node:assert/strict';
import { UNSUPPORTED_FIELDS, unsupportedMessage } from '../../lib/api/schemas/unsupported-fields.js';
import type { KubeObject } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';

const container = () => ({ name: 'c', image: 'hello:v1', resources: {} as Record<string, unknown> });
const pod = (spec: Record<string, unknown>, c = container()): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [c], ...spec } }) as KubeObject;
const job = (spec: Record<string, unknown>): KubeObject =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default' },
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, manualSelector: true, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u' } }, spec: { restartPolicy: 'Never', containers: [container()] } }, ...spec },
  }) as KubeObject;

/** A value of the right type for each refused field (and not one it accepts), so only the refusal answers. */
const SAMPLE: Record<string, unknown> = {
  'PodSpec.priorityClassName': 'high', 'PodSpec.priority': 1000, 'PodSpec.runtimeClassName': 'gvisor', 'PodSpec.overhead': { cpu: '100m' },
  'PodSpec.readinessGates': [{ conditionType: 'x/ready' }], 'PodSpec.schedulingGates': [{ name: 'wait' }],
  'PodSpec.resourceClaims': [{ name: 'gpu' }], 'PodSpec.resources': { limits: { cpu: '1' } }, 'PodSpec.hostUsers': false, 'PodSpec.serviceAccountName': 'builder',
  'PodSpec.serviceAccount': 'builder', 'PodSpec.automountServiceAccountToken': true, 'PodOS.name': 'windows', 'EmptyDirVolumeSource.medium': 'Memory',
  'EmptyDirVolumeSource.sizeLimit': '1Gi', 'Container.resizePolicy': [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }], 'ResourceRequirements.claims': [{ name: 'gpu' }],
  'JobSpec.podFailurePolicy': { rules: [] }, 'JobSpec.successPolicy': { rules: [] }, 'JobSpec.backoffLimitPerIndex': 1, 'JobSpec.maxFailedIndexes': 1,
  'JobSpec.managedBy': 'example.com/other', 'JobSpec.podReplacementPolicy': 'Failed', 'ServiceSpec.externalIPs': ['192.0.2.10'], 'ServiceSpec.ipFamilies': ['IPv6'],
  'ServiceSpec.ipFamilyPolicy': 'RequireDualStack', 'ServiceSpec.externalTrafficPolicy': 'Local', 'ServiceSpec.internalTrafficPolicy': 'Local',
  'ServiceSpec.healthCheckNodePort': 30100, 'ServiceSpec.trafficDistribution': 'PreferClose', 'ServiceSpec.allocateLoadBalancerNodePorts': false,
  'ServiceSpec.loadBalancerClass': 'example.com/lb', 'ServiceSpec.loadBalancerSourceRanges': ['192.0.2.0/24'], 'NodeSpec.providerID': 'aws:///eu-west-1a/i-1', 'NamespaceSpec.finalizers': ['example.com/keep'],
  // Pod volumes the kubelet cannot mount
  ...Object.fromEntries(
    ['gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral'].map((source) => [`Volume.${source}`, { driver: 'x' }]),
  ),
  'Volume.nfs': { server: '192.0.2.1', path: '/export' }, 'Volume.image': { reference: 'busybox' },
  'VolumeProjection.serviceAccountToken': { path: 'token' }, 'VolumeProjection.clusterTrustBundle': { path: 'ca.crt', name: 'bundle' },
  'VolumeMount.mountPropagation': 'HostToContainer', 'VolumeMount.recursiveReadOnly': 'Enabled', 'VolumeMount.subPathExpr': '$(POD_NAME)',
  'Container.volumeDevices': [{ name: 'v', devicePath: '/dev/xvda' }],
  'SecurityContext.seLinuxOptions': { level: 's0:c1' }, 'PodSecurityContext.seLinuxOptions': { level: 's0:c1' }, 'PodSecurityContext.seLinuxChangePolicy': 'Recursive',
  'SecurityContext.windowsOptions': { hostProcess: false }, 'PodSecurityContext.windowsOptions': { runAsUserName: 'app' }, 'SecurityContext.procMount': 'Unmasked',
  'PodSecurityContext.supplementalGroupsPolicy': 'Strict', 'SeccompProfile.localhostProfile': 'profiles/audit.json', 'AppArmorProfile.localhostProfile': 'k8s-deny-write',
  'Probe.terminationGracePeriodSeconds': 5, 'Lifecycle.stopSignal': 'SIGUSR1',
  // Storage
  ...Object.fromEntries(
    ['nfs', 'csi', 'iscsi', 'fc', 'rbd', 'cephfs', 'glusterfs', 'gcePersistentDisk', 'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cinder', 'flexVolume', 'vsphereVolume', 'portworxVolume'].map((source) => [`PersistentVolumeSpec.${source}`, source === 'nfs' ? { server: '192.0.2.1', path: '/export' } : { driver: 'x' }]),
  ),
  'PersistentVolumeClaimSpec.dataSource': { kind: 'PersistentVolumeClaim', name: 'source' }, 'PersistentVolumeClaimSpec.dataSourceRef': { kind: 'PersistentVolumeClaim', name: 'source' },
  'VolumeResourceRequirements.limits': { storage: '2Gi' },
  'PersistentVolumeSpec.mountOptions': ['ro'], 'PersistentVolumeSpec.volumeAttributesClassName': 'fast', 'PersistentVolumeClaimSpec.volumeAttributesClassName': 'fast',
  'LocalVolumeSource.fsType': 'ext4', 'StorageClass.mountOptions': ['ro'], 'StorageClass.allowedTopologies': [{}], 'StorageClass.allowVolumeExpansion': true,
  'RollingUpdateStatefulSetStrategy.maxUnavailable': 2,
  // HorizontalPodAutoscaler metrics
  'MetricSpec.object': { describedObject: { apiVersion: 'v1', kind: 'Service', name: 's' }, metric: { name: 'rps' }, target: { type: 'Value', value: '10' } },
  'MetricSpec.pods': { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } },
  'MetricSpec.external': { metric: { name: 'queue' }, target: { type: 'Value', value: '10' } },
  'MetricTarget.value': '1',
  'LeaseSpec.strategy': 'OldestEmulationVersion', 'LeaseSpec.preferredHolder': 'node2_1',
};

const service = (spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { selector: { app: 'a' }, ports: [{ port: 80 }], ...spec } }) as KubeObject;
const node = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec }) as KubeObject;
const pv = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], ...spec } }) as KubeObject;
const pvc = (spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } }) as KubeObject;
const hpa = (metric: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3, metrics: [metric] } }) as KubeObject;

/** Where each struct sits in a small valid object: the resource, the object, the path of the field. */
function place(struct: string, field: string, value: unknown): [string, KubeObject, string] {
  switch (struct) {
    case 'PodSpec':
      return ['pods', pod({ [field]: value }), `spec.${field}`];
    case 'PodOS':
      return ['pods', pod({ os: { [field]: value } }), `spec.os.${field}`];
    case 'EmptyDirVolumeSource':
      return ['pods', pod({ volumes: [{ name: 'v', emptyDir: { [field]: value } }] }), `spec.volumes[0].emptyDir.${field}`];
    case 'Container':
      return ['pods', pod({}, { ...container(), [field]: value }), `spec.containers[0].${field}`];
    case 'ResourceRequirements':
      return ['pods', pod({}, { ...container(), resources: { [field]: value } }), `spec.containers[0].resources.${field}`];
    case 'JobSpec':
      return ['jobs.batch', job({ [field]: value }), `spec.${field}`];
    case 'ServiceSpec':
      return ['services', service({ [field]: value }), `spec.${field}`];
    case 'NamespaceSpec':
      return ['namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { [field]: value } } as KubeObject, `spec.${field}`];
    case 'NodeSpec':
      return ['nodes', node({ [field]: value }), `spec.${field}`];
    case 'Volume':
      return ['pods', pod({ volumes: [{ name: 'v', [field]: value }] }), `spec.volumes[0].${field}`];
    case 'VolumeProjection':
      return ['pods', pod({ volumes: [{ name: 'v', projected: { sources: [{ [field]: value }] } }] }), `spec.volumes[0].projected.sources[0].${field}`];
    case 'VolumeMount':
      return ['pods', pod({ volumes: [{ name: 'v', emptyDir: {} }] }, { ...container(), volumeMounts: [{ name: 'v', mountPath: '/v', [field]: value }] } as ReturnType<typeof container>), `spec.containers[0].volumeMounts[0].${field}`];
    case 'SecurityContext':
      return ['pods', pod({}, { ...container(), securityContext: { [field]: value } } as ReturnType<typeof container>), `spec.containers[0].securityContext.${field}`];
    case 'PodSecurityContext':
      return ['pods', pod({ securityContext: { [field]: value } }), `spec.securityContext.${field}`];
    case 'SeccompProfile':
      return ['pods', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault', [field]: value } } }), `spec.securityContext.seccompProfile.${field}`];
    case 'AppArmorProfile':
      return ['pods', pod({ securityContext: { appArmorProfile: { type: 'RuntimeDefault', [field]: value } } }), `spec.securityContext.appArmorProfile.${field}`];
    case 'Probe':
      return ['pods', pod({}, { ...container(), livenessProbe: { exec: { command: ['true'] }, [field]: value } } as ReturnType<typeof container>), `spec.containers[0].livenessProbe.${field}`];
    case 'Lifecycle':
      return ['pods', pod({}, { ...container(), lifecycle: { [field]: value } } as ReturnType<typeof container>), `spec.containers[0].lifecycle.${field}`];
    case 'PersistentVolumeSpec':
      return ['persistentvolumes', pv({ [field]: value }), `spec.${field}`];
    case 'PersistentVolumeClaimSpec':
      return ['persistentvolumeclaims', pvc({ [field]: value }), `spec.${field}`];
    case 'VolumeResourceRequirements':
      return ['persistentvolumeclaims', pvc({ resources: { requests: { storage: '1Gi' }, [field]: value } }), `spec.resources.${field}`];
    case 'LocalVolumeSource':
      return ['persistentvolumes', pv({ local: { path: '/mnt/disk', [field]: value }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } }), `spec.local.${field}`];
    case 'StorageClass':
      return ['storageclasses.storage.k8s.io', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'sc' }, provisioner: 'example.com/x', [field]: value } as unknown as KubeObject, field];
    case 'RollingUpdateStatefulSetStrategy':
      return [
        'statefulsets.apps',
        {
          apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
          spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container()] } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { [field]: value } } },
        } as unknown as KubeObject,
        `spec.updateStrategy.rollingUpdate.${field}`,
      ];
    case 'MetricSpec':
      return ['horizontalpodautoscalers.autoscaling', hpa({ type: field[0].toUpperCase() + field.slice(1), [field]: value }), `spec.metrics[0].${field}`];
    case 'MetricTarget':
      return ['horizontalpodautoscalers.autoscaling', hpa({ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '100m', [field]: value } } }), `spec.metrics[0].resource.target.${field}`];
    case 'LeaseSpec':
      return ['leases.coordination.k8s.io', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'default' }, spec: { [field]: value } } as KubeObject, `spec.${field}`];
    default:
      throw new Error(`add a place for ${struct} to this test`);
  }
}

describe('unsupported fields: refused with a 422 naming the field', () => {
  for (const entry of UNSUPPORTED_FIELDS) {
    const short = entry.definition.split('.').pop()!;
    it(`${short}.${entry.field}`, () => {
      const value = SAMPLE[`${short}.${entry.field}`];
      assert.notEqual(value, undefined, `add a sample value for ${short}.${entry.field} to this test`);
      const [resource, obj, path] = place(short, entry.field, value);
      const errors = validateObject(resource, obj);
      const cause = errors.find((e) => e.field === path);
      assert.ok(cause, `${path} not refused: ${JSON.stringify(errors)}`);
      assert.equal(`${cause.field}: ${cause.message}`, `${path}: Forbidden: ${unsupportedMessage(entry)}`);
      assert.match(cause.message, /^Forbidden: kubelab does not support this field \(/);
      for (const ok of entry.accepts ?? []) {
        const [r, o, p2] = place(short, entry.field, ok);
        assert.equal(validateObject(r, o).find((e) => e.field === p2), undefined, `${p2}: ${JSON.stringify(ok)} is accepted`);
      }
    });
  }

  it('refuses inside a Deployment template too, with the template path', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { priorityClassName: 'high', containers: [container()] } } },
    } as KubeObject;
    assert.deepEqual(
      validateObject('deployments.apps', deployment).map((e) => `${e.field}: ${e.message}`),
      ['spec.template.spec.priorityClassName: Forbidden: kubelab does not support this field (kubelab has no PriorityClasses and no preemption)'],
    );
  });

  it('a refused field that is null or absent is no error, nor a value kubelab gives anyway (priority 0)', () => {
    assert.deepEqual(validateObject('pods', pod({ priorityClassName: null })), []);
    assert.deepEqual(validateObject('pods', pod({ priority: 0 })), []);
  });
});
