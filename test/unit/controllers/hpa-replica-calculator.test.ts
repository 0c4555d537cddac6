// covers: HorizontalPodAutoscaler spec.metrics.type, spec.metrics.resource.name, spec.metrics.resource.target.type, spec.metrics.resource.target.averageUtilization, spec.metrics.resource.target.averageValue, spec.metrics.containerResource.container
// The replica calculator against the cases of Kubernetes' documentation
// (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details)
// and of its replica_calculator tests: fixed pods, fixed samples, a fixed "now".
import assert from 'node:assert/strict';
import { calcRawResourceReplicas, calcResourceReplicas, groupPods, type PodMetricsInfo, type ReplicaCalculatorConfig } from '../../../daemon/controllers/podautoscaler/replica-calculator.js';
import { ApiResourceMetricsClient, parseGoDurationMs, podMetricsInfo } from '../../../daemon/controllers/podautoscaler/resource-metrics-client.js';
import type { Pod } from '../../../lib/api/types.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const LONG_AGO = new Date(NOW - 3_600_000).toISOString();
const CONFIG: ReplicaCalculatorConfig = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, delayOfInitialReadinessStatusMs: 30_000 };

interface PodShape {
  name: string;
  cpu?: string;
  memory?: string;
  phase?: 'Pending' | 'Running' | 'Failed';
  ready?: boolean;
  startedMsAgo?: number;
  readySinceMsAgo?: number;
  deleting?: boolean;
}

function pod(shape: PodShape): Pod {
  const started = shape.startedMsAgo === undefined ? LONG_AGO : new Date(NOW - shape.startedMsAgo).toISOString();
  const transition = shape.readySinceMsAgo === undefined ? started : new Date(NOW - shape.readySinceMsAgo).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: shape.name, namespace: 'default', labels: { app: 'web' }, ...(shape.deleting ? { deletionTimestamp: LONG_AGO } : {}) },
    spec: { containers: [{ name: 'app', image: 'hello', resources: { requests: { cpu: shape.cpu ?? '1', memory: shape.memory ?? '100Mi' } } }] },
    status: {
      phase: shape.phase ?? 'Running',
      startTime: started,
      conditions: [{ type: 'Ready', status: shape.ready === false ? 'False' : 'True', lastTransitionTime: transition }],
    },
  } as Pod;
}

const samples = (values: Record<string, number>, timestampMs = NOW - 5_000): PodMetricsInfo =>
  new Map(Object.entries(values).map(([name, value]) => [name, { value, timestampMs, windowMs: 15_000 }]));

const pods = (n: number, shape: Partial<PodShape> = {}) => Array.from({ length: n }, (_, i) => pod({ name: `p${i}`, ...shape }));

describe('HPA replica calculator (Kubernetes replica_calculator)', () => {
  describe('utilization of the cpu request: desired = ceil(current x current / target)', () => {
    const cases: { name: string; pods: Pod[]; usage: Record<string, number>; target: number; want: number; utilization: number }[] = [
      { name: 'usage twice the target doubles (the documentation: 200m of 100m)', pods: pods(2), usage: { p0: 1000, p1: 1000 }, target: 50, want: 4, utilization: 100 },
      { name: 'usage half the target halves (50m of 100m)', pods: pods(4), usage: { p0: 250, p1: 250, p2: 250, p3: 250 }, target: 50, want: 2, utilization: 25 },
      { name: 'a ratio within the 0.1 tolerance does not scale (1.05)', pods: pods(3), usage: { p0: 525, p1: 525, p2: 525 }, target: 50, want: 3, utilization: 52 },
      { name: 'just outside the tolerance scales (1.2 of 3 pods -> ceil(3.6) = 4)', pods: pods(3), usage: { p0: 600, p1: 600, p2: 600 }, target: 50, want: 4, utilization: 60 },
      { name: 'the ratio is of total usage over total requests', pods: [pod({ name: 'a', cpu: '500m' }), pod({ name: 'b', cpu: '1500m' })], usage: { a: 500, b: 1500 }, target: 50, want: 4, utilization: 100 },
      {
        name: 'missing samples on a scale down count as 100 % of the request: no change when the conservative count keeps the size',
        pods: pods(3),
        usage: { p0: 100, p1: 100 },
        target: 50,
        want: 3,
        utilization: 10,
      },
      {
        name: 'missing samples on a scale down count as 100 % of the request (the documentation)',
        pods: pods(4),
        usage: { p0: 100, p1: 100, p2: 100 },
        target: 80,
        // (100+100+100+1000)/4000 = 32 % → 0.4 x 4 = 1.6 → 2
        want: 2,
        utilization: 10,
      },
      {
        name: 'missing samples on a scale up count as 0',
        pods: pods(3),
        usage: { p0: 1000, p1: 1000 },
        target: 50,
        // (1000+1000+0)/3000 = 66 % → 1.32 x 3 = 3.96 → 4
        want: 4,
        utilization: 100,
      },
      {
        name: 'unready pods on a scale up count as 0 (a Pending pod)',
        pods: [...pods(2), pod({ name: 'new', phase: 'Pending' })],
        usage: { p0: 1000, p1: 1000 },
        target: 50,
        // (1000+1000+0)/3000 = 66 % → 4
        want: 4,
        utilization: 100,
      },
      {
        name: 'unready pods on a scale down are left out entirely',
        pods: [...pods(2), pod({ name: 'new', phase: 'Pending' })],
        usage: { p0: 100, p1: 100 },
        target: 50,
        want: 1,
        utilization: 10,
      },
      {
        name: 'deleted and Failed pods are ignored',
        pods: [...pods(2), pod({ name: 'gone', deleting: true }), pod({ name: 'dead', phase: 'Failed' })],
        usage: { p0: 1000, p1: 1000, gone: 0, dead: 0 },
        target: 50,
        want: 4,
        utilization: 100,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const got = calcResourceReplicas({ currentReplicas: c.pods.length, resource: 'cpu', pods: c.pods, metrics: samples(c.usage), nowMs: NOW, targetUtilization: c.target }, CONFIG);
        assert.equal(got.replicas, c.want);
        assert.equal(got.utilization, c.utilization);
      });
    }

    it('a wider tolerance (the flag) keeps 1.2 still', () => {
      const got = calcResourceReplicas({ currentReplicas: 3, resource: 'cpu', pods: pods(3), metrics: samples({ p0: 600, p1: 600, p2: 600 }), nowMs: NOW, targetUtilization: 50 }, { ...CONFIG, tolerance: 0.25 });
      assert.equal(got.replicas, 3);
    });

    it('refuses without a request, without pods, and without samples, in Kubernetes words', () => {
      const noRequest = pod({ name: 'p0' });
      delete noRequest.spec.containers[0].resources!.requests!.cpu;
      assert.throws(() => calcResourceReplicas({ currentReplicas: 1, resource: 'cpu', pods: [noRequest], metrics: samples({ p0: 100 }), nowMs: NOW, targetUtilization: 50 }, CONFIG), /missing request for cpu in container app of Pod p0/);
      assert.throws(() => calcResourceReplicas({ currentReplicas: 1, resource: 'cpu', pods: [], metrics: samples({}), nowMs: NOW, targetUtilization: 50 }, CONFIG), /no pods returned by selector while calculating replica count/);
      assert.throws(() => calcResourceReplicas({ currentReplicas: 1, resource: 'cpu', pods: [pod({ name: 'p0', phase: 'Pending' })], metrics: samples({}), nowMs: NOW, targetUtilization: 50 }, CONFIG), /did not receive metrics for targeted pods \(pods might be unready\)/);
    });

    it('memory utilization needs no readiness: a young unready pod still counts', () => {
      const young = [pod({ name: 'p0', memory: '100Mi', ready: false, startedMsAgo: 10_000 })];
      const got = calcResourceReplicas({ currentReplicas: 1, resource: 'memory', pods: young, metrics: samples({ p0: 200 * 2 ** 20 * 1000 }), nowMs: NOW, targetUtilization: 100 }, CONFIG);
      assert.equal(got.replicas, 2);
      assert.equal(got.utilization, 200);
    });
  });

  describe('cpu samples of starting pods (initialization period, delay of initial readiness)', () => {
    const cases: { name: string; pod: PodShape; sampleAgoMs: number; unready: boolean }[] = [
      { name: 'a pod long running and ready counts', pod: { name: 'p' }, sampleAgoMs: 5_000, unready: false },
      { name: 'within the initialization period, not ready: left out', pod: { name: 'p', startedMsAgo: 60_000, ready: false }, sampleAgoMs: 5_000, unready: true },
      { name: 'within the period, ready, but the sample predates readiness + one window: left out', pod: { name: 'p', startedMsAgo: 60_000, readySinceMsAgo: 10_000 }, sampleAgoMs: 5_000, unready: true },
      { name: 'within the period, ready a full window before the sample: counts', pod: { name: 'p', startedMsAgo: 60_000, readySinceMsAgo: 40_000 }, sampleAgoMs: 5_000, unready: false },
      { name: 'after the period, unready and never ready (condition set at start): left out', pod: { name: 'p', startedMsAgo: 600_000, ready: false, readySinceMsAgo: 595_000 }, sampleAgoMs: 5_000, unready: true },
      { name: 'after the period, unready but was ready once (later transition): counts', pod: { name: 'p', startedMsAgo: 600_000, ready: false, readySinceMsAgo: 60_000 }, sampleAgoMs: 5_000, unready: false },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const groups = groupPods([pod(c.pod)], samples({ p: 100 }, NOW - c.sampleAgoMs), 'cpu', CONFIG, NOW);
        assert.equal(groups.unreadyPods.has('p'), c.unready);
        assert.equal(groups.readyPodCount, c.unready ? 0 : 1);
      });
    }
  });

  describe('AverageValue targets (milli-units per pod)', () => {
    it('cpu: 4 pods at 300m each against 200m → ceil(4 x 1.5) = 6', () => {
      const got = calcRawResourceReplicas({ currentReplicas: 4, resource: 'cpu', pods: pods(4), metrics: samples({ p0: 300, p1: 300, p2: 300, p3: 300 }), nowMs: NOW, targetAverage: 200 }, CONFIG);
      assert.deepEqual([got.replicas, got.rawAverage], [6, 300]);
    });
    it('memory: missing pods on a scale down count as the target', () => {
      const mi = 2 ** 20 * 1000;
      const got = calcRawResourceReplicas({ currentReplicas: 4, resource: 'memory', pods: pods(4), metrics: samples({ p0: 10 * mi, p1: 10 * mi, p2: 10 * mi }), nowMs: NOW, targetAverage: 100 * mi }, CONFIG);
      // (10+10+10+100)/4 = 32.5 of 100 → ceil(0.325 x 4) = 2
      assert.equal(got.replicas, 2);
    });
  });

  describe('PodMetrics (metrics.k8s.io) as samples', () => {
    const item = (name: string, containers: { name: string; usage: Record<string, string> }[]) => ({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name, namespace: 'default' },
      timestamp: '2026-01-01T12:00:00Z',
      window: '15s',
      containers,
    });
    it('sums containers, or takes the one a ContainerResource names; a container without the resource makes the pod missing', () => {
      const items = [
        item('a', [{ name: 'app', usage: { cpu: '250m', memory: '64Mi' } }, { name: 'side', usage: { cpu: '50m', memory: '1Mi' } }]),
        item('b', [{ name: 'app', usage: { memory: '1Mi' } }]),
      ];
      const all = podMetricsInfo(items, 'cpu');
      assert.deepEqual([...all.keys()], ['a']);
      assert.deepEqual(all.get('a'), { value: 300, timestampMs: Date.parse('2026-01-01T12:00:00Z'), windowMs: 15_000 });
      assert.equal(podMetricsInfo(items, 'cpu', 'side').get('a')?.value, 50);
      assert.equal(podMetricsInfo(items, 'memory', 'app').get('a')?.value, 64 * 2 ** 20 * 1000);
      assert.throws(() => podMetricsInfo([], 'cpu'), /no metrics returned from resource metrics API/);
    });
    it('asks the API server for the namespace\'s PodMetrics with the target\'s selector', async () => {
      const asked: string[] = [];
      const api = {
        request: async <T,>(method: string, path: string, options?: { query?: Record<string, string | undefined> }) => {
          asked.push(`${method} ${path}?labelSelector=${options?.query?.labelSelector}`);
          return { items: [item('a', [{ name: 'app', usage: { cpu: '120m' } }])] } as T;
        },
      };
      const got = await new ApiResourceMetricsClient(() => api).podMetrics('shop', 'app=web', 'cpu');
      assert.deepEqual(asked, ['GET /apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app=web']);
      assert.equal(got.get('a')?.value, 120);
      await assert.rejects(new ApiResourceMetricsClient(() => undefined).podMetrics('shop', 'app=web', 'cpu'), /not listening yet/);
    });
    it('reads Go durations', () => {
      assert.deepEqual(['15s', '1m0s', '10.5s', '500ms', 'x'].map(parseGoDurationMs), [15_000, 60_000, 10_500, 500, 0]);
    });
  });
});
