// covers: Secret immutable

import assert from 'node:assert/strict';
import { applyDefaults } from '../../lib/api/defaults.js';
import type { KubeObject } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';

type Mutate = (o: any) => void;

/** "field: message" lines, as kubectl prints the causes of a 422. */
const problems = (resource: string, obj: KubeObject, old?: KubeObject): string[] =>
  validateObject(resource, obj, old).map((e) => `${e.field}: ${e.message}`);

/** A valid object of each kind, defaulted as the API server would before validating. */
function valid(resource: string, mutate: Mutate = () => {}): KubeObject {
  const objects: Record<string, KubeObject> = {
    pods: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        containers: [{
          name: 'web', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 80 }],
          env: [{ name: 'A', value: '1' }, { name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
          livenessProbe: { httpGet: { port: 'http' } },
          readinessProbe: { tcpSocket: { port: 80 } },
        }],
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }],
      },
    },
    'deployments.apps': {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'nginx' } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      },
    },
    'replicasets.apps': {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default' },
      spec: {
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      },
    },
    replicationcontrollers: {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'default' },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
    },
    services: {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    },
    secrets: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { password: 'c2VjcmV0' }, stringData: { 'user.name': 'admin' } },
    configmaps: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'app.conf': 'x=1' } },
    namespaces: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } },
    nodes: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1.lab', labels: { 'kubernetes.io/hostname': 'node-1' } }, spec: {} },
    events: {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.17a', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Scheduled', message: 'ok',
    },
    endpoints: {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80, protocol: 'TCP' }] }],
    },
  };
  const obj = structuredClone(objects[resource]);
  mutate(obj);
  applyDefaults(resource, obj);
  return obj;
}

describe('validateObject', () => {
  for (const resource of ['pods', 'deployments.apps', 'replicasets.apps', 'replicationcontrollers', 'services', 'secrets', 'configmaps', 'namespaces', 'nodes', 'events', 'endpoints']) {
    it(`accepts a valid ${resource} object`, () => assert.deepEqual(problems(resource, valid(resource)), []));
  }

  const subdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

  const cases: [string, string, Mutate, (string | RegExp)[]][] = [
    // metadata
    ['pods', 'a bad name', (o) => (o.metadata.name = 'Bad_Name'), [`metadata.name: Invalid value: "Bad_Name": ${subdomainMessage}`]],
    ['pods', 'no name', (o) => delete o.metadata.name, ['metadata.name: Required value: name or generateName is required']],
    ['pods', 'generateName only', (o) => { delete o.metadata.name; o.metadata.generateName = 'web-'; }, []],
    ['pods', 'a bad label key', (o) => (o.metadata.labels = { 'bad key': 'x' }), [/^metadata\.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/]],
    ['pods', 'a bad label value', (o) => (o.metadata.labels = { app: 'a b' }), [/^metadata\.labels: Invalid value: "a b": a valid label must be an empty string/]],
    ['pods', 'a bad annotation key', (o) => (o.metadata.annotations = { '-x': 'y' }), [/^metadata\.annotations: Invalid value: "-x": name part/]],
    ['namespaces', 'a namespace with dots', (o) => (o.metadata.name = 'a.b'), [/^metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label must consist/]],
    ['services', 'a service starting with a digit', (o) => (o.metadata.name = '1web'), [/^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist/]],
    ['nodes', 'a node name too long', (o) => (o.metadata.name = 'a'.repeat(254)), [/^metadata\.name: Invalid value: "a+": must be no more than 253 characters$/]],
    // pods
    ['pods', 'no containers', (o) => (o.spec.containers = []), ['spec.containers: Required value']],
    ['pods', 'a container without image', (o) => delete o.spec.containers[0].image, ['spec.containers[0].image: Required value']],
    ['pods', 'a bad container name', (o) => (o.spec.containers[0].name = 'Web_1'), [/^spec\.containers\[0\]\.name: Invalid value: "Web_1": a lowercase RFC 1123 label/]],
    ['pods', 'duplicate container names', (o) => (o.spec.initContainers = [{ name: 'web', image: 'busybox' }]), ['spec.containers[0].name: Duplicate value: "web"']],
    ['pods', 'port 0', (o) => (o.spec.containers[0].ports = [{ containerPort: 0 }]), ['spec.containers[0].ports[0].containerPort: Required value']],
    ['pods', 'port 70000', (o) => (o.spec.containers[0].ports = [{ containerPort: 70000 }]), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['pods', 'a lower-case protocol', (o) => (o.spec.containers[0].ports = [{ containerPort: 80, protocol: 'tcp' }]), ['spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"']],
    ['pods', 'duplicate port names', (o) => o.spec.containers[0].ports.push({ name: 'http', containerPort: 81 }), ['spec.containers[0].ports[1].name: Duplicate value: "http"']],
    ['pods', 'a bad port name', (o) => (o.spec.containers[0].ports[0].name = 'HTTP'), [/^spec\.containers\[0\]\.ports\[0\]\.name: Invalid value: "HTTP": must contain only alpha-numeric characters/]],
    ['pods', 'a bad restartPolicy', (o) => (o.spec.restartPolicy = 'Sometimes'), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"']],
    ['pods', 'a bad imagePullPolicy', (o) => (o.spec.containers[0].imagePullPolicy = 'Maybe'), ['spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"']],
    ['pods', 'a bad dnsPolicy', (o) => (o.spec.dnsPolicy = 'Google'), ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"']],
    ['pods', 'duplicate volumes', (o) => o.spec.volumes.push({ name: 'data', emptyDir: {} }), ['spec.volumes[2].name: Duplicate value: "data"']],
    ['pods', 'two volume sources', (o) => (o.spec.volumes[0].hostPath = { path: '/tmp' }), ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type']],
    ['pods', 'a secret volume without secretName', (o) => o.spec.volumes.push({ name: 's', secret: {} }), ['spec.volumes[2].secret.secretName: Required value']],
    ['pods', 'a mount of a missing volume', (o) => (o.spec.containers[0].volumeMounts[0].name = 'nope'), ['spec.containers[0].volumeMounts[0].name: Not found: "nope"']],
    ['pods', 'a duplicate mountPath', (o) => o.spec.containers[0].volumeMounts.push({ name: 'cfg', mountPath: '/data' }), ['spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique']],
    ['pods', 'a bad env name', (o) => (o.spec.containers[0].env[0].name = '1A'), [/^spec\.containers\[0\]\.env\[0\]\.name: Invalid value: "1A": a valid environment variable name/]],
    ['pods', 'env value and valueFrom', (o) => (o.spec.containers[0].env[1].value = 'x'), ['spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty']],
    ['pods', 'a garbage memory limit', (o) => (o.spec.containers[0].resources.limits.memory = 'lots'), [`spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`]],
    ['pods', 'a request above its limit', (o) => (o.spec.containers[0].resources.requests.cpu = '2'), ['spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1']],
    ['pods', 'an unknown resource name', (o) => (o.spec.containers[0].resources.limits.gpu = '1'), [
      // Requests default to limits before validation, as in Kubernetes: both are named.
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
    ]],
    ['pods', 'a probe without handler', (o) => (o.spec.containers[0].livenessProbe = { periodSeconds: 5 }), ['spec.containers[0].livenessProbe: Required value: must specify a handler type']],
    ['pods', 'a probe with two handlers', (o) => (o.spec.containers[0].readinessProbe.exec = { command: ['true'] }), ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type']],
    ['pods', 'a liveness successThreshold of 2', (o) => (o.spec.containers[0].livenessProbe.successThreshold = 2), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
    ['pods', 'a negative grace period', (o) => (o.spec.terminationGracePeriodSeconds = -1), ['spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['pods', 'a toleration with a bad operator', (o) => (o.spec.tolerations = [{ key: 'k', operator: 'Maybe' }]), ['spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"']],
    // workloads
    ['deployments.apps', 'a selector that misses the template', (o) => (o.spec.template.metadata.labels = { app: 'other' }), ['spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`']],
    ['deployments.apps', 'no selector', (o) => delete o.spec.selector, ['spec.selector: Required value']],
    ['deployments.apps', 'an empty selector', (o) => (o.spec.selector = {}), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
    ['deployments.apps', 'negative replicas', (o) => (o.spec.replicas = -1), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['deployments.apps', 'a template container without image', (o) => delete o.spec.template.spec.containers[0].image, ['spec.template.spec.containers[0].image: Required value']],
    ['deployments.apps', 'restartPolicy Never', (o) => (o.spec.template.spec.restartPolicy = 'Never'), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    ['deployments.apps', 'an unknown strategy', (o) => (o.spec.strategy = { type: 'BlueGreen' }), ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']],
    ['deployments.apps', 'both maxSurge and maxUnavailable zero', (o) => (o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0']],
    ['deployments.apps', 'a bad percentage', (o) => (o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots' } }), [/^spec\.strategy\.rollingUpdate\.maxSurge: Invalid value: "lots": a valid percent string must be a numeric string followed by an ending '%'/]],
    ['deployments.apps', 'rollingUpdate with Recreate', (o) => (o.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
    ['replicasets.apps', 'In without values', (o) => (o.spec.selector.matchExpressions[0].values = []), ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    ['replicationcontrollers', 'an RC selector that misses the template', (o) => (o.spec.selector = { app: 'db' }), ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']],
    ['replicationcontrollers', 'no template', (o) => delete o.spec.template, ['spec.selector: Required value', 'spec.template: Required value']],
    // services
    ['services', 'no ports', (o) => delete o.spec.ports, ['spec.ports: Required value']],
    ['services', 'headless without ports', (o) => { delete o.spec.ports; o.spec.clusterIP = 'None'; }, []],
    ['services', 'port 0', (o) => (o.spec.ports[0].port = 0), ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['services', 'two unnamed ports', (o) => o.spec.ports.push({ port: 443 }), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    ['services', 'duplicate port names', (o) => { o.spec.ports = [{ name: 'a', port: 80 }, { name: 'a', port: 81 }]; }, ['spec.ports[1].name: Duplicate value: "a"']],
    ['services', 'duplicate ports', (o) => { o.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80 }]; }, ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']],
    ['services', 'an unknown type', (o) => (o.spec.type = 'Magic'), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ['services', 'a nodePort on ClusterIP', (o) => (o.spec.ports[0].nodePort = 30080), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['services', 'a nodePort on NodePort', (o) => { o.spec.type = 'NodePort'; o.spec.ports[0].nodePort = 30080; }, []],
    ['services', 'a bad targetPort name', (o) => (o.spec.ports[0].targetPort = 'Web_Port'), ['spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['services', 'a bad sessionAffinity', (o) => (o.spec.sessionAffinity = 'Sticky'), ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']],
    ['services', 'a bad clusterIP', (o) => (o.spec.clusterIP = '10.0.0.300'), ['spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7)']],
    // secrets and configmaps
    ['secrets', 'a bad key', (o) => (o.data = { 'a b': 'eA==' }), [/^data\[a b\]: Invalid value: "a b": a valid config key must consist of alphanumeric characters/]],
    ['secrets', 'bad base64', (o) => (o.data = { a: 'not base64!' }), ['data[a]: Invalid value: "<secret contents redacted>": must be a base64-encoded string (illegal base64 data)']],
    ['secrets', 'more than 1 MiB', (o) => (o.data = { a: Buffer.alloc(1024 * 1024 + 1).toString('base64') }), ['data: Too long: must have at most 1048576 bytes']],
    ['secrets', 'a TLS secret without key', (o) => { o.type = 'kubernetes.io/tls'; o.data = { 'tls.crt': 'eA==' }; }, ['data[tls.key]: Required value']],
    ['configmaps', 'a key of ..', (o) => (o.data = { '..': 'x' }), ["data[..]: Invalid value: \"..\": must not be '..'"]],
    // events and endpoints
    ['events', 'a bad type', (o) => (o.type = 'Info'), ['type: Invalid value: "Info": has invalid value: must be one of Normal or Warning']],
    ['endpoints', 'a bad address', (o) => (o.subsets[0].addresses[0].ip = 'web'), ['subsets[0].addresses[0].ip: Invalid value: "web": must be a valid IP address']],
  ];

  for (const [resource, what, mutate, expected] of cases) {
    it(`${resource}: ${what}`, () => {
      const got = problems(resource, valid(resource, mutate));
      assert.equal(got.length, expected.length, `got ${JSON.stringify(got, null, 1)}`);
      expected.forEach((want, i) => (typeof want === 'string' ? assert.equal(got[i], want) : assert.match(got[i], want)));
    });
  }

  it('collects every problem instead of stopping at the first', () => {
    const pod = valid('pods', (o) => {
      o.metadata.name = 'Bad_Name';
      delete o.spec.containers[0].image;
      o.spec.containers[0].name = 'Bad_Name';
    });
    assert.deepEqual(validateObject('pods', pod).map((e) => [e.field, e.type]), [
      ['metadata.name', 'FieldValueInvalid'],
      ['spec.containers[0].name', 'FieldValueInvalid'],
      ['spec.containers[0].image', 'FieldValueRequired'],
    ]);
  });

  describe('updates', () => {
    const update = (resource: string, change: Mutate, base: Mutate = () => {}): string[] => {
      const old = valid(resource, base);
      const next = structuredClone(old) as any;
      change(next);
      return problems(resource, next, old);
    };

    it('lets a pod change its image, labels and activeDeadlineSeconds downwards', () => {
      assert.deepEqual(update('pods', (o) => {
        o.spec.containers[0].image = 'nginx:1.27';
        o.metadata.labels.tier = 'fe';
        o.spec.activeDeadlineSeconds = 30;
      }, (o) => (o.spec.activeDeadlineSeconds = 60)), []);
    });

    it('lets a pod be bound to a node once, and never moved', () => {
      assert.deepEqual(update('pods', (o) => (o.spec.nodeName = 'node-1')), []);
      const moved = update('pods', (o) => (o.spec.nodeName = 'node-2'), (o) => (o.spec.nodeName = 'node-1'));
      assert.equal(moved.length, 1);
      assert.match(moved[0], /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\]\.image`.*changed: spec\.nodeName$/);
    });

    it('lets a pod add tolerations but not remove them', () => {
      const t1 = { key: 'a', operator: 'Exists', effect: 'NoSchedule' };
      const t2 = { key: 'b', operator: 'Exists', effect: 'NoSchedule' };
      assert.deepEqual(update('pods', (o) => (o.spec.tolerations = [t1, t2]), (o) => (o.spec.tolerations = [t1])), []);
      assert.match(update('pods', (o) => (o.spec.tolerations = [t2]), (o) => (o.spec.tolerations = [t1]))[0], /changed: spec\.tolerations$/);
    });

    it('forbids changing anything else in a pod spec', () => {
      const got = update('pods', (o) => {
        o.spec.containers[0].ports[0].containerPort = 8080;
        o.spec.restartPolicy = 'Never';
      });
      assert.equal(got.length, 1);
      assert.match(got[0], /changed: spec\.containers, spec\.restartPolicy$/);
    });

    it('forbids raising activeDeadlineSeconds', () => {
      const got = update('pods', (o) => (o.spec.activeDeadlineSeconds = 120), (o) => (o.spec.activeDeadlineSeconds = 60));
      assert.deepEqual(got, ['spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value']);
    });

    it('keeps names and apps/v1 selectors immutable', () => {
      assert.deepEqual(update('configmaps', (o) => (o.metadata.name = 'other')), ['metadata.name: Invalid value: "other": field is immutable']);
      const got = update('deployments.apps', (o) => {
        o.spec.selector = { matchLabels: { app: 'nginx', v: '2' } };
        o.spec.template.metadata.labels.v = '2';
      });
      assert.deepEqual(got, ['spec.selector: Invalid value: {"matchLabels":{"app":"nginx","v":"2"}}: field is immutable']);
      assert.deepEqual(update('deployments.apps', (o) => (o.spec.replicas = 5)), []);
    });

    it('keeps a Service clusterIP once set', () => {
      assert.deepEqual(update('services', (o) => (o.spec.clusterIP = '10.96.0.20'), (o) => (o.spec.clusterIP = '10.96.0.10')), [
        'spec.clusterIP: Invalid value: "10.96.0.20": field is immutable',
      ]);
    });

    it('freezes the data of an immutable Secret', () => {
      assert.deepEqual(update('secrets', (o) => (o.data.password = 'eA=='), (o) => (o.immutable = true)), [
        'data: Forbidden: field is immutable when `immutable` is set',
      ]);
    });
  });
});
