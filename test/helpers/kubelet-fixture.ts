// A kubelet on node-1 against an in-memory API, with the fake runtime, a manual clock and a
// temporary data dir: what every kubelet component test starts from. The fields are the
// fixture's parts, so a test can destructure them into its own `let`s.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet, type KubeletOptions } from '../../daemon/kubelet/kubelet.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';
import { FakeTmpfs } from '../fakes/fake-tmpfs.js';
import { newTestCluster, type TestCluster } from './test-cluster.js';

export interface KubeletFixture {
  clock: ManualClock;
  cluster: TestCluster;
  runtime: FakeRuntime;
  recorder: EventRecorder;
  dataDir: string;
  kubelet: Kubelet;
  /** Another kubelet on the same node, API, runtime and data dir (a restart). */
  newKubelet(): Kubelet;
  /** Flushes events, closes the API and removes the data dir. */
  close(): Promise<void>;
}

export async function kubeletFixture(options: { images?: string[]; dirPrefix: string; kubelet?: Partial<KubeletOptions> }): Promise<KubeletFixture> {
  const clock = new ManualClock('2025-03-01T10:00:00Z');
  const cluster = await newTestCluster(() => clock.now());
  const runtime = new FakeRuntime({ clock });
  for (const image of options.images ?? ['kubelab/busybox:1']) runtime.addImage(image);
  const recorder = new EventRecorder(cluster.client, { component: 'kubelet', host: 'node-1' }, clock);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), options.dirPrefix));
  const newKubelet = () =>
    new Kubelet({ nodeName: 'node-1', client: cluster.client, runtime, recorder, clock, dataDir, role: 'server', nodeIP: '192.168.1.10', log: silentLogger, tmpfs: new FakeTmpfs(), ...options.kubelet });
  return {
    clock,
    cluster,
    runtime,
    recorder,
    dataDir,
    kubelet: newKubelet(),
    newKubelet,
    async close() {
      await recorder.flush();
      await cluster.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
