import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import { computePodActions, DEFAULT_BACKOFF, specHash, type BackoffEntry, type PodActions } from '../../daemon/kubelet/pod-actions.js';
import type { ContainerStatus, SandboxStatus } from '../../daemon/runtime/container-runtime.js';

const NOW = new Date('2025-03-01T10:00:00Z');
const at = (secondsBeforeNow: number) => new Date(NOW.getTime() - secondsBeforeNow * 1000).toISOString();

function newPod(restartPolicy: Pod['spec']['restartPolicy'] = 'Always', names = ['app']): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: { restartPolicy, containers: names.map((name) => ({ name, image: 'kubelab/busybox:1' })) },
  };
}

const pod = newPod();
const sandbox = (state: 'ready' | 'notready' = 'ready', id = 'sb1', createdAgo = 100): SandboxStatus => ({
  id,
  pod: { uid: 'u1', namespace: 'default', name: 'web' },
  state,
  ip: '10.244.0.5',
  createdAt: at(createdAgo),
  labels: {},
});

function attempt(
  id: string,
  state: ContainerStatus['state'],
  restartCount: number,
  opts: { exitCode?: number; startedAgo?: number; finishedAgo?: number; hash?: string; name?: string; of?: Pod } = {},
): ContainerStatus {
  const name = opts.name ?? 'app';
  const spec = (opts.of ?? pod).spec.containers.find((c) => c.name === name) ?? { name, image: 'x' };
  return {
    id,
    pod: { uid: 'u1', namespace: 'default', name: 'web' },
    name,
    state,
    image: 'kubelab/busybox:1',
    imageId: 'sha256:abc',
    restartCount,
    specHash: opts.hash ?? specHash(spec),
    createdAt: at((opts.startedAgo ?? 50) + 1),
    startedAt: at(opts.startedAgo ?? 50),
    ...(state === 'exited' ? { finishedAt: at(opts.finishedAgo ?? 5), exitCode: opts.exitCode ?? 1 } : {}),
    labels: {},
  };
}

/** A readable digest of the plan, so each case states only what matters. */
function summary(a: PodActions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.killPod) out.killPod = true;
  if (a.createSandbox) out.createSandbox = true;
  if (a.sandboxesToRemove.length) out.removeSandboxes = a.sandboxesToRemove;
  if (a.containersToKill.length) out.kill = a.containersToKill.map((k) => k.id);
  if (a.containersToRemove.length) out.remove = a.containersToRemove;
  if (a.containersToStart.length) out.start = a.containersToStart.map((s) => `${s.name}#${s.restartCount}`);
  if (a.waiting.length) out.waiting = a.waiting.map((w) => `${w.name} ${w.reason} ${Math.round(w.retryInMs / 1000)}s`);
  if (a.backoffUpdates.size) out.backoff = Object.fromEntries([...a.backoffUpdates].map(([k, v]) => [k, v.delayMs]));
  if (a.podDone) out.done = true;
  return out;
}

interface Case {
  name: string;
  pod?: Pod;
  sandboxes?: SandboxStatus[];
  containers?: ContainerStatus[];
  backoff?: Record<string, number>;
  want: Record<string, unknown>;
}

const cases: Case[] = [
  { name: 'a new pod: a sandbox, then its containers', pod: newPod('Always', ['a', 'b']), want: { createSandbox: true, start: ['a#0', 'b#0'] } },
  { name: 'a ready sandbox and a container never started', sandboxes: [sandbox()], want: { start: ['app#0'] } },
  { name: 'running with the same spec: nothing to do', sandboxes: [sandbox()], containers: [attempt('c1', 'running', 0)], want: {} },
  {
    name: 'running with a changed spec: killed and started again',
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'running', 0, { hash: 'old' })],
    want: { kill: ['c1'], start: ['app#1'] },
  },
  {
    name: 'Always, exited for the first time: restarted at once',
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'exited', 0, { exitCode: 0 })],
    want: { start: ['app#1'], backoff: { app: 10_000 } },
  },
  {
    name: 'Always, exited again within the back-off: CrashLoopBackOff',
    sandboxes: [sandbox()],
    containers: [attempt('c2', 'exited', 1, { finishedAgo: 4 }), attempt('c1', 'exited', 0, { startedAgo: 60, finishedAgo: 55 })],
    backoff: { app: 10_000 },
    want: { remove: ['c1'], waiting: ['app CrashLoopBackOff 6s'] },
  },
  {
    name: 'Always, back-off elapsed: restarted and the back-off doubles',
    sandboxes: [sandbox()],
    containers: [attempt('c2', 'exited', 1, { finishedAgo: 11 })],
    backoff: { app: 10_000 },
    want: { start: ['app#2'], backoff: { app: 20_000 } },
  },
  {
    name: 'the back-off stops at the maximum',
    sandboxes: [sandbox()],
    containers: [attempt('c9', 'exited', 9, { finishedAgo: 301 })],
    backoff: { app: 300_000 },
    want: { start: ['app#10'], backoff: { app: 300_000 } },
  },
  {
    name: 'a container that ran 10 minutes starts its back-off over',
    sandboxes: [sandbox()],
    containers: [attempt('c5', 'exited', 5, { startedAgo: 700, finishedAgo: 2 })],
    backoff: { app: 160_000 },
    want: { start: ['app#6'], backoff: { app: 10_000 } },
  },
  {
    name: 'OnFailure, exit 0: done, the sandbox goes',
    pod: newPod('OnFailure'),
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'exited', 0, { exitCode: 0 })],
    want: { removeSandboxes: ['sb1'], done: true },
  },
  {
    name: 'OnFailure, exit 1: restarted',
    pod: newPod('OnFailure'),
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'exited', 0, { exitCode: 1 })],
    want: { start: ['app#1'], backoff: { app: 10_000 } },
  },
  {
    name: 'Never, exit 1: done',
    pod: newPod('Never'),
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'exited', 0, { exitCode: 1 })],
    want: { removeSandboxes: ['sb1'], done: true },
  },
  {
    name: 'Never, one container still running: not done, nothing restarts',
    pod: newPod('Never', ['a', 'b']),
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'exited', 0, { name: 'a', of: newPod('Never', ['a', 'b']) }), attempt('c2', 'running', 0, { name: 'b', of: newPod('Never', ['a', 'b']) })],
    want: {},
  },
  {
    name: 'the sandbox died: kill the pod, new sandbox, containers restart counted on',
    sandboxes: [sandbox('notready')],
    containers: [attempt('c1', 'running', 2)],
    want: { killPod: true, removeSandboxes: ['sb1'], createSandbox: true, start: ['app#3'] },
  },
  {
    name: 'keeps the newest exited attempt for logs --previous, removes older ones',
    sandboxes: [sandbox()],
    containers: [attempt('c3', 'running', 2), attempt('c2', 'exited', 1, { finishedAgo: 30 }), attempt('c1', 'exited', 0, { finishedAgo: 60 })],
    want: { remove: ['c1'] },
  },
  {
    name: 'a container no longer in the spec is killed and removed',
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'running', 0), attempt('x1', 'running', 0, { name: 'sidecar' })],
    want: { kill: ['x1'], remove: ['x1'] },
  },
  {
    name: 'a container created but never started is made again',
    sandboxes: [sandbox()],
    containers: [attempt('c1', 'created', 0)],
    want: { remove: ['c1'], start: ['app#0'] },
  },
  {
    name: 'two ready sandboxes: the newest is kept',
    sandboxes: [sandbox('ready', 'old', 200), sandbox('ready', 'new', 100)],
    containers: [attempt('c1', 'running', 0)],
    want: { removeSandboxes: ['old'] },
  },
];

describe('computePodActions', () => {
  for (const c of cases) {
    it(c.name, () => {
      const actions = computePodActions({
        pod: c.pod ?? pod,
        sandboxes: c.sandboxes ?? [],
        containers: c.containers ?? [],
        backoff: new Map<string, BackoffEntry>(Object.entries(c.backoff ?? {}).map(([k, v]) => [k, { delayMs: v }])),
        policy: DEFAULT_BACKOFF,
        now: NOW,
      });
      assert.deepEqual(summary(actions), c.want);
    });
  }

  it('writes the CrashLoopBackOff message as the kubelet does', () => {
    const actions = computePodActions({
      pod,
      sandboxes: [sandbox()],
      containers: [attempt('c2', 'exited', 1, { finishedAgo: 1 })],
      backoff: new Map([['app', { delayMs: 20_000 }]]),
      policy: DEFAULT_BACKOFF,
      now: NOW,
    });
    assert.equal(actions.waiting[0].message, 'back-off 20s restarting failed container=app pod=web_default(u1)');
  });

  it('specHash changes with the spec and not with key order', () => {
    assert.equal(specHash({ name: 'a', image: 'x' }), specHash({ image: 'x', name: 'a' }));
    assert.notEqual(specHash({ name: 'a', image: 'x' }), specHash({ name: 'a', image: 'y' }));
  });
});

describe('computePodActions: image pull back-off (ImagePullBackOff)', () => {
  const nowMs = NOW.getTime();
  const cases: {
    name: string;
    pullBackoff?: Record<string, { delayMs: number; failedAtMs: number }>;
    containers?: ContainerStatus[];
    want: Record<string, { backoffRemainingMs: number; delayAfterFailureMs: number }>;
  }[] = [
    { name: 'never failed: pull now; a failure waits the initial 10 s', want: { app: { backoffRemainingMs: 0, delayAfterFailureMs: 10_000 } } },
    {
      name: 'failed 4 s ago with 10 s: 6 s left; the next failure waits 20 s',
      pullBackoff: { app: { delayMs: 10_000, failedAtMs: nowMs - 4_000 } },
      want: { app: { backoffRemainingMs: 6_000, delayAfterFailureMs: 20_000 } },
    },
    {
      name: 'back-off passed: pull now, the next failure doubles',
      pullBackoff: { app: { delayMs: 20_000, failedAtMs: nowMs - 30_000 } },
      want: { app: { backoffRemainingMs: 0, delayAfterFailureMs: 40_000 } },
    },
    {
      name: 'the wait never grows past 5 min',
      pullBackoff: { app: { delayMs: 300_000, failedAtMs: nowMs - 400_000 } },
      want: { app: { backoffRemainingMs: 0, delayAfterFailureMs: 300_000 } },
    },
    {
      name: 'a restart after a crash carries the pull back-off of its container too',
      pullBackoff: { app: { delayMs: 10_000, failedAtMs: nowMs - 1_000 } },
      containers: [attempt('c1', 'exited', 0, { finishedAgo: 60 })],
      want: { app: { backoffRemainingMs: 9_000, delayAfterFailureMs: 20_000 } },
    },
    {
      name: 'a running container is not started: no pull planned',
      pullBackoff: { app: { delayMs: 10_000, failedAtMs: nowMs - 1_000 } },
      containers: [attempt('c1', 'running', 0)],
      want: {},
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const actions = computePodActions({
        pod,
        sandboxes: [sandbox()],
        containers: c.containers ?? [],
        backoff: new Map(),
        pullBackoff: new Map(Object.entries(c.pullBackoff ?? {})),
        policy: DEFAULT_BACKOFF,
        now: NOW,
      });
      assert.deepEqual(Object.fromEntries(actions.containersToStart.map((s) => [s.name, s.imagePull])), c.want);
    });
  }

  it('each container has its own pull back-off', () => {
    const two = newPod('Always', ['app', 'sidecar']);
    const actions = computePodActions({
      pod: two,
      sandboxes: [sandbox()],
      containers: [],
      backoff: new Map(),
      pullBackoff: new Map([['sidecar', { delayMs: 40_000, failedAtMs: nowMs - 10_000 }]]),
      policy: DEFAULT_BACKOFF,
      now: NOW,
    });
    assert.deepEqual(
      actions.containersToStart.map((s) => [s.name, s.imagePull.backoffRemainingMs, s.imagePull.delayAfterFailureMs]),
      [['app', 0, 10_000], ['sidecar', 30_000, 80_000]],
    );
  });
});

describe('computePodActions: ephemeral containers (kubectl debug)', () => {
  const debugged: Pod = { ...pod, spec: { ...pod.spec, ephemeralContainers: [{ name: 'dbg', image: 'kubelab/busybox:1', stdin: true }] } };
  const withInit: Pod = { ...debugged, spec: { ...debugged.spec, initContainers: [{ name: 'setup', image: 'kubelab/busybox:1' }] } };
  const cases: { name: string; pod: Pod; sandboxes?: SandboxStatus[]; containers: ContainerStatus[]; want: Record<string, unknown> }[] = [
    { name: 'a new one starts beside the running app', pod: debugged, sandboxes: [sandbox()], containers: [attempt('c1', 'running', 0)], want: { start: ['dbg#0'] } },
    {
      name: 'running: left alone (never killed as "not in the spec")',
      pod: debugged,
      sandboxes: [sandbox()],
      containers: [attempt('c1', 'running', 0), attempt('d1', 'running', 0, { name: 'dbg', hash: 'any' })],
      want: {},
    },
    {
      name: 'exited: never restarted, whatever the restartPolicy',
      pod: debugged,
      sandboxes: [sandbox()],
      containers: [attempt('c1', 'running', 0), attempt('d1', 'exited', 0, { name: 'dbg', hash: 'any' })],
      want: {},
    },
    {
      name: 'it does not wait for init containers',
      pod: withInit,
      sandboxes: [sandbox()],
      containers: [attempt('i1', 'running', 0, { name: 'setup', hash: 'any' })],
      want: { start: ['dbg#0'] },
    },
    {
      name: 'a new sandbox does not run it again',
      pod: debugged,
      containers: [attempt('c1', 'exited', 0), attempt('d1', 'exited', 0, { name: 'dbg', hash: 'any' })],
      want: { createSandbox: true, start: ['app#1'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const actions = computePodActions({ pod: c.pod, sandboxes: c.sandboxes ?? [], containers: c.containers, backoff: new Map(), policy: DEFAULT_BACKOFF, now: NOW });
      assert.deepEqual(summary(actions), c.want);
    });
  }
});
