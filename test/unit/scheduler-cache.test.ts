// The scheduler places pods from its informers' caches (kube-scheduler's cache), not from a fresh
// list per pod: a burst of pods must still never be given room another pod of the burst took.

import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Scheduler } from '../../daemon/scheduler/scheduler.js';
import { silentLogger } from '../../lib/logger.js';
import { createReadyNode, newTestCluster, newPod, type TestCluster } from '../helpers/test-cluster.js';
import { untilPasses } from '../helpers/until-passes.js';

describe('Scheduler placing a burst from its caches', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let recorder: EventRecorder;

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    recorder = new EventRecorder(cluster.client, { component: 'default-scheduler' }, clock);
  });
  afterEach(async () => {
    await recorder.flush();
    await cluster.close();
  });

  const podsOn = async () => {
    const pods = (await cluster.client.list<Pod>('pods', { namespace: 'default' })).items;
    const count = (node: string | undefined) => pods.filter((p) => p.spec.nodeName === node).length;
    return { 'node-1': count('node-1'), 'node-2': count('node-2'), pending: count(undefined) };
  };

  it('fills two nodes of 3 pods each from a burst of 8 and leaves 2 Unschedulable', async () => {
    await createReadyNode(cluster.client, 'node-1', { pods: '3' });
    await createReadyNode(cluster.client, 'node-2', { pods: '3' });
    for (let i = 0; i < 8; i += 1) await cluster.client.create('pods', newPod(`web-${i}`));
    const scheduler = new Scheduler({ client: cluster.client, recorder, clock, random: () => 0, log: silentLogger });
    const abort = new AbortController();
    const running = scheduler.run(abort.signal);
    try {
      await untilPasses(async () => assert.deepEqual(await podsOn(), { 'node-1': 3, 'node-2': 3, pending: 2 }));
      await untilPasses(async () => {
        const pending = (await cluster.client.list<Pod>('pods', { namespace: 'default' })).items.filter((p) => !p.spec.nodeName);
        assert.deepEqual(pending.map((p) => p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message), [
          "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
          "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
        ]);
      });
    } finally {
      abort.abort();
      await running;
    }
  });

  it('counts a deleted bound pod no more: its room goes to a waiting pod', async () => {
    await createReadyNode(cluster.client, 'node-1', { pods: '1' });
    await cluster.client.create('pods', newPod('first'));
    await cluster.client.create('pods', newPod('second'));
    const scheduler = new Scheduler({ client: cluster.client, recorder, clock, random: () => 0, log: silentLogger, unschedulableRetryMs: 60_000 });
    const abort = new AbortController();
    const running = scheduler.run(abort.signal);
    try {
      await untilPasses(async () => assert.equal((await podsOn())['node-1'], 1));
      const bound = (await cluster.client.list<Pod>('pods', { namespace: 'default' })).items.find((p) => p.spec.nodeName)!;
      await cluster.client.delete('pods', 'default', bound.metadata.name!, { gracePeriodSeconds: 0 });
      await untilPasses(async () => assert.deepEqual(await podsOn(), { 'node-1': 1, 'node-2': 0, pending: 0 }));
    } finally {
      abort.abort();
      await running;
    }
  });
});
