import assert from 'node:assert/strict';
import type { KubeObject, StatefulSet } from '../../../lib/api/types.js';
import { StatefulSetController, STATEFUL_SET_COMPONENT } from '../../../daemon/controllers/statefulset/stateful-set-controller.js';
import { eventually, markPodsReady, podsOf, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

// covers: StatefulSet spec.volumeClaimTemplates, spec.podManagementPolicy, spec.serviceName

const statefulSet = (spec: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 3,
    serviceName: 'web',
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'kubelab/busybox:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...spec,
  },
});

describe('StatefulSetController (component, LocalClient + ManualClock)', () => {
  let cluster: ControllerCluster;
  let abort: AbortController;
  let running: Promise<void>;

  beforeEach(async () => {
    cluster = await startControllerCluster();
    abort = new AbortController();
    const controller = new StatefulSetController({ client: cluster.client, clock: cluster.clock, recorder: cluster.recorderFor(STATEFUL_SET_COMPONENT), onError: () => {} });
    running = controller.run(abort.signal);
  });
  afterEach(async () => {
    abort.abort();
    await running;
    await cluster.close();
  });

  const podNames = async () => (await podsOf(cluster.client)).map((p) => p.metadata.name).sort();
  const claimNames = async () => (await cluster.client.list<KubeObject>('persistentvolumeclaims', { namespace: 'default' })).items.map((c) => c.metadata.name).sort();

  it('OrderedReady: makes web-0 and its claim, and web-1 only once web-0 is ready', async () => {
    await cluster.client.create('statefulsets.apps', statefulSet());
    await eventually(async () => assert.deepEqual(await podNames(), ['web-0']), cluster.clock);
    assert.deepEqual(await claimNames(), ['data-web-0']);
    // Nothing more while web-0 is not ready.
    for (let i = 0; i < 10; i++) await cluster.clock.advance(100);
    assert.deepEqual(await podNames(), ['web-0']);
    await markPodsReady(cluster.client, cluster.clock);
    await eventually(async () => assert.deepEqual(await podNames(), ['web-0', 'web-1']), cluster.clock);
    await markPodsReady(cluster.client, cluster.clock);
    await eventually(async () => assert.deepEqual(await podNames(), ['web-0', 'web-1', 'web-2']), cluster.clock);
    await markPodsReady(cluster.client, cluster.clock);
    const status = await eventually(async () => {
      const set = await cluster.client.get<StatefulSet>('statefulsets.apps', 'default', 'web');
      assert.equal(set.status?.readyReplicas, 3);
      return set.status!;
    }, cluster.clock);
    assert.equal(status.currentRevision, status.updateRevision);
    assert.deepEqual(await claimNames(), ['data-web-0', 'data-web-1', 'data-web-2']);
  });

  it('Parallel: makes every pod and claim at once', async () => {
    await cluster.client.create('statefulsets.apps', statefulSet({ podManagementPolicy: 'Parallel' }));
    await eventually(async () => assert.deepEqual(await podNames(), ['web-0', 'web-1', 'web-2']), cluster.clock);
    assert.deepEqual(await claimNames(), ['data-web-0', 'data-web-1', 'data-web-2']);
  });
});
