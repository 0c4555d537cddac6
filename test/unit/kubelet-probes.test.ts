// The kubelet's container probes as a component: the real Kubelet, ProbeManager and probe workers
// over the in-memory API, the recording FakeRuntime, a ManualClock, and a scripted prober that
// answers what each test says (the prober itself is tested on real sockets in prober.test.ts).
//
// covers: Pod spec.containers.startupProbe, spec.containers.readinessProbe.successThreshold

import assert from 'node:assert/strict';
import path from 'node:path';
import type { Container, Event, Pod, Probe } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { computePodActions, DEFAULT_BACKOFF, specHash } from '../../daemon/kubelet/pod-actions.js';
import { computePodStatus } from '../../daemon/kubelet/pod-status.js';
import type { ContainerProber, ProbeOutcome, ProbeTarget } from '../../daemon/kubelet/prober.js';
import type { ProbeType } from '../../daemon/kubelet/probe-state.js';
import type { ContainerStatus } from '../../daemon/runtime/container-runtime.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';
import { newPod, type TestCluster } from '../helpers/test-cluster.js';
import { kubeletFixture, type KubeletFixture } from '../helpers/kubelet-fixture.js';

const IMAGE = 'kubelab/busybox:1';
const refused: ProbeOutcome = { attempt: 'failure', message: 'dial tcp 10.244.0.2:3000: connect: connection refused' };

/** Answers each `<container>/<type>` as the test set it (success by default) and records every attempt. */
class ScriptedProber implements ContainerProber {
  readonly answers = new Map<string, ProbeOutcome>();
  readonly calls: { key: string; target: ProbeTarget }[] = [];
  /** While set, every probe waits for it before answering (a slow probe). */
  pending?: Promise<void>;
  async probe(type: ProbeType, _probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
    const key = `${target.container.name}/${type}`;
    this.calls.push({ key, target });
    await this.pending;
    return this.answers.get(key) ?? { attempt: 'success' };
  }
  count(key: string): number {
    return this.calls.filter((c) => c.key === key).length;
  }
}

describe('Kubelet probes (component, fake runtime, ManualClock)', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let recorder: EventRecorder;
  let prober: ScriptedProber;
  let dataDir: string;
  let kubelet: Kubelet;

  let fixture: KubeletFixture;

  beforeEach(async () => {
    prober = new ScriptedProber();
    fixture = await kubeletFixture({ images: [IMAGE], dirPrefix: 'kubelab-probes-', kubelet: { prober } });
    ({ clock, cluster, runtime, recorder, dataDir, kubelet } = fixture);
  });
  afterEach(async () => {
    kubelet.probes.stopAll();
    await fixture.close();
  });

  const createPod = (name: string, container: Partial<Container>, spec: Partial<Pod['spec']> = {}) =>
    cluster.client.create<Pod>('pods', newPod(name, { nodeName: 'node-1', containers: [{ name: 'app', image: IMAGE, ...container }], ...spec }));
  const getPod = (name: string) => cluster.client.get<Pod>('pods', 'default', name);
  const appContainer = (name: string) => (pod: Pod) => pod.status!.containerStatuses!.find((c) => c.name === name)!;
  const readyCondition = (pod: Pod) => pod.status!.conditions!.find((c) => c.type === 'Ready')!.status;
  const eventsOf = async (reason: string) => {
    await recorder.flush();
    return (await cluster.client.list<Event>('events')).items.filter((e) => e.reason === reason).map((e) => ({ message: e.message, count: e.count, type: e.type }));
  };
  /** Lets the probe workers run what is due now. */
  const settle = () => clock.advance(0);

  it('readiness: not Ready until the first success, then Ready, and the flip enqueues the pod', async () => {
    await createPod('web', { readinessProbe: { httpGet: { path: '/', port: 3000 }, periodSeconds: 10 } });
    prober.answers.set('app/readiness', refused);
    await kubelet.syncPod('default/web');
    let pod = await getPod('web');
    assert.equal(pod.status!.phase, 'Running');
    assert.equal(appContainer('app')(pod).ready, false);
    assert.equal(readyCondition(pod), 'False');
    assert.equal(pod.status!.conditions!.find((c) => c.type === 'ContainersReady')!.status, 'False');

    await settle();
    assert.equal(prober.count('app/readiness'), 1, 'probed at once (no initial delay)');
    assert.equal(prober.calls[0].target.podIP, '10.244.0.2', 'the pod IP is the target');
    assert.equal(kubelet.queue.length, 0, 'a failure that changes nothing enqueues nothing');

    prober.answers.set('app/readiness', { attempt: 'success' });
    await clock.advance(10_000);
    assert.equal(kubelet.queue.length, 1, 'the flip to success enqueues the pod');
    await kubelet.syncPod('default/web');
    pod = await getPod('web');
    assert.equal(appContainer('app')(pod).ready, true);
    assert.equal(readyCondition(pod), 'True');
    assert.deepEqual(await eventsOf('Unhealthy'), [{ message: 'Readiness probe failed: dial tcp 10.244.0.2:3000: connect: connection refused', count: 1, type: 'Warning' }]);
  });

  it('readiness: a Ready pod goes not Ready only after failureThreshold failures in a row', async () => {
    await createPod('web', { readinessProbe: { tcpSocket: { port: 3000 }, periodSeconds: 5, failureThreshold: 3 } });
    await kubelet.syncPod('default/web');
    await settle();
    await kubelet.syncPod('default/web');
    assert.equal(readyCondition(await getPod('web')), 'True');

    prober.answers.set('app/readiness', refused);
    await clock.advance(5_000);
    await clock.advance(5_000);
    await kubelet.syncPod('default/web');
    assert.equal(readyCondition(await getPod('web')), 'True', 'two failures are not enough');
    await clock.advance(5_000);
    await kubelet.syncPod('default/web');
    const pod = await getPod('web');
    assert.equal(readyCondition(pod), 'False');
    assert.equal(pod.status!.phase, 'Running', 'not ready is not restarted');
    assert.deepEqual(await eventsOf('Unhealthy'), [{ message: 'Readiness probe failed: dial tcp 10.244.0.2:3000: connect: connection refused', count: 3, type: 'Warning' }]);
    assert.equal(runtime.callsOf('stopContainer').length, 0);
  });

  it('readiness after a kubelet restart: a container its status reports ready stays Ready until probes say otherwise', async () => {
    await createPod('web', { readinessProbe: { tcpSocket: { port: 3000 }, periodSeconds: 10 } });
    await kubelet.syncPod('default/web');
    await settle();
    await kubelet.syncPod('default/web');
    const before = await getPod('web');
    assert.equal(readyCondition(before), 'True');

    // kubelabd restarts (lab scenario daemon-restart): a new kubelet, the same engine and API.
    // Its first probe is still under way when it writes the pod's status.
    kubelet.probes.stopAll();
    kubelet = fixture.newKubelet();
    let answerProbes = () => {};
    prober.pending = new Promise<void>((resolve) => (answerProbes = resolve));
    await kubelet.syncPod('default/web');
    const after = await getPod('web');
    assert.equal(appContainer('app')(after).containerID, appContainer('app')(before).containerID, 'the same container, adopted');
    assert.equal(appContainer('app')(after).ready, true);
    assert.equal(readyCondition(after), 'True', 'no NotReady flap that would pull the pod out of its Services');
    prober.pending = undefined;
    answerProbes();

    // The carried-over result is only a start: failing probes still take the pod out.
    prober.answers.set('app/readiness', refused);
    for (let i = 0; i < 3; i++) await clock.advance(10_000);
    await kubelet.syncPod('default/web');
    assert.equal(readyCondition(await getPod('web')), 'False');
  });

  it('liveness: failureThreshold failures kill the container; it is restarted (restartCount 1) and probed afresh', async () => {
    await createPod('wedged', { livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 3 } }, { terminationGracePeriodSeconds: 2 });
    await kubelet.syncPod('default/wedged');
    await settle();
    assert.equal(prober.count('app/liveness'), 0, 'not before initialDelaySeconds');
    await clock.advance(5_000);
    assert.equal(prober.count('app/liveness'), 1);

    prober.answers.set('app/liveness', { attempt: 'failure', message: "cat: can't open '/tmp/healthy': No such file or directory" });
    await clock.advance(5_000);
    await clock.advance(5_000);
    assert.equal(runtime.callsOf('stopContainer').length, 0);
    await clock.advance(5_000);
    assert.equal(kubelet.queue.length, 1, 'the liveness failure enqueues the pod');
    const firstId = prober.calls.at(-1)!.target.containerId;

    await kubelet.syncPod('default/wedged'); // kills
    assert.deepEqual(runtime.callsOf('stopContainer'), [[firstId, 2]]);
    await clock.advance(60_000);
    assert.equal(prober.count('app/liveness'), 4, 'the killed container is probed no more');
    await kubelet.syncPod('default/wedged'); // restarts
    const status = appContainer('app')(await getPod('wedged'));
    assert.equal(status.restartCount, 1);
    assert.ok(status.state.running);
    assert.equal(status.lastState.terminated?.exitCode, 137);

    prober.answers.delete('app/liveness');
    const callsBefore = prober.calls.length;
    await clock.advance(5_000);
    const fresh = prober.calls.slice(callsBefore);
    assert.equal(fresh.length, 1, 'the new container is probed after its own initial delay');
    assert.notEqual(fresh[0].target.containerId, firstId);

    assert.deepEqual(await eventsOf('Killing'), [{ message: 'Container app failed liveness probe, will be restarted', count: 1, type: 'Normal' }]);
    assert.deepEqual(await eventsOf('Unhealthy'), [{ message: "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory", count: 3, type: 'Warning' }]);
  });

  it('liveness with restartPolicy Never: killed and left dead, the pod Failed', async () => {
    await createPod('once', { livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 } }, { restartPolicy: 'Never' });
    prober.answers.set('app/liveness', { attempt: 'failure', message: 'command "false" exited with 1' });
    await kubelet.syncPod('default/once');
    await settle();
    await kubelet.syncPod('default/once');
    await kubelet.syncPod('default/once');
    assert.equal((await getPod('once')).status!.phase, 'Failed');
    assert.equal(runtime.callsOf('startContainer').length, 1);
    assert.deepEqual((await eventsOf('Killing')).map((e) => e.message), ['Container app failed liveness probe']);
  });

  it('startup: liveness and readiness wait for it; started and ready follow its success', async () => {
    await createPod('slow', {
      startupProbe: { httpGet: { path: '/', port: 3000 }, periodSeconds: 2, failureThreshold: 30 },
      livenessProbe: { httpGet: { path: '/', port: 3000 }, periodSeconds: 10 },
      readinessProbe: { httpGet: { path: '/', port: 3000 }, periodSeconds: 10 },
    });
    prober.answers.set('app/startup', refused);
    await kubelet.syncPod('default/slow');
    for (let i = 0; i < 5; i++) await clock.advance(2_000);
    assert.equal(prober.count('app/startup'), 6);
    assert.equal(prober.count('app/liveness') + prober.count('app/readiness'), 0, 'gated by the startup probe');
    await kubelet.syncPod('default/slow');
    let status = appContainer('app')(await getPod('slow'));
    assert.deepEqual([status.started, status.ready], [false, false]);

    prober.answers.delete('app/startup');
    await clock.advance(2_000);
    await kubelet.syncPod('default/slow');
    status = appContainer('app')(await getPod('slow'));
    assert.deepEqual([status.started, status.ready], [true, false], 'started, not yet ready');
    await clock.advance(10_000);
    assert.equal(prober.count('app/startup'), 7, 'a startup probe stops once it succeeded');
    assert.equal(prober.count('app/liveness'), 1);
    assert.equal(prober.count('app/readiness'), 1);
    await kubelet.syncPod('default/slow');
    status = appContainer('app')(await getPod('slow'));
    assert.deepEqual([status.started, status.ready], [true, true]);
    assert.equal(readyCondition(await getPod('slow')), 'True');
  });

  it('startup: reaching failureThreshold kills the container like liveness', async () => {
    await createPod('never', { startupProbe: { tcpSocket: { port: 3000 }, periodSeconds: 1, failureThreshold: 2 } });
    prober.answers.set('app/startup', refused);
    await kubelet.syncPod('default/never');
    await settle();
    await clock.advance(1_000);
    await kubelet.syncPod('default/never');
    await kubelet.syncPod('default/never');
    assert.equal(appContainer('app')(await getPod('never')).restartCount, 1);
    assert.deepEqual((await eventsOf('Killing')).map((e) => e.message), ['Container app failed startup probe, will be restarted']);
  });

  it('workers run while the container runs and stop when it exits or the pod is deleted', async () => {
    await createPod('web', { readinessProbe: { tcpSocket: { port: 3000 } }, livenessProbe: { tcpSocket: { port: 3000 } } }, { restartPolicy: 'Never' });
    await kubelet.syncPod('default/web');
    assert.equal(kubelet.probes.workerCount, 2);
    const [container] = [...runtime.containers.values()];
    runtime.exitContainer(container.id, 0);
    await kubelet.syncPod('default/web');
    assert.equal(kubelet.probes.workerCount, 0, 'an exited container is not probed');

    await createPod('other', { readinessProbe: { tcpSocket: { port: 3000 } } });
    await kubelet.syncPod('default/other');
    assert.equal(kubelet.probes.workerCount, 1);
    await cluster.client.delete('pods', 'default', 'other', { gracePeriodSeconds: 1 });
    await kubelet.syncPod('default/other');
    assert.equal(kubelet.probes.workerCount, 0, 'a deleted pod is not probed');
  });
});

describe('computePodActions with probe failures', () => {
  const pod = newPod('web');
  pod.metadata.uid = 'u1';
  const running: ContainerStatus = {
    id: 'c1', pod: { uid: 'u1', namespace: 'default', name: 'web' }, name: 'app', state: 'running', image: IMAGE, imageId: '', restartCount: 0,
    specHash: '', createdAt: '2025-03-01T10:00:00Z', startedAt: '2025-03-01T10:00:01Z', labels: {},
  };
  const sandbox = { id: 'sb', pod: running.pod, state: 'ready' as const, ip: '10.244.0.2', createdAt: '2025-03-01T10:00:00Z', labels: {} };
  const plan = (failures: Map<string, { containerId: string; probeType: 'liveness' | 'startup' }>) =>
    computePodActions({ pod, sandboxes: [sandbox], containers: [{ ...running, specHash: specHash(pod.spec.containers[0]) }], backoff: new Map(), policy: DEFAULT_BACKOFF, now: new Date('2025-03-01T10:01:00Z'), probeFailures: failures });

  it('kills a running container whose liveness probe failed, and asks for a prompt resync to restart it', () => {
    const actions = plan(new Map([['app', { containerId: 'c1', probeType: 'liveness' }]]));
    assert.deepEqual(actions.containersToKill, [{ id: 'c1', name: 'app', reason: 'Container app failed liveness probe, will be restarted' }]);
    assert.equal(actions.resyncSoon, true);
  });

  it('ignores a failure reported for an older container ID', () => {
    const actions = plan(new Map([['app', { containerId: 'c0', probeType: 'liveness' }]]));
    assert.deepEqual(actions.containersToKill.filter((k) => k.reason.includes('probe')), []);
    assert.equal(actions.resyncSoon, false);
  });
});

describe('computePodStatus with probe results', () => {
  const pod = newPod('web', { containers: [{ name: 'app', image: IMAGE, readinessProbe: { tcpSocket: { port: 1 } }, startupProbe: { tcpSocket: { port: 1 } } }] });
  const running: ContainerStatus = {
    id: 'c1', pod: { uid: 'u1', namespace: 'default', name: 'web' }, name: 'app', state: 'running', image: IMAGE, imageId: '', restartCount: 0,
    specHash: '', createdAt: '2025-03-01T10:00:00Z', startedAt: '2025-03-01T10:00:01Z', labels: {},
  };
  const cases: { name: string; readiness?: boolean; started?: boolean; state?: ContainerStatus['state']; want: [boolean, boolean] }[] = [
    { name: 'no probe results: running means started and ready', want: [true, true] },
    { name: 'started, readiness failing: not ready', readiness: false, started: true, want: [true, false] },
    { name: 'readiness passing but not started: not ready', readiness: true, started: false, want: [false, false] },
    { name: 'started and readiness passing: ready', readiness: true, started: true, want: [true, true] },
    { name: 'exited: neither, whatever the probes said', readiness: true, started: true, state: 'exited', want: [false, false] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = computePodStatus({
        pod,
        containers: [{ ...running, state: c.state ?? 'running', ...(c.state === 'exited' ? { exitCode: 0, finishedAt: '2025-03-01T10:00:09Z' } : {}) }],
        ...(c.readiness === undefined ? {} : { readiness: new Map([['app', c.readiness]]) }),
        ...(c.started === undefined ? {} : { started: new Map([['app', c.started]]) }),
        now: new Date('2025-03-01T10:01:00Z'),
      });
      const s = status.containerStatuses![0];
      assert.deepEqual([s.started, s.ready], c.want);
      assert.equal(status.conditions!.find((x) => x.type === 'Ready')!.status, c.want[1] ? 'True' : 'False');
    });
  }
});
