// CVE-2017-1002101 against the real engine: a container of a pod plants a symlink to / in an
// emptyDir, another container of the pod mounts that emptyDir by subPath through the link. The
// kubelet must refuse the mount (CreateContainerConfigError naming the escape), and the host's
// files must never be visible in the pod.
//
// covers: Pod spec.containers.volumeMounts.subPath

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestDaemon, eventually } from '../../harness/test-daemon.js';
import type { Pod } from '../../lib/api/types.js';

describe('subPath cannot escape its volume through a planted symlink (real Docker Engine)', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  let scratch: string;

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-subpath-'));
  });
  after(async () => {
    await daemon?.cleanup();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  it('refuses the mount with CreateContainerConfigError and never shows the host root to the pod', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'escape' },
      spec: {
        volumes: [{ name: 'shared', emptyDir: {} }, { name: 'report', emptyDir: {} }],
        containers: [
          {
            // The attacker: keeps `escape` a symlink to the node's root, replacing whatever is there.
            name: 'planter',
            image: 'kubelab/busybox:1',
            command: ['sh', '-c', "trap 'exit 0' TERM; while :; do if [ ! -L /shared/escape ]; then rm -rf /shared/escape; ln -s / /shared/escape; fi; sleep 1; done"],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }, { name: 'report', mountPath: '/report' }],
          },
          {
            // The victim mount: whatever it sees at /host is written down, then it exits to be started again.
            name: 'reader',
            image: 'kubelab/busybox:1',
            command: ['sh', '-c', 'ls -a /host >> /report/seen; echo --- >> /report/seen; exit 1'],
            volumeMounts: [{ name: 'shared', mountPath: '/host', subPath: 'escape' }, { name: 'report', mountPath: '/report' }],
          },
        ],
      },
    };
    const file = path.join(scratch, 'escape.json');
    await fs.writeFile(file, JSON.stringify(pod));
    const created = await daemon.kubelab(['create', '-f', file]);
    assert.equal(created.code, 0, created.stderr);

    const refused = await eventually(async () => {
      const r = await daemon.kubelab(['get', 'pod', 'escape', '-o', 'json']);
      if (r.code !== 0) return undefined;
      const status = (JSON.parse(r.stdout) as Pod).status?.containerStatuses?.find((c) => c.name === 'reader');
      return status?.state?.waiting?.reason === 'CreateContainerConfigError' ? status.state.waiting : undefined;
    }, 120_000);
    assert.match(refused.message ?? '', /escapes its volume: "escape" is a symlink to \/, outside the volume/);

    const seen = await daemon.kubelab(['exec', 'escape', '-c', 'planter', '--', 'sh', '-c', 'cat /report/seen 2>/dev/null; true']);
    assert.equal(seen.code, 0, seen.stderr);
    for (const hostEntry of ['proc', 'etc', 'usr', 'var']) {
      assert.doesNotMatch(seen.stdout, new RegExp(`^${hostEntry}$`, 'm'), `the reader saw the host's /${hostEntry}:\n${seen.stdout}`);
    }
    const events = await daemon.kubelab(['get', 'events', '-o', 'json']);
    assert.match(events.stdout, /escapes its volume/);
  });
});
