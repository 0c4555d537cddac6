// DaemonSets on a simulated three-host lab (one `kubelab lab up`): the log reader of
// examples/daemonset runs one pod on every node; a host that is killed and restarted gets its
// daemon pod back; a rolling update replaces the pods one node at a time, which a watch checks at
// every change: with maxUnavailable 1, never more than one node is without a ready daemon pod.

import assert from 'node:assert/strict';
import path from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import type { Watch } from '../../lib/client/api-client.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { TestLab } from '../../harness/test-lab.js';
import { untilPasses } from '../helpers/until-passes.js';

const examples = path.resolve(import.meta.dirname, '../../examples/daemonset');
const NODES = ['node1', 'node2', 'node3'];
const SELECTOR = 'app=log-reader';

const isReady = (p: Pod) =>
  !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && Boolean(p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
const hashOf = (p: Pod) => p.metadata.labels?.['controller-revision-hash'];

describe('DaemonSets on a three-host lab', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let client: RestClient;

  const readerPods = async () => (await client.list<Pod>('pods', { namespace: 'default', labelSelector: SELECTOR })).items;

  /** One ready pod on each node and nothing else (no extra, none being deleted); returns them by node. */
  async function onePerNode(check: (pod: Pod) => boolean = () => true, timeoutMs = 180_000): Promise<Map<string, Pod>> {
    let byNode = new Map<string, Pod>();
    await untilPasses(async () => {
      const pods = await readerPods();
      byNode = new Map(pods.map((p) => [p.spec.nodeName ?? '', p]));
      assert.equal(pods.length, NODES.length, `pods: ${pods.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(', ')}`);
      assert.deepEqual([...byNode.keys()].sort(), NODES);
      for (const pod of pods) assert.ok(isReady(pod) && check(pod), `${pod.metadata.name} on ${pod.spec.nodeName} is not ready yet`);
    }, timeoutMs, 1_000);
    return byNode;
  }

  before(async function () {
    this.timeout(300_000);
    lab = await TestLab.up(3);
    client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
  });

  after(async function () {
    this.timeout(300_000);
    client?.close();
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down();
  });

  it('runs one log reader pod on every node', async () => {
    await lab.ok(['apply', '-f', path.join(examples, 'log-reader.yml')]);
    await onePerNode();
    await untilPasses(async () => {
      const [header, row] = (await lab.ok(['get', 'ds', 'log-reader'])).trim().split('\n').map((line) => line.trim().split(/\s{2,}/));
      assert.deepEqual(header, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
      assert.deepEqual(row.slice(0, 7), ['log-reader', '3', '3', '3', '3', '3', '<none>']);
    }, 30_000, 1_000);
  });

  it('a killed host, once restarted, runs its daemon pod again', async () => {
    const killed = await lab.lab(['kill', 'node3']);
    assert.equal(killed.code, 0, killed.stderr);
    // The node goes NotReady/unreachable; its daemon pod tolerates that and is not evicted.
    await untilPasses(async () => {
      const onNode3 = (await readerPods()).filter((p) => p.spec.nodeName === 'node3');
      assert.equal(onNode3.length, 1);
      assert.ok(!isReady(onNode3[0]), 'the pod on the killed node is no longer ready');
    }, 120_000, 1_000);
    const restarted = await lab.lab(['restart', 'node3'], 180_000);
    assert.equal(restarted.code, 0, restarted.stderr);
    await onePerNode();
  });

  it('a rolling update replaces the pods one node at a time (never two nodes without a ready pod)', async () => {
    const before = await onePerNode();
    const oldHash = hashOf([...before.values()][0]);
    const current = new Map<string, Pod>();
    const violations: string[] = [];
    let worst = 0;
    const judge = () => {
      const nodesWithReadyPod = new Set([...current.values()].filter(isReady).map((p) => p.spec.nodeName));
      const down = NODES.filter((n) => !nodesWithReadyPod.has(n));
      worst = Math.max(worst, down.length);
      if (down.length > 1) violations.push(`nodes without a ready daemon pod: ${down.join(', ')}`);
    };
    const list = await client.list<Pod>('pods', { namespace: 'default', labelSelector: SELECTOR });
    for (const pod of list.items) current.set(pod.metadata.uid!, pod);
    const watch: Watch = client.watch<Pod>('pods', { namespace: 'default', labelSelector: SELECTOR, resourceVersion: list.metadata.resourceVersion }, (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') current.set(event.object.metadata.uid!, event.object);
      else if (event.type === 'DELETED') current.delete(event.object.metadata.uid!);
      else return;
      judge();
    });
    try {
      await lab.ok(['apply', '-f', path.join(examples, 'log-reader-v2.yml')]);
      const status = await lab.ok(['rollout', 'status', 'ds/log-reader', '--timeout=300s'], { timeoutMs: 310_000 });
      assert.match(status, /daemon set "log-reader" successfully rolled out\n$/);
      const after = await onePerNode((pod) => hashOf(pod) !== oldHash);
      for (const node of NODES) assert.notEqual(after.get(node)!.metadata.uid, before.get(node)!.metadata.uid, `the pod on ${node} was replaced`);
    } finally {
      watch.stop();
    }
    assert.deepEqual(violations, []);
    // It did take nodes down, one at a time.
    assert.equal(worst, 1);
    const history = await lab.ok(['rollout', 'history', 'ds/log-reader']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
  });
});
