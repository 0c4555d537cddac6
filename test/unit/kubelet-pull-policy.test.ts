// The kubelet honours imagePullPolicy as Kubernetes' does (component test, fake runtime):
// Never runs only a present image and otherwise waits with ErrImageNeverPull; IfNotPresent
// pulls only a missing image; Always pulls every time a container starts.
//
// covers: Pod spec.containers.imagePullPolicy

import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { newPod, type TestCluster } from '../helpers/test-cluster.js';
import { kubeletFixture, type KubeletFixture } from '../helpers/kubelet-fixture.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';

const PRESENT = 'kubelab/busybox:1';

describe('Kubelet: imagePullPolicy', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let recorder: EventRecorder;
  let dataDir: string;
  let kubelet: Kubelet;

  let fixture: KubeletFixture;

  beforeEach(async () => {
    fixture = await kubeletFixture({ images: [PRESENT], dirPrefix: 'kubelab-pull-policy-' });
    ({ clock, cluster, runtime, recorder, dataDir, kubelet } = fixture);
  });
  afterEach(async () => {
    await fixture.close();
  });

  const run = async (name: string, image: string, imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never') => {
    await cluster.client.create<Pod>('pods', newPod(name, { nodeName: 'node-1', containers: [{ name: 'app', image, imagePullPolicy }] }));
    await kubelet.syncPod(`default/${name}`);
    return (await cluster.client.get<Pod>('pods', 'default', name)).status!.containerStatuses![0].state;
  };

  it('Never: a present image runs without a pull', async () => {
    assert.ok((await run('never-present', PRESENT, 'Never')).running);
    assert.equal(runtime.callsOf('pullImage').length, 0);
  });

  it('Never: a missing image waits with ErrImageNeverPull, and nothing is pulled', async () => {
    const state = await run('never-missing', 'hello:v9', 'Never');
    assert.deepEqual(state.waiting, { reason: 'ErrImageNeverPull', message: 'Container image "hello:v9" is not present with pull policy of Never' });
    assert.equal(runtime.callsOf('pullImage').length, 0);
  });

  it('IfNotPresent: a present image is not pulled', async () => {
    assert.ok((await run('if-present', PRESENT, 'IfNotPresent')).running);
    assert.equal(runtime.callsOf('pullImage').length, 0);
  });

  it('Always: the image is pulled even though it is present', async () => {
    await run('always', PRESENT, 'Always');
    assert.equal(runtime.callsOf('pullImage').length, 1);
  });
});
