// What the kubelet asks the runtime for a container's terminal, stdin and host ports: the pod
// spec's tty, stdin and stdinOnce reach the container config (Docker's Tty, OpenStdin and
// StdinOnce), and a hostPort keeps its protocol (a UDP hostPort is published for UDP, not TCP).
// What the engine then does with them is in test/integration/container-io.test.ts.
//
// covers: Pod spec.containers.tty, spec.containers.stdin, spec.containers.stdinOnce, spec.containers.ports.protocol

import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import type { ContainerConfig, SandboxConfig } from '../../daemon/runtime/container-runtime.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { validateObject } from '../../lib/api/validation.js';
import { newPod, type TestCluster } from '../helpers/test-cluster.js';
import { kubeletFixture, type KubeletFixture } from '../helpers/kubelet-fixture.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';

const IMAGE = 'kubelab/busybox:1';

describe('Kubelet: tty, stdin, stdinOnce and hostPort protocols reach the runtime', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let recorder: EventRecorder;
  let dataDir: string;
  let kubelet: Kubelet;

  let fixture: KubeletFixture;

  beforeEach(async () => {
    fixture = await kubeletFixture({ images: [IMAGE], dirPrefix: 'kubelab-kubelet-io-' });
    ({ clock, cluster, runtime, recorder, dataDir, kubelet } = fixture);
  });
  afterEach(async () => {
    await fixture.close();
  });

  const start = async (name: string, spec: Partial<Pod['spec']>) => {
    await cluster.client.create<Pod>('pods', newPod(name, { nodeName: 'node-1', ...spec }));
    await kubelet.syncPod(`default/${name}`);
    return {
      containers: runtime.callsOf('createContainer').map((args) => args[1] as ContainerConfig),
      sandbox: runtime.callsOf('runPodSandbox').map((args) => args[0] as SandboxConfig).at(-1)!,
    };
  };
  const io = (c: ContainerConfig) => ({ tty: c.tty ?? false, stdin: c.stdin ?? false, stdinOnce: c.stdinOnce ?? false });

  it('kubectl run -it (stdin, stdinOnce, tty) gets an open stdin closed after the first attach, on a terminal', async () => {
    const { containers } = await start('shell', { containers: [{ name: 'shell', image: IMAGE, stdin: true, stdinOnce: true, tty: true }] });
    assert.deepEqual(io(containers[0]), { tty: true, stdin: true, stdinOnce: true });
  });

  it('a plain container reads EOF on stdin and has no terminal; stdinOnce without stdin means nothing (as in Kubernetes)', async () => {
    const { containers } = await start('plain', { containers: [{ name: 'a', image: IMAGE }, { name: 'b', image: IMAGE, stdinOnce: true }, { name: 'c', image: IMAGE, stdin: true }] });
    assert.deepEqual(containers.map(io), [
      { tty: false, stdin: false, stdinOnce: false },
      { tty: false, stdin: false, stdinOnce: false },
      { tty: false, stdin: true, stdinOnce: false },
    ]);
  });

  it('publishes each hostPort for its own protocol (TCP by default)', async () => {
    const { sandbox } = await start('dns', {
      containers: [{ name: 'dns', image: IMAGE, ports: [{ containerPort: 53, hostPort: 5353, protocol: 'UDP' }, { containerPort: 53, hostPort: 5353, protocol: 'TCP' }, { containerPort: 80, hostPort: 8080 }, { containerPort: 9090 }] }],
    });
    assert.deepEqual(sandbox.portMappings?.map((m) => `${m.hostPort}->${m.containerPort}/${m.protocol}`), ['5353->53/UDP', '5353->53/TCP', '8080->80/TCP']);
  });

  it('refuses an SCTP hostPort at create (the node cannot publish it), and accepts SCTP without a hostPort', () => {
    const pod = (port: Record<string, unknown>) => newPod('sctp', { containers: [{ name: 'a', image: IMAGE, ports: [port as never] }] });
    assert.deepEqual(
      validateObject('pods', pod({ containerPort: 9899, hostPort: 9899, protocol: 'SCTP' })).map((e) => `${e.field}: ${e.message}`),
      ['spec.containers[0].ports[0].protocol: Forbidden: kubelab publishes hostPorts for TCP and UDP only: use one of them, or drop the hostPort and reach the pod by its IP or a Service'],
    );
    assert.deepEqual(validateObject('pods', pod({ containerPort: 9899, protocol: 'SCTP' })), []);
  });
});
