import assert from 'node:assert/strict';
import { formatMemoryBytes, formatNanoCores, goDurationString, nodeMetrics, podMetrics } from '../../../lib/metrics/metrics-api.js';

describe('metrics.k8s.io shapes', () => {
  describe('formatNanoCores: Kubernetes\' canonical form of a nano-scaled quantity', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [123_456_789, '123456789n'],
      [250_000_000, '250m'],
      [1_000_000_000, '1'],
      [1_500_000_000, '1500m'],
      [1_200_000, '1200u'],
      [2_000_000_000_000, '2k'],
      [12.4, '12n'],
    ];
    for (const [nanoCores, want] of cases) it(`${nanoCores} → ${want}`, () => assert.equal(formatNanoCores(nanoCores), want));
  });

  describe('formatMemoryBytes: binary quantities, as metrics-server writes them', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [67_108_864, '64Mi'],
      [1_605_632, '1568Ki'],
      [1500, '1500'],
    ];
    for (const [bytes, want] of cases) it(`${bytes} → ${want}`, () => assert.equal(formatMemoryBytes(bytes), want));
  });

  describe('goDurationString: the window as Go prints a time.Duration', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [500, '500ms'],
      [10_000, '10s'],
      [10_002, '10.002s'],
      [10_500, '10.5s'],
      [60_000, '1m0s'],
      [61_250, '1m1.25s'],
      [3_600_000, '1h0m0s'],
    ];
    for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => assert.equal(goDurationString(ms), want));
  });

  const now = new Date('2026-12-02T03:00:11.456Z');
  const window = { timestamp: '2026-12-02T03:00:10.123Z', windowMs: 10_002 };

  it('makes a NodeMetrics as metrics-server does (labels of the Node, whole seconds)', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1', labels: { 'kubernetes.io/hostname': 'node1' } } };
    assert.deepEqual(nodeMetrics(node, { ...window, cpuNanoCores: 94_154_757, memoryWorkingSetBytes: 1_605_632 }, now), {
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'node1', creationTimestamp: '2026-12-02T03:00:11Z', labels: { 'kubernetes.io/hostname': 'node1' } },
      timestamp: '2026-12-02T03:00:10Z',
      window: '10.002s',
      usage: { cpu: '94154757n', memory: '1568Ki' },
    });
  });

  it('makes a PodMetrics with one entry per container', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } } };
    const usage = { namespace: 'shop', name: 'web', uid: 'u', ...window, containers: [{ name: 'app', cpuNanoCores: 250_000_000, memoryWorkingSetBytes: 67_108_864 }] };
    assert.deepEqual(podMetrics(pod, usage, now), {
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2026-12-02T03:00:11Z', labels: { app: 'web' } },
      timestamp: '2026-12-02T03:00:10Z',
      window: '10.002s',
      containers: [{ name: 'app', usage: { cpu: '250m', memory: '64Mi' } }],
    });
  });
});
