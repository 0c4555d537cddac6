import assert from 'node:assert/strict';
import { ManualClock } from '../../lib/clock.js';
import type { Event, Namespace, Node, Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { newTestCluster, type TestCluster } from '../helpers/test-cluster.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'uid-1', resourceVersion: '7' },
  spec: { containers: [{ name: 'c', image: 'i' }] },
};

describe('EventRecorder', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let client: ApiClient;
  let recorder: EventRecorder;

  beforeEach(async () => {
    clock = new ManualClock('2025-03-01T10:00:00Z');
    cluster = await newTestCluster(() => clock.now());
    client = cluster.client;
    // The pod's namespace must exist: the API server refuses objects in a missing one.
    await client.create<Namespace>('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    recorder = new EventRecorder(client, { component: 'kubelet', host: 'node-1' }, clock);
  });
  afterEach(() => cluster.close());

  const events = async () => (await client.list<Event>('events')).items;

  it('writes an Event that names the object, the source and the time', async () => {
    recorder.record(pod, 'Normal', 'Started', 'Started container c');
    await recorder.flush();
    const [event] = await events();
    assert.match(event.metadata.name!, /^web\.[0-9a-f]{16}$/);
    assert.equal(event.metadata.namespace, 'shop');
    assert.deepEqual(event.involvedObject, { kind: 'Pod', namespace: 'shop', name: 'web', uid: 'uid-1', apiVersion: 'v1', resourceVersion: '7' });
    assert.equal(event.type, 'Normal');
    assert.equal(event.reason, 'Started');
    assert.equal(event.message, 'Started container c');
    assert.deepEqual(event.source, { component: 'kubelet', host: 'node-1' });
    assert.equal(event.reportingComponent, 'kubelet');
    assert.equal(event.count, 1);
    assert.equal(event.firstTimestamp, '2025-03-01T10:00:00Z');
    assert.equal(event.lastTimestamp, '2025-03-01T10:00:00Z');
    // MicroTime, as events.k8s.io writes it, with what Kubernetes requires beside it: `kubelab trace pod` orders by it.
    assert.equal(event.eventTime, '2025-03-01T10:00:00.000000Z');
    assert.equal(event.action, 'Started');
    assert.equal(event.reportingInstance, 'node-1');
  });

  it('keeps the sub-second time of the first occurrence in eventTime, also when a repeat is folded in', async () => {
    clock.set('2025-03-01T10:00:00.437Z');
    recorder.record(pod, 'Warning', 'Unhealthy', 'Readiness probe failed');
    await recorder.flush();
    clock.set('2025-03-01T10:00:05.120Z');
    recorder.record(pod, 'Warning', 'Unhealthy', 'Readiness probe failed');
    await recorder.flush();
    const [event] = await events();
    assert.equal(event.count, 2);
    assert.equal(event.eventTime, '2025-03-01T10:00:00.437000Z');
    assert.equal(event.lastTimestamp, '2025-03-01T10:00:05Z');
  });

  it('two recorders of one process telling about one object in the same millisecond write two events', async () => {
    const scheduler = new EventRecorder(client, { component: 'default-scheduler' }, clock);
    recorder.record(pod, 'Normal', 'Seen', 'seen');
    scheduler.record(pod, 'Normal', 'Scheduled', 'Successfully assigned shop/web to node-1');
    await Promise.all([recorder.flush(), scheduler.flush()]);
    assert.deepEqual((await events()).map((e) => e.reason).sort(), ['Scheduled', 'Seen']);
  });

  it('names the container in fieldPath when told, as the kubelet does', async () => {
    recorder.record(pod, 'Normal', 'Started', 'Started container c', { fieldPath: 'spec.containers{c}' });
    await recorder.flush();
    const [event] = await events();
    assert.equal(event.involvedObject.fieldPath, 'spec.containers{c}');
  });

  it('records the time the caller gives when the step happened before now', async () => {
    recorder.record(pod, 'Normal', 'Accepted', 'Pod accepted', { at: new Date('2025-03-01T09:59:59.990Z') });
    await recorder.flush();
    const [event] = await events();
    assert.equal(event.eventTime, '2025-03-01T09:59:59.990000Z');
  });

  it('folds a repeat within 10 minutes into the same Event: count and lastTimestamp grow', async () => {
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container c in pod web_shop(uid-1)');
    await recorder.flush();
    clock.set('2025-03-01T10:04:00Z');
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container c in pod web_shop(uid-1)');
    clock.set('2025-03-01T10:09:00Z');
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container c in pod web_shop(uid-1)');
    await recorder.flush();
    const all = await events();
    assert.equal(all.length, 1);
    assert.equal(all[0].count, 3);
    assert.equal(all[0].firstTimestamp, '2025-03-01T10:00:00Z');
    assert.equal(all[0].lastTimestamp, '2025-03-01T10:09:00Z');
  });

  it('starts a new Event after 10 minutes of silence, or for another reason, message or object', async () => {
    recorder.record(pod, 'Normal', 'Pulled', 'pulled');
    await recorder.flush();
    clock.set('2025-03-01T10:10:01Z');
    recorder.record(pod, 'Normal', 'Pulled', 'pulled');
    recorder.record(pod, 'Normal', 'Pulled', 'pulled again');
    recorder.record({ ...pod, metadata: { ...pod.metadata, uid: 'uid-2' } }, 'Normal', 'Pulled', 'pulled');
    await recorder.flush();
    const counts = (await events()).map((e) => e.count);
    assert.deepEqual(counts, [1, 1, 1, 1]);
  });

  it('writes events about cluster-scoped objects to the default namespace', async () => {
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n1' }, spec: {} };
    recorder.record(node, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady');
    await recorder.flush();
    const [event] = await events();
    assert.equal(event.metadata.namespace, 'default');
    assert.equal(event.involvedObject.namespace, undefined);
  });

  it('creates a new Event when the aggregated one was deleted', async () => {
    recorder.record(pod, 'Normal', 'Killing', 'Stopping container c');
    await recorder.flush();
    const [first] = await events();
    await client.delete('events', 'shop', first.metadata.name!);
    recorder.record(pod, 'Normal', 'Killing', 'Stopping container c');
    await recorder.flush();
    const all = await events();
    assert.equal(all.length, 1);
    assert.equal(all[0].count, 1);
  });

  it('never throws into the caller when the write fails', async () => {
    const failures: string[] = [];
    // The real client, except that every create fails as if the API server were down.
    const down: ApiClient = Object.assign(Object.create(client) as ApiClient, { create: () => Promise.reject(new Error('API down')) });
    const broken = new EventRecorder(
      down,
      { component: 'kubelet' },
      clock,
      { onError: (err) => failures.push((err as Error).message) },
    );
    assert.doesNotThrow(() => broken.record(pod, 'Normal', 'Started', 'x'));
    await broken.flush();
    assert.deepEqual(failures, ['API down']);
  });
});
