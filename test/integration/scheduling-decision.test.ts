// The scheduler's decision on the real engine, as a user reads it in `kubelab describe pod`: the
// README's two example pods (examples/scheduling/prefers-ssd.yml placed, gpu-only.yml Pending on
// an unmatched nodeSelector) and a pod the user bound with spec.nodeName. Rows are compared cell
// by cell (cells are separated by two or more spaces, as the table aligns them). One daemon.

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestDaemon, eventually } from '../../harness/test-daemon.js';
import type { Pod } from '../../lib/api/types.js';
import { decisionOf } from '../../lib/scheduling/decision.js';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/scheduling');
const FILTERS = ['NodeReady', 'NodeAlive', 'NodeUnschedulable', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity', 'VolumeBinding'];
const SCORES = ['NodeResourcesFit x1', 'NodeAffinity x2', 'InterPodAffinity x2', 'PodTopologySpread x2'];
const HEADER = ['NODE', ...FILTERS, ...SCORES, 'TOTAL', 'PICKED'];

describe('scheduling decision on the real engine: kubelab describe pod', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;

  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    for (const name of ['prefers-ssd', 'gpu-only', 'pinned']) await daemon?.kubelab(['delete', 'pod', name, '--grace-period', '0', '--ignore-not-found']).catch(() => undefined);
    await daemon?.cleanup();
  });

  const getPod = async (name: string): Promise<Pod> => {
    const r = await daemon.kubelab(['get', 'pod', name, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Pod;
  };
  /** The Scheduling Decision section of `kubelab describe pod NAME`, each line split into its cells. */
  const decisionSection = async (name: string): Promise<string[][]> => {
    const r = await daemon.kubelab(['describe', 'pod', name]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Scheduling Decision:'));
    assert.ok(start >= 0, r.stdout);
    const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
    return lines.slice(start, end).map((l) => l.trim().split(/ {2,}/));
  };

  it('a placed pod: its node passed every filter, with its scores, total and the pick marker', async () => {
    assert.equal((await daemon.kubelab(['create', '-f', path.join(examples, 'prefers-ssd.yml')])).code, 0);
    const pod = await eventually(async () => {
      const p = await getPod('prefers-ssd');
      return p.spec.nodeName ? p : undefined;
    }, 30_000);
    const decision = decisionOf(pod)!;
    const [free] = decision.rows[0].scores![0];
    // One node, no ssd label: preference 0; no other pods of a controller: spreading 100.
    assert.deepEqual(await decisionSection('prefers-ssd'), [
      ['Scheduling Decision:'],
      [`Scheduled on ${daemon.nodeName}: 1 of 1 node passed every filter`],
      HEADER,
      HEADER.map((h) => '-'.repeat(h.length)),
      [daemon.nodeName, ...FILTERS.map(() => 'ok'), `${free} (${free})`, '0 (0)', '0 (0)', '100 (0)', String(free + 200), '*'],
    ]);
    // The API refuses no binding (spec.nodeName is the picked node) and the kubelet runs the pod there.
    assert.equal(decision.picked, pod.spec.nodeName);
    await eventually(async () => ((await getPod('prefers-ssd')).status?.phase === 'Running' ? true : undefined), 60_000);
  });

  it('a Pending pod with an unmatched nodeSelector: NodeAffinity refused the node, nothing after it ran', async () => {
    assert.equal((await daemon.kubelab(['create', '-f', path.join(examples, 'gpu-only.yml')])).code, 0);
    await eventually(async () => (decisionOf(await getPod('gpu-only')) ? true : undefined), 30_000);
    assert.deepEqual(await decisionSection('gpu-only'), [
      ['Scheduling Decision:'],
      ['Unschedulable: 0 of 1 node passed every filter'],
      HEADER,
      HEADER.map((h) => '-'.repeat(h.length)),
      [daemon.nodeName, 'ok', 'ok', 'ok', 'ok', "node(s) didn't match Pod's node affinity/selector", ...Array(5).fill('-'), ...SCORES.map(() => '-'), '-'],
    ]);
    const pod = await getPod('gpu-only');
    assert.equal(pod.status?.phase, 'Pending');
    // The same reason as the condition's message, which kube-scheduler 1.32 words.
    assert.match(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '', /1 node\(s\) didn't match Pod's node affinity\/selector/);
  });

  it('a pod bound by the user (spec.nodeName) has no decision and says why', async () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pinned' }, spec: { nodeName: daemon.nodeName, containers: [{ name: 'web', image: 'kubelab/hello:v1' }] } });
    assert.equal((await daemon.kubelab(['create', '-f', '-'], { input: manifest })).code, 0);
    assert.deepEqual(await decisionSection('pinned'), [
      ['Scheduling Decision:', `<none> (spec.nodeName was set when the pod was created: no scheduler chose ${daemon.nodeName})`],
    ]);
  });
});
