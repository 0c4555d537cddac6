import assert from 'node:assert/strict';
import type { Deployment, Event, Pod, ReplicaSet } from '../../../lib/api/types.js';
import { startControllers } from '../../../daemon/controllers/controller-manager.js';
import { isPodActive, isPodReady } from '../../../daemon/controllers/pod-state.js';
import { controllerOf } from '../../../daemon/controllers/controller-ref.js';
import { eventually, markPodsReady, podsOf, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

const D = 'deployments.apps';
const RS = 'replicasets.apps';

function deployment(name: string, replicas: number, image: string, strategy: Deployment['spec']['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: {
      replicas, selector: { matchLabels: { app: name } }, strategy,
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}

describe('DeploymentController (component, LocalClient + ManualClock)', function () {
  this.timeout(20_000);
  let cluster: ControllerCluster;
  let abort: AbortController;
  let running: Promise<void>;

  async function startManager() {
    abort = new AbortController();
    running = startControllers({ client: cluster.client, clock: cluster.clock, recorderFor: cluster.recorderFor, signal: abort.signal, onError: () => {} });
  }
  async function stopManager() {
    abort.abort();
    await running;
  }

  beforeEach(async () => {
    cluster = await startControllerCluster();
    await startManager();
  });
  afterEach(async () => {
    await stopManager();
    await cluster.close();
  });

  const get = (name: string) => cluster.client.get<Deployment>(D, 'default', name);
  const replicaSets = async () => (await cluster.client.list<ReplicaSet>(RS, { namespace: 'default' })).items;

  /** Marks pods ready until the Deployment reports a finished rollout. */
  async function rollOut(name: string): Promise<Deployment> {
    return eventually(async () => {
      await markPodsReady(cluster.client, cluster.clock);
      const d = await get(name);
      const replicas = d.spec.replicas ?? 1;
      assert.equal(d.status?.observedGeneration, d.metadata.generation);
      assert.equal(d.status?.updatedReplicas, replicas);
      assert.equal(d.status?.replicas, replicas);
      assert.equal(d.status?.availableReplicas, replicas);
      return d;
    }, cluster.clock, { timeoutMs: 10_000 });
  }

  it('creates <name>-<hash> with pod-template-hash labels, revision 1 and the conditions rollout status reads', async () => {
    await cluster.client.create(D, deployment('web', 2, 'hello:v1'));
    const d = await rollOut('web');
    const [rs] = await replicaSets();
    const hash = rs.metadata.labels?.['pod-template-hash'];
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs.spec.template.metadata?.labels?.['pod-template-hash'], hash);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '2');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '3');
    assert.equal(controllerOf(rs)?.uid, d.metadata.uid);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.reason, 'NewReplicaSetAvailable');
    assert.equal(progressing?.message, `ReplicaSet "${rs.metadata.name}" has successfully progressed.`);
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasAvailable');
    const events = (await cluster.client.list<Event>('events', { namespace: 'default' })).items;
    assert.ok(events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set ${rs.metadata.name} to 2 from 0`));
  });

  it('rolls v1 → v2 without ever dropping below replicas - maxUnavailable ready pods', async () => {
    await cluster.client.create(D, deployment('web', 4, 'hello:v1'));
    await rollOut('web');

    // Sample every step: after each pod change, count active ready pods.
    let lowest = Infinity;
    let highest = 0;
    const samples: number[] = [];
    const watch = cluster.client.watch<Pod>('pods', { namespace: 'default', resourceVersion: cluster.store.currentResourceVersion().toString() }, () => {
      void podsOf(cluster.client).then((pods) => {
        const active = pods.filter(isPodActive);
        const ready = active.filter(isPodReady).length;
        samples.push(ready);
        lowest = Math.min(lowest, ready);
        highest = Math.max(highest, active.length);
      });
    });
    const current = await get('web');
    await cluster.client.update(D, { ...current, spec: { ...current.spec, template: { ...current.spec.template, spec: { containers: [{ name: 'web', image: 'hello:v2' }] } } } });
    const d = await rollOut('web');
    watch.stop();
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(samples.length > 8, `sampled ${samples.length} steps`);
    assert.ok(lowest >= 3, `ready pods fell to ${lowest}`);
    assert.ok(highest <= 5, `pods rose to ${highest}, above replicas + maxSurge`);
    const pods = await podsOf(cluster.client);
    assert.equal(pods.length, 4);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'hello:v2'));
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const sets = await replicaSets();
    assert.equal(sets.length, 2);
    assert.deepEqual(sets.map((rs) => rs.spec.replicas).sort(), [0, 4]);
  });

  it('undo (kubectl\'s JSON patch) re-uses the old ReplicaSet and renumbers it 1 → 3', async () => {
    await cluster.client.create(D, deployment('web', 2, 'hello:v1'));
    await rollOut('web');
    const v1 = (await replicaSets())[0];
    const current = await get('web');
    await cluster.client.update(D, { ...current, spec: { ...current.spec, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'hello:v2' }] } } } });
    await rollOut('web');
    assert.equal((await replicaSets()).length, 2);

    await cluster.client.patch(D, 'default', 'web', [
      { op: 'replace', path: '/spec/template', value: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'hello:v1', resources: {} }] } } },
    ], 'json');
    const d = await rollOut('web');
    const sets = await replicaSets();
    assert.equal(sets.length, 2, 'no third ReplicaSet');
    const reused = sets.find((rs) => rs.metadata.uid === v1.metadata.uid)!;
    assert.equal(reused.spec.replicas, 2);
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  it('paused: a template change is not rolled out, scaling works, observedGeneration follows; resume rolls out', async () => {
    await cluster.client.create(D, deployment('web', 2, 'hello:v1'));
    await rollOut('web');
    await cluster.client.patch(D, 'default', 'web', { spec: { paused: true } }, 'merge');
    await cluster.client.patch(D, 'default', 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'hello:v2' }] } } } }, 'merge');
    await cluster.client.patch(D, 'default', 'web', { spec: { replicas: 3 } }, 'merge', { subresource: 'scale' });
    const paused = await eventually(async () => {
      await markPodsReady(cluster.client, cluster.clock);
      const d = await get('web');
      assert.equal(d.status?.observedGeneration, d.metadata.generation);
      assert.equal(d.status?.availableReplicas, 3);
      return d;
    }, cluster.clock);
    assert.equal(paused.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'DeploymentPaused');
    assert.equal((await replicaSets()).length, 1, 'no new ReplicaSet while paused');
    assert.ok((await podsOf(cluster.client)).every((p) => p.spec.containers[0].image === 'hello:v1'));

    await cluster.client.patch(D, 'default', 'web', { spec: { paused: null } }, 'merge');
    await rollOut('web');
    const pods = await podsOf(cluster.client);
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'hello:v2'));
  });

  it('Recreate: the new ReplicaSet gets pods only after every old pod is gone', async () => {
    await cluster.client.create(D, deployment('web', 3, 'hello:v1', { type: 'Recreate' }));
    await rollOut('web');
    let mixed = false;
    const watch = cluster.client.watch<Pod>('pods', { namespace: 'default', resourceVersion: cluster.store.currentResourceVersion().toString() }, () => {
      void podsOf(cluster.client).then((pods) => {
        const images = new Set(pods.map((p) => p.spec.containers[0].image));
        if (images.size > 1) mixed = true;
      });
    });
    const current = await get('web');
    await cluster.client.update(D, { ...current, spec: { ...current.spec, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'hello:v2' }] } } } });
    await rollOut('web');
    watch.stop();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(mixed, false, 'v1 and v2 pods never existed together');
    const events = (await cluster.client.list<Event>('events', { namespace: 'default' })).items.map((e) => e.message ?? '');
    assert.ok(events.some((m) => /^Scaled down replica set web-\w+ to 0 from 3$/.test(m)));
  });

  it('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
    const d0 = deployment('web', 1, 'hello:v1');
    d0.spec.revisionHistoryLimit = 1;
    await cluster.client.create(D, d0);
    await rollOut('web');
    for (const image of ['hello:v2', 'hello:v3', 'hello:v4']) {
      const current = await get('web');
      await cluster.client.update(D, { ...current, spec: { ...current.spec, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } } } });
      await rollOut('web');
    }
    const sets = await eventually(async () => {
      const all = await replicaSets();
      assert.equal(all.length, 2);
      return all;
    }, cluster.clock);
    assert.deepEqual(sets.map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
  });

  it('deleting a Deployment collects its ReplicaSets and pods; --cascade=orphan leaves them', async () => {
    await cluster.client.create(D, deployment('gone', 2, 'hello:v1'));
    await cluster.client.create(D, deployment('kept', 2, 'hello:v1'));
    await rollOut('gone');
    await rollOut('kept');

    await cluster.client.delete(D, 'default', 'gone', { propagationPolicy: 'Background' });
    await cluster.client.delete(D, 'default', 'kept', { propagationPolicy: 'Orphan' });
    await eventually(async () => {
      const pods = await podsOf(cluster.client);
      assert.equal(pods.filter((p) => p.metadata.labels?.app === 'gone').length, 0);
      assert.equal((await replicaSets()).filter((rs) => rs.metadata.labels?.app === 'gone').length, 0);
      await assert.rejects(get('kept'), /not found/);
    }, cluster.clock, { timeoutMs: 8000 });
    const keptSets = (await replicaSets()).filter((rs) => rs.metadata.labels?.app === 'kept');
    assert.equal(keptSets.length, 1);
    assert.deepEqual(keptSets[0].metadata.ownerReferences ?? [], []);
    assert.equal((await podsOf(cluster.client, 'app=kept')).length, 2, 'the orphaned ReplicaSet keeps its pods');
  });

  it('a crash in the middle of a scale-up converges without duplicate pods', async () => {
    await cluster.client.create(D, deployment('web', 2, 'hello:v1'));
    await rollOut('web');
    await cluster.client.patch(D, 'default', 'web', { spec: { replicas: 20 } }, 'merge', { subresource: 'scale' });
    // Stop as soon as some (not all) of the new pods exist.
    await eventually(async () => assert.ok((await podsOf(cluster.client)).length > 2), cluster.clock, { stepMs: 1 });
    await stopManager();
    const atCrash = (await podsOf(cluster.client)).length;
    await startManager();
    await rollOut('web');
    const pods = await podsOf(cluster.client);
    assert.equal(pods.length, 20, `had ${atCrash} at the crash`);
    assert.equal(new Set(pods.map((p) => p.metadata.name)).size, 20);
  });
});
