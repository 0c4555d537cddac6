// Jobs and CronJobs end to end: a real kubelabd on the real Docker Engine, driven by the kubelab
// CLI and the REST client, checked by what a user sees (pods that ran, their logs, the Job's
// conditions, the Jobs a CronJob made).
//
// CronJobs need wall-clock minutes, so theirs are created first (in `before`) and checked last:
// the Job tests run while the minutes pass. The daemon runs with --job-pod-failure-backoff 1, so a
// failing Job's retries wait 1 s, 2 s, 4 s instead of Kubernetes' 10 s, 20 s, 40 s.
//
// covers: Job spec.completions, spec.parallelism, spec.backoffLimit, spec.activeDeadlineSeconds, spec.template
// covers: CronJob spec.schedule, spec.jobTemplate.spec, spec.jobTemplate.metadata, spec.concurrencyPolicy, spec.successfulJobsHistoryLimit, spec.startingDeadlineSeconds

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CronJob, Job } from '../../lib/api/batch-types.js';
import type { Event, Pod } from '../../lib/api/types.js';
import type { Watch } from '../../lib/client/api-client.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { eventually, TestDaemon, type CliResult } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl, tableRows } from '../helpers/kubectl.js';

const examples = path.resolve(import.meta.dirname, '../../examples/jobs');

const condition = (job: Job | undefined, type: string) => job?.status?.conditions?.find((c) => c.type === type && c.status === 'True');
const minuteOf = (name: string) => Number(name.slice(name.lastIndexOf('-') + 1));

describe('jobs and cronjobs on the real engine', function () {
  this.timeout(600_000);
  let daemon: TestDaemon;
  let client: RestClient;
  let scratch: string;

  before(async () => {
    daemon = await TestDaemon.start({ args: ['--job-pod-failure-backoff', '1'] });
    client = newClient();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-jobs-'));
    // The CronJobs start now; their checks come last, once a few minutes have passed.
    await kubelab(['create', '-f', await writeManifest('every-minute.yaml', cronJobManifest('every-minute', { history: 2, command: 'echo tick' }))]);
    await kubelab(['create', '-f', await writeManifest('forbid.yaml', cronJobManifest('forbid', { history: 3, command: 'sleep 100', forbid: true }))]);
  });
  after(async () => {
    client?.close();
    await daemon?.cleanup();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  function newClient(): RestClient {
    return new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  }

  async function kubelab(args: string[], timeoutMs = 60_000): Promise<CliResult> {
    const r = await daemon.kubelab(args, { timeoutMs });
    assert.equal(r.code, 0, `kubelab ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r;
  }

  async function writeManifest(name: string, text: string): Promise<string> {
    const file = path.join(scratch, name);
    await fs.writeFile(file, text);
    return file;
  }

  function cronJobManifest(name: string, o: { history: number; command: string; forbid?: boolean }): string {
    return [
      'apiVersion: batch/v1',
      'kind: CronJob',
      `metadata: {name: ${name}}`,
      'spec:',
      '  schedule: "* * * * *"',
      `  concurrencyPolicy: ${o.forbid ? 'Forbid' : 'Allow'}`,
      // Forbid: a run that could not start within 20 s of its minute is skipped, not started late.
      ...(o.forbid ? ['  startingDeadlineSeconds: 20'] : []),
      `  successfulJobsHistoryLimit: ${o.history}`,
      '  jobTemplate:',
      '    spec:',
      '      template:',
      '        spec:',
      '          restartPolicy: Never',
      '          terminationGracePeriodSeconds: 1',
      `          containers: [{name: c, image: kubelab/busybox:1, command: ["sh", "-c", "${o.command}"]}]`,
      '',
    ].join('\n');
  }

  const getJob = (name: string) => client.get<Job>('jobs.batch', 'default', name);
  const podsOf = async (job: string) => (await client.list<Pod>('pods', { namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;
  const jobsOf = async (cronJob: string) =>
    (await client.list<Job>('jobs.batch', { namespace: 'default' })).items.filter((job) => job.metadata.ownerReferences?.some((ref) => ref.kind === 'CronJob' && ref.name === cronJob));

  function waitForCondition(name: string, type: string, timeoutMs = 120_000): Promise<Job> {
    return eventually(async () => {
      const job = await getJob(name);
      return condition(job, type) ? job : undefined;
    }, timeoutMs, 500);
  }

  /** Follows pods through a watch; `onChange` sees the whole set after each event. */
  async function followPods(labelSelector: string, onChange: (pods: Pod[]) => void): Promise<Watch> {
    const list = await client.list<Pod>('pods', { namespace: 'default', labelSelector });
    const current = new Map(list.items.map((p) => [p.metadata.uid!, p]));
    onChange([...current.values()]);
    return client.watch<Pod>('pods', { namespace: 'default', labelSelector, resourceVersion: list.metadata.resourceVersion }, (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') current.set(event.object.metadata.uid!, event.object);
      else if (event.type === 'DELETED') current.delete(event.object.metadata.uid!);
      else return;
      onChange([...current.values()]);
    });
  }

  it('completions 4, parallelism 2: never more than 2 pods run at once, and the Job completes', async () => {
    let most = 0;
    const watch = await followPods('batch.kubernetes.io/job-name=countdown', (pods) => {
      const running = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      most = Math.max(most, running.length);
    });
    try {
      await kubelab(['create', '-f', path.join(examples, 'job.yaml')]);
      const job = await waitForCondition('countdown', 'Complete');
      assert.equal(job.status?.succeeded, 4);
      assert.ok(job.status?.startTime && job.status.completionTime);
      assert.equal(most, 2, 'at most parallelism pods at a time, and that many while work remained');
      const pods = await podsOf('countdown');
      assert.equal(pods.filter((p) => p.status?.phase === 'Succeeded').length, 4);
      const table = (await kubelab(['get', 'jobs', 'countdown'])).stdout;
      assert.match(table, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/m);
      assert.match(table, /countdown\s+Complete\s+4\/4\s+\S+\s+\S+/);
      assert.match((await kubelab(['logs', 'job/countdown'])).stdout, /countdown-\w+: done/);
    } finally {
      watch.stop();
    }
  });

  it('a failing Job ends Failed with BackoffLimitExceeded after backoffLimit+1 pods', async () => {
    const file = await writeManifest('fails.yaml', [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata: {name: fails}',
      'spec:',
      '  backoffLimit: 2',
      '  template:',
      '    spec:',
      '      restartPolicy: Never',
      '      containers: [{name: c, image: kubelab/busybox:1, command: ["sh", "-c", "echo failing; exit 3"]}]',
      '',
    ].join('\n'));
    await kubelab(['create', '-f', file]);
    const job = await waitForCondition('fails', 'Failed');
    assert.equal(condition(job, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(job.status?.failed, 3);
    const pods = await podsOf('fails');
    assert.equal(pods.length, 3, 'backoffLimit + 1 pods');
    assert.ok(pods.every((p) => p.status?.phase === 'Failed'));
    assert.match((await kubelab(['get', 'jobs', 'fails'])).stdout, /fails\s+Failed\s+0\/1/);
  });

  it('activeDeadlineSeconds: a Job that runs too long is stopped and Failed with DeadlineExceeded', async () => {
    const file = await writeManifest('slow.yaml', [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata: {name: slow}',
      'spec:',
      '  activeDeadlineSeconds: 5',
      '  template:',
      '    spec:',
      '      restartPolicy: Never',
      '      terminationGracePeriodSeconds: 1',
      '      containers: [{name: c, image: kubelab/busybox:1, command: ["sleep", "300"]}]',
      '',
    ].join('\n'));
    const started = Date.now();
    await kubelab(['create', '-f', file]);
    const job = await waitForCondition('slow', 'Failed', 60_000);
    assert.equal(condition(job, 'Failed')?.reason, 'DeadlineExceeded');
    assert.ok(Date.now() - started < 40_000, `stopped soon after the deadline (${Date.now() - started} ms)`);
    await eventually(async () => (await podsOf('slow')).every((p) => p.status?.phase === 'Failed' || p.metadata.deletionTimestamp) || undefined, 60_000);
  });

  it('an Indexed Job: each pod sees its own index, and kubelab wait returns once it is complete', async () => {
    await kubelab(['create', '-f', path.join(examples, 'indexed-job.yaml')]);
    await kubelab(['wait', '--for=condition=complete', 'job/shards', '--timeout=120s'], 130_000);
    const job = await getJob('shards');
    assert.equal(job.status?.completedIndexes, '0-2');
    const pods = await podsOf('shards');
    const lines = await Promise.all(pods.map(async (p) => (await kubelab(['logs', p.metadata.name!])).stdout.trim()));
    assert.deepEqual(lines.sort(), ['shard 0 of 3 on shards-0', 'shard 1 of 3 on shards-1', 'shard 2 of 3 on shards-2']);
  });

  it('the real kubectl: create (from YAML and --from=cronjob), get, wait, logs, describe, a bad schedule, delete', async function () {
    const kubectl = await Kubectl.forDaemon(requireKubectl(this), daemon);
    try {
      // `kubectl create job` without --dry-run POSTs protobuf; whether kubelab decodes a Job's is issue 13's.
      const direct = await kubectl.run(['create', 'job', 'kc-direct', '--image=kubelab/busybox:1', '--', 'echo', 'direct']);
      assert.ok(direct.code === 0 || /protobuf/.test(direct.stderr), `either created or refused for its protobuf body: ${direct.stderr}`);
      const yaml = await kubectl.ok(['create', 'job', 'kc-job', '--image=kubelab/busybox:1', '--dry-run=client', '-o', 'yaml', '--', 'echo', 'hello from kubectl']);
      assert.equal(await kubectl.ok(['create', '-f', '-'], { input: yaml }), 'job.batch/kc-job created\n');
      assert.equal(await kubectl.ok(['wait', '--for=condition=complete', 'job/kc-job', '--timeout=90s'], { timeoutMs: 100_000 }), 'job.batch/kc-job condition met\n');
      const rows = tableRows(await kubectl.ok(['get', 'jobs', 'kc-job']));
      assert.deepEqual(rows[0], ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
      assert.deepEqual(rows[1].slice(0, 3), ['kc-job', 'Complete', '1/1']);
      assert.equal((await kubectl.ok(['logs', 'job/kc-job'])).trim(), 'hello from kubectl');
      assert.match(await kubectl.ok(['describe', 'job', 'kc-job']), /Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed/);

      const cron = await kubectl.ok(['create', 'cronjob', 'kc-cron', '--image=kubelab/busybox:1', '--schedule=0 3 * * *', '--dry-run=client', '-o', 'yaml', '--', 'echo', 'nightly']);
      assert.equal(await kubectl.ok(['apply', '-f', '-'], { input: cron }), 'cronjob.batch/kc-cron created\n');
      const cronRows = tableRows(await kubectl.ok(['get', 'cronjobs', 'kc-cron']));
      assert.deepEqual(cronRows[0], ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
      assert.deepEqual(cronRows[1].slice(0, 6), ['kc-cron', '0 3 * * *', '<none>', 'False', '0', '<none>']);
      const manual = await kubectl.ok(['create', 'job', 'kc-manual', '--from=cronjob/kc-cron', '--dry-run=client', '-o', 'yaml']);
      assert.equal(await kubectl.ok(['create', '-f', '-'], { input: manual }), 'job.batch/kc-manual created\n');
      await kubectl.ok(['wait', '--for=condition=complete', 'job/kc-manual', '--timeout=90s'], { timeoutMs: 100_000 });
      assert.equal((await kubectl.ok(['logs', 'job/kc-manual'])).trim(), 'nightly');

      const bad = await kubectl.run(['create', '-f', '-'], { input: cron.replace(/schedule: .*/, 'schedule: every night').replace(/name: kc-cron/, 'name: kc-bad') });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /spec\.schedule/);

      assert.match(await kubectl.ok(['delete', 'job', 'kc-job', 'kc-manual']), /job.batch "kc-job" deleted/);
      await eventually(async () => ((await podsOf('kc-job')).length === 0 && (await podsOf('kc-manual')).length === 0) || undefined, 60_000);
      await kubectl.ok(['delete', 'cronjob', 'kc-cron']);
      if (direct.code === 0) await kubectl.ok(['delete', 'job', 'kc-direct']);
    } finally {
      await kubectl.killAll();
    }
  });

  it('the README\'s commands: the example CronJob, create job --from and --image, describe, get', async () => {
    await kubelab(['create', '-f', path.join(examples, 'cronjob.yaml')]);
    assert.match((await kubelab(['get', 'cronjobs', 'hello'])).stdout, /hello\s+\*\/1 \* \* \* \*\s+Europe\/Berlin\s+False\s+/);
    assert.equal((await kubelab(['create', 'job', 'hello-now', '--from=cronjob/hello'])).stdout, 'job.batch/hello-now created\n');
    assert.equal((await kubelab(['create', 'job', 'once', '--image=kubelab/busybox:1', '--', 'echo', 'hello'])).stdout, 'job.batch/once created\n');
    await kubelab(['wait', '--for=condition=complete', 'job/hello-now', 'job/once', '--timeout=90s'], 100_000);
    assert.match((await kubelab(['logs', 'job/hello-now'])).stdout, /Hello from the kubelab cluster/);
    assert.equal((await kubelab(['logs', 'job/once'])).stdout, 'hello\n');
    const described = (await kubelab(['describe', 'job', 'hello-now'])).stdout;
    assert.match(described, /Controlled By:\s+CronJob\/hello/);
    assert.match(described, /Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed/);
    assert.match((await kubelab(['describe', 'cronjob', 'hello'])).stdout, /Concurrency Policy:\s+Forbid/);
    await kubelab(['delete', 'cronjob', 'hello']);
    // The CronJob's Jobs (hello-now among them, owned through --from) go with it, and their pods.
    await eventually(async () => ((await podsOf('hello-now')).length === 0 && (await jobsOf('hello')).length === 0) || undefined, 60_000);
    await kubelab(['delete', 'job', 'once']);
  });

  it('kubectl delete job cascades to its pods', async () => {
    await kubelab(['delete', 'job', 'countdown']);
    await eventually(async () => (await podsOf('countdown')).length === 0 || undefined, 60_000);
  });

  it('a CronJob every minute creates its Job within the minute and keeps the history limit', async () => {
    const jobs = await eventually(async () => {
      const created = (await client.list<Event>('events', { namespace: 'default' })).items.filter(
        (e) => e.involvedObject.name === 'every-minute' && e.reason === 'SuccessfulCreate',
      );
      return created.length >= 3 ? created : undefined;
    }, 240_000, 1000);
    assert.ok(jobs.length >= 3);
    await eventually(async () => {
      const finished = (await jobsOf('every-minute')).filter((job) => condition(job, 'Complete'));
      return finished.length <= 2 && (await jobsOf('every-minute')).length <= 3 || undefined;
    }, 60_000, 1000);
    for (const job of await jobsOf('every-minute')) {
      const scheduled = Date.parse(job.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']);
      const created = Date.parse(job.metadata.creationTimestamp!);
      assert.equal(minuteOf(job.metadata.name!) * 60_000, scheduled);
      assert.ok(created - scheduled < 10_000, `${job.metadata.name} created ${created - scheduled} ms after its minute`);
    }
    const table = (await kubelab(['get', 'cronjobs'])).stdout;
    assert.match(table, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE/m);
    assert.match(table, /every-minute\s+\* \* \* \* \*\s+<none>\s+False\s+\d+\s+\S+/);
  });

  it('Forbid: the run of a minute while the previous Job is still active is skipped', async () => {
    const jobs = await eventually(async () => {
      const jobs = await jobsOf('forbid');
      return jobs.length >= 2 ? jobs : undefined;
    }, 240_000, 1000);
    const [first, second] = jobs.map((job) => minuteOf(job.metadata.name!)).sort((a, b) => a - b);
    assert.ok(second - first >= 2, `the minute after ${first} was skipped (next run: ${second})`);
    const skipped = (await client.list<Event>('events', { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'forbid' && e.reason === 'JobAlreadyActive');
    assert.ok(skipped.length > 0, 'a JobAlreadyActive event says why');
    const first_ = jobs.find((job) => minuteOf(job.metadata.name!) === first)!;
    const second_ = jobs.find((job) => minuteOf(job.metadata.name!) === second)!;
    const firstEnd = Date.parse(condition(await getJob(first_.metadata.name!), 'Complete')?.lastTransitionTime ?? '');
    assert.ok(Date.parse(second_.metadata.creationTimestamp!) >= firstEnd, 'never two at once');
  });

  it('a daemon restart across a scheduled minute neither loses nor doubles a run', async () => {
    // Stop at second 50 of a minute, start again at second 10 of the next: its run was missed while down.
    await eventually(() => new Date().getUTCSeconds() >= 50 || undefined, 70_000, 250);
    const downMinute = Math.floor(Date.now() / 60_000) + 1;
    client.close();
    await daemon.kill('SIGKILL');
    await eventually(() => Date.now() >= downMinute * 60_000 + 10_000 || undefined, 30_000, 250);
    await daemon.launch();
    client = newClient();
    await eventually(async () => {
      const events = (await client.list<Event>('events', { namespace: 'default' })).items.filter(
        (e) => e.involvedObject.name === 'every-minute' && e.reason === 'SuccessfulCreate',
      );
      return events.some((e) => e.message === `Created job every-minute-${downMinute}`) || undefined;
    }, 60_000, 1000);
    // One more minute, so a doubled run would have had its chance.
    await eventually(() => Date.now() >= (downMinute + 1) * 60_000 + 15_000 || undefined, 80_000, 1000);
    const names = (await client.list<Event>('events', { namespace: 'default' })).items
      .filter((e) => e.involvedObject.name === 'every-minute' && e.reason === 'SuccessfulCreate')
      .map((e) => ({ name: e.message!.replace('Created job ', ''), count: e.count ?? 1 }));
    const minutes = names.map((n) => minuteOf(n.name)).sort((a, b) => a - b);
    assert.ok(names.every((n) => n.count === 1), `each Job created once: ${JSON.stringify(names)}`);
    for (let i = 1; i < minutes.length; i += 1) assert.equal(minutes[i], minutes[i - 1] + 1, `no minute lost: ${minutes.join(',')}`);
    assert.ok(minutes.includes(downMinute) && minutes.includes(downMinute + 1));
  });
});
