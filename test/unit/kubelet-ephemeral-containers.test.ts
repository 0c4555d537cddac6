// What the kubelet asks the runtime for an ephemeral container (kubectl debug) added to a running
// pod: its command, args, workingDir, terminal and stdin as for any container, the termination
// log at its terminationMessagePath, and with targetContainerName the target's process
// namespace; it is started once and reported in status.ephemeralContainerStatuses. What the
// engine then does with it is in test/integration/debug-cp.test.ts.
//
// covers: Pod spec.ephemeralContainers.command, spec.ephemeralContainers.args, spec.ephemeralContainers.workingDir, spec.ephemeralContainers.tty, spec.ephemeralContainers.stdin, spec.ephemeralContainers.stdinOnce, spec.ephemeralContainers.terminationMessagePath, spec.ephemeralContainers.targetContainerName, spec.ephemeralContainers.imagePullPolicy, spec.ephemeralContainers.terminationMessagePolicy

import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import type { ContainerConfig } from '../../daemon/runtime/container-runtime.js';
import type { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { newPod, type TestCluster } from '../helpers/test-cluster.js';
import { kubeletFixture, type KubeletFixture } from '../helpers/kubelet-fixture.js';
import type { FakeRuntime } from '../fakes/fake-runtime.js';

const IMAGE = 'kubelab/busybox:1';

describe('Kubelet: ephemeral containers', () => {
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let kubelet: Kubelet;
  let fixture: KubeletFixture;

  beforeEach(async () => {
    fixture = await kubeletFixture({ images: [IMAGE], dirPrefix: 'kubelab-kubelet-ephemeral-' });
    ({ cluster, runtime, kubelet } = fixture);
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('starts an added one once, in the target\'s process namespace, and reports its status', async () => {
    await cluster.client.create<Pod>('pods', newPod('web', { nodeName: 'node-1', containers: [{ name: 'app', image: IMAGE }] }));
    await kubelet.syncPod('default/web');
    const appId = (await runtime.listContainers()).find((c) => c.name === 'app')!.id;
    const debug = {
      name: 'dbg', image: IMAGE, command: ['sh'], args: ['-c', 'cat'], workingDir: '/www', stdin: true, stdinOnce: true, tty: true,
      targetContainerName: 'app', imagePullPolicy: 'Never' as const, terminationMessagePath: '/tmp/why', terminationMessagePolicy: 'File' as const,
    };
    await cluster.client.patch('pods', 'default', 'web', { spec: { ephemeralContainers: [debug] } }, 'strategic', { subresource: 'ephemeralcontainers' });
    await kubelet.syncPod('default/web');
    await kubelet.syncPod('default/web');

    const created = runtime.callsOf('createContainer').map((args) => args[1] as ContainerConfig).filter((c) => c.name === 'dbg');
    assert.equal(created.length, 1, 'started once, however often the pod is synced');
    const [config] = created;
    assert.deepEqual(
      { command: config.command, args: config.args, workingDir: config.workingDir, tty: config.tty, stdin: config.stdin, stdinOnce: config.stdinOnce, pidMode: config.pidMode },
      { command: ['sh'], args: ['-c', 'cat'], workingDir: '/www', tty: true, stdin: true, stdinOnce: true, pidMode: { containerId: appId } },
    );
    assert.ok(config.mounts.some((m) => m.containerPath === '/tmp/why'), 'the termination log is mounted at terminationMessagePath');
    const pod = await cluster.client.get<Pod>('pods', 'default', 'web');
    // (The fake runtime's `cat` ends at once: running or terminated, never waiting.)
    assert.deepEqual(pod.status?.ephemeralContainerStatuses?.map((s) => [s.name, Boolean(s.state.running || s.state.terminated), s.ready]), [['dbg', true, false]]);
  });
});
