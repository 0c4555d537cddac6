// local-path volumes on a simulated two-host lab: a claim's volume is made on the node of its
// first pod, under that node's own data dir; the volume's node affinity brings every later pod of
// the claim to that node, and a pod held to the other node stays Pending with kube-scheduler's
// reason; deleting the claim has that node's agent remove the directory (Delete reclaim, done
// with the node's own credentials) and then the volume.
//
// covers: PersistentVolume spec.nodeAffinity.required.nodeSelectorTerms.matchExpressions
// covers: StorageClass volumeBindingMode

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type { Event, Pod } from '../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../lib/api/storage-types.js';
import { eventually } from '../../harness/test-daemon.js';
import { TestLab } from '../../harness/test-lab.js';

const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'shared' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '32Mi' } } } };
const pod = (name: string, script: string, nodeSelector?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 2,
    ...(nodeSelector ? { nodeSelector } : {}),
    containers: [{ name: 'app', image: 'kubelab/busybox:1', command: ['sh', '-c', `${script}; trap 'exit 0' TERM; while :; do sleep 1; done`], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'shared' } }],
  },
});

describe('local-path volumes on a two-host lab', function () {
  this.timeout(900_000);
  let lab: TestLab;

  before(async function () {
    this.timeout(300_000);
    lab = await TestLab.up(2);
  });
  after(async function () {
    this.timeout(300_000);
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down(); // the hosts' data dirs (and the volume directories in them) go with the lab
  });

  const getPod = (name: string) => lab.json<Pod>(['get', 'pod', name]);
  const runningOn = async (name: string) => eventually(async () => {
    const p = await getPod(name);
    return p.status?.phase === 'Running' && p.spec.nodeName;
  }, 180_000);

  it('ties the pods of a claim to the node of its volume', async () => {
    await lab.ok(['create', '-f', '-'], { input: JSON.stringify(claim) });
    await lab.ok(['create', '-f', '-'], { input: JSON.stringify(pod('first', 'echo -n from-first > /data/f')) });
    const node = await runningOn('first');
    const bound = await lab.json<PersistentVolumeClaim>(['get', 'pvc', 'shared']);
    assert.equal(bound.status?.phase, 'Bound');
    const volume = await lab.json<PersistentVolume>(['get', 'pv', bound.spec.volumeName!]);
    assert.deepEqual(volume.spec.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions?.[0].values, [node]);
    const directory = volume.spec.hostPath!.path;
    assert.ok(directory.startsWith(`${lab.dir}/`), `the volume lives under the lab host's own data dir: ${directory}`);
    assert.equal(await fs.readFile(`${directory}/f`, 'utf8'), 'from-first');

    // A second pod of the claim lands on the same node and reads what the first wrote.
    for (const name of ['second', 'third']) {
      await lab.ok(['create', '-f', '-'], { input: JSON.stringify(pod(name, 'cat /data/f')) });
      assert.equal(await runningOn(name), node);
      await eventually(async () => (await lab.kubelab(['logs', name])).stdout.trim() === 'from-first', 60_000);
    }

    // A pod of the claim held to the other node cannot run anywhere, and says why.
    const nodes = (await lab.json<{ items: { metadata: { name: string } }[] }>(['get', 'nodes'])).items.map((n) => n.metadata.name);
    const other = nodes.find((n) => n !== node)!;
    await lab.ok(['create', '-f', '-'], { input: JSON.stringify(pod('elsewhere', 'true', { 'kubernetes.io/hostname': other })) });
    await eventually(async () => {
      const events = (await lab.json<{ items: Event[] }>(['get', 'events'])).items;
      return events.some((e) => e.involvedObject?.name === 'elsewhere' && e.reason === 'FailedScheduling' &&
        e.message === "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had volume node affinity conflict.");
    }, 60_000);
    assert.equal((await getPod('elsewhere')).status?.phase, 'Pending');

    // Delete reclaim happens on the volume's node: its agent removes the directory, then the volume.
    await lab.ok(['delete', 'pod', 'first', 'second', 'third', 'elsewhere']);
    await lab.ok(['delete', 'pvc', 'shared']);
    await eventually(async () => (await lab.kubelab(['get', 'pv', volume.metadata.name!])).code !== 0, 90_000);
    await eventually(async () => !(await fs.stat(directory).catch(() => undefined)), 30_000);
  });
});
