// covers: HorizontalPodAutoscaler spec.metrics.containerResource.name, spec.metrics.containerResource.container, spec.metrics.containerResource.target.type, spec.metrics.containerResource.target.averageUtilization, spec.metrics.resource.target.averageValue, spec.scaleTargetRef.kind, spec.scaleTargetRef.name, spec.scaleTargetRef.apiVersion, status.currentReplicas, status.desiredReplicas, status.currentMetrics, status.lastScaleTime, status.conditions, status.observedGeneration
// The HPA controller's reconcile on the API in memory: a Deployment and its pods, fixed PodMetrics
// (a recording fake of the resource metrics API), a manual clock.
import assert from 'node:assert/strict';
import { HorizontalController } from '../../../daemon/controllers/podautoscaler/horizontal-controller.js';
import type { ResourceMetricsClient } from '../../../daemon/controllers/podautoscaler/resource-metrics-client.js';
import type { PodMetricsInfo } from '../../../daemon/controllers/podautoscaler/replica-calculator.js';
import type { HorizontalPodAutoscaler } from '../../../lib/api/autoscaling-types.js';
import type { Deployment, Event, Pod } from '../../../lib/api/types.js';
import { markPodsReady, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

/** Usage per pod in millicores, set by the test; each answer is "sampled" 1 s ago. */
class FixedMetrics implements ResourceMetricsClient {
  usage = new Map<string, number>();
  constructor(private readonly now: () => Date) {}
  async podMetrics(): Promise<PodMetricsInfo> {
    if (this.usage.size === 0) throw new Error('no metrics returned from resource metrics API');
    const at = this.now().getTime() - 1000;
    return new Map([...this.usage].map(([name, value]) => [name, { value, timestampMs: at, windowMs: 15_000 }]));
  }
}

describe('HorizontalController (reconcile)', () => {
  let cluster: ControllerCluster;
  let metrics: FixedMetrics;
  let controller: HorizontalController;

  beforeEach(async () => {
    cluster = await startControllerCluster();
    metrics = new FixedMetrics(() => cluster.clock.now());
    controller = new HorizontalController({ client: cluster.client, clock: cluster.clock, recorder: cluster.recorderFor('horizontal-pod-autoscaler'), metrics, downscaleStabilizationMs: 300_000, onError: () => {} });
    await cluster.client.create<Deployment>('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'hello', image: 'kubelab/hello:v1', resources: { requests: { cpu: '200m' } } }] } },
      },
    } as Deployment);
    for (const name of ['web-a', 'web-b']) {
      await cluster.client.create<Pod>('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { app: 'web' } },
        spec: { containers: [{ name: 'hello', image: 'kubelab/hello:v1', resources: { requests: { cpu: '200m' } } }] },
      });
    }
    await markPodsReady(cluster.client, cluster.clock);
    // Past the cpu initialization period: the samples count.
    cluster.clock.advance(600_000);
    await cluster.client.create<HorizontalPodAutoscaler>('horizontalpodautoscalers.autoscaling', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      },
    });
  });
  afterEach(() => cluster.close());

  const hpa = () => cluster.client.get<HorizontalPodAutoscaler>('horizontalpodautoscalers.autoscaling', 'default', 'web');
  const replicas = async () => (await cluster.client.get<Deployment>('deployments.apps', 'default', 'web')).spec.replicas;
  const events = async () => (await cluster.client.list<Event>('events', { namespace: 'default' })).items.filter((e) => e.involvedObject.kind === 'HorizontalPodAutoscaler');
  const condition = (h: HorizontalPodAutoscaler, type: string) => h.status?.conditions?.find((c) => c.type === type);

  it('scales the Deployment up through /scale, with SuccessfulRescale and the status kubectl shows', async () => {
    metrics.usage = new Map([['web-a', 200], ['web-b', 200]]); // 100 % of 200m against 50 %
    await controller.reconcile('default/web');
    assert.equal(await replicas(), 4);
    const h = await hpa();
    assert.equal(h.status?.currentReplicas, 2);
    assert.equal(h.status?.desiredReplicas, 4);
    assert.ok(h.status?.lastScaleTime);
    assert.deepEqual(h.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '200m' } } }]);
    assert.deepEqual(
      ['AbleToScale', 'ScalingActive', 'ScalingLimited'].map((t) => [condition(h, t)?.status, condition(h, t)?.reason]),
      [['True', 'SucceededRescale'], ['True', 'ValidMetricFound'], ['False', 'DesiredWithinRange']],
    );
    assert.equal(condition(h, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
    const rescale = (await events()).find((e) => e.reason === 'SuccessfulRescale');
    assert.equal(rescale?.message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');
  });

  it('with no earlier recommendation (a fresh controller, as after a restart) a scale down is immediate, as in Kubernetes', async () => {
    metrics.usage = new Map([['web-a', 20], ['web-b', 20]]);
    await controller.reconcile('default/web');
    assert.equal(await replicas(), 1);
    assert.equal((await hpa()).status?.desiredReplicas, 1);
  });

  it('does not scale down while earlier recommendations in the window were higher', async () => {
    metrics.usage = new Map([['web-a', 100], ['web-b', 100]]); // exactly the target: recommends 2
    await controller.reconcile('default/web');
    cluster.clock.advance(15_000);
    metrics.usage = new Map([['web-a', 10], ['web-b', 10]]);
    await controller.reconcile('default/web');
    assert.equal(await replicas(), 2);
    assert.equal(condition(await hpa(), 'AbleToScale')?.reason, 'ScaleDownStabilized');
    cluster.clock.advance(300_000);
    await controller.reconcile('default/web');
    assert.equal(await replicas(), 1);
  });

  it('without metrics: ScalingActive False (FailedGetResourceMetric) and no scaling', async () => {
    await controller.reconcile('default/web');
    const h = await hpa();
    assert.equal(await replicas(), 2);
    assert.equal(condition(h, 'ScalingActive')?.status, 'False');
    assert.equal(condition(h, 'ScalingActive')?.reason, 'FailedGetResourceMetric');
    assert.match(condition(h, 'ScalingActive')?.message ?? '', /^the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API/);
    assert.equal(h.status?.currentReplicas, 2);
  });

  it('takes the highest of several metrics (a ContainerResource utilization and a cpu AverageValue)', async () => {
    metrics.usage = new Map([['web-a', 100], ['web-b', 100]]);
    await cluster.client.patch('horizontalpodautoscalers.autoscaling', 'default', 'web', {
      spec: {
        metrics: [
          { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'hello', target: { type: 'Utilization', averageUtilization: 25 } } },
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '50m' } } },
        ],
      },
    }, 'merge');
    await controller.reconcile('default/web');
    // Container: 50 % of 200m against 25 % → 4; average 100m against 50m → 4; both ask for 4.
    assert.equal(await replicas(), 4);
    const h = await hpa();
    assert.deepEqual(h.status?.currentMetrics, [
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'hello', current: { averageUtilization: 50, averageValue: '100m' } } },
      { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '100m' } } },
    ]);
  });

  it('brings a target above maxReplicas down at once', async () => {
    await cluster.client.patch('deployments.apps', 'default', 'web', { spec: { replicas: 9 } }, 'merge');
    await controller.reconcile('default/web');
    assert.equal(await replicas(), 5);
    assert.equal((await hpa()).status?.desiredReplicas, 5);
  });

  it('leaves a target scaled to zero alone (ScalingDisabled)', async () => {
    await cluster.client.patch('deployments.apps', 'default', 'web', { spec: { replicas: 0 } }, 'merge');
    await controller.reconcile('default/web');
    assert.equal(await replicas(), 0);
    assert.equal(condition(await hpa(), 'ScalingActive')?.reason, 'ScalingDisabled');
  });

  it('a missing target sets AbleToScale False (FailedGetScale)', async () => {
    await cluster.client.delete('deployments.apps', 'default', 'web');
    await controller.reconcile('default/web');
    assert.equal(condition(await hpa(), 'AbleToScale')?.reason, 'FailedGetScale');
  });
});
