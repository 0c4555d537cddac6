// Gossip and network views on a real single-node kubelabd, which runs no gossip: `kubelab get
// members` says so instead of printing an empty table, and `kubelab describe node` still shows the
// node's own network (its pod subnet, no routes, the DNS address, and the proxy's listener on the
// `kubernetes` Service's ClusterIP). The three-host views are tested in test/lab/members.test.ts.

import assert from 'node:assert/strict';
import type { Service } from '../../lib/api/types.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

describe('node views on a single-node kubelabd (no gossip)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;

  before(async function () {
    this.timeout(120_000);
    daemon = await TestDaemon.start();
  });

  after(async () => {
    await daemon?.cleanup();
  });

  it('get members says the node runs no gossip; -o json says gossip: false with no members', async () => {
    const table = await daemon.kubelab(['get', 'members']);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stdout, '');
    assert.match(table.stderr, new RegExp(`node ${daemon.nodeName} runs no gossip`));
    const json = await daemon.kubelab(['get', 'members', '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const view = JSON.parse(json.stdout);
    assert.equal(view.node, daemon.nodeName);
    assert.equal(view.gossip, false);
    assert.deepEqual(view.members, []);
    const other = await daemon.kubelab(['get', 'members', '--node', 'no-such-node']);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /not found/);
  });

  it('describe node shows the node\'s subnet, no routes (and why), its DNS address and the kubernetes ClusterIP listener', async () => {
    const svc = JSON.parse((await daemon.kubelab(['get', 'service', 'kubernetes', '-o', 'json'])).stdout) as Service;
    let text = '';
    await eventually(async () => {
      const result = await daemon.kubelab(['describe', 'node', daemon.nodeName]);
      text = result.stdout;
      return text.includes(`${svc.spec.clusterIP}:443/TCP`) ? true : undefined;
    }, 30_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}: describe node printed\n${text}`);
    });
    assert.match(text, new RegExp(`\\n  Pod Subnet:\\s+${daemon.subnet.replace(/\./g, '\\.')}\\n`));
    assert.match(text, /\n  Cluster DNS:\s+\d+\.\d+\.\d+\.\d+ \(cluster\.local\)\n/);
    assert.match(text, /\n  Routes to peers:\s+<none>\n/);
    assert.match(text, /Note:\s+this node runs no gossip/);
    assert.match(text, /\n    default\/kubernetes\S*\s+ClusterIP\s+\S+:443\/TCP\s+\d+ endpoints?\n/);
  });
});
