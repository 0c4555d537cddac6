// Resource metrics on a simulated three-host lab: each host's kubelet reads its own usage (the
// node's from its engine's cgroup parent, passed by `kubelab lab` as --node-cgroup, since the
// hosts share the machine's /proc) and the API server fetches each node's report from that
// node's kubelet. A DaemonSet puts a small CPU burner on every host, so every node and every
// burner pod has usage to show; kubectl top and kubelab top list all three.

import assert from 'node:assert/strict';
import type { DaemonSet, Pod } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { eventually } from '../../harness/test-daemon.js';
import { TestLab } from '../../harness/test-lab.js';
import { Kubectl, requireKubectl, tableRows } from '../helpers/kubectl.js';

/** Millicores of a kubectl CPU cell (`123m`). */
const millis = (cell: string | undefined) => Number(/^(\d+)m$/.exec(cell ?? '')?.[1] ?? NaN);
/** MiB of a kubectl memory cell (`64Mi`). */
const mib = (cell: string | undefined) => Number(/^(\d+)Mi$/.exec(cell ?? '')?.[1] ?? NaN);

describe('resource metrics on a three-host lab: top shows every node', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let client: RestClient;
  let kubectl: Kubectl;
  let nodes: string[];

  before(async function () {
    this.timeout(300_000);
    const binary = requireKubectl(this);
    lab = await TestLab.up(3);
    client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
    kubectl = await Kubectl.forKubeconfig(binary, lab.kubeconfigPath);
    nodes = (await client.list('nodes')).items.map((n) => n.metadata.name!).sort();
    assert.equal(nodes.length, 3, `nodes: ${nodes.join(', ')}`);
    await client.create('daemonsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'burner', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'burner' } },
        template: {
          metadata: { labels: { app: 'burner' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{
              name: 'spin',
              image: 'kubelab/busybox:1',
              // A quarter of a core each, so three hosts' burners do not starve the machine. Each
              // also holds 8 MiB in a shell variable: a simulated host's node usage is its engine's
              // cgroup, which holds only its containers, and a bare spin loop's working set rounds
              // to 0Mi there (a fresh CI machine printed node1 250m 0Mi).
              resources: { limits: { cpu: '250m', memory: '48Mi' } },
              command: ['sh', '-c', "trap 'exit 0' TERM; held=$(head -c 8388608 /dev/zero | tr '\\0' x); while :; do :; done"],
            }],
          },
        },
      },
    } as DaemonSet);
  });

  after(async function () {
    this.timeout(300_000);
    await kubectl?.killAll();
    client?.close();
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down();
  });

  it('kubectl top nodes lists all three nodes, each with its own non-zero CPU and memory', async () => {
    let rows: string[][] = [];
    // A node shows up after its kubelet has read its counters twice (10 s apart by default).
    await eventually(async () => {
      const result = await kubectl.run(['top', 'nodes', '--no-headers']);
      if (result.code !== 0) return undefined;
      rows = tableRows(result.stdout).filter((r) => nodes.includes(r[0]!));
      return rows.length === 3 && rows.every((r) => millis(r[1]) > 0 && mib(r[3]) > 0) ? true : undefined;
    }, 120_000, 1_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: kubectl top nodes printed\n${(await kubectl.run(['top', 'nodes'])).stdout}`);
    });
    assert.deepEqual(rows.map((r) => r[0]).sort(), nodes);
    for (const row of rows) assert.match(row[2]!, /^\d+%$/, `CPU(%) of ${row[0]}`);
    // Each host reports its own cgroup, not the machine's /proc: the three are not one reading copied.
    // kubectl's rounded cells can match (three identical burners at their CPU limit: 250m, 9Mi each),
    // so compare the API's raw figures (nanocores, KiB).
    const raw = JSON.parse((await kubectl.run(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'])).stdout) as { items: Array<{ usage: { cpu: string; memory: string } }> };
    const readings = new Set(raw.items.map((item) => `${item.usage.cpu}/${item.usage.memory}`));
    assert.equal(readings.size, raw.items.length, `nodes report the same usage: ${JSON.stringify(raw.items.map((i) => i.usage))}`);
  });

  it('kubectl top pods shows a burner on every node, near its 250m limit; kubelab top nodes lists the same nodes', async () => {
    await eventually(async () => {
      const result = await kubectl.run(['top', 'pods', '-l', 'app=burner', '--no-headers']);
      if (result.code !== 0) return undefined;
      const rows = tableRows(result.stdout);
      return rows.length === 3 && rows.every((r) => millis(r[1]) >= 50) ? true : undefined;
    }, 120_000, 1_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: kubectl top pods printed\n${(await kubectl.run(['top', 'pods', '-l', 'app=burner'])).stdout}`);
    });
    const pods = (await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=burner' })).items;
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), nodes);

    const ours = tableRows(await lab.ok(['top', 'nodes']));
    assert.deepEqual(ours[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    assert.deepEqual(ours.slice(1).map((r) => r[0]).sort(), nodes);
  });
});
