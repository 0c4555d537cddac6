// Secret volumes in the simulated lab: each host's kubelabd runs in its own network namespace but
// the machine's mount namespace (cli/lab/lab-mounts.ts), so the tmpfs a host's kubelet mounts is
// what that host's engine bind-mounts into the pod. Checked on an agent host as a user would: the
// container sees a tmpfs, the host's data dir never holds the value, deleting the pod unmounts it;
// and no host's log holds the join token.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TestLab } from '../../harness/test-lab.js';
import type { Pod } from '../../lib/api/types.js';
import { planUnmounts } from '../../lib/mount-points.js';
import { untilPasses } from '../helpers/until-passes.js';

const VALUE = 'lab-s3cret-value-41c9';
const BASE64 = Buffer.from(VALUE).toString('base64');

async function diskBytesUnder(dir: string): Promise<string> {
  const mounts = planUnmounts(await fs.readFile('/proc/self/mountinfo', 'utf8'), [dir]);
  let all = '';
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !mounts.some((m) => file.startsWith(`${m}/`))) all += await fs.readFile(file, 'latin1');
  }
  return all;
}

describe('lab: secret volumes on tmpfs, no token in logs', function () {
  this.timeout(600_000);
  let lab: TestLab;

  before(async () => {
    lab = await TestLab.up(2);
  });
  after(async () => {
    await lab?.down();
  });

  it('an agent host\'s pod gets its secret volume on a tmpfs, unmounted when the pod is deleted', async () => {
    await lab.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vault' }, data: { password: BASE64 } }) });
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reads-vault' },
      spec: {
        nodeName: 'node2',
        containers: [{ name: 'app', image: 'kubelab/busybox:1', command: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"], volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }] }],
        volumes: [{ name: 'creds', secret: { secretName: 'vault' } }],
      },
    };
    await lab.ok(['create', '-f', '-'], { input: JSON.stringify(pod) });
    let running: Pod | undefined;
    await untilPasses(async () => {
      running = await lab.json<Pod>(['get', 'pod', 'reads-vault']);
      assert.equal(running.status?.phase, 'Running');
    }, 120_000, 500);

    assert.match(await lab.ok(['exec', 'reads-vault', '--', 'grep', '/etc/creds', '/proc/mounts']), /^tmpfs \/etc\/creds tmpfs ro[,\s]/m);
    assert.equal(await lab.ok(['exec', 'reads-vault', '--', 'cat', '/etc/creds/password']), VALUE);
    const dataDir = path.join(await fs.realpath(lab.dir), 'node2', 'data');
    const podDir = path.join(dataDir, 'pods', running!.metadata.uid!);
    // The secret volume, and (as on Kubernetes) the service account token volume every pod gets: both tmpfs on the host.
    const hostTmpfs = planUnmounts(await fs.readFile('/proc/self/mountinfo', 'utf8'), [podDir]).map((dir) => path.relative(podDir, dir).replace(/kube-api-access-[a-z0-9]+$/, 'kube-api-access-*'));
    assert.deepEqual(hostTmpfs.sort(), ['volumes/kubernetes.io~projected/kube-api-access-*', 'volumes/kubernetes.io~secret/creds']);

    await lab.ok(['delete', 'pod', 'reads-vault', '--grace-period', '1']);
    await untilPasses(async () => {
      assert.deepEqual(planUnmounts(await fs.readFile('/proc/self/mountinfo', 'utf8'), [podDir]), []);
      await assert.rejects(fs.stat(podDir));
    }, 120_000, 500);
    for (const node of ['node1', 'node2']) {
      const raw = await diskBytesUnder(path.join(lab.dir, node, 'data'));
      assert.ok(!raw.includes(VALUE) && !raw.includes(BASE64), node);
    }
  });

  it('the server\'s log says where the join token is, and no host\'s log holds it', async () => {
    const token = (await fs.readFile(path.join(lab.dir, 'node1', 'data', 'join-token'), 'utf8')).trim();
    const secretPart = token.split('::')[1]!;
    for (const node of ['node1', 'node2']) {
      const log = await fs.readFile(path.join(lab.dir, node, 'kubelabd.log'), 'utf8');
      assert.ok(!log.includes(secretPart), `${node}'s log holds the join token`);
    }
    assert.match(await fs.readFile(path.join(lab.dir, 'node1', 'kubelabd.log'), 'utf8'), /join token in .*node1\/data\/join-token/);
  });
});
