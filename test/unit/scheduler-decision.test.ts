// The scheduler writes its decision on the pod (annotation scheduling.kubelab.io/decision):
// with the binding for a placed pod, on a Pending pod only when the decision changed (a retry
// with nothing new writes nothing), and never on a pod the user bound with spec.nodeName.

import assert from 'node:assert/strict';
import type { Node, Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { DECISION_ANNOTATION, decisionOf } from '../../lib/scheduling/decision.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Scheduler } from '../../daemon/scheduler/scheduler.js';
import { createReadyNode, newTestCluster, newPod, type TestCluster } from '../helpers/test-cluster.js';

describe('Scheduler: decision annotation', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let scheduler: Scheduler;

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    const recorder = new EventRecorder(cluster.client, { component: 'default-scheduler' }, clock, { onError: () => {} });
    scheduler = new Scheduler({ client: cluster.client, recorder, clock, random: () => 0, log: silentLogger });
  });
  afterEach(() => cluster.close());

  const getPod = (name: string) => cluster.client.get<Pod>('pods', 'default', name);

  it('a placed pod carries the decision that bound it, picked node = spec.nodeName', async () => {
    await createReadyNode(cluster.client, 'node-1', { labels: { disk: 'hdd' } });
    await createReadyNode(cluster.client, 'node-2', { labels: { disk: 'ssd' } });
    await cluster.client.create('pods', newPod('web', { nodeSelector: { disk: 'ssd' } }));
    await scheduler.scheduleOnce('default/web');
    const pod = await getPod('web');
    assert.equal(pod.spec.nodeName, 'node-2');
    const decision = decisionOf(pod)!;
    assert.equal(decision.result, 'Scheduled');
    assert.equal(decision.picked, 'node-2');
    assert.deepEqual(
      decision.rows.map((r) => [r.node, r.rejectedBy ?? 'feasible']),
      [['node-2', 'feasible'], ['node-1', 'NodeAffinity']],
    );
    assert.equal(decision.filters.at(-1), 'VolumeBinding');
  });

  it('a Pending pod: written once, not rewritten by retries that change nothing, rewritten when the result changes', async () => {
    await createReadyNode(cluster.client, 'node-1');
    await createReadyNode(cluster.client, 'node-2');
    await cluster.client.create('pods', newPod('picky', { nodeSelector: { gpu: 'yes' } }));
    await scheduler.scheduleOnce('default/picky');
    const first = await getPod('picky');
    assert.deepEqual(
      decisionOf(first)!.rows.map((r) => `${r.node} ${r.rejectedBy}: ${r.reasons}`),
      ["node-1 NodeAffinity: node(s) didn't match Pod's node affinity/selector", "node-2 NodeAffinity: node(s) didn't match Pod's node affinity/selector"],
    );

    for (let i = 0; i < 3; i++) await scheduler.scheduleOnce('default/picky');
    assert.equal((await getPod('picky')).metadata.resourceVersion, first.metadata.resourceVersion, 'retries with the same outcome wrote the pod');

    // node-2 gets the label but is cordoned: still Pending, for another reason there.
    await cluster.client.patch<Node>('nodes', undefined, 'node-2', { metadata: { labels: { gpu: 'yes' } }, spec: { unschedulable: true } }, 'merge');
    await scheduler.scheduleOnce('default/picky');
    const changed = await getPod('picky');
    assert.equal(changed.spec.nodeName, undefined);
    assert.deepEqual(
      decisionOf(changed)!.rows.map((r) => `${r.node} ${r.rejectedBy}`),
      ['node-1 NodeAffinity', 'node-2 NodeUnschedulable'],
    );

    await cluster.client.patch<Node>('nodes', undefined, 'node-2', { spec: { unschedulable: false } }, 'merge');
    await scheduler.scheduleOnce('default/picky');
    const bound = await getPod('picky');
    assert.equal(bound.spec.nodeName, 'node-2');
    assert.equal(decisionOf(bound)!.result, 'Scheduled');
  });

  it('a pod created with spec.nodeName has no decision: the scheduler never chose', async () => {
    await createReadyNode(cluster.client, 'node-1');
    await cluster.client.create('pods', newPod('pinned', { nodeName: 'node-1' }));
    await scheduler.scheduleOnce('default/pinned');
    assert.equal((await getPod('pinned')).metadata.annotations?.[DECISION_ANNOTATION], undefined);
  });

  it('a pod refused before filtering (a missing claim) says so, without rows', async () => {
    await createReadyNode(cluster.client, 'node-1');
    await cluster.client.create('pods', newPod('data', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'missing' } }] }));
    await scheduler.scheduleOnce('default/data');
    const decision = decisionOf(await getPod('data'))!;
    assert.equal(decision.result, 'Unschedulable');
    assert.deepEqual(decision.preFilter, { plugin: 'VolumeBinding', reason: 'persistentvolumeclaim "missing" not found' });
    assert.deepEqual(decision.rows, []);
  });
});
