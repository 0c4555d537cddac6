import assert from 'node:assert/strict';
import type { Pod, PodStatus } from '../../lib/api/types.js';
import { computePodStatus, type WaitingReason } from '../../daemon/kubelet/pod-status.js';
import type { ContainerStatus, SandboxStatus } from '../../daemon/runtime/container-runtime.js';

const NOW = new Date('2025-03-01T10:00:00Z');
const T0 = '2025-03-01T09:00:00Z';

function newPod(restartPolicy: Pod['spec']['restartPolicy'] = 'Always', names = ['app'], status?: PodStatus): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: { restartPolicy, containers: names.map((name) => ({ name, image: 'kubelab/busybox:1' })) },
    ...(status ? { status } : {}),
  };
}

const sandbox: SandboxStatus = { id: 'sb', pod: { uid: 'u1', namespace: 'default', name: 'web' }, state: 'ready', ip: '10.244.0.7', createdAt: T0, labels: {} };

function attempt(id: string, state: ContainerStatus['state'], restartCount: number, exitCode?: number, name = 'app'): ContainerStatus {
  return {
    id,
    pod: { uid: 'u1', namespace: 'default', name: 'web' },
    name,
    state,
    image: 'kubelab/busybox:1',
    imageId: 'sha256:feed',
    restartCount,
    specHash: 'h',
    createdAt: `2025-03-01T09:0${restartCount}:00Z`,
    startedAt: `2025-03-01T09:0${restartCount}:01Z`,
    ...(state === 'exited' ? { finishedAt: `2025-03-01T09:0${restartCount}:30Z`, exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } : {}),
    labels: {},
  };
}

const status = (pod: Pod, containers: ContainerStatus[], opts: { sandbox?: SandboxStatus; waiting?: Record<string, WaitingReason>; readiness?: Record<string, boolean> } = {}) =>
  computePodStatus({
    pod,
    sandbox: 'sandbox' in opts ? opts.sandbox : sandbox,
    containers,
    waiting: new Map(Object.entries(opts.waiting ?? {})),
    readiness: new Map(Object.entries(opts.readiness ?? {})),
    hostIP: '192.168.1.10',
    now: NOW,
  });

const cond = (s: PodStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('computePodStatus: phase', () => {
  const cases: { name: string; pod: Pod; containers: ContainerStatus[]; waiting?: Record<string, WaitingReason>; phase: string }[] = [
    { name: 'nothing started yet', pod: newPod(), containers: [], phase: 'Pending' },
    { name: 'one of two containers not started', pod: newPod('Always', ['a', 'b']), containers: [attempt('1', 'running', 0, undefined, 'a')], phase: 'Pending' },
    { name: 'all running', pod: newPod(), containers: [attempt('1', 'running', 0)], phase: 'Running' },
    { name: 'Always, exited 0: will restart', pod: newPod('Always'), containers: [attempt('1', 'exited', 0, 0)], phase: 'Running' },
    { name: 'OnFailure, exited 0', pod: newPod('OnFailure'), containers: [attempt('1', 'exited', 0, 0)], phase: 'Succeeded' },
    { name: 'OnFailure, exited 1: will restart', pod: newPod('OnFailure'), containers: [attempt('1', 'exited', 0, 1)], phase: 'Running' },
    { name: 'Never, exited 0', pod: newPod('Never'), containers: [attempt('1', 'exited', 0, 0)], phase: 'Succeeded' },
    { name: 'Never, exited 1', pod: newPod('Never'), containers: [attempt('1', 'exited', 0, 1)], phase: 'Failed' },
    {
      name: 'crash-looping (waiting after an exit) counts as running',
      pod: newPod('Always'),
      containers: [attempt('1', 'exited', 1, 1)],
      waiting: { app: { reason: 'CrashLoopBackOff', message: 'back-off' } },
      phase: 'Running',
    },
    { name: 'image pull failing: Pending', pod: newPod(), containers: [], waiting: { app: { reason: 'ErrImagePull', message: 'no' } }, phase: 'Pending' },
    { name: 'a terminal phase never changes', pod: newPod('Never', ['app'], { phase: 'Failed' }), containers: [], phase: 'Failed' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(status(c.pod, c.containers, { waiting: c.waiting }).phase, c.phase));
});

describe('computePodStatus: container statuses', () => {
  it('a container not yet created waits in ContainerCreating', () => {
    const [s] = status(newPod(), []).containerStatuses!;
    assert.deepEqual(s, { name: 'app', image: 'kubelab/busybox:1', imageID: '', restartCount: 0, ready: false, started: false, lastState: {}, state: { waiting: { reason: 'ContainerCreating' } } });
  });

  it('a running container after a crash: running, lastState terminated, restartCount, ids', () => {
    const [s] = status(newPod(), [attempt('c2', 'running', 1), attempt('c1', 'exited', 0, 2)]).containerStatuses!;
    assert.deepEqual(s.state, { running: { startedAt: '2025-03-01T09:01:01Z' } });
    assert.deepEqual(s.lastState, {
      terminated: { exitCode: 2, reason: 'Error', startedAt: '2025-03-01T09:00:01Z', finishedAt: '2025-03-01T09:00:30Z', containerID: 'docker://c1' },
    });
    assert.equal(s.restartCount, 1);
    assert.equal(s.containerID, 'docker://c2');
    assert.equal(s.imageID, 'sha256:feed');
    assert.equal(s.ready, true);
    assert.equal(s.started, true);
  });

  it('crash-looping: waiting CrashLoopBackOff with the exit as lastState', () => {
    const message = 'back-off 10s restarting failed container=app pod=web_default(u1)';
    const [s] = status(newPod(), [attempt('c2', 'exited', 1, 1)], { waiting: { app: { reason: 'CrashLoopBackOff', message } } }).containerStatuses!;
    assert.deepEqual(s.state, { waiting: { reason: 'CrashLoopBackOff', message } });
    assert.equal(s.lastState.terminated?.exitCode, 1);
    assert.equal(s.restartCount, 1);
  });

  it('finished for good: terminated with the reason Completed', () => {
    const [s] = status(newPod('Never'), [attempt('c1', 'exited', 0, 0)]).containerStatuses!;
    assert.equal(s.state.terminated?.reason, 'Completed');
    assert.equal(s.state.terminated?.containerID, 'docker://c1');
    assert.equal(s.ready, false);
  });

  it('a failing readiness probe makes the container, and the pod, not ready', () => {
    const s = status(newPod('Always', ['a', 'b']), [attempt('1', 'running', 0, undefined, 'a'), attempt('2', 'running', 0, undefined, 'b')], { readiness: { b: false } });
    assert.deepEqual(s.containerStatuses!.map((c) => c.ready), [true, false]);
    assert.deepEqual([cond(s, 'Ready')?.status, cond(s, 'Ready')?.reason, cond(s, 'Ready')?.message], ['False', 'ContainersNotReady', 'containers with unready status: [b]']);
  });
});

describe('computePodStatus: pod fields and conditions', () => {
  it('reports IPs from the sandbox and the host, and a start time', () => {
    const s = status(newPod(), [attempt('1', 'running', 0)]);
    assert.equal(s.podIP, '10.244.0.7');
    assert.deepEqual(s.podIPs, [{ ip: '10.244.0.7' }]);
    assert.equal(s.hostIP, '192.168.1.10');
    assert.deepEqual(s.hostIPs, [{ ip: '192.168.1.10' }]);
    assert.equal(s.startTime, '2025-03-01T10:00:00Z');
    assert.deepEqual(
      s.conditions!.map((c) => `${c.type}=${c.status}`),
      ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
    );
  });

  it('keeps lastTransitionTime and startTime while nothing changes, moves it on a flip', () => {
    const previous: PodStatus = {
      startTime: T0,
      podIP: '10.244.0.7',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: T0 },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: T0 },
      ],
    };
    const s = status(newPod('Always', ['app'], previous), [attempt('2', 'exited', 1, 1)], { sandbox: undefined, waiting: { app: { reason: 'CrashLoopBackOff' } } });
    assert.equal(s.startTime, T0);
    assert.equal(cond(s, 'PodScheduled')?.lastTransitionTime, T0);
    assert.equal(cond(s, 'Ready')?.status, 'False');
    assert.equal(cond(s, 'Ready')?.lastTransitionTime, '2025-03-01T10:00:00Z');
    assert.equal(s.podIP, '10.244.0.7', 'the pod IP stays known after the sandbox is gone');
  });

  it('a completed pod is not ready, with the reason PodCompleted', () => {
    const s = status(newPod('OnFailure'), [attempt('1', 'exited', 0, 0)]);
    assert.equal(s.phase, 'Succeeded');
    assert.deepEqual([cond(s, 'Ready')?.status, cond(s, 'Ready')?.reason], ['False', 'PodCompleted']);
  });
});
