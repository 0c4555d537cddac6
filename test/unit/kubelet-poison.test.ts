// Poison for the kubelet (issue 12): a pod bound to the node whose fields are of the wrong shape,
// written straight into the store. Its sync fails with a FailedSync warning on it (once per
// version) and back-off; the other pods of the node are started as usual.

import assert from 'node:assert/strict';
import type { Event, KubeObject, Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { newPod, type TestCluster } from '../helpers/test-cluster.js';
import { kubeletFixture, type KubeletFixture } from '../helpers/kubelet-fixture.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';

const IMAGE = 'kubelab/busybox:1';

describe('Kubelet with a poison pod bound to its node', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let recorder: EventRecorder;
  let dataDir: string;
  let kubelet: Kubelet;

  let fixture: KubeletFixture;

  beforeEach(async () => {
    fixture = await kubeletFixture({ images: [IMAGE], dirPrefix: 'kubelab-kubelet-poison-' });
    ({ clock, cluster, runtime, recorder, dataDir, kubelet } = fixture);
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('warns FailedSync on the poison pod once, and starts the good pod', async () => {
    const poison = newPod('poison', { nodeName: 'node-1', containers: [{ name: 'a', image: IMAGE }] }) as any;
    poison.spec.containers[0].ports = '80';
    await cluster.store.create('pods', poison as KubeObject);
    const good = await cluster.client.create<Pod>('pods', newPod('good', { nodeName: 'node-1', containers: [{ name: 'a', image: IMAGE }] }));

    await assert.rejects(kubelet.syncPod('default/poison'), TypeError);
    await assert.rejects(kubelet.syncPod('default/poison'), TypeError);
    await kubelet.syncPod('default/good');

    assert.deepEqual([...runtime.containers.values()].filter((c) => c.pod.uid === good.metadata.uid).map((c) => `${c.name}:${c.state}`), ['a:running']);
    await recorder.flush();
    const warnings = (await cluster.client.list<Event>('events')).items.filter((e) => e.involvedObject.name === 'poison' && e.type === 'Warning');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].reason, 'FailedSync');
    assert.equal(warnings[0].count ?? 1, 1, 'once per version of the pod, not at every retry');
    assert.match(warnings[0].message ?? '', /the kubelet cannot handle it: .*not a function/);
  });
});
