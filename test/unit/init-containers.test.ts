// The init container state machine (pod-actions' init walk) and the status it shows
// (pod-status: Init:N/M, Initialized, phase), as table tests over what the runtime reports.

import assert from 'node:assert/strict';
import type { Container, Pod } from '../../lib/api/types.js';
import { computePodActions, DEFAULT_BACKOFF, specHash, type BackoffEntry, type PodActions } from '../../daemon/kubelet/pod-actions.js';
import { computePodStatus } from '../../daemon/kubelet/pod-status.js';
import type { ContainerStatus, SandboxStatus } from '../../daemon/runtime/container-runtime.js';
import { summarizePod } from '../../lib/printers/pod-printer.js';

const podStatusText = (pod: Pod) => summarizePod(pod).status;

const NOW = new Date('2025-03-01T10:00:00Z');
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();

function newPod(restartPolicy: Pod['spec']['restartPolicy'], init: Container[], extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: { restartPolicy, initContainers: init, containers: [{ name: 'app', image: 'busybox' }], ...extra },
  };
}
const init = (name: string, sidecar = false): Container => ({ name, image: 'busybox', ...(sidecar ? { restartPolicy: 'Always' as const } : {}) });
const sandbox: SandboxStatus = { id: 'sb1', pod: { uid: 'u1', namespace: 'default', name: 'web' }, state: 'ready', ip: '10.244.0.5', createdAt: at(100), labels: {} };

function attempt(of: Pod, name: string, id: string, state: ContainerStatus['state'], opts: { exitCode?: number; restartCount?: number; sandboxId?: string; finishedAgo?: number } = {}): ContainerStatus {
  const spec = [...(of.spec.initContainers ?? []), ...of.spec.containers].find((c) => c.name === name)!;
  return {
    id, pod: { uid: 'u1', namespace: 'default', name: 'web' }, name, state, image: 'busybox', imageId: 'sha256:abc', restartCount: opts.restartCount ?? 0, specHash: specHash(spec),
    sandboxId: opts.sandboxId ?? 'sb1', createdAt: at(60), startedAt: at(50),
    ...(state === 'exited' ? { finishedAt: at(opts.finishedAgo ?? 5), exitCode: opts.exitCode ?? 0 } : {}), labels: {},
  };
}

function plan(pod: Pod, containers: ContainerStatus[], options: { sandboxes?: SandboxStatus[]; backoff?: Map<string, BackoffEntry>; started?: Map<string, boolean> } = {}): PodActions {
  return computePodActions({ pod, sandboxes: options.sandboxes ?? [sandbox], containers, backoff: options.backoff ?? new Map(), policy: DEFAULT_BACKOFF, now: NOW, started: options.started });
}
const starts = (a: PodActions) => a.containersToStart.map((s) => `${s.name}#${s.restartCount}`);

describe('init containers: the kubelet\'s plan', () => {
  const two = newPod('Always', [init('first'), init('second')]);

  const cases: { name: string; pod: Pod; containers: (p: Pod) => ContainerStatus[]; sandboxes?: SandboxStatus[]; started?: Map<string, boolean>; backoff?: Map<string, BackoffEntry>; want: { start: string[]; initializing: boolean; podDone?: boolean; waiting?: string[]; kill?: string[] } }[] = [
    { name: 'a new pod: only the first init container starts, in a new sandbox', pod: two, containers: () => [], sandboxes: [], want: { start: ['first#0'], initializing: true } },
    { name: 'the first still runs: nothing else starts', pod: two, containers: (p) => [attempt(p, 'first', 'c1', 'running')], want: { start: [], initializing: true } },
    { name: 'the first exited 0: the second starts', pod: two, containers: (p) => [attempt(p, 'first', 'c1', 'exited')], want: { start: ['second#0'], initializing: true } },
    { name: 'both exited 0: the app starts', pod: two, containers: (p) => [attempt(p, 'first', 'c1', 'exited'), attempt(p, 'second', 'c2', 'exited')], want: { start: ['app#0'], initializing: false } },
    { name: 'a failed init container is restarted at once the first time', pod: two, containers: (p) => [attempt(p, 'first', 'c1', 'exited', { exitCode: 1 })], want: { start: ['first#1'], initializing: true } },
    {
      name: 'then it waits out its back-off (CrashLoopBackOff)', pod: two, backoff: new Map([['first', { delayMs: 20_000 }]]),
      containers: (p) => [attempt(p, 'first', 'c1', 'exited', { exitCode: 1, restartCount: 1, finishedAgo: 5 })], want: { start: [], initializing: true, waiting: ['first CrashLoopBackOff'] },
    },
    { name: 'under OnFailure a failed init container is retried too', pod: newPod('OnFailure', [init('first')]), containers: (p) => [attempt(p, 'first', 'c1', 'exited', { exitCode: 1 })], want: { start: ['first#1'], initializing: true } },
    { name: 'under Never a failed init container fails the pod: nothing more runs', pod: newPod('Never', [init('first'), init('second')]), containers: (p) => [attempt(p, 'first', 'c1', 'exited', { exitCode: 1 })], want: { start: [], initializing: false, podDone: true } },
    { name: 'an app that already ran keeps the pod initialized: init containers do not run again', pod: two, containers: (p) => [attempt(p, 'first', 'c1', 'exited'), attempt(p, 'app', 'a1', 'exited', { exitCode: 1 })], want: { start: ['app#1'], initializing: false } },
    { name: 'attempts of an old sandbox do not count: a new sandbox runs them again', pod: two, containers: (p) => [attempt(p, 'first', 'c1', 'exited', { sandboxId: 'old' }), attempt(p, 'second', 'c2', 'exited', { sandboxId: 'old' })], want: { start: ['first#1'], initializing: true } },
  ];
  const sidecarPod = newPod('Never', [init('proxy', true), init('migrate')]);
  cases.push(
    { name: 'a sidecar starts first', pod: sidecarPod, containers: () => [], want: { start: ['proxy#0'], initializing: true } },
    { name: 'the next init container waits until the sidecar has started (startupProbe)', pod: sidecarPod, started: new Map([['proxy', false]]), containers: (p) => [attempt(p, 'proxy', 's1', 'running')], want: { start: [], initializing: true } },
    { name: 'once the sidecar started, the next init container runs beside it', pod: sidecarPod, started: new Map([['proxy', true]]), containers: (p) => [attempt(p, 'proxy', 's1', 'running')], want: { start: ['migrate#0'], initializing: true } },
    { name: 'a sidecar that exits is restarted whatever the pod\'s policy, also after initialization', pod: sidecarPod, containers: (p) => [attempt(p, 'proxy', 's1', 'exited'), attempt(p, 'migrate', 'm1', 'exited'), attempt(p, 'app', 'a1', 'running')], want: { start: ['proxy#1'], initializing: false } },
    { name: 'when the app containers are done, the sidecars are stopped and the pod is done', pod: sidecarPod, containers: (p) => [attempt(p, 'proxy', 's1', 'running'), attempt(p, 'migrate', 'm1', 'exited'), attempt(p, 'app', 'a1', 'exited')], want: { start: [], initializing: false, podDone: true, kill: ['s1'] } },
  );

  for (const c of cases) {
    it(c.name, () => {
      const actions = plan(c.pod, c.containers(c.pod), { sandboxes: c.sandboxes, started: c.started, backoff: c.backoff });
      assert.deepEqual(starts(actions), c.want.start);
      assert.equal(actions.initializing, c.want.initializing);
      assert.equal(actions.podDone, c.want.podDone ?? false);
      if (c.want.waiting) assert.deepEqual(actions.waiting.map((w) => `${w.name} ${w.reason}`), c.want.waiting);
      if (c.want.kill) assert.deepEqual(actions.containersToKill.map((k) => k.id), c.want.kill);
    });
  }

  it('sidecars stop after the app containers, in reverse order, when the pod is done', () => {
    const p = newPod('Never', [init('a', true), init('b', true)]);
    const actions = plan(p, [attempt(p, 'a', 'sa', 'running'), attempt(p, 'b', 'sb', 'running'), attempt(p, 'app', 'x', 'exited')]);
    assert.deepEqual(actions.containersToKill.map((k) => k.id), ['sb', 'sa']);
  });

  it('activeDeadlineSeconds: past the deadline every container is killed and the pod is done', () => {
    const p: Pod = { ...newPod('Always', []), spec: { ...newPod('Always', []).spec, activeDeadlineSeconds: 30 }, status: { phase: 'Running', startTime: at(31) } };
    const actions = plan(p, [attempt(p, 'app', 'x', 'running')]);
    assert.equal(actions.deadlineExceeded, true);
    assert.deepEqual(actions.containersToKill.map((k) => k.id), ['x']);
    const before: Pod = { ...p, status: { phase: 'Running', startTime: at(29) } };
    assert.equal(plan(before, [attempt(before, 'app', 'x', 'running')]).deadlineExceeded, false);
  });
});

describe('init containers: the status kubectl shows', () => {
  const two = newPod('Always', [init('first'), init('second')]);
  const status = (p: Pod, containers: ContainerStatus[], waiting = new Map<string, { reason: string; message?: string }>()) =>
    computePodStatus({ pod: p, sandbox, containers, waiting, now: NOW });
  const row = (p: Pod, containers: ContainerStatus[], waiting?: Map<string, { reason: string; message?: string }>) => podStatusText({ ...p, status: status(p, containers, waiting) });

  it('Init:0/2 while the first runs; Init:1/2 after it; Initialized False naming the rest', () => {
    assert.equal(row(two, [attempt(two, 'first', 'c1', 'running')]), 'Init:0/2');
    const s = status(two, [attempt(two, 'first', 'c1', 'exited')]);
    assert.equal(podStatusText({ ...two, status: s }), 'Init:1/2');
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.conditions!.find((c) => c.type === 'Initialized'), { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [second]', lastProbeTime: null, lastTransitionTime: NOW.toISOString().replace('.000', '') });
    assert.equal(s.containerStatuses![0].state.waiting!.reason, 'PodInitializing');
  });

  it('Init:Error after a failure, Init:CrashLoopBackOff while it waits to restart', () => {
    assert.equal(row(two, [attempt(two, 'first', 'c1', 'exited', { exitCode: 1 })]), 'Init:Error');
    const waiting = new Map([['first', { reason: 'CrashLoopBackOff', message: 'back-off 10s' }]]);
    assert.equal(row(two, [attempt(two, 'first', 'c1', 'exited', { exitCode: 1 })], waiting), 'Init:CrashLoopBackOff');
  });

  it('under Never a failed init container makes the pod Failed', () => {
    const p = newPod('Never', [init('first')]);
    assert.equal(status(p, [attempt(p, 'first', 'c1', 'exited', { exitCode: 2 })]).phase, 'Failed');
  });

  it('all done: Initialized True, finished init containers ready, the app Running', () => {
    const s = status(two, [attempt(two, 'first', 'c1', 'exited'), attempt(two, 'second', 'c2', 'exited'), attempt(two, 'app', 'a', 'running')]);
    assert.equal(s.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
    assert.deepEqual(s.initContainerStatuses!.map((c) => c.ready), [true, true]);
    assert.equal(s.phase, 'Running');
    assert.equal(podStatusText({ ...two, status: s }), 'Running');
  });

  it('a sidecar counts in readiness: unready sidecar, unready pod', () => {
    const p = newPod('Always', [init('proxy', true)]);
    const s = computePodStatus({ pod: p, sandbox, containers: [attempt(p, 'proxy', 's', 'running'), attempt(p, 'app', 'a', 'running')], readiness: new Map([['proxy', false]]), now: NOW });
    assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.message, 'containers with unready status: [proxy]');
  });

  it('DeadlineExceeded: Failed with the kubelet\'s reason and message', () => {
    const p: Pod = { ...two, spec: { ...two.spec, activeDeadlineSeconds: 10 }, status: { phase: 'Running', startTime: at(11) } };
    const s = status(p, [attempt(p, 'app', 'a', 'running')]);
    assert.deepEqual([s.phase, s.reason, s.message], ['Failed', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline']);
  });
});
