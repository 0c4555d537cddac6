// Scheduling constraints on a simulated three-host lab (one `kubelab lab up`), as a user sees
// them with `kubectl get pods -o wide`: required pod anti-affinity by hostname puts 3 replicas on
// 3 different nodes and leaves a 4th Pending with kube-scheduler's message; required node
// affinity pins pods to a labelled node; a topology spread constraint with maxSkew 1 spreads 6
// pods 2/2/2.
//
// covers: Deployment spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.labelSelector.matchLabels, spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.topologyKey
// covers: Deployment spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.key, spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.operator, spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.values
// covers: Deployment spec.template.spec.topologySpreadConstraints.maxSkew, spec.template.spec.topologySpreadConstraints.topologyKey, spec.template.spec.topologySpreadConstraints.whenUnsatisfiable, spec.template.spec.topologySpreadConstraints.labelSelector

import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { TestLab } from '../../harness/test-lab.js';
import { untilPasses } from '../helpers/until-passes.js';

const NODES = ['node1', 'node2', 'node3'];

function deployment(name: string, replicas: number, podSpecExtra: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${podSpecExtra}
      containers:
      - {name: main, image: kubelab/hello:v1}
`;
}

describe('affinity, anti-affinity and topology spread on a three-host lab', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let client: RestClient;

  const podsOf = async (app: string) => (await client.list<Pod>('pods', { namespace: 'default', labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  const countByNode = (pods: Pod[]) => {
    const counts = new Map<string, number>();
    for (const p of pods) if (p.spec.nodeName) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    return counts;
  };

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

  it('podAntiAffinity by hostname: 3 replicas on 3 nodes; a 4th stays Pending with the message', async () => {
    const anti = `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: apart}}
            topologyKey: kubernetes.io/hostname`;
    await lab.ok(['apply', '-f', '-'], { input: deployment('apart', 3, anti) });
    await untilPasses(async () => {
      const pods = await podsOf('apart');
      assert.equal(pods.length, 3);
      assert.deepEqual([...countByNode(pods).keys()].sort(), NODES);
    }, 180_000, 1_000);
    await lab.ok(['scale', 'deployment', 'apart', '--replicas', '4']);
    await untilPasses(async () => {
      const pending = (await podsOf('apart')).filter((p) => !p.spec.nodeName);
      assert.equal(pending.length, 1);
      const condition = pending[0].status?.conditions?.find((c) => c.type === 'PodScheduled');
      assert.equal(condition?.reason, 'Unschedulable');
      assert.equal(
        condition?.message,
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
      );
    }, 120_000, 1_000);
    await lab.ok(['delete', 'deployment', 'apart']);
  });

  it('nodeAffinity pins the pods to the labelled node', async () => {
    await lab.ok(['label', 'node', 'node2', 'kubelab.test/disk=ssd']);
    const pinned = `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - {key: kubelab.test/disk, operator: In, values: [ssd]}`;
    try {
      await lab.ok(['apply', '-f', '-'], { input: deployment('pinned', 3, pinned) });
      await untilPasses(async () => {
        const pods = await podsOf('pinned');
        assert.equal(pods.length, 3);
        assert.deepEqual([...countByNode(pods)], [['node2', 3]]);
      }, 180_000, 1_000);
      await lab.ok(['delete', 'deployment', 'pinned']);
    } finally {
      await lab.kubelab(['label', 'node', 'node2', 'kubelab.test/disk-']);
    }
  });

  it('topologySpreadConstraints maxSkew 1 over hostnames: 6 pods spread 2/2/2', async () => {
    const spread = `      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        labelSelector: {matchLabels: {app: spread}}`;
    await lab.ok(['apply', '-f', '-'], { input: deployment('spread', 6, spread) });
    await untilPasses(async () => {
      const pods = await podsOf('spread');
      assert.equal(pods.length, 6);
      assert.deepEqual([...countByNode(pods)].sort(), NODES.map((n) => [n, 2]));
    }, 180_000, 1_000);
    await lab.ok(['delete', 'deployment', 'spread']);
  });
});
