import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../../lib/api/types.js';
import { DaemonSetController, DAEMON_SET_COMPONENT } from '../../../daemon/controllers/daemonset/daemon-set-controller.js';
import { controllerOf } from '../../../daemon/controllers/controller-ref.js';
import { createReadyNode, eventually, markPodsReady, podsOf, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

const daemonSet = (image: string): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'logs', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'logs' } },
    template: { metadata: { labels: { app: 'logs' } }, spec: { containers: [{ name: 'reader', image }] } },
  },
});

describe('DaemonSetController (component, LocalClient + ManualClock)', () => {
  let cluster: ControllerCluster;
  let abort: AbortController;
  let running: Promise<void>;

  beforeEach(async () => {
    cluster = await startControllerCluster();
    abort = new AbortController();
    const controller = new DaemonSetController({ client: cluster.client, clock: cluster.clock, recorder: cluster.recorderFor(DAEMON_SET_COMPONENT), onError: () => {} });
    running = controller.run(abort.signal);
  });
  afterEach(async () => {
    abort.abort();
    await running;
    await cluster.close();
  });

  /** What the kubelet does for a pod being deleted when nothing runs it: finish at once. */
  async function finishDeletions(): Promise<void> {
    for (const pod of await podsOf(cluster.client)) {
      if (pod.metadata.deletionTimestamp) await cluster.client.delete('pods', 'default', pod.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  }

  const byNode = async () => new Map((await podsOf(cluster.client)).filter((p) => !p.metadata.deletionTimestamp).map((p) => [p.spec.nodeName, p]));

  it('puts one pod on every node, bound to it, with the daemon tolerations, and counts them', async () => {
    await createReadyNode(cluster.client, 'n1');
    await createReadyNode(cluster.client, 'n2');
    await cluster.client.create('daemonsets.apps', daemonSet('kubelab/busybox:1'));
    const pods = await eventually(async () => {
      const found = await byNode();
      assert.deepEqual([...found.keys()].sort(), ['n1', 'n2']);
      return found;
    }, cluster.clock);
    const pod = pods.get('n1')!;
    assert.equal(controllerOf(pod)?.kind, 'DaemonSet');
    assert.ok(pod.metadata.labels?.['controller-revision-hash']);
    assert.ok(pod.spec.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
    const revisions = (await cluster.client.list<ControllerRevision>('controllerrevisions.apps', { namespace: 'default' })).items;
    assert.deepEqual(revisions.map((r) => [r.metadata.name, r.revision]), [[`logs-${pod.metadata.labels?.['controller-revision-hash']}`, 1]]);

    await markPodsReady(cluster.client, cluster.clock);
    await eventually(async () => {
      const ds = await cluster.client.get<DaemonSet>('daemonsets.apps', 'default', 'logs');
      assert.deepEqual(ds.status, {
        currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2,
        updatedNumberScheduled: 2, numberAvailable: 2, numberUnavailable: 0, observedGeneration: 1,
      });
    }, cluster.clock);
  });

  it('follows the nodes: a node that joins gets a pod, a NoExecute taint removes it', async () => {
    await createReadyNode(cluster.client, 'n1');
    await cluster.client.create('daemonsets.apps', daemonSet('kubelab/busybox:1'));
    await eventually(async () => assert.deepEqual([...(await byNode()).keys()], ['n1']), cluster.clock);
    await createReadyNode(cluster.client, 'n2');
    await eventually(async () => assert.deepEqual([...(await byNode()).keys()].sort(), ['n1', 'n2']), cluster.clock);

    const n2 = await cluster.client.get<Node>('nodes', undefined, 'n2');
    await cluster.client.update('nodes', { ...n2, spec: { ...n2.spec, taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
    await eventually(async () => {
      await finishDeletions();
      assert.deepEqual([...(await byNode()).keys()], ['n1']);
    }, cluster.clock);
  });

  it('replaces a failed pod, then backs off (1 s, 2 s ...) when the new one fails too', async () => {
    await createReadyNode(cluster.client, 'n1');
    await cluster.client.create('daemonsets.apps', daemonSet('kubelab/busybox:1'));
    const fail = async () => {
      const [pod] = await eventually(async () => {
        const pods = (await podsOf(cluster.client)).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed');
        assert.equal(pods.length, 1);
        return pods;
      }, cluster.clock, { stepMs: 0 });
      await cluster.client.updateStatus<Pod>('pods', { ...pod, status: { phase: 'Failed', reason: 'NodeAffinity' } });
      return pod.metadata.name!;
    };
    const first = await fail();
    await eventually(async () => {
      await finishDeletions();
      assert.ok(!(await podsOf(cluster.client)).some((p) => p.metadata.name === first), 'the first failed pod is replaced at once');
    }, cluster.clock, { stepMs: 0 });
    const second = await fail();
    // Without the clock moving, the second failure waits out the 1 s back-off.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok((await podsOf(cluster.client)).some((p) => p.metadata.name === second && !p.metadata.deletionTimestamp), 'still there within its back-off');
    await cluster.clock.advance(1_100);
    await eventually(async () => {
      await finishDeletions();
      assert.ok(!(await podsOf(cluster.client)).some((p) => p.metadata.name === second), 'replaced once the back-off ended');
    }, cluster.clock, { stepMs: 0 });
  });

  it('rolls a new template out node by node and records a second revision', async () => {
    for (const name of ['n1', 'n2', 'n3']) await createReadyNode(cluster.client, name);
    await cluster.client.create('daemonsets.apps', daemonSet('kubelab/busybox:1'));
    await eventually(async () => assert.equal((await byNode()).size, 3), cluster.clock);
    await markPodsReady(cluster.client, cluster.clock);
    const oldHash = [...(await byNode()).values()][0].metadata.labels?.['controller-revision-hash'];
    // The controller reports the ready pods in the status; editing before that write landed would
    // be a conflict with it (as `kubectl edit` racing a controller gets one).
    await eventually(async () => assert.equal((await cluster.client.get<DaemonSet>('daemonsets.apps', 'default', 'logs')).status?.numberReady, 3), cluster.clock);

    const ds = await cluster.client.get<DaemonSet>('daemonsets.apps', 'default', 'logs');
    ds.spec.template.spec.containers[0].command = ['sh', '-c', 'echo v2'];
    await cluster.client.update('daemonsets.apps', ds);
    let worst = 0;
    await eventually(async () => {
      const pods: Pod[] = await podsOf(cluster.client);
      const readyNodes = new Set(pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.spec.nodeName));
      worst = Math.max(worst, 3 - readyNodes.size);
      await finishDeletions();
      await markPodsReady(cluster.client, cluster.clock);
      const now = await byNode();
      assert.equal(now.size, 3);
      assert.ok([...now.values()].every((p) => p.metadata.labels?.['controller-revision-hash'] !== oldHash));
    }, cluster.clock, { timeoutMs: 10_000 });
    assert.ok(worst <= 1, `one node at a time, saw ${worst} down at once`);
    const revisions = (await cluster.client.list<ControllerRevision>('controllerrevisions.apps', { namespace: 'default' })).items;
    assert.deepEqual(revisions.map((r) => r.revision).sort(), [1, 2]);
  });
});
