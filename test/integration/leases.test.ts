// Leases on a real kubelabd: the scheduler and the controller manager lead through their Leases
// in kube-system, the kubelet heartbeats through kube-node-lease, and a server killed and started
// again on its data dir takes its Leases back at once (same identity), so pods are scheduled and
// controlled right after a crash instead of after the 15 s lease duration.

import assert from 'node:assert/strict';
import { TestDaemon, eventually } from '../../harness/test-daemon.js';
import type { Lease } from '../../lib/api/coordination-types.js';
import type { Pod } from '../../lib/api/types.js';

describe('leases on a real server', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;

  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    await daemon?.cleanup();
  });

  async function leaseOf(namespace: string, name: string): Promise<Lease | undefined> {
    const r = await daemon.kubelab(['get', 'lease', name, '-n', namespace, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Lease) : undefined;
  }

  it('kubectl get lease -n kube-system shows which host leads the scheduler and the controller manager', async () => {
    const out = await eventually(async () => {
      const r = await daemon.kubelab(['get', 'lease', '-n', 'kube-system']);
      return r.code === 0 && /kube-scheduler/.test(r.stdout) && /kube-controller-manager/.test(r.stdout) ? r.stdout : undefined;
    }, 30_000);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^NAME\s+HOLDER\s+AGE$/);
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const row = lines.find((line) => line.startsWith(`${name} `));
      assert.match(row ?? '', new RegExp(`^${name}\\s+${daemon.nodeName}_[0-9a-f-]{36}\\s+\\d+s$`));
    }
  });

  it('the kubelet renews its node lease, and describe node shows it', async () => {
    const first = await eventually(() => leaseOf('kube-node-lease', daemon.nodeName), 30_000);
    assert.equal(first.spec?.holderIdentity, daemon.nodeName);
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.deepEqual(first.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`), [`Node/${daemon.nodeName}`]);
    await eventually(async () => ((await leaseOf('kube-node-lease', daemon.nodeName))?.spec?.renewTime ?? '') > (first.spec?.renewTime ?? '') || undefined, 30_000);
    const described = await daemon.kubelab(['describe', 'node', daemon.nodeName]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, new RegExp(`^Lease:\\n  HolderIdentity:\\s+${daemon.nodeName}\\n  AcquireTime:\\s+<unset>\\n  RenewTime:\\s+\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000$`, 'm'));
  });

  it('a server killed and started again holds its Leases as the same identity and schedules at once', async () => {
    const before = await eventually(() => leaseOf('kube-system', 'kube-scheduler'), 30_000);
    await daemon.kill('SIGKILL');
    await daemon.launch();
    const manifest = JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-crash', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1', command: ['sh', '-c', 'while :; do sleep 3600; done'] }], terminationGracePeriodSeconds: 1 },
    });
    const created = await daemon.kubelab(['create', '-f', '-'], { input: manifest });
    assert.equal(created.code, 0, created.stderr);
    const pod = await eventually(async () => {
      const r = await daemon.kubelab(['get', 'pod', 'after-crash', '-o', 'json']);
      const p = r.code === 0 ? (JSON.parse(r.stdout) as Pod) : undefined;
      return p?.spec.nodeName ? p : undefined;
    }, 30_000);
    assert.equal(pod.spec.nodeName, daemon.nodeName);
    const after = await leaseOf('kube-system', 'kube-scheduler');
    assert.equal(after?.spec?.holderIdentity, before.spec?.holderIdentity, 'the restarted server is the same candidate');
    assert.equal(after?.spec?.leaseTransitions, before.spec?.leaseTransitions, 'no takeover: it renewed its own Lease');
    await daemon.kubelab(['delete', 'pod', 'after-crash']);
  });
});
