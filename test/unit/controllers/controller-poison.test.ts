// Poison for the controllers (issue 12): objects of the wrong shape written straight into the
// store, as they could be before the API validated types. The controller records a Warning event
// on each (once per version), retries it with back-off, and keeps converging the good objects.

import assert from 'node:assert/strict';
import type { Event, KubeObject, ReplicaSet } from '../../../lib/api/types.js';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, ReplicaSetController } from '../../../daemon/controllers/replicaset/replica-set-controller.js';
import { eventually, podsOf, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } });

describe('controllers with poison objects in the store', () => {
  let cluster: ControllerCluster;
  let abort: AbortController;
  let running: Promise<void>[];

  beforeEach(async () => {
    cluster = await startControllerCluster();
    abort = new AbortController();
    running = [];
  });
  afterEach(async () => {
    abort.abort();
    await Promise.all(running);
    await cluster.close();
  });

  const plant = (resource: string, object: unknown) => cluster.store.create(resource, object as KubeObject);
  const warningsOn = async (name: string) => {
    const events = (await cluster.client.list<Event>('events', { namespace: 'default' })).items;
    return events.filter((e) => e.involvedObject.name === name && e.type === 'Warning').map((e) => `${e.reason}: ${e.message}`);
  };

  it('a ReplicaSet whose selector cannot be read gets a ReconcileError event; the good ReplicaSet gets its pods', async () => {
    const failures: string[] = [];
    const recorder = cluster.recorderFor('replicaset-controller');
    const controller = new ReplicaSetController(REPLICA_SET_KIND, { client: cluster.client, clock: cluster.clock, recorder, onError: (key) => failures.push(key) });
    await plant('replicasets.apps', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'poison', namespace: 'default' }, spec: { replicas: 1, selector: { matchExpressions: 'x' }, template: template('poison') } });
    await cluster.client.create<ReplicaSet>('replicasets.apps', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'good', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'good' } }, template: template('good') } });
    running.push(controller.run(abort.signal));

    await eventually(async () => assert.equal((await podsOf(cluster.client, 'app=good')).length, 2), cluster.clock);
    await eventually(async () => {
      await recorder.flush();
      const warnings = await warningsOn('poison');
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /^ReconcileError: replicaset-controller cannot handle this object: .*matchExpressions/);
    }, cluster.clock);
    assert.ok(failures.every((key) => key === 'default/poison'), failures.join(', '));
    // Retries back off: the failures grow with the log of the time passed, not with every pass.
    const before = failures.length;
    for (let i = 0; i < 20; i += 1) await cluster.clock.advance(1000);
    assert.ok(failures.length - before <= 12, `${failures.length - before} retries in 20 s`);
    await recorder.flush();
    assert.equal((await warningsOn('poison')).length, 1, 'still one event (once per version of the object)');
  });

  it('a ReplicationController whose selector is a list (so it selects nothing of its template) creates no pod and says why', async () => {
    const recorder = cluster.recorderFor('replication-controller');
    const controller = new ReplicaSetController(REPLICATION_CONTROLLER_KIND, { client: cluster.client, clock: cluster.clock, recorder, onError: () => {} });
    await plant('replicationcontrollers', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'poison', namespace: 'default' }, spec: { replicas: 1, selector: ['a'], template: template('a') } });
    await cluster.client.create('replicationcontrollers', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'good', namespace: 'default' }, spec: { replicas: 1, selector: { app: 'good' }, template: template('good') } });
    running.push(controller.run(abort.signal));
    await eventually(async () => assert.equal((await podsOf(cluster.client, 'app=good')).length, 1), cluster.clock);
    await eventually(async () => {
      await recorder.flush();
      assert.match((await warningsOn('poison')).join('\n'), /SelectorMismatch: spec\.selector does not select/);
    }, cluster.clock);
    assert.equal((await podsOf(cluster.client)).length, 1, 'only the good pod: no storm of orphans');
  });
});
