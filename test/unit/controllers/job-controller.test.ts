// covers: Job spec.ttlSecondsAfterFinished, spec.selector, spec.completionMode
// covers: CronJob spec.timeZone

import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { JOB_TRACKING_FINALIZER, type CronJob, type Job } from '../../../lib/api/batch-types.js';
import type { Pod } from '../../../lib/api/types.js';
import { ApiError } from '../../../lib/errors.js';
import { JobController } from '../../../daemon/controllers/job/job-controller.js';
import { TtlAfterFinishedController, jobExpiresAtMs } from '../../../daemon/controllers/ttl-after-finished/ttl-after-finished-controller.js';
import { GarbageCollector } from '../../../daemon/controllers/garbage-collector/garbage-collector.js';
import { eventually, startControllerCluster, type ControllerCluster } from '../../helpers/test-cluster.js';

const jobManifest = (name: string, spec: Record<string, unknown> = {}): Job =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } }, ...spec },
  }) as Job;

async function finishPods(cluster: ControllerCluster, phase: 'Succeeded' | 'Failed', filter: (pod: Pod) => boolean = () => true): Promise<number> {
  const pods = (await cluster.client.list<Pod>('pods', { namespace: 'default' })).items.filter((pod) => !pod.status?.phase || pod.status.phase === 'Pending').filter(filter);
  for (const pod of pods) {
    const finishedAt = cluster.clock.now().toISOString();
    await cluster.client.updateStatus<Pod>('pods', {
      ...pod,
      status: { phase, containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '', lastState: {}, state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt } } }] },
    });
  }
  return pods.length;
}

describe('Job API (registry)', () => {
  let cluster: ControllerCluster;
  beforeEach(async () => (cluster = await startControllerCluster()));
  afterEach(() => cluster.close());

  it('defaults the spec and generates the selector and pod labels from the uid', async () => {
    const job = await cluster.client.create<Job>('jobs.batch', jobManifest('pi'));
    const uid = job.metadata.uid!;
    assert.deepEqual(
      { completions: job.spec.completions, parallelism: job.spec.parallelism, backoffLimit: job.spec.backoffLimit, completionMode: job.spec.completionMode, suspend: job.spec.suspend },
      { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false },
    );
    assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    assert.deepEqual(job.spec.template.metadata?.labels, { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' });
  });

  it('refuses restartPolicy Always, Indexed without completions, a bad schedule or time zone: 422 naming the field', async () => {
    const refused = async (resource: string, obj: Job | CronJob, field: string) => {
      await assert.rejects(cluster.client.create(resource, obj), (error: unknown) => {
        assert.ok(error instanceof ApiError && error.code === 422, String(error));
        assert.ok(JSON.stringify(error.details).includes(field), `${field} in ${JSON.stringify(error.details)}`);
        return true;
      });
    };
    await refused('jobs.batch', { ...jobManifest('a'), spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } } as Job, 'spec.template.spec.restartPolicy');
    await refused('jobs.batch', jobManifest('b', { completionMode: 'Indexed', parallelism: 2 }), 'spec.completions');
    const cronJob = (schedule: string, timeZone?: string): CronJob => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: { schedule, ...(timeZone ? { timeZone } : {}), jobTemplate: { spec: jobManifest('x').spec } },
    });
    await refused('cronjobs.batch', cronJob('every minute'), 'spec.schedule');
    await refused('cronjobs.batch', cronJob('0 0 * * * *'), 'spec.schedule');
    await refused('cronjobs.batch', cronJob('*/5 * * * *', 'Europe/Nowhere'), 'spec.timeZone');
    const created = await cluster.client.create<CronJob>('cronjobs.batch', cronJob('@hourly', 'Europe/Berlin'));
    assert.deepEqual(
      [created.spec.concurrencyPolicy, created.spec.successfulJobsHistoryLimit, created.spec.failedJobsHistoryLimit, created.spec.suspend],
      ['Allow', 3, 1, false],
    );
  });

  it('a pod with a finalizer stays, marked, until the finalizer goes', async () => {
    const pod = await cluster.client.create<Pod>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'held', finalizers: [JOB_TRACKING_FINALIZER] },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    await cluster.client.delete('pods', 'default', 'held', {});
    const marked = await cluster.client.get<Pod>('pods', 'default', 'held');
    assert.ok(marked.metadata.deletionTimestamp);
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 0);
    await cluster.client.update<Pod>('pods', { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    await assert.rejects(cluster.client.get('pods', 'default', 'held'), /not found/);
    void pod;
  });
});

describe('JobController (in-memory API, manual clock)', () => {
  let cluster: ControllerCluster;
  let abort: AbortController;
  beforeEach(async () => {
    cluster = await startControllerCluster();
    abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const common = { client: cluster.client, clock: cluster.clock, onError: () => {} };
    void new JobController({ ...common, recorder: cluster.recorderFor('job-controller'), podFailureBackoff: { initialMs: 1000, maxMs: 4000 } }).run(abort.signal);
    void new TtlAfterFinishedController({ ...common, recorder: cluster.recorderFor('ttl') }).run(abort.signal);
    void new GarbageCollector({ ...common, verifyDelayMs: 0 }).run(abort.signal);
  });
  afterEach(async () => {
    abort.abort();
    await cluster.close();
  });

  const getJob = (name: string) => cluster.client.get<Job>('jobs.batch', 'default', name);
  const podsOf = async (name: string) => (await cluster.client.list<Pod>('pods', { namespace: 'default', labelSelector: `job-name=${name}` })).items;

  it('completions 4, parallelism 2: two pods at a time, counted, then Complete', async () => {
    await cluster.client.create('jobs.batch', jobManifest('pi', { completions: 4, parallelism: 2 }));
    let most = 0;
    for (let round = 0; round < 2; round += 1) {
      await eventually(async () => assert.equal((await podsOf('pi')).filter((p) => p.status?.phase === 'Pending').length, 2), cluster.clock);
      most = Math.max(most, (await podsOf('pi')).filter((p) => p.status?.phase === 'Pending').length);
      await finishPods(cluster, 'Succeeded');
    }
    const job = await eventually(async () => {
      const job = await getJob('pi');
      assert.equal(job.status?.conditions?.find((c) => c.type === 'Complete')?.status, 'True');
      return job;
    }, cluster.clock);
    assert.equal(most, 2);
    assert.equal(job.status?.succeeded, 4);
    assert.ok(job.status?.completionTime);
    assert.ok((await podsOf('pi')).every((pod) => !(pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)), 'every pod counted and released');
  });

  it('backoffLimit 1: after 2 failed pods, Failed with BackoffLimitExceeded', async () => {
    await cluster.client.create('jobs.batch', jobManifest('bad', { backoffLimit: 1 }));
    for (let i = 0; i < 2; i += 1) {
      await eventually(async () => assert.equal(await finishPods(cluster, 'Failed'), 1), cluster.clock, { stepMs: 200 });
    }
    const job = await eventually(async () => {
      const job = await getJob('bad');
      assert.equal(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
      return job;
    }, cluster.clock, { stepMs: 200 });
    assert.equal(job.status?.failed, 2);
    assert.equal((await podsOf('bad')).length, 2);
  });

  it('a pod deleted while it runs still counts (as failed), and its deletion completes', async () => {
    await cluster.client.create('jobs.batch', jobManifest('gone', { backoffLimit: 3 }));
    const [pod] = await eventually(async () => {
      const pods = await podsOf('gone');
      assert.equal(pods.length, 1);
      return pods;
    }, cluster.clock);
    await cluster.client.delete('pods', 'default', pod.metadata.name!, {});
    await eventually(async () => {
      assert.equal((await getJob('gone')).status?.failed, 1);
      await assert.rejects(cluster.client.get('pods', 'default', pod.metadata.name!), /not found/);
    }, cluster.clock, { stepMs: 200 });
  });

  it('ttlSecondsAfterFinished deletes the finished Job and the garbage collector its pods', async () => {
    await cluster.client.create('jobs.batch', jobManifest('short', { ttlSecondsAfterFinished: 5 }));
    await eventually(async () => assert.equal(await finishPods(cluster, 'Succeeded'), 1), cluster.clock);
    const done = await eventually(async () => {
      const job = await getJob('short');
      assert.ok(jobExpiresAtMs(job));
      return job;
    }, cluster.clock);
    assert.equal(jobExpiresAtMs(done), Date.parse(done.status!.conditions!.find((c) => c.type === 'Complete')!.lastTransitionTime!) + 5000);
    await eventually(async () => {
      await assert.rejects(getJob('short'), /not found/);
      assert.equal((await podsOf('short')).length, 0);
    }, cluster.clock, { stepMs: 500 });
  });
});
