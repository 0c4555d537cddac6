import assert from 'node:assert/strict';
import { findUnknownFields } from '../../lib/api/schemas/known-fields.js';

/** A pod template using most fields real manifests use, including the free-form ones. */
const richPodSpec = () => ({
  serviceAccountName: 'web', automountServiceAccountToken: false, hostname: 'web', subdomain: 'svc', enableServiceLinks: false,
  nodeSelector: { 'kubernetes.io/os': 'linux' }, priorityClassName: 'high', runtimeClassName: 'runc', shareProcessNamespace: true,
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }] } } },
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  securityContext: { runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
  imagePullSecrets: [{ name: 'regcred' }], hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local'] }],
  dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x'], options: [{ name: 'ndots', value: '2' }] },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
  initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always' }],
  containers: [{
    name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', command: ['nginx'], args: ['-g', 'daemon off;'], workingDir: '/',
    ports: [{ name: 'http', containerPort: 80, protocol: 'TCP', hostPort: 8080, hostIP: '0.0.0.0' }],
    envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'sec', optional: true } }],
    env: [
      { name: 'A', value: '1' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } },
    ],
    resources: { limits: { cpu: '1', memory: '128Mi', 'nvidia.com/gpu': 1 }, requests: { cpu: '100m' } },
    resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
    volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: 'x', mountPropagation: 'None' }],
    livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X', value: 'y' }] }, initialDelaySeconds: 3, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { tcpSocket: { port: 80 } },
    startupProbe: { exec: { command: ['true'] }, failureThreshold: 30 },
    lifecycle: { preStop: { exec: { command: ['sleep', '5'] } }, postStart: { httpGet: { port: 80 } } },
    securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', stdin: true, stdinOnce: false, tty: true,
  }],
  volumes: [
    { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
    { name: 's', secret: { secretName: 's', defaultMode: 420, items: [{ key: 'a', path: 'a.txt', mode: 256 }], optional: true } },
    { name: 'c', configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } },
    { name: 'h', hostPath: { path: '/srv', type: 'Directory' } },
    { name: 'pvc', persistentVolumeClaim: { claimName: 'claim' } },
    { name: 'd', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    { name: 'p', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
  ],
  restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
});

const meta = {
  name: 'web', namespace: 'default', labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, creationTimestamp: null, uid: 'u', resourceVersion: '5',
  generation: 1, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u2', controller: true, blockOwnerDeletion: true }],
  finalizers: ['x'], managedFields: [{ manager: 'kubectl' }],
};

describe('findUnknownFields', () => {
  const clean: [string, unknown][] = [
    ['pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: richPodSpec(), status: { phase: 'Running', anything: { goes: true } } }],
    ['deployments.apps', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta,
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
        minReadySeconds: 5, revisionHistoryLimit: 3, paused: false, progressDeadlineSeconds: 600,
        template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: richPodSpec() },
      },
    }],
    ['replicasets.apps', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { replicas: 1, minReadySeconds: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: richPodSpec() } } }],
    ['replicationcontrollers', { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta, spec: { replicas: 1, selector: { app: 'web', any: 'key' }, template: { metadata: { labels: { app: 'web' } }, spec: richPodSpec() } } }],
    ['services', {
      apiVersion: 'v1', kind: 'Service', metadata: meta,
      spec: {
        type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP', appProtocol: 'http' }],
        clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], externalIPs: ['192.0.2.1'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
        externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', publishNotReadyAddresses: true,
      },
      status: { loadBalancer: {} },
    }],
    ['secrets', { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', data: { 'any.key': 'eA==' }, stringData: { other: 'x' }, immutable: true }],
    ['configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'app.conf': 'x' }, binaryData: { b: 'eA==' } }],
    ['namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }],
    ['nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '2' } } }],
    ['events', {
      apiVersion: 'v1', kind: 'Event', metadata: meta, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u', apiVersion: 'v1', fieldPath: 'spec.containers{web}' },
      reason: 'Pulled', message: 'ok', source: { component: 'kubelet', host: 'n' }, firstTimestamp: 'x', lastTimestamp: 'y', count: 2, type: 'Normal',
      eventTime: null, reportingComponent: 'kubelet', reportingInstance: 'n',
    }],
    ['endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: meta, subsets: [{ addresses: [{ ip: '10.0.0.1', nodeName: 'n', targetRef: { kind: 'Pod', name: 'p' } }], notReadyAddresses: [], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }] }],
  ];
  for (const [resource, obj] of clean) {
    it(`finds nothing unknown in a full ${resource} manifest`, () => assert.deepEqual(findUnknownFields(resource, obj), []));
  }

  const typos: [string, unknown, string[]][] = [
    ['pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { foo: 1, containers: [] } }, ['spec.foo']],
    ['pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', imagee: 'x' }] } }, ['spec.containers[1].imagee']],
    ['pods', { kind: 'Pod', metadata: { name: 'p', lables: {} }, spec: { contianers: [] } }, ['metadata.lables', 'spec.contianers']],
    ['pods', { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', ports: [{ port: 80 }], env: [{ name: 'A', valeu: '1' }] }] } }, ['spec.containers[0].ports[0].port', 'spec.containers[0].env[0].valeu']],
    ['pods', { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', livenessProbe: { httpGet: { port: 80, paht: '/' } } }], volumes: [{ name: 'v', secret: { name: 's' } }] } }, ['spec.containers[0].livenessProbe.httpGet.paht', 'spec.volumes[0].secret.name']],
    ['pods', { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] }, extra: true }, ['extra']],
    ['deployments.apps', { kind: 'Deployment', metadata: { name: 'd' }, spec: { replica: 2, template: { spec: { containers: [{ name: 'a', imagee: 'x' }] } } } }, ['spec.replica', 'spec.template.spec.containers[0].imagee']],
    ['deployments.apps', { kind: 'Deployment', metadata: { name: 'd' }, spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { surge: 1 } } } }, ['spec.strategy.rollingUpdate.surge']],
    ['services', { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, containerPort: 80 }], selectors: {} } }, ['spec.ports[0].containerPort', 'spec.selectors']],
    ['secrets', { kind: 'Secret', metadata: { name: 's' }, spec: { data: {} } }, ['spec']],
    ['replicasets.apps', { kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { selector: { matchLabel: { a: 'b' } } } }, ['spec.selector.matchLabel']],
  ];
  for (const [resource, obj, expected] of typos) {
    it(`reports ${expected.join(', ')} in ${resource}`, () => assert.deepEqual(findUnknownFields(resource, obj), expected));
  }

  it('ignores type mismatches and unknown resources', () => {
    assert.deepEqual(findUnknownFields('pods', { metadata: { name: 'p' }, spec: { containers: 'oops' } }), []);
    assert.deepEqual(findUnknownFields('widgets.example.com', { anything: 1 }), []);
  });
});
