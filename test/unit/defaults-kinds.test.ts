// Defaulting of every served kind, object in -> object out, checked against what Kubernetes 1.32
// stores (pkg/apis/*/v1/defaults.go, plus the ServiceAccount and Priority admission plugins for
// pods). One row per kind: a short manifest as users write it, and the whole stored spec.
//
// covers: ReplicationController spec.selector, spec.replicas
// covers: Pod spec.containers.env.valueFrom.fieldRef.apiVersion

import assert from 'node:assert/strict';
import { applyDefaults } from '../../lib/api/defaults.js';
import type { KubeObject } from '../../lib/api/types.js';

const defaulted = (resource: string, obj: object): KubeObject => {
  const copy = structuredClone(obj) as KubeObject;
  applyDefaults(resource, copy);
  return copy;
};

const container = { name: 'web', image: 'nginx:1.25' };
/** A container as Kubernetes stores it (resources {} is how an empty struct prints). */
const storedContainer = { ...container, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} };
/** The pod template spec every workload stores. */
const storedTemplateSpec = {
  containers: [storedContainer],
  restartPolicy: 'Always',
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  terminationGracePeriodSeconds: 30,
  serviceAccountName: 'default',
  securityContext: {},
};
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } };
const storedTemplate = { metadata: { labels: { app: 'web' } }, spec: storedTemplateSpec };

const cases: { name: string; resource: string; input: object; output: object }[] = [
  {
    name: 'ReplicationController without selector, labels or replicas: all from the template',
    resource: 'replicationcontrollers',
    input: { kind: 'ReplicationController', metadata: { name: 'web' }, spec: { template } },
    output: { kind: 'ReplicationController', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, selector: { app: 'web' }, template: storedTemplate } },
  },
  {
    name: 'ReplicaSet: replicas 1 (apps/v1 never defaults a selector)',
    resource: 'replicasets.apps',
    input: { kind: 'ReplicaSet', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template } },
    output: { kind: 'ReplicaSet', metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: storedTemplate } },
  },
  {
    name: 'Deployment: replicas 1, RollingUpdate 25 %/25 %, 10 revisions, 600 s deadline',
    resource: 'deployments.apps',
    input: { kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template } },
    output: {
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: storedTemplate,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    },
  },
  {
    name: 'Deployment with Recreate: no rollingUpdate',
    resource: 'deployments.apps',
    input: { kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'web' } }, template } },
    output: {
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 3, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'web' } }, template: storedTemplate, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
    },
  },
  {
    name: 'DaemonSet: RollingUpdate 1/0, 10 revisions',
    resource: 'daemonsets.apps',
    input: { kind: 'DaemonSet', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template } },
    output: {
      kind: 'DaemonSet',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: storedTemplate, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
    },
  },
  {
    name: 'Job: 1 completion, parallelism 1, backoffLimit 6, NonIndexed, labels from the template',
    resource: 'jobs.batch',
    input: { kind: 'Job', metadata: { name: 'pi' }, spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [container] } } } },
    output: {
      kind: 'Job',
      metadata: { name: 'pi', labels: { app: 'pi' } },
      spec: {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        manualSelector: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        template: { metadata: { labels: { app: 'pi' } }, spec: { ...storedTemplateSpec, restartPolicy: 'Never' } },
      },
    },
  },
  {
    name: 'Job with parallelism only: completions stay unset (a work queue)',
    resource: 'jobs.batch',
    input: { kind: 'Job', metadata: { name: 'q' }, spec: { parallelism: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [container] } } } },
    output: {
      kind: 'Job',
      metadata: { name: 'q' },
      spec: {
        parallelism: 3,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        manualSelector: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        template: { spec: { ...storedTemplateSpec, restartPolicy: 'OnFailure' } },
      },
    },
  },
  {
    name: "CronJob: Allow, not suspended, 3 and 1 kept; the jobTemplate's own fields stay as written",
    resource: 'cronjobs.batch',
    input: { kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container] } } } } } },
    output: {
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: {
        schedule: '*/5 * * * *',
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: { spec: { ...storedTemplateSpec, restartPolicy: 'OnFailure' } } } },
      },
    },
  },
  {
    name: 'Pod: the template defaults, plus service links, priority 0, requests from limits, fieldRef v1',
    resource: 'pods',
    input: {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ ...container, resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } }, env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }] },
    },
    output: {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        ...storedTemplateSpec,
        containers: [{ ...storedContainer, resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } }, env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }] }],
        enableServiceLinks: true,
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      },
    },
  },
  {
    name: 'Pod on the host network: hostPort defaults to containerPort',
    resource: 'pods',
    input: { kind: 'Pod', metadata: { name: 'h' }, spec: { hostNetwork: true, containers: [{ ...container, ports: [{ containerPort: 8080 }] }] } },
    output: {
      kind: 'Pod',
      metadata: { name: 'h' },
      spec: { ...storedTemplateSpec, hostNetwork: true, containers: [{ ...storedContainer, ports: [{ containerPort: 8080, protocol: 'TCP', hostPort: 8080 }] }], enableServiceLinks: true, priority: 0, preemptionPolicy: 'PreemptLowerPriority' },
    },
  },
  {
    name: 'Service ClusterIP: TCP, targetPort = port, None affinity, IPv4 single stack, Cluster internal policy',
    resource: 'services',
    input: { kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    output: {
      kind: 'Service',
      metadata: { name: 's' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], type: 'ClusterIP', sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' },
    },
  },
  {
    name: 'Service LoadBalancer: also externalTrafficPolicy Cluster and node ports allocated',
    resource: 'services',
    input: { kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    output: {
      kind: 'Service',
      metadata: { name: 's' },
      spec: {
        type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true,
      },
    },
  },
  {
    name: 'Service ExternalName: no IP families, no traffic policies',
    resource: 'services',
    input: { kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
    output: { kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' } },
  },
  {
    name: 'Endpoints: port protocol TCP',
    resource: 'endpoints',
    input: { kind: 'Endpoints', metadata: { name: 's' }, subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }] },
    output: { kind: 'Endpoints', metadata: { name: 's' }, subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80, protocol: 'TCP' }] }] },
  },
  {
    name: 'Secret: type Opaque',
    resource: 'secrets',
    input: { kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' } },
    output: { kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, type: 'Opaque' },
  },
  {
    name: 'Namespace: the kubernetes finalizer, Active',
    resource: 'namespaces',
    input: { kind: 'Namespace', metadata: { name: 'team' } },
    output: { kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  },
  {
    name: 'ConfigMap: nothing',
    resource: 'configmaps',
    input: { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } },
    output: { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } },
  },
];

describe('defaults of every served kind, object in -> object out (Kubernetes 1.32)', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(defaulted(c.resource, c.input), c.output);
      // Defaulting twice changes nothing.
      assert.deepEqual(defaulted(c.resource, c.output), c.output);
    });
  }
});
