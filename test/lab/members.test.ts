// Gossip and network views on a simulated three-host lab, read as a user reads them: `kubelab get
// members` from node2 lists every node alive; `kubelab describe node node1` shows node1's subnet,
// the host-gw routes it installed to node2's and node3's subnets, and its proxy listener on the
// `kubernetes` Service's ClusterIP; and `kubelab get members -w`, running while node3 is killed,
// prints node3 going suspect, then dead. One lab for all three.

import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Node, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import type { MembersView } from '../../lib/node-views/members.js';
import { cliEntry, eventually } from '../../harness/test-daemon.js';
import { TestLab } from '../../harness/test-lab.js';

const rowsOf = (table: string) => table.trim().split('\n').map((line) => line.trim().split(/\s+/));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('gossip and network views on a three-host lab', function () {
  this.timeout(600_000);
  let lab: TestLab;
  let client: RestClient;
  let watcher: ChildProcessWithoutNullStreams | undefined;
  let watchOut = '';
  let watchErr = '';

  before(async function () {
    this.timeout(300_000);
    lab = await TestLab.up(3);
    client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
  });

  after(async function () {
    this.timeout(300_000);
    watcher?.kill('SIGKILL');
    client?.close();
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(`get members -w printed:\n${watchOut}\n${watchErr}\n${await lab.logs(60)}`);
    await lab.down();
  });

  it('kubelab get members --node node2 lists all three nodes alive, each with an ack from node2 (node2 itself: -)', async () => {
    let table = '';
    await eventually(async () => {
      table = await lab.ok(['get', 'members', '--node', 'node2']);
      // Right after `lab up` node2 may not have probed a newcomer yet (LAST ACK <never>): a probe round takes ~2 s here.
      const rows = rowsOf(table).slice(1);
      return rows.length === 3 && rows.every((r) => r[2] === 'alive' && r[4] !== '<never>') ? true : undefined;
    }, 60_000, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}: get members --node node2 printed\n${table}`);
    });
    console.log(`      kubelab get members --node node2:\n${table}`);
    const rows = rowsOf(table);
    assert.deepEqual(rows[0], ['MEMBER', 'ADDRESS', 'STATE', 'INCARNATION', 'LAST', 'ACK']);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), ['node1', 'node2', 'node3']);
    for (const row of rows.slice(1)) {
      assert.match(row[1], /^\d+\.\d+\.\d+\.\d+:\d+$/, `${row[0]}'s address`);
      assert.match(row[4], row[0] === 'node2' ? /^-$/ : /^\d+\.\ds$/, `${row[0]}'s last ack in\n${table}`);
    }
    const view = JSON.parse(await lab.ok(['get', 'members', '--node', 'node2', '-o', 'json'])) as MembersView;
    assert.equal(view.node, 'node2');
    assert.deepEqual(view.members.map((m) => `${m.name}:${m.state}`), ['node1:alive', 'node2:alive', 'node3:alive']);
  });

  it('kubelab describe node node1 shows its subnet, routes to node2\'s and node3\'s subnets, and a listener on the kubernetes ClusterIP', async () => {
    const nodes = new Map((await client.list<Node>('nodes')).items.map((n) => [n.metadata.name!, n]));
    const ipOf = (name: string) => nodes.get(name)!.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
    const subnetOf = (name: string) => nodes.get(name)!.spec!.podCIDR!;
    const kubernetes = await client.get<Service>('services', 'default', 'kubernetes');
    let text = '';
    await eventually(async () => {
      text = await lab.ok(['describe', 'node', 'node1']);
      return /\s+node3\s+installed/.test(text) && /\s+node2\s+installed/.test(text) ? true : undefined;
    }, 60_000, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}: describe node node1 printed\n${text}`);
    });
    console.log(`      kubelab describe node node1 (Network section):\n${text.slice(text.indexOf('Network:'), text.indexOf('Non-terminated Pods:'))}`);
    assert.match(text, new RegExp(`\\n  Pod Subnet:\\s+${escape(subnetOf('node1'))}\\n`));
    assert.match(text, /\n  Cluster DNS:\s+\d+\.\d+\.\d+\.\d+ \(cluster\.local\)\n/);
    for (const peer of ['node2', 'node3']) {
      assert.match(text, new RegExp(`\\n    ${escape(subnetOf(peer))}\\s+${escape(ipOf(peer))}\\s+${peer}\\s+installed\\n`), `route to ${peer}`);
    }
    assert.match(text, new RegExp(`\\n    default/kubernetes\\S*\\s+ClusterIP\\s+${escape(kubernetes.spec.clusterIP!)}:443/TCP\\s+\\d+ endpoints?`), 'kubernetes listener');
  });

  it('kubelab get members -w prints node3 going suspect, then dead, when node3 is killed', async () => {
    watcher = spawn(process.execPath, [cliEntry, '--kubeconfig', lab.kubeconfigPath, 'get', 'members', '--node', 'node1', '-w'], { stdio: ['pipe', 'pipe', 'pipe'] });
    watcher.stdout.on('data', (chunk: Buffer) => (watchOut += chunk.toString()));
    watcher.stderr.on('data', (chunk: Buffer) => (watchErr += chunk.toString()));
    // The table comes after the stream is open: from then on no change is missed.
    await eventually(async () => (/node3\s+\S+\s+alive/.test(watchOut) ? true : undefined), 30_000, 200);

    const killed = await lab.lab(['kill', 'node3']);
    assert.equal(killed.code, 0, killed.stderr);
    const suspect = /^\S+Z {2}node1 sees node3 {2}alive -> suspect {2}incarnation \d+$/m;
    const dead = /^\S+Z {2}node1 sees node3 {2}suspect -> dead {2}incarnation \d+$/m;
    await eventually(async () => (dead.test(watchOut) ? true : undefined), 60_000, 200);
    const suspectAt = watchOut.search(suspect);
    const deadAt = watchOut.search(dead);
    assert.ok(suspectAt >= 0 && suspectAt < deadAt, `suspect before dead:\n${watchOut}`);
    const times = [suspect, dead].map((re) => Date.parse(re.exec(watchOut)![0].split(' ')[0]));
    assert.ok(times[1] >= times[0], 'the dead line is not older than the suspect line');
    assert.equal(watcher.exitCode, null, 'the watch is still running');
    console.log(`      kubelab get members --node node1 -w:\n${watchOut}`);
    const after = rowsOf(await lab.ok(['get', 'members', '--node', 'node1'])).slice(1);
    assert.equal(after.find((r) => r[0] === 'node3')?.[2], 'dead');
  });
});
