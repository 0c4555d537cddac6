// DaemonSets on the real engine, one node, driven by the real kubectl and by kubelab's CLI as the
// README's DaemonSet section does: the per-node log reader of examples/daemonset runs its pod on
// the node and reads the node's /var/log; a rolling update replaces it; `rollout status`,
// `history` and `undo` work with both CLIs; what kubelab cannot honour is refused with a 422.
//
// covers: DaemonSet spec.selector, spec.template, spec.updateStrategy

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kubectl, requireKubectl, tableRows } from '../helpers/kubectl.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

const examples = path.resolve(import.meta.dirname, '../../examples/daemonset');

describe('DaemonSets on the real engine (one node)', function () {
  this.timeout(300_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let dir: string;

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-daemonset-'));
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** The log reader's pods: name, node, ready, revision hash, being deleted. */
  async function readerPods(): Promise<{ name: string; node: string; ready: boolean; hash: string; deleting: boolean }[]> {
    const out = await kubectl.ok([
      'get', 'pods', '-l', 'app=log-reader', '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.containerStatuses[0].ready} {.metadata.labels.controller-revision-hash} {.metadata.deletionTimestamp}{"\\n"}{end}',
    ]);
    return out.trim().split('\n').filter(Boolean).map((line) => {
      const [name, node, ready, hash, deleting] = line.split(' ');
      return { name, node, ready: ready === 'true', hash, deleting: Boolean(deleting) };
    });
  }

  /** One ready pod on the node, and nothing else: returns it. */
  function oneReadyPod(except?: string) {
    return eventually(async () => {
      const pods = await readerPods();
      return pods.length === 1 && pods[0].ready && !pods[0].deleting && pods[0].name !== except && pods[0];
    }, 120_000, 500);
  }

  /** What the pod prints: `v1 <node>: N lines in /var/log`. */
  function logsSay(version: string) {
    return eventually(async () => {
      const result = await kubectl.run(['logs', 'ds/log-reader', '--tail=1']);
      return result.code === 0 && new RegExp(`^${version} ${daemon!.nodeName}: \\d+ lines in /var/log$`, 'm').test(result.stdout) && result.stdout;
    }, 60_000, 1000);
  }

  it('runs one pod on the node, reading the node\'s /var/log; get ds shows the counts', async () => {
    assert.equal(await kubectl.ok(['apply', '-f', path.join(examples, 'log-reader.yml')]), 'daemonset.apps/log-reader created\n');
    const pod = await oneReadyPod();
    assert.equal(pod.node, daemon!.nodeName);
    await logsSay('v1');
    const ours = await daemon!.kubelab(['logs', 'ds/log-reader', '--tail', '1']);
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(ours.stdout, new RegExp(`^v1 ${daemon!.nodeName}: \\d+ lines in /var/log\n$`));
    const rows = await eventually(async () => {
      const table = tableRows(await kubectl.ok(['get', 'ds', 'log-reader']));
      return table[1]?.slice(0, 7).join(' ') === 'log-reader 1 1 1 1 1 <none>' && table;
    }, 30_000, 500);
    assert.deepEqual(rows[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    // describe ds: kubectl's own describer, and kubelab's in the same layout.
    const counts = /Desired Number of Nodes Scheduled: 1\nCurrent Number of Nodes Scheduled: 1\nNumber of Nodes Scheduled with Up-to-date Pods: 1\nNumber of Nodes Scheduled with Available Pods: 1\nNumber of Nodes Misscheduled: 0\nPods Status:\s+1 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\n/;
    assert.match(await kubectl.ok(['describe', 'ds', 'log-reader']), counts);
    const described = await daemon!.kubelab(['describe', 'ds', 'log-reader']);
    assert.match(described.stdout, counts);
    assert.match(described.stdout, /^Node-Selector:\s+<none>$/m);
    const revisions = tableRows(await kubectl.ok(['get', 'controllerrevisions']));
    assert.deepEqual(revisions.slice(1).map((row) => row.slice(1, 3)), [['daemonset.apps/log-reader', '1']]);
  });

  it('a deleted daemon pod comes back', async () => {
    const before = await oneReadyPod();
    await kubectl.ok(['delete', 'pod', before.name, '--wait=false']);
    const after = await oneReadyPod(before.name);
    assert.equal(after.node, daemon!.nodeName);
  });

  it('a rolling update replaces the pod; rollout status and history follow it (real kubectl)', async () => {
    const old = await oneReadyPod();
    assert.equal(await kubectl.ok(['apply', '-f', path.join(examples, 'log-reader-v2.yml')]), 'daemonset.apps/log-reader configured\n');
    assert.match(await kubectl.ok(['rollout', 'status', 'ds/log-reader', '--timeout=120s'], { timeoutMs: 130_000 }), /daemon set "log-reader" successfully rolled out\n$/);
    const updated = await oneReadyPod(old.name);
    assert.notEqual(updated.hash, old.hash);
    await logsSay('v2');
    assert.match(await kubectl.ok(['rollout', 'history', 'ds/log-reader']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    assert.match(await kubectl.ok(['rollout', 'history', 'ds/log-reader', '--revision=1']), /echo \\?"v1 /);
  });

  it('rollout undo goes back to v1 (real kubectl): the old revision becomes number 3', async () => {
    const v2 = await oneReadyPod();
    assert.equal(await kubectl.ok(['rollout', 'undo', 'ds/log-reader']), 'daemonset.apps/log-reader rolled back\n');
    await kubectl.ok(['rollout', 'status', 'ds/log-reader', '--timeout=120s'], { timeoutMs: 130_000 });
    const v1 = await oneReadyPod(v2.name);
    assert.notEqual(v1.hash, v2.hash);
    await logsSay('v1');
    assert.match(await kubectl.ok(['rollout', 'history', 'ds/log-reader']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    assert.equal(await kubectl.ok(['rollout', 'undo', 'ds/log-reader', '--to-revision=3']), 'daemonset.apps/log-reader skipped rollback (current template already matches revision 3)\n');
  });

  it('kubelab rollout status, history and undo work on daemon sets too', async () => {
    const kubelab = async (args: string[]) => {
      const result = await daemon!.kubelab(args, { timeoutMs: 130_000 });
      assert.equal(result.code, 0, `kubelab ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    assert.match(await kubelab(['rollout', 'history', 'ds/log-reader']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    assert.equal(await kubelab(['rollout', 'undo', 'ds/log-reader']), 'daemonset.apps/log-reader rolled back\n');
    assert.match(await kubelab(['rollout', 'status', 'ds/log-reader', '--timeout=120s']), /daemon set "log-reader" successfully rolled out\n$/);
    await logsSay('v2');
    assert.match(await kubelab(['rollout', 'history', 'ds/log-reader']), /REVISION\s+CHANGE-CAUSE\n3\s+<none>\n4\s+<none>\n/);
  });

  it('refuses what it cannot honour, naming the field: affinity, a selector that misses the template', async () => {
    const manifest = path.join(dir, 'bad.yaml');
    await fs.writeFile(
      manifest,
      [
        'apiVersion: apps/v1', 'kind: DaemonSet', 'metadata: {name: bad}', 'spec:', '  selector: {matchLabels: {app: other}}', '  template:',
        '    metadata: {labels: {app: bad}}', '    spec:',
        '      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: [{key: metadata.name, operator: In, values: [x]}]}]}}}',
        '      containers: [{name: c, image: kubelab/busybox:1}]', '',
      ].join('\n'),
    );
    const result = await kubectl.run(['create', '-f', manifest]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /The DaemonSet "bad" is invalid/);
    assert.match(result.stderr, /spec\.template\.spec\.affinity: Forbidden/);
    assert.match(result.stderr, /spec\.template\.metadata\.labels: Invalid value.*`selector` does not match template `labels`/);
  });

  it('deleting the DaemonSet deletes its pods and revisions', async () => {
    await kubectl.ok(['delete', 'ds', 'log-reader', '--wait=false']);
    await eventually(async () => (await readerPods()).length === 0, 90_000, 500);
    await eventually(async () => (await kubectl.ok(['get', 'controllerrevisions', '-o', 'name'])).trim() === '', 60_000, 500);
  });
});
