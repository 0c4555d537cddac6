// Node maintenance on a real single-node kubelabd: cordon keeps new pods Pending and says why,
// uncordon lets them run, drain refuses an unmanaged pod, then (with --force) evicts every pod
// through the Eviction API and waits until they are gone, while the ReplicationController's
// replacement waits Pending on the cordoned node. The same drain with the real kubectl.
//
// covers: Node spec.unschedulable

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject, Pod } from '../../lib/api/types.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';
import { replicationControllerYaml } from '../helpers/kubectl-manifests.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

/** A bare pod (no controller) that stops at once on SIGTERM. */
const barePodYaml = (name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - {name: c, image: kubelab/busybox:1, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]}
`;

/** A DaemonSet: one pod on the node, which drain must leave alone (it tolerates the cordon). */
const daemonSetYaml = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - {name: c, image: kubelab/busybox:1, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]}
`;

describe('cordon, uncordon and drain on a real single-node cluster', function () {
  this.timeout(180_000);
  let daemon: TestDaemon | undefined;
  let dir: string;
  let node: string;

  const file = async (name: string, content: string) => {
    const target = path.join(dir, name);
    await fs.writeFile(target, content);
    return target;
  };
  const kubelab = async (args: string[]) => daemon!.kubelab(args, { timeoutMs: 90_000 });
  const ok = async (args: string[]) => {
    const r = await kubelab(args);
    assert.equal(r.code, 0, `kubelab ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const podsOf = async (app: string): Promise<Pod[]> => JSON.parse(await ok(['get', 'pods', '-l', `app=${app}`, '-o', 'json'])).items;
  const getPod = async (name: string): Promise<Pod | undefined> => {
    const r = await kubelab(['get', 'pod', name, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };
  const scheduledCondition = (pod: Pod | undefined) => pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const runningOn = async (pod: Pod | undefined) => pod?.spec.nodeName === node && pod.status?.phase === 'Running';

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-drain-'));
    daemon = await TestDaemon.start();
    node = daemon.nodeName;
  });
  after(async () => {
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('cordon: a new pod stays Pending and its FailedScheduling event says the node is unschedulable', async () => {
    assert.equal(await ok(['cordon', node]), `node/${node} cordoned\n`);
    assert.equal(await ok(['cordon', node]), `node/${node} already cordoned\n`);
    await ok(['create', '-f', await file('web.yaml', barePodYaml('web'))]);

    const pending = await eventually(async () => {
      const pod = await getPod('web');
      return scheduledCondition(pod)?.status === 'False' ? pod : undefined;
    });
    assert.equal(pending.spec.nodeName, undefined);
    assert.equal(scheduledCondition(pending)?.message, '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    const events: KubeObject[] = JSON.parse(await ok(['get', 'events', '-o', 'json'])).items;
    const failed = events.find((e) => e.reason === 'FailedScheduling' && (e.involvedObject as { name?: string }).name === 'web');
    assert.match(String(failed?.message), /node\(s\) were unschedulable/);
  });

  it('uncordon: the pending pod is scheduled and runs', async () => {
    assert.equal(await ok(['uncordon', node]), `node/${node} uncordoned\n`);
    assert.equal(await ok(['uncordon', node]), `node/${node} already uncordoned\n`);
    await eventually(async () => runningOn(await getPod('web')), 60_000);
  });

  it('drain refuses a pod that declares no controller, but leaves the node cordoned', async () => {
    await ok(['create', '-f', await file('rc.yaml', replicationControllerYaml('drained'))]);
    await eventually(async () => (await podsOf('drained')).some((p) => p.status?.phase === 'Running'), 60_000);

    const refused = await kubelab(['drain', node]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, `node/${node} cordoned\n`);
    assert.equal(
      refused.stderr,
      `error: unable to drain node "${node}" due to error: cannot delete Pods that declare no controller (use --force to override): default/web, continuing command...\n` +
        `There are pending nodes to be drained:\n ${node}\n` +
        'cannot delete Pods that declare no controller (use --force to override): default/web\n',
    );
    assert.ok(await runningOn(await getPod('web')), 'a refused drain evicts nothing');
  });

  it('drain --force evicts every pod, waits until they are gone; the RC replacement waits Pending', async () => {
    const [old] = await podsOf('drained');
    const drained = await kubelab(['drain', node, '--force', '--grace-period', '5', '--timeout', '60s']);
    assert.equal(drained.code, 0, drained.stderr);
    assert.equal(drained.stderr, 'Warning: deleting Pods that declare no controller: default/web\n');
    const lines = drained.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `node/${node} already cordoned`);
    assert.deepEqual(lines.slice(1, 3).sort(), [`evicting pod default/${old.metadata.name}`, 'evicting pod default/web'].sort());
    assert.deepEqual(lines.slice(3, 5).sort(), [`pod/${old.metadata.name} evicted`, 'pod/web evicted'].sort());
    assert.equal(lines[5], `node/${node} drained`);

    // Gone when drain returned, not just terminating.
    assert.equal(await getPod(old.metadata.name!), undefined);
    assert.equal(await getPod('web'), undefined);
    const replacement = await eventually(async () => {
      const pods = await podsOf('drained');
      return pods.find((p) => p.metadata.name !== old.metadata.name && scheduledCondition(p)?.status === 'False');
    });
    assert.equal(replacement.spec.nodeName, undefined);
    assert.match(String(scheduledCondition(replacement)?.message), /1 node\(s\) were unschedulable/);

    await ok(['uncordon', node]);
    await eventually(async () => runningOn(await getPod(replacement.metadata.name!)), 60_000);
  });

  describe('with the real kubectl', () => {
    let kubectl: Kubectl;
    before(async function () {
      kubectl = await Kubectl.forDaemon(requireKubectl(this), daemon!);
    });
    after(async () => {
      await kubectl?.killAll();
    });

    it('kubectl drain finds pods/eviction in discovery, evicts through it and waits; kubectl uncordon', async () => {
      const [pod] = await podsOf('drained');
      await eventually(async () => runningOn(await getPod(pod.metadata.name!)), 60_000);
      const result = await kubectl.run(['drain', node, '--grace-period=5', '--timeout=60s']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `node/${node} cordoned\nevicting pod default/${pod.metadata.name}\npod/${pod.metadata.name} evicted\nnode/${node} drained\n`);
      assert.equal(await getPod(pod.metadata.name!), undefined);
      assert.equal((await kubectl.run(['uncordon', node])).stdout, `node/${node} uncordoned\n`);
      await eventually(async () => (await podsOf('drained')).some((p) => p.spec.nodeName === node && p.status?.phase === 'Running'), 60_000);
    });

    it('drain refuses DaemonSet pods unless --ignore-daemonsets, which leaves them running on the cordoned node (kubelab and kubectl)', async () => {
      await ok(['create', '-f', await file('ds.yaml', daemonSetYaml)]);
      const agent = await eventually(async () => (await podsOf('node-agent')).find((p) => p.status?.phase === 'Running'), 60_000);
      const name = agent.metadata.name!;
      const refused = await kubelab(['drain', node]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`cannot delete DaemonSet-managed Pods \\(use --ignore-daemonsets to ignore\\): default/${name}`));

      const drained = await kubelab(['drain', node, '--ignore-daemonsets', '--grace-period', '5', '--timeout', '60s']);
      assert.equal(drained.code, 0, drained.stderr);
      assert.equal(drained.stderr, `Warning: ignoring DaemonSet-managed Pods: default/${name}\n`);
      const real = await kubectl.run(['drain', node, '--ignore-daemonsets', '--grace-period=5', '--timeout=60s']);
      assert.equal(real.code, 0, real.stderr);
      assert.match(real.stderr, new RegExp(`Warning: ignoring DaemonSet-managed Pods: default/${name}`));
      assert.ok(await runningOn(await getPod(name)), 'the daemon pod still runs on the drained node');

      await ok(['uncordon', node]);
      await ok(['delete', 'ds', 'node-agent']);
      await eventually(async () => (await podsOf('node-agent')).length === 0, 60_000);
    });
  });
});
