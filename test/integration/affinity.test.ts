// Scheduling constraints and defaulting on the real engine, as a user sees them: a pod whose
// required node affinity no node matches stays Pending with kube-scheduler's exact message, and
// binds once a node gets the label; a real-world ReplicationController manifest without
// spec.selector is applied by the real kubectl and runs (the selector defaults to the template's
// labels). One daemon for the file.
//
// covers: Pod spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.key, spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.operator, spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.values
// covers: ReplicationController spec.selector, spec.replicas, spec.template.metadata, spec.template.spec.containers.name, spec.template.spec.containers.image, spec.template.spec.containers.ports.containerPort

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestDaemon, eventually } from '../../harness/test-daemon.js';
import type { Pod, ReplicationController } from '../../lib/api/types.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';

describe('affinity and defaults on the real engine', function () {
  this.timeout(150_000);
  let daemon: TestDaemon;
  let kubectl: Kubectl;
  let dir: string;

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-affinity-'));
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await daemon?.kubelab(['label', 'node', daemon.nodeName, 'disktype-']).catch(() => undefined);
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const getJson = async <T>(...args: string[]): Promise<T> => {
    const r = await daemon.kubelab(['get', ...args, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  };

  it('a pod with required node affinity to a missing label stays Pending with the FailedScheduling message, then runs once a node has it', async () => {
    const manifest = path.join(dir, 'ssd-only.yaml');
    await fs.writeFile(manifest, `
apiVersion: v1
kind: Pod
metadata: {name: ssd-only}
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: disktype, operator: In, values: [ssd]}
  containers:
  - {name: main, image: kubelab/hello:v1}
`);
    assert.equal((await kubectl.run(['create', '-f', manifest])).code, 0);
    const expected =
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    const condition = await eventually(async () => (await getJson<Pod>('pod', 'ssd-only')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'), 30_000);
    assert.equal(condition.reason, 'Unschedulable');
    assert.equal(condition.message, expected);
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=ssd-only', '-o', 'jsonpath={.items[*].message}']);
    assert.ok(events.includes(expected), events);
    const pod = await getJson<Pod>('pod', 'ssd-only');
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(pod.spec.nodeName, undefined);

    assert.equal((await daemon.kubelab(['label', 'node', daemon.nodeName, 'disktype=ssd'])).code, 0);
    const running = await eventually(async () => {
      const p = await getJson<Pod>('pod', 'ssd-only');
      return p.status?.phase === 'Running' ? p : undefined;
    }, 60_000);
    assert.equal(running.spec.nodeName, daemon.nodeName);
    await daemon.kubelab(['delete', 'pod', 'ssd-only', '--grace-period', '0']);
    await daemon.kubelab(['label', 'node', daemon.nodeName, 'disktype-']);
  });

  it('kubectl apply of a real-world ReplicationController manifest without spec.selector: the selector and labels default to the template labels, and it runs', async () => {
    // The shape of the manifests in older tutorials: no selector, no replicas.
    const manifest = path.join(dir, 'rc.yaml');
    await fs.writeFile(manifest, `
apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy-web
spec:
  template:
    metadata:
      labels:
        app: legacy-web
        tier: frontend
    spec:
      containers:
      - name: web
        image: kubelab/hello:v1
        ports:
        - containerPort: 8080
`);
    const applied = await kubectl.run(['apply', '-f', manifest]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stdout, 'replicationcontroller/legacy-web created\n');
    const rc = await getJson<ReplicationController>('rc', 'legacy-web');
    assert.deepEqual(rc.spec.selector, { app: 'legacy-web', tier: 'frontend' });
    assert.deepEqual(rc.metadata.labels, { app: 'legacy-web', tier: 'frontend' });
    assert.equal(rc.spec.replicas, 1);
    await eventually(async () => {
      const pods = await getJson<{ items: Pod[] }>('pods', '-l', 'app=legacy-web');
      return pods.items.length === 1 && pods.items[0].status?.phase === 'Running' ? pods : undefined;
    }, 60_000);
    // Applying the same file again changes nothing.
    assert.equal(await kubectl.ok(['apply', '-f', manifest]), 'replicationcontroller/legacy-web unchanged\n');
    assert.equal((await kubectl.run(['delete', 'rc', 'legacy-web'])).code, 0);
  });
});
