import assert from 'node:assert/strict';
import { applyDefaults, defaultPullPolicy } from '../../lib/api/defaults.js';
import type { KubeObject } from '../../lib/api/types.js';

const defaulted = (resource: string, obj: KubeObject): KubeObject => {
  const copy = structuredClone(obj);
  applyDefaults(resource, copy);
  return copy;
};

const podSpec = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ containers, ...extra });

describe('applyDefaults', () => {
  describe('image pull policy', () => {
    const cases: [string, string][] = [
      ['nginx', 'Always'],
      ['nginx:latest', 'Always'],
      ['nginx:1.25', 'IfNotPresent'],
      ['localhost:5000/app', 'Always'],
      ['localhost:5000/app:v2', 'IfNotPresent'],
      ['kubelab/busybox:1', 'IfNotPresent'],
      ['nginx@sha256:abcd', 'IfNotPresent'],
    ];
    for (const [image, policy] of cases) {
      it(`${image} → ${policy}`, () => assert.equal(defaultPullPolicy(image), policy));
    }
  });

  it('fills in a bare pod the way the API server stores it', () => {
    const pod = defaulted('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: podSpec([
        {
          name: 'web',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
        },
      ], {
        initContainers: [{ name: 'init', image: 'busybox' }],
        volumes: [{ name: 's', secret: { secretName: 'x' } }, { name: 'c', configMap: { name: 'y', defaultMode: 256 } }, { name: 'scratch' }],
      }),
    });
    assert.deepEqual(pod.spec, {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.25',
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          resources: {},
          ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }],
          livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        },
      ],
      initContainers: [
        { name: 'init', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} },
      ],
      volumes: [
        { name: 's', secret: { secretName: 'x', defaultMode: 0o444 } },
        { name: 'c', configMap: { name: 'y', defaultMode: 256 } },
        { name: 'scratch', emptyDir: {} },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
      securityContext: {},
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
  });

  it('keeps what the user set and is idempotent', () => {
    const pod: KubeObject = {
      metadata: { name: 'p' },
      spec: podSpec([{ name: 'a', image: 'x', imagePullPolicy: 'Never' }], { restartPolicy: 'Never', terminationGracePeriodSeconds: 0 }),
    };
    const once = defaulted('pods', pod);
    const spec = once.spec as Record<string, unknown>;
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal((spec.containers as { imagePullPolicy: string }[])[0].imagePullPolicy, 'Never');
    assert.deepEqual(defaulted('pods', once), once);
  });

  const templated = (resource: string, kind: string, spec: Record<string, unknown>): KubeObject =>
    defaulted(resource, {
      kind,
      metadata: { name: 'x' },
      spec: { ...spec, template: { metadata: { labels: { app: 'web' } }, spec: podSpec([{ name: 'c', image: 'nginx' }]) } },
    });
  const templateContainer = (obj: KubeObject) => ((obj.spec as any).template.spec.containers[0]);

  it('defaults a ReplicationController: replicas, selector and labels from the template, pod template', () => {
    const rc = templated('replicationcontrollers', 'ReplicationController', {});
    const spec = rc.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.selector, { app: 'web' });
    assert.deepEqual(rc.metadata.labels, { app: 'web' });
    assert.equal(templateContainer(rc).imagePullPolicy, 'Always');
    assert.equal((spec.template as any).spec.restartPolicy, 'Always');
  });

  it('keeps an RC selector and labels that were given', () => {
    const rc = defaulted('replicationcontrollers', {
      metadata: { name: 'x', labels: { team: 'a' } },
      spec: { selector: { app: 'web' }, replicas: 0, template: { metadata: { labels: { app: 'web', v: '2' } }, spec: podSpec([]) } },
    });
    assert.deepEqual((rc.spec as any).selector, { app: 'web' });
    assert.equal((rc.spec as any).replicas, 0);
    assert.deepEqual(rc.metadata.labels, { team: 'a' });
  });

  it('defaults a ReplicaSet: replicas and pod template, no selector', () => {
    const rs = templated('replicasets.apps', 'ReplicaSet', {});
    assert.equal((rs.spec as any).replicas, 1);
    assert.equal((rs.spec as any).selector, undefined);
    assert.equal(templateContainer(rs).terminationMessagePolicy, 'File');
  });

  it('defaults a Deployment like apps/v1', () => {
    const deploy = templated('deployments.apps', 'Deployment', { selector: { matchLabels: { app: 'web' } } });
    const spec = deploy.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    assert.equal(templateContainer(deploy).resources !== undefined, true);
  });

  it('adds no rollingUpdate to a Recreate Deployment', () => {
    const deploy = templated('deployments.apps', 'Deployment', { strategy: { type: 'Recreate' } });
    assert.deepEqual((deploy.spec as any).strategy, { type: 'Recreate' });
  });

  it('defaults a Service', () => {
    const svc = defaulted('services', { kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } });
    assert.deepEqual(svc.spec, {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    });
  });

  it('adds externalTrafficPolicy to NodePort services and a timeout to ClientIP affinity', () => {
    const svc = defaulted('services', { metadata: { name: 's' }, spec: { type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
    assert.equal((svc.spec as any).externalTrafficPolicy, 'Cluster');
    assert.deepEqual((svc.spec as any).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });

  it('merges Secret stringData into base64 data and drops it', () => {
    const secret = defaulted('secrets', { kind: 'Secret', metadata: { name: 's' }, data: { a: 'b2xk', b: 'a2VlcA==' }, stringData: { a: 'new', c: 'héllo' } });
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.stringData, undefined);
    assert.deepEqual(secret.data, { a: Buffer.from('new').toString('base64'), b: 'a2VlcA==', c: Buffer.from('héllo').toString('base64') });
  });

  it('keeps a Secret type that was given', () => {
    assert.equal(defaulted('secrets', { metadata: { name: 's' }, type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
  });

  it('gives a Namespace its finalizer and Active phase', () => {
    const ns = defaulted('namespaces', { kind: 'Namespace', metadata: { name: 'dev' } });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.status, { phase: 'Active' });
  });

  it('counts an Event once and calls it Normal', () => {
    const ev = defaulted('events', { metadata: { name: 'e' }, involvedObject: {} });
    assert.equal(ev.count, 1);
    assert.equal(ev.type, 'Normal');
    assert.equal(defaulted('events', { metadata: { name: 'e' }, count: 4, type: 'Warning' }).count, 4);
  });

  it('leaves nodes and configmaps alone', () => {
    const node = { kind: 'Node', metadata: { name: 'n' }, spec: {} };
    assert.deepEqual(defaulted('nodes', node), node);
    const cm = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.deepEqual(defaulted('configmaps', cm), cm);
  });
});
