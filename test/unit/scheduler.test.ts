import assert from 'node:assert/strict';
import type { Event, Node, Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Scheduler } from '../../daemon/scheduler/scheduler.js';
import { silentLogger } from '../../lib/logger.js';
import { createReadyNode, newTestCluster, newPod, type TestCluster } from '../helpers/test-cluster.js';
import { untilPasses } from '../helpers/until-passes.js';

describe('Scheduler', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let recorder: EventRecorder;
  let scheduler: Scheduler;

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    recorder = new EventRecorder(cluster.client, { component: 'default-scheduler' }, clock);
    scheduler = new Scheduler({ client: cluster.client, recorder, clock, random: () => 0, log: silentLogger });
  });
  afterEach(() => cluster.close());

  const events = async () => {
    await recorder.flush();
    return (await cluster.client.list<Event>('events')).items.map((e) => `${e.type} ${e.reason} ${e.message}`);
  };
  const getPod = (name: string) => cluster.client.get<Pod>('pods', 'default', name);

  it('binds a pending pod to a feasible node and records Scheduled', async () => {
    await createReadyNode(cluster.client, 'node-1', { labels: { disk: 'hdd' } });
    await createReadyNode(cluster.client, 'node-2', { labels: { disk: 'ssd' } });
    await cluster.client.create('pods', newPod('web', { nodeSelector: { disk: 'ssd' } }));
    await scheduler.scheduleOnce('default/web');
    const pod = await getPod('web');
    assert.equal(pod.spec.nodeName, 'node-2');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    assert.deepEqual(await events(), ['Normal Scheduled Successfully assigned default/web to node-2']);
  });

  it('explains an unschedulable pod in an event and in its PodScheduled condition', async () => {
    await createReadyNode(cluster.client, 'node-1', { memory: '64Mi', labels: { disk: 'ssd' } });
    await createReadyNode(cluster.client, 'node-2');
    await createReadyNode(cluster.client, 'node-3');
    await cluster.client.create('pods', newPod('web', { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'app', image: 'i', resources: { requests: { memory: '128Mi' } } }] }));
    await scheduler.scheduleOnce('default/web');
    const message =
      "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
    const pod = await getPod('web');
    assert.equal(pod.spec.nodeName, undefined);
    const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    assert.deepEqual([condition?.status, condition?.reason, condition?.message], ['False', 'Unschedulable', message]);
    assert.deepEqual(await events(), [`Warning FailedScheduling ${message}`]);
  });

  it('leaves alone pods bound by the user and pods that are gone', async () => {
    await createReadyNode(cluster.client, 'node-1');
    await cluster.client.create('pods', newPod('pinned', { nodeName: 'elsewhere' }));
    await scheduler.scheduleOnce('default/pinned');
    assert.equal((await getPod('pinned')).spec.nodeName, 'elsewhere');
    await scheduler.scheduleOnce('default/missing');
    assert.deepEqual(await events(), []);
  });

  it('run(): binds new pods, and binds an unschedulable pod as soon as a node gets the label', async () => {
    await createReadyNode(cluster.client, 'node-1');
    const abort = new AbortController();
    const running = scheduler.run(abort.signal);
    try {
      await cluster.client.create('pods', newPod('free'));
      await cluster.client.create('pods', newPod('picky', { nodeSelector: { gpu: 'yes' } }));
      await untilPasses(async () => assert.equal((await getPod('free')).spec.nodeName, 'node-1'));
      await untilPasses(async () => assert.equal((await getPod('picky')).status?.conditions?.[0]?.reason, 'Unschedulable'));
      await cluster.client.patch<Node>('nodes', undefined, 'node-1', { metadata: { labels: { gpu: 'yes' } } }, 'merge');
      await untilPasses(async () => assert.equal((await getPod('picky')).spec.nodeName, 'node-1'));
    } finally {
      abort.abort();
      await running;
    }
  });

  it('run(): retries unschedulable pods every 30 s even when no node changes', async () => {
    await createReadyNode(cluster.client, 'node-1', { pods: '1' });
    await cluster.client.create('pods', newPod('first', { nodeName: 'node-1' }));
    const abort = new AbortController();
    const running = scheduler.run(abort.signal);
    try {
      await cluster.client.create('pods', newPod('second'));
      await untilPasses(async () => assert.match((await getPod('second')).status?.conditions?.[0]?.message ?? '', /1 Too many pods/));
      // The first pod completes: room frees up, but no node event says so.
      const first = await getPod('first');
      await cluster.client.updateStatus('pods', { ...first, status: { phase: 'Succeeded' } });
      await clock.advance(30_000);
      await untilPasses(async () => assert.equal((await getPod('second')).spec.nodeName, 'node-1'));
    } finally {
      abort.abort();
      await running;
    }
  });
});
