// covers: Job spec.suspend, spec.completionMode

import assert from 'node:assert/strict';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_TRACKING_FINALIZER, type Job, type JobSpec } from '../../../lib/api/batch-types.js';
import type { Pod } from '../../../lib/api/types.js';
import {
  backoffRemainingMs,
  formatIndexes,
  MAX_POD_CREATE_DELETE_PER_SYNC,
  parseIndexes,
  planJob,
  type JobPlan,
} from '../../../daemon/controllers/job/job-plan.js';
import { podForJob } from '../../../daemon/controllers/job/job-controller.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString().replace('.000Z', 'Z');
const BACKOFF = { initialMs: 10_000, maxMs: 360_000 };

function newJob(spec: Partial<JobSpec> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid', creationTimestamp: iso(0) },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } }, ...spec },
    status,
  };
}

let podCount = 0;
/** A pod of the Job: `running`, `succeeded`, `failed`; finishedAt in seconds after T0. */
function newJobPod(phase: 'running' | 'succeeded' | 'failed', options: { finishedAt?: number; index?: number; finalizer?: boolean; deleted?: boolean; created?: number } = {}): Pod {
  podCount += 1;
  const phaseName = phase === 'running' ? 'Running' : phase === 'succeeded' ? 'Succeeded' : 'Failed';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pi-${podCount}`,
      namespace: 'default',
      uid: `pod-${podCount}`,
      creationTimestamp: iso(options.created ?? 0),
      finalizers: options.finalizer === false ? [] : [JOB_TRACKING_FINALIZER],
      ...(options.index !== undefined ? { annotations: { [JOB_COMPLETION_INDEX_ANNOTATION]: String(options.index) } } : {}),
      ...(options.deleted ? { deletionTimestamp: iso(options.finishedAt ?? 0) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase: phaseName,
      containerStatuses: phase === 'running' ? [] : [{ name: 'c', ready: false, restartCount: 0, image: 'i', imageID: '', lastState: {}, state: { terminated: { exitCode: phase === 'succeeded' ? 0 : 1, finishedAt: iso(options.finishedAt ?? 0) } } }],
    },
  };
}

const conditionsOf = (plan: JobPlan) => (plan.status.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}:${c.reason}`);

describe('planJob', () => {
  it('starts min(parallelism, completions) pods and sets startTime', () => {
    const plan = planJob({ job: newJob({ completions: 4, parallelism: 2 }), pods: [], now: at(1), backoff: BACKOFF });
    assert.equal(plan.create.length, 2);
    assert.equal(plan.status.startTime, iso(1));
    assert.equal(plan.status.active, 2);
  });

  it('creates at most 500 pods in one sync, however large parallelism is', () => {
    const huge = planJob({ job: newJob({ completions: 2147483647, parallelism: 2147483647 }), pods: [], now: at(1), backoff: BACKOFF });
    assert.equal(huge.create.length, MAX_POD_CREATE_DELETE_PER_SYNC);
    const indexed = planJob({ job: newJob({ completions: 2147483647, parallelism: 2147483647, completionMode: 'Indexed' }), pods: [], now: at(1), backoff: BACKOFF });
    assert.deepEqual(indexed.create.slice(0, 3), [{ index: 0 }, { index: 1 }, { index: 2 }]);
    assert.equal(indexed.create.length, MAX_POD_CREATE_DELETE_PER_SYNC);
  });

  it('never runs more than parallelism, nor more than the completions left', () => {
    const cases: { completions: number; parallelism: number; succeeded: number; running: number; want: number }[] = [
      { completions: 4, parallelism: 2, succeeded: 0, running: 2, want: 0 },
      { completions: 4, parallelism: 2, succeeded: 1, running: 1, want: 1 },
      { completions: 4, parallelism: 2, succeeded: 3, running: 0, want: 1 },
      { completions: 4, parallelism: 10, succeeded: 0, running: 0, want: 4 },
    ];
    for (const c of cases) {
      const job = newJob({ completions: c.completions, parallelism: c.parallelism }, { startTime: iso(0), succeeded: c.succeeded });
      const pods = Array.from({ length: c.running }, () => newJobPod('running'));
      assert.equal(planJob({ job, pods, now: at(5), backoff: BACKOFF }).create.length, c.want, JSON.stringify(c));
    }
  });

  it('counts a finished pod in two passes: uncounted and finalizer removed, then counted', () => {
    const pod = newJobPod('succeeded', { finishedAt: 3 });
    const job = newJob({ completions: 2 }, { startTime: iso(0) });
    const first = planJob({ job, pods: [pod], now: at(4), backoff: BACKOFF });
    assert.deepEqual(first.status.uncountedTerminatedPods, { succeeded: [pod.metadata.uid], failed: [] });
    assert.equal(first.status.succeeded, 0);
    assert.deepEqual(first.removeFinalizers.map((p) => p.metadata.uid), [pod.metadata.uid]);
    assert.equal(first.create.length, 1, 'the uncounted success already counts towards completions');

    const released = { ...pod, metadata: { ...pod.metadata, finalizers: [] } };
    const second = planJob({ job: { ...job, status: first.status }, pods: [released], now: at(5), backoff: BACKOFF });
    assert.deepEqual(second.status.uncountedTerminatedPods, { succeeded: [], failed: [] });
    assert.equal(second.status.succeeded, 1);
    assert.deepEqual(second.removeFinalizers, []);
  });

  it('counts a pod deleted before it finished as failed, even once it is gone from the store', () => {
    const pod = newJobPod('running', { deleted: true, finishedAt: 2 });
    const job = newJob({}, { startTime: iso(0) });
    const first = planJob({ job, pods: [pod], now: at(3), backoff: BACKOFF });
    assert.deepEqual(first.status.uncountedTerminatedPods?.failed, [pod.metadata.uid]);
    const second = planJob({ job: { ...job, status: first.status }, pods: [], now: at(4), backoff: BACKOFF });
    assert.equal(second.status.failed, 1);
  });

  it('completes once completions pods succeeded and all are counted: SuccessCriteriaMet, then Complete with completionTime', () => {
    const job = newJob({ completions: 2 }, { startTime: iso(0), succeeded: 1, uncountedTerminatedPods: { succeeded: ['x'], failed: [] } });
    const pod = { ...newJobPod('succeeded', { finishedAt: 8 }), metadata: { ...newJobPod('succeeded').metadata, uid: 'x', finalizers: [JOB_TRACKING_FINALIZER] } };
    const interim = planJob({ job, pods: [pod], now: at(9), backoff: BACKOFF });
    assert.deepEqual(conditionsOf(interim), ['SuccessCriteriaMet:CompletionsReached']);
    assert.equal(interim.create.length, 0);
    const counted = { ...pod, metadata: { ...pod.metadata, finalizers: [] } };
    const done = planJob({ job: { ...job, status: interim.status }, pods: [counted], now: at(10), backoff: BACKOFF });
    assert.deepEqual(conditionsOf(done), ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
    assert.equal(done.status.succeeded, 2);
    assert.equal(done.status.completionTime, iso(10));
    assert.ok(done.events.some((e) => e.reason === 'Completed'));
  });

  it('fails with BackoffLimitExceeded after backoffLimit+1 failures', () => {
    const cases: { backoffLimit: number; failed: number; want: string[] }[] = [
      { backoffLimit: 2, failed: 2, want: [] },
      { backoffLimit: 2, failed: 3, want: ['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded'] },
      { backoffLimit: 0, failed: 1, want: ['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded'] },
    ];
    for (const c of cases) {
      const plan = planJob({ job: newJob({ backoffLimit: c.backoffLimit }, { startTime: iso(0), failed: c.failed }), pods: [], now: at(100), backoff: BACKOFF });
      assert.deepEqual(conditionsOf(plan), c.want, JSON.stringify(c));
    }
  });

  it('restartPolicy OnFailure: backoffLimit container restarts fail the Job', () => {
    const restarted = (restartCount: number): Pod => {
      const pod = newJobPod('running');
      return { ...pod, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount, image: 'i', imageID: '', lastState: {}, state: { running: {} } }] } };
    };
    const onFailure = (backoffLimit: number) =>
      newJob({ backoffLimit, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'i' }] } } }, { startTime: iso(0) });
    assert.deepEqual(conditionsOf(planJob({ job: onFailure(3), pods: [restarted(2)], now: at(5), backoff: BACKOFF })), []);
    assert.deepEqual(conditionsOf(planJob({ job: onFailure(3), pods: [restarted(3)], now: at(5), backoff: BACKOFF })), ['FailureTarget:BackoffLimitExceeded']);
    assert.deepEqual(conditionsOf(planJob({ job: onFailure(0), pods: [restarted(1)], now: at(5), backoff: BACKOFF })), ['FailureTarget:BackoffLimitExceeded']);
  });

  it('DeadlineExceeded wins over BackoffLimitExceeded, and running pods are deleted before Failed is set', () => {
    const running = newJobPod('running');
    const job = newJob({ backoffLimit: 0, activeDeadlineSeconds: 10 }, { startTime: iso(0), failed: 1 });
    const plan = planJob({ job, pods: [running], now: at(11), backoff: BACKOFF });
    assert.deepEqual(conditionsOf(plan), ['FailureTarget:DeadlineExceeded']);
    assert.deepEqual(plan.delete, [running]);
    const after = planJob({ job: { ...job, status: plan.status }, pods: [], now: at(12), backoff: BACKOFF });
    assert.deepEqual(conditionsOf(after), ['FailureTarget:DeadlineExceeded', 'Failed:DeadlineExceeded']);
    assert.equal(after.status.completionTime, undefined, 'a failed Job has no completionTime');
  });

  it('looks again when the deadline passes', () => {
    const plan = planJob({ job: newJob({ activeDeadlineSeconds: 30 }, { startTime: iso(0) }), pods: [newJobPod('running')], now: at(10), backoff: BACKOFF });
    assert.equal(plan.requeueAfterMs, 20_100);
  });

  it('waits 10 s, 20 s, 40 s ... (at most 6 min) after failures before creating a replacement', () => {
    const cases: { failures: number; lastFailedAt: number; now: number; want: number }[] = [
      { failures: 1, lastFailedAt: 100, now: 100, want: 10_000 },
      { failures: 1, lastFailedAt: 100, now: 104, want: 6_000 },
      { failures: 2, lastFailedAt: 100, now: 100, want: 20_000 },
      { failures: 3, lastFailedAt: 100, now: 100, want: 40_000 },
      { failures: 7, lastFailedAt: 100, now: 100, want: 360_000 },
      { failures: 1, lastFailedAt: 100, now: 200, want: 0 },
    ];
    for (const c of cases) {
      const pods = Array.from({ length: c.failures }, (_, i) => newJobPod('failed', { finishedAt: c.lastFailedAt - i }));
      assert.equal(backoffRemainingMs(pods, BACKOFF, at(c.now)), c.want, JSON.stringify(c));
    }
    // A success resets the count: only failures after it matter.
    const pods = [newJobPod('failed', { finishedAt: 10 }), newJobPod('failed', { finishedAt: 20 }), newJobPod('succeeded', { finishedAt: 30 }), newJobPod('failed', { finishedAt: 40 })];
    assert.equal(backoffRemainingMs(pods, BACKOFF, at(40)), 10_000);
  });

  it('creates no replacement during the back-off, and requeues for its end', () => {
    const failed = newJobPod('failed', { finishedAt: 50, finalizer: false });
    const plan = planJob({ job: newJob({}, { startTime: iso(0), failed: 1 }), pods: [failed], now: at(52), backoff: BACKOFF });
    assert.equal(plan.create.length, 0);
    assert.equal(plan.requeueAfterMs, 8_000);
    const later = planJob({ job: newJob({}, { startTime: iso(0), failed: 1 }), pods: [failed], now: at(60), backoff: BACKOFF });
    assert.equal(later.create.length, 1);
  });

  it('Indexed: creates the lowest missing indexes and counts each index once', () => {
    const job = newJob({ completionMode: 'Indexed', completions: 5, parallelism: 3 }, { startTime: iso(0), completedIndexes: '0' });
    const pods = [newJobPod('running', { index: 1 }), newJobPod('succeeded', { index: 3, finishedAt: 4 }), newJobPod('succeeded', { index: 3, finishedAt: 5 })];
    const plan = planJob({ job, pods, now: at(6), backoff: BACKOFF });
    assert.equal(plan.status.completedIndexes, '0,3');
    assert.equal(plan.status.succeeded, 2);
    assert.deepEqual(plan.create, [{ index: 2 }, { index: 4 }]);
  });

  it('Indexed: complete when every index succeeded', () => {
    const job = newJob({ completionMode: 'Indexed', completions: 3, parallelism: 3 }, { startTime: iso(0), completedIndexes: '0-2' });
    assert.deepEqual(conditionsOf(planJob({ job, pods: [], now: at(6), backoff: BACKOFF })), ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
  });

  it('suspend deletes running pods without counting them as failed; resume restarts the clock', () => {
    const running = newJobPod('running');
    const suspended = planJob({ job: newJob({ suspend: true, parallelism: 2, completions: 2 }, { startTime: iso(0) }), pods: [running], now: at(5), backoff: BACKOFF });
    assert.deepEqual(suspended.delete, [running]);
    assert.deepEqual(conditionsOf(suspended), ['Suspended:JobSuspended']);
    const terminating = { ...running, metadata: { ...running.metadata, deletionTimestamp: iso(5) } };
    const still = planJob({ job: newJob({ suspend: true, completions: 2 }, suspended.status), pods: [terminating], now: at(6), backoff: BACKOFF });
    assert.equal(still.status.uncountedTerminatedPods?.failed?.length, 0);
    assert.deepEqual(still.removeFinalizers, [terminating], 'its finalizer goes, or its deletion would never finish');
    const resumed = planJob({ job: newJob({ suspend: false, parallelism: 2, completions: 2 }, suspended.status), pods: [], now: at(60), backoff: BACKOFF });
    assert.equal(resumed.status.startTime, iso(60));
    assert.equal(resumed.create.length, 2);
    assert.deepEqual(resumed.status.conditions?.find((c) => c.type === 'Suspended')?.reason, 'JobResumed');
  });

  it('a Job without completions (work queue) completes when one pod succeeded and none runs', () => {
    const job = newJob({ completions: undefined, parallelism: 2 }, { startTime: iso(0), succeeded: 1 });
    assert.deepEqual(conditionsOf(planJob({ job, pods: [], now: at(6), backoff: BACKOFF })), ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
    assert.equal(planJob({ job: newJob({ completions: undefined, parallelism: 2 }, { startTime: iso(0) }), pods: [], now: at(6), backoff: BACKOFF }).create.length, 2);
  });
});

describe('completedIndexes ranges', () => {
  const cases: [number[], string][] = [
    [[], ''],
    [[0], '0'],
    [[0, 1, 2, 5], '0-2,5'],
    [[7, 3, 4, 9, 8], '3-4,7-9'],
  ];
  for (const [indexes, text] of cases) {
    it(`${JSON.stringify(indexes)} <-> "${text}"`, () => {
      assert.equal(formatIndexes(indexes), text);
      assert.deepEqual([...parseIndexes(text)].sort((a, b) => a - b), [...new Set(indexes)].sort((a, b) => a - b));
    });
  }
});

describe('podForJob', () => {
  it('an Indexed pod gets its index as annotation, label, hostname and JOB_COMPLETION_INDEX', () => {
    const pod = podForJob(newJob({ completionMode: 'Indexed', completions: 3 }), 2);
    assert.equal(pod.metadata.generateName, 'pi-2-');
    assert.equal(pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION], '2');
    assert.equal(pod.spec.hostname, 'pi-2');
    assert.deepEqual(pod.spec.containers[0].env?.[0], { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } });
    assert.deepEqual(pod.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    assert.deepEqual(pod.metadata.ownerReferences?.[0], { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true });
  });
});
