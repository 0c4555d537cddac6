// covers: CronJob spec.timeZone, spec.failedJobsHistoryLimit, spec.successfulJobsHistoryLimit, spec.concurrencyPolicy, spec.startingDeadlineSeconds
// covers: CronJob spec.suspend

import assert from 'node:assert/strict';
import type { CronJob, CronJobSpec, Job } from '../../../lib/api/batch-types.js';
import { CronSchedule, isTimeZone, parseSchedule } from '../../../lib/api/cron-schedule.js';
import { jobFromTemplate, jobNameFor, missedScheduleTimes, planCronJob } from '../../../daemon/controllers/cronjob/cronjob-plan.js';
import { ManualClock } from '../../../lib/clock.js';

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

function newCronJob(spec: Partial<CronJobSpec> = {}, status: CronJob['status'] = {}, created = '2026-01-01T00:00:00Z'): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', creationTimestamp: created },
    spec: {
      schedule: '*/1 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } },
      ...spec,
    },
    status,
  };
}

function newJob(name: string, state: 'running' | 'complete' | 'failed', startTime: string, uid = `uid-${name}`): Job {
  const conditions =
    state === 'running' ? [] : [{ type: state === 'complete' ? ('Complete' as const) : ('Failed' as const), status: 'True' as const, lastTransitionTime: startTime }];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid, creationTimestamp: startTime, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true }] },
    spec: { template: { spec: { containers: [] } } },
    status: { startTime, conditions, ...(state === 'complete' ? { completionTime: startTime } : {}) },
  };
}

describe('cron schedules', () => {
  it('accepts 5 fields and the macros, refuses the rest with a reason', () => {
    for (const ok of ['*/1 * * * *', '0 3 * * 1-5', '30 2 1,15 JAN-JUN MON', '@hourly', '@daily', '@midnight', '@yearly', '@weekly', '@monthly', '@annually']) {
      assert.ok('expression' in parseSchedule(ok), ok);
    }
    for (const bad of ['* * * *', '0 * * * * *', '@every 1h', '@reboot', '61 * * * *', '0 0 L * *', '0 0 * * 1#2', 'TZ=UTC 0 * * * *', 'hello']) {
      assert.ok('error' in parseSchedule(bad), bad);
    }
  });

  it('knows IANA zones, case and all', () => {
    assert.deepEqual(['Europe/Berlin', 'UTC', 'America/New_York', 'europe/berlin', 'Mars/Olympus', 'Local', ''].map(isTimeZone), [true, true, true, false, false, false, false]);
  });

  it('computes next times in the named zone across the spring-forward gap (Europe/Berlin, 2026-03-29)', () => {
    const schedule = new CronSchedule('30 2 * * *', 'Europe/Berlin');
    // 02:30 CET is 01:30Z; on 29 March 02:30 does not exist (clocks jump 02:00 → 03:00): cron-parser runs it at 03:30 CEST, 01:30Z.
    assert.equal(iso(schedule.next(new Date('2026-03-27T12:00:00Z'))), '2026-03-28T01:30:00Z');
    assert.equal(iso(schedule.next(new Date('2026-03-28T12:00:00Z'))), '2026-03-29T01:30:00Z');
    assert.equal(iso(schedule.next(new Date('2026-03-29T12:00:00Z'))), '2026-03-30T00:30:00Z');
  });
});

describe('missedScheduleTimes', () => {
  it('every minute: counts the missed minutes and names the latest', () => {
    const schedule = new CronSchedule('*/1 * * * *');
    assert.deepEqual(missedScheduleTimes(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:59Z'), 100), { missed: 0, mostRecent: undefined });
    const got = missedScheduleTimes(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:05:30Z'), 100);
    assert.equal(got.missed, 5);
    assert.equal(iso(got.mostRecent!), '2026-01-01T00:05:00Z');
  });

  it('more than the cap: stops counting and still finds the latest', () => {
    const got = missedScheduleTimes(new CronSchedule('*/1 * * * *'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-03T10:07:30Z'), 100);
    assert.equal(got.missed, 101);
    assert.equal(iso(got.mostRecent!), '2026-01-03T10:07:00Z');
  });
});

describe('planCronJob', () => {
  it('nothing due: requeues for the next minute', () => {
    const plan = planCronJob({ cronJob: newCronJob(), jobs: [], now: new Date('2026-01-01T00:00:20Z') });
    assert.equal(plan.start, undefined);
    assert.equal(plan.requeueAfterMs, 40_100);
  });

  it('due: starts the Job named after the scheduled minute and records lastScheduleTime', () => {
    const plan = planCronJob({ cronJob: newCronJob(), jobs: [], now: new Date('2026-01-01T00:01:02Z') });
    assert.deepEqual(plan.start, { name: `hello-${Date.parse('2026-01-01T00:01:00Z') / 60_000}`, scheduledTime: new Date('2026-01-01T00:01:00Z') });
    assert.equal(plan.status.lastScheduleTime, '2026-01-01T00:01:00Z');
  });

  it('the Job of that minute exists already (a lost status write, a restart): starts nothing', () => {
    const name = jobNameFor('hello', new Date('2026-01-01T00:01:00Z'));
    const plan = planCronJob({ cronJob: newCronJob(), jobs: [newJob(name, 'running', '2026-01-01T00:01:00Z')], now: new Date('2026-01-01T00:01:30Z') });
    assert.equal(plan.start, undefined);
    assert.equal(plan.status.lastScheduleTime, '2026-01-01T00:01:00Z');
    assert.deepEqual(plan.status.active?.map((ref) => ref.name), [name], 'a running Job it forgot joins the active list');
  });

  it('concurrency policies with one Job still running', () => {
    const running = newJob('hello-old', 'running', '2026-01-01T00:00:00Z');
    const status = { active: [{ kind: 'Job', name: 'hello-old', namespace: 'default', uid: running.metadata.uid }], lastScheduleTime: '2026-01-01T00:00:00Z' };
    const now = new Date('2026-01-01T00:01:05Z');
    const allow = planCronJob({ cronJob: newCronJob({ concurrencyPolicy: 'Allow' }, status), jobs: [running], now });
    assert.ok(allow.start);
    assert.deepEqual(allow.delete, []);
    const forbid = planCronJob({ cronJob: newCronJob({ concurrencyPolicy: 'Forbid' }, status), jobs: [running], now });
    assert.equal(forbid.start, undefined);
    assert.equal(forbid.status.lastScheduleTime, '2026-01-01T00:00:00Z', 'a skipped run is not a scheduled one');
    assert.ok(forbid.events.some((e) => e.reason === 'JobAlreadyActive'));
    const replace = planCronJob({ cronJob: newCronJob({ concurrencyPolicy: 'Replace' }, status), jobs: [running], now });
    assert.ok(replace.start);
    assert.deepEqual(replace.delete, [running]);
    assert.deepEqual(replace.status.active, []);
  });

  it('startingDeadlineSeconds: a run later than the deadline is missed (MissSchedule), within it started', () => {
    const status = { lastScheduleTime: '2026-01-01T00:00:00Z' };
    const late = planCronJob({ cronJob: newCronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, status), jobs: [], now: new Date('2026-01-01T01:02:00Z') });
    assert.equal(late.start, undefined);
    const inTime = planCronJob({ cronJob: newCronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 300 }, status), jobs: [], now: new Date('2026-01-01T01:02:00Z') });
    assert.equal(inTime.start?.scheduledTime.toISOString(), '2026-01-01T01:00:00.000Z');
  });

  it('more than 100 missed times: TooManyMissedTimes, and only the latest runs', () => {
    const plan = planCronJob({ cronJob: newCronJob({}, { lastScheduleTime: '2026-01-01T00:00:00Z' }), jobs: [], now: new Date('2026-01-02T00:00:30Z') });
    assert.ok(plan.events.some((e) => e.type === 'Warning' && e.reason === 'TooManyMissedTimes'));
    assert.equal(plan.start?.scheduledTime.toISOString(), '2026-01-02T00:00:00.000Z');
  });

  it('missed schedules across the DST change in Europe/Berlin (controller down Saturday to Monday): one run, the latest', () => {
    const cronJob = newCronJob({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin' }, { lastScheduleTime: '2026-03-28T01:30:00Z' });
    const clock = new ManualClock('2026-03-30T06:00:00Z');
    const plan = planCronJob({ cronJob, jobs: [], now: clock.now() });
    assert.equal(plan.start?.scheduledTime.toISOString(), '2026-03-30T00:30:00.000Z', 'Monday 02:30 CEST');
    assert.equal(plan.events.length, 0);
    // The next one is Tuesday 02:30 CEST: requeued for then.
    assert.equal(plan.requeueAfterMs, Date.parse('2026-03-31T00:30:00Z') - clock.now().getTime() + 100);
  });

  it('the autumn repeat in Europe/Berlin (02:30 happens twice on 2026-10-25): started once', async () => {
    const cronJob = newCronJob({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin' }, { lastScheduleTime: '2026-10-24T00:30:00Z' });
    const clock = new ManualClock('2026-10-25T00:35:00Z');
    const times: string[] = [];
    let current = cronJob;
    for (let step = 0; step < 4; step += 1) {
      const plan = planCronJob({ cronJob: current, jobs: [], now: clock.now() });
      if (plan.start) times.push(plan.start.scheduledTime.toISOString());
      current = { ...current, status: plan.status };
      await clock.advance(30 * 60_000);
    }
    assert.equal(times.length, 1, JSON.stringify(times));
  });

  it('history limits keep the newest successful and failed Jobs', () => {
    const jobs = [
      newJob('s1', 'complete', '2026-01-01T00:01:00Z'),
      newJob('s2', 'complete', '2026-01-01T00:02:00Z'),
      newJob('s3', 'complete', '2026-01-01T00:03:00Z'),
      newJob('s4', 'complete', '2026-01-01T00:04:00Z'),
      newJob('f1', 'failed', '2026-01-01T00:05:00Z'),
      newJob('f2', 'failed', '2026-01-01T00:06:00Z'),
    ];
    const plan = planCronJob({ cronJob: newCronJob({ suspend: true }), jobs, now: new Date('2026-01-01T00:07:00Z') });
    assert.deepEqual(plan.delete.map((job) => job.metadata.name), ['s1', 'f1']);
    assert.equal(plan.status.lastSuccessfulTime, '2026-01-01T00:04:00Z');
    assert.equal(plan.start, undefined, 'suspended');
    assert.equal(plan.requeueAfterMs, undefined, 'a suspended CronJob waits for its next update');
  });

  it('a finished Job leaves the active list', () => {
    const done = newJob('hello-1', 'complete', '2026-01-01T00:01:00Z');
    const plan = planCronJob({
      cronJob: newCronJob({}, { active: [{ name: 'hello-1', uid: done.metadata.uid }], lastScheduleTime: '2026-01-01T00:01:00Z' }),
      jobs: [done],
      now: new Date('2026-01-01T00:01:40Z'),
    });
    assert.deepEqual(plan.status.active, []);
    assert.ok(plan.events.some((e) => e.reason === 'SawCompletedJob'));
  });

  it('jobFromTemplate: owned by the CronJob, stamped with the scheduled time', () => {
    const job = jobFromTemplate(newCronJob(), 'hello-29454841', new Date('2026-01-01T00:01:00Z'));
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T00:01:00Z');
    assert.equal(job.metadata.ownerReferences?.[0].kind, 'CronJob');
    assert.equal(job.metadata.ownerReferences?.[0].controller, true);
  });
});
