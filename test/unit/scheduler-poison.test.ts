// Poison for the scheduler (issue 12): objects of the wrong shape written straight into the store,
// as they were before the API validated types. One of them must not stop scheduling of the others.

import assert from 'node:assert/strict';
import type { Event, KubeObject, Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Scheduler } from '../../daemon/scheduler/scheduler.js';
import { silentLogger } from '../../lib/logger.js';
import { createReadyNode, newTestCluster, newPod, type TestCluster } from '../helpers/test-cluster.js';

describe('Scheduler with poison objects in the store', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let recorder: EventRecorder;
  let scheduler: Scheduler;

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    recorder = new EventRecorder(cluster.client, { component: 'default-scheduler' }, clock);
    scheduler = new Scheduler({ client: cluster.client, recorder, clock, random: () => 0, log: silentLogger });
    await createReadyNode(cluster.client, 'node-1');
  });
  afterEach(() => cluster.close());

  /** Writes a pod as the store takes it, with no defaulting or validation. */
  const plant = (pod: unknown) => cluster.store.create('pods', pod as KubeObject);
  const poisonPod = (name: string, nodeName?: string) => {
    const pod = newPod(name) as any;
    pod.spec.containers[0].ports = '80';
    if (nodeName) pod.spec.nodeName = nodeName;
    return pod;
  };
  const eventsOn = async (name: string) => {
    await recorder.flush();
    return (await cluster.client.list<Event>('events')).items.filter((e) => e.involvedObject.name === name).map((e) => `${e.type} ${e.reason} ${e.message}`);
  };

  it('keeps scheduling after a poison pod with ports: "80" is bound to a node, and warns on that pod', async () => {
    await plant(poisonPod('poison', 'node-1'));
    await cluster.client.create('pods', newPod('good'));
    await scheduler.scheduleOnce('default/good');
    await scheduler.scheduleOnce('default/good');
    assert.equal((await cluster.client.get<Pod>('pods', 'default', 'good')).spec.nodeName, 'node-1');
    const warnings = await eventsOn('poison');
    assert.equal(warnings.length, 1, 'one warning per version of the pod, not one per pass');
    assert.match(warnings[0], /^Warning UnreadablePod .*spec\.containers\[0\]\.ports is not a list/);
  });

  it('refuses to place a pending poison pod with a warning and back-off, and schedules the next pod', async () => {
    await plant(poisonPod('poison'));
    await cluster.client.create('pods', newPod('good'));
    await assert.rejects(scheduler.scheduleOnce('default/poison'), /spec\.containers\[0\]\.ports is not a list/);
    await scheduler.scheduleOnce('default/good');
    assert.equal((await cluster.client.get<Pod>('pods', 'default', 'good')).spec.nodeName, 'node-1');
    assert.match((await eventsOn('poison'))[0], /^Warning FailedScheduling the scheduler cannot read this pod: spec\.containers\[0\]\.ports is not a list/);
  });

  it('through the work queue: the poison key is retried with growing delays while the good pod is bound', async () => {
    const failures: string[] = [];
    scheduler = new Scheduler({ client: cluster.client, recorder, clock, random: () => 0, log: { ...silentLogger, error: (message: string) => failures.push(message) } as any });
    await plant(poisonPod('poison'));
    await cluster.client.create('pods', newPod('good'));
    const abort = new AbortController();
    const running = scheduler.run(abort.signal);
    try {
      for (let i = 0; i < 200 && (await cluster.client.get<Pod>('pods', 'default', 'good')).spec.nodeName !== 'node-1'; i += 1) await new Promise((r) => setTimeout(r, 10));
      assert.equal((await cluster.client.get<Pod>('pods', 'default', 'good')).spec.nodeName, 'node-1');
      // The queue holds the poison key back: its first retry is 5 ms away, then 10, 20 ...
      for (let i = 0; i < 200 && failures.length < 1; i += 1) await new Promise((r) => setTimeout(r, 5));
      assert.ok(failures.length >= 1 && failures.every((f) => f.includes('default/poison')), failures.join('\n'));
      const before = failures.length;
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(failures.length <= before + 1, `no retry without the clock moving: ${failures.length - before} more`);
    } finally {
      abort.abort();
      await running;
    }
  });

  it('leaves a node with unreadable taints out and schedules on the others', async () => {
    await cluster.store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bad-node' }, spec: { taints: 'x' }, status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } } as any);
    await cluster.client.create('pods', newPod('good'));
    await scheduler.scheduleOnce('default/good');
    assert.equal((await cluster.client.get<Pod>('pods', 'default', 'good')).spec.nodeName, 'node-1');
  });
});
