import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import type { CronJob, Job } from '../../../lib/api/batch-types.js';
import { CronJobController } from '../../../daemon/controllers/cronjob/cronjob-controller.js';
import { eventually, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

const minute = (iso: string) => Date.parse(iso) / 60_000;

describe('CronJobController (in-memory API, manual clock)', () => {
  let cluster: ControllerCluster;
  let abort: AbortController;
  // No resync within the test's hours: every pass after the first comes from the controller's own requeue.
  const start = () => {
    abort = new AbortController();
    setMaxListeners(0, abort.signal);
    void new CronJobController({ client: cluster.client, clock: cluster.clock, recorder: cluster.recorderFor('cronjob-controller'), onError: () => {}, resyncPeriodMs: 3_600_000 }).run(abort.signal);
  };
  beforeEach(async () => {
    cluster = await startControllerCluster(); // the clock starts at 2025-01-01T00:00:00Z
    start();
  });
  afterEach(async () => {
    abort.abort();
    await cluster.close();
  });

  const jobNames = async () => (await cluster.client.list<Job>('jobs.batch', { namespace: 'default' })).items.map((job) => job.metadata.name!).sort();

  it('requeues itself for each minute through the work queue, and a restart runs a missed minute once', async () => {
    await cluster.client.create<CronJob>('cronjobs.batch', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: { schedule: '* * * * *', successfulJobsHistoryLimit: 10, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } } },
    });
    // 00:00:30: nothing due yet. 00:01:00 and 00:02:00: one Job each, named after its minute.
    await cluster.clock.advance(30_000);
    assert.deepEqual(await jobNames(), []);
    await eventually(async () => assert.deepEqual(await jobNames(), [`tick-${minute('2025-01-01T00:01:00Z')}`]), cluster.clock, { stepMs: 1000 });
    await eventually(async () => assert.equal((await jobNames()).length, 2), cluster.clock, { stepMs: 1000 });
    assert.ok(cluster.clock.now().getTime() < Date.parse('2025-01-01T00:03:00Z'));

    // Down for three and a half minutes: three runs missed; on restart only the latest starts.
    abort.abort();
    const before = await jobNames();
    await cluster.clock.advance(210_000);
    start();
    const latest = Math.floor(cluster.clock.now().getTime() / 60_000);
    await eventually(async () => assert.deepEqual(await jobNames(), [...before, `tick-${latest}`].sort()), cluster.clock, { stepMs: 100 });
    // A second pass over the same minute (a resync) starts nothing more.
    abort.abort();
    start();
    await cluster.clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await jobNames(), [...before, `tick-${latest}`].sort());
    const cronJob = await cluster.client.get<CronJob>('cronjobs.batch', 'default', 'tick');
    assert.equal(Date.parse(cronJob.status!.lastScheduleTime!), latest * 60_000);
    assert.equal(cronJob.status?.active?.length, 3);
  });
});
