// A StatefulSet on local-path storage on a simulated three-host lab: the claim of db-0 is made on
// the node where its first pod runs, and the volume's node affinity ties db-0 to that node for
// good. When that host is killed, the node lifecycle controller evicts its pods and the
// StatefulSet makes db-0 again, but no other node can mount its volume: db-0 stays Pending and
// its events say why (volume node affinity conflict), as in Kubernetes. Restarting the host brings
// db-0 back there, with the data it had.
//
// covers: StatefulSet spec.volumeClaimTemplates, spec.template.spec.nodeSelector

import assert from 'node:assert/strict';
import type { Event, Pod } from '../../lib/api/types.js';
import { eventually } from '../../harness/test-daemon.js';
import { TestLab } from '../../harness/test-lab.js';

// The control plane runs on node1: the StatefulSet's pod is kept to node2 and node3 so that the
// host the test kills is never the API server's.
const manifest = [
  'apiVersion: v1', 'kind: Service', 'metadata: {name: db}', 'spec: {clusterIP: None, selector: {app: db}, ports: [{port: 80}]}',
  '---',
  'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: db}',
  'spec:',
  '  serviceName: db',
  '  replicas: 1',
  '  selector: {matchLabels: {app: db}}',
  '  template:',
  '    metadata: {labels: {app: db}}',
  '    spec:',
  '      terminationGracePeriodSeconds: 2',
  '      nodeSelector: {lab-role: worker}',
  '      containers:',
  '      - name: db',
  '        image: kubelab/busybox:1',
  '        command: [sh, -c, \'trap "exit 0" TERM; while :; do sleep 1; done\']',
  '        volumeMounts: [{name: data, mountPath: /data}]',
  '  volumeClaimTemplates:',
  '  - metadata: {name: data}',
  '    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 32Mi}}}',
  '',
].join('\n');

describe('a StatefulSet on local-path storage on a three-host lab', function () {
  this.timeout(900_000);
  let lab: TestLab;

  before(async function () {
    this.timeout(300_000);
    lab = await TestLab.up(3);
  });
  after(async function () {
    this.timeout(300_000);
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down(); // the hosts' data dirs (and the volume directories in them) go with the lab
  });

  const getPod = () => lab.json<Pod>(['get', 'pod', 'db-0']);
  const runningOn = () =>
    eventually(async () => {
      const pod = await getPod().catch(() => undefined);
      return pod && !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && pod.spec.nodeName;
    }, 240_000, 1000);

  it('leaves db-0 Pending with the reason while its volume\'s node is down, and brings it back with its data', async () => {
    for (const node of ['node2', 'node3']) await lab.ok(['label', 'node', node, 'lab-role=worker']);
    await lab.ok(['apply', '-f', '-'], { input: manifest });
    const node = await runningOn();
    assert.ok(node === 'node2' || node === 'node3', `db-0 runs on a worker, not ${node}`);
    await lab.ok(['exec', 'db-0', '--', 'sh', '-c', 'echo -n kept-on-its-node > /data/f']);
    const first = await getPod();

    const killed = await lab.lab(['kill', node]);
    assert.equal(killed.code, 0, killed.stderr);
    // The node's pods are evicted; db-0 is made again and cannot go anywhere.
    const pending = await eventually(async () => {
      const pod = await getPod().catch(() => undefined);
      return pod && pod.metadata.uid !== first.metadata.uid && pod.status?.phase === 'Pending' && !pod.spec.nodeName && pod;
    }, 300_000, 1000);
    const reason = await eventually(async () => {
      const events = (await lab.json<{ items: Event[] }>(['get', 'events'])).items;
      const failed = events.filter((e) => e.involvedObject?.uid === pending.metadata.uid && e.reason === 'FailedScheduling');
      return failed.find((e) => e.message?.includes('volume node affinity conflict'))?.message;
    }, 120_000, 1000);
    assert.match(reason, /^0\/3 nodes are available: .*1 node\(s\) had volume node affinity conflict/);
    assert.match(await lab.ok(['describe', 'pod', 'db-0']), /volume node affinity conflict/);

    const restarted = await lab.lab(['restart', node], 180_000);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.equal(await runningOn(), node);
    await eventually(async () => (await lab.kubelab(['exec', 'db-0', '--', 'cat', '/data/f'])).stdout === 'kept-on-its-node', 60_000, 1000);
    await lab.ok(['delete', 'sts', 'db']);
    await lab.ok(['delete', 'svc', 'db']);
  });
});
