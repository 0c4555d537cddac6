import assert from 'node:assert/strict';
import type { CronJob, Job } from '../../lib/api/batch-types.js';
import { applyDefaults } from '../../lib/api/defaults.js';
import { validateObject } from '../../lib/api/validation.js';
import { findUnknownFields } from '../../lib/api/schemas/known-fields.js';
import { validateAgainstSchema } from '../../lib/api/schemas/validate.js';
import { toTable } from '../../lib/printers/tables.js';
import { jobFromCronJob, jobFromFlags } from '../../cli/commands/create-batch.js';
import { hasCondition, parseWaitFor } from '../../cli/commands/wait.js';

const NOW = new Date('2026-01-01T01:00:00Z');
const template = { spec: { restartPolicy: 'Never' as const, containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } };

function job(spec: Record<string, unknown> = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u' } }, spec: template.spec }, ...spec },
    status,
  } as Job;
}

const errorsOf = (resource: string, obj: Job | CronJob, old?: Job) => {
  applyDefaults(resource, obj);
  return validateObject(resource, obj, old).map((e) => `${e.field}: ${e.message}`);
};

describe('batch/v1 validation', () => {
  const cases: { name: string; spec: Record<string, unknown>; want: RegExp | undefined }[] = [
    { name: 'a plain Job', spec: {}, want: undefined },
    { name: 'restartPolicy Always', spec: { template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u' } }, spec: { ...template.spec, restartPolicy: 'Always' } } }, want: /spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"/ },
    { name: 'Indexed without completions', spec: { completionMode: 'Indexed', parallelism: 2 }, want: /spec.completions: Required value: when completion mode is Indexed/ },
    { name: 'an unknown completionMode', spec: { completionMode: 'Sometimes' }, want: /spec.completionMode: Unsupported value/ },
    { name: 'a negative backoffLimit', spec: { backoffLimit: -1 }, want: /spec.backoffLimit: .*greater than or equal to 0/ },
    { name: 'activeDeadlineSeconds 0', spec: { activeDeadlineSeconds: 0 }, want: /spec.activeDeadlineSeconds: .*greater than 0/ },
    { name: 'a podFailurePolicy (not implemented: refused, not ignored)', spec: { podFailurePolicy: { rules: [] } }, want: /spec.podFailurePolicy: Forbidden/ },
    { name: 'a selector that misses the template', spec: { selector: { matchLabels: { other: 'x' } } }, want: /spec.template.metadata.labels: .*`selector` does not match template `labels`/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errors = errorsOf('jobs.batch', job(c.spec));
      if (c.want) assert.ok(errors.some((e) => c.want!.test(e)), errors.join('\n'));
      else assert.deepEqual(errors, []);
    });
  }

  it('a Job\'s template, selector and completionMode are immutable', () => {
    const old = job();
    applyDefaults('jobs.batch', old);
    const changed = job({ template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u' } }, spec: { ...template.spec, containers: [{ name: 'c', image: 'other' }] } } });
    assert.ok(errorsOf('jobs.batch', changed, old).some((e) => e.startsWith('spec.template: Invalid value') && e.includes('field is immutable')));
    assert.deepEqual(errorsOf('jobs.batch', job({ suspend: true }), old), [], 'suspend may change');
  });

  const cronJob = (spec: Record<string, unknown>, name = 'nightly'): CronJob =>
    ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } }, ...spec } }) as CronJob;
  const cronCases: { name: string; spec: Record<string, unknown>; cronName?: string; want: RegExp | undefined }[] = [
    { name: 'a nightly CronJob', spec: {}, want: undefined },
    { name: 'a macro and a zone', spec: { schedule: '@hourly', timeZone: 'Europe/Berlin' }, want: undefined },
    { name: 'six fields', spec: { schedule: '0 0 3 * * *' }, want: /spec.schedule: Invalid value: "0 0 3 \* \* \*": expected exactly 5 fields/ },
    { name: 'words', spec: { schedule: 'every night' }, want: /spec.schedule: Invalid value/ },
    { name: 'TZ in the schedule', spec: { schedule: 'TZ=UTC 0 3 * * *' }, want: /spec.schedule: .*use timeZone field instead/ },
    { name: 'an unknown zone', spec: { timeZone: 'Europe/Atlantis' }, want: /spec.timeZone: Invalid value: "Europe\/Atlantis"/ },
    { name: 'a bad concurrencyPolicy', spec: { concurrencyPolicy: 'Sometimes' }, want: /spec.concurrencyPolicy: Unsupported value/ },
    { name: 'restartPolicy Always in the template', spec: { jobTemplate: { spec: { template: { spec: { ...template.spec, restartPolicy: 'Always' } } } } }, want: /spec.jobTemplate.spec.template.spec.restartPolicy/ },
    { name: 'a name longer than 52', spec: {}, cronName: 'x'.repeat(53), want: /metadata.name: .*no more than 52 characters/ },
  ];
  for (const c of cronCases) {
    it(`CronJob: ${c.name}`, () => {
      const errors = errorsOf('cronjobs.batch', cronJob(c.spec, c.cronName));
      if (c.want) assert.ok(errors.some((e) => c.want!.test(e)), errors.join('\n'));
      else assert.deepEqual(errors, []);
    });
  }

  it('knows the batch fields (Strict) and their types', () => {
    assert.deepEqual(findUnknownFields('jobs.batch', { spec: { completionz: 1, template: { spec: {} } } }), ['spec.completionz']);
    assert.deepEqual(findUnknownFields('cronjobs.batch', { spec: { schedule: '', jobTemplate: { spec: { parallelism: 1, foo: 1 } } } }), ['spec.jobTemplate.spec.foo']);
    // kubectl create cronjob --dry-run=client -o yaml writes a whole ObjectMeta there (name, creationTimestamp: null).
    assert.deepEqual(findUnknownFields('cronjobs.batch', { spec: { schedule: '* * * * *', jobTemplate: { metadata: { name: 'nightly', creationTimestamp: null }, spec: { template: { spec: {} } } } } }), []);
    assert.ok(validateAgainstSchema('jobs.batch', { spec: { parallelism: '2' } }).some((cause) => cause.field === 'spec.parallelism'));
    assert.ok(validateAgainstSchema('cronjobs.batch', { spec: { schedule: 5 } }).some((cause) => cause.field === 'spec.schedule'));
  });
});

describe('batch/v1 tables (kubectl 1.32 columns)', () => {
  it('jobs: NAME STATUS COMPLETIONS DURATION AGE', () => {
    const running = job({ completions: 4, parallelism: 2 }, { startTime: '2026-01-01T00:59:00Z', succeeded: 1 });
    const complete = job({ completions: 1 }, { startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:12Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] });
    const workQueue = job({ completions: undefined, parallelism: 3 }, {});
    const table = toTable('jobs.batch', [running, complete, workQueue], { now: NOW, includeObject: 'None' });
    assert.deepEqual(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Status', 'Completions', 'Duration', 'Age']);
    assert.deepEqual(table.rows.map((r) => r.cells.slice(1, 4)), [['Running', '1/4', '60s'], ['Complete', '1/1', '12s'], ['Running', '0/1 of 3', '']]);
  });

  it('cronjobs: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
    const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } }, status: { active: [{ name: 'c-1' }], lastScheduleTime: '2026-01-01T00:55:00Z' } };
    const table = toTable('cronjobs.batch', [cj as CronJob], { now: NOW, includeObject: 'None' });
    assert.deepEqual(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
    assert.deepEqual(table.rows[0].cells.slice(0, 7), ['c', '*/5 * * * *', '<none>', 'False', 1, '5m', '60m']);
  });
});

describe('batch CLI generators and wait', () => {
  it('create job --image -- CMD, and --from=cronjob/X', () => {
    assert.deepEqual(jobFromFlags('once', 'kubelab/busybox:1', ['echo', 'hi']).spec.template.spec?.containers, [{ name: 'once', image: 'kubelab/busybox:1', command: ['echo', 'hi'], resources: {} }]);
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'default', uid: 'cj' }, spec: { schedule: '@daily', jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template } } } } as CronJob;
    const manual = jobFromCronJob('now', cronJob);
    assert.equal(manual.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(manual.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj', controller: true }]);
    assert.deepEqual(manual.metadata.labels, { a: 'b' });
  });

  it('wait --for: conditions compared case-insensitively, delete', () => {
    assert.deepEqual(parseWaitFor('condition=complete'), { kind: 'condition', type: 'complete', status: 'True' });
    assert.deepEqual(parseWaitFor('condition=Ready=false'), { kind: 'condition', type: 'Ready', status: 'false' });
    assert.deepEqual(parseWaitFor('delete'), { kind: 'delete' });
    assert.throws(() => parseWaitFor('complete'), /unrecognized condition/);
    const done = job({}, { conditions: [{ type: 'Complete', status: 'True' }] });
    assert.equal(hasCondition(done, 'complete', 'True'), true);
    assert.equal(hasCondition(done, 'failed', 'True'), false);
  });
});

describe('examples/jobs', () => {
  it('every manifest is valid as the API server checks it', async () => {
    const { parseManifests } = await import('../../lib/api/manifest.js');
    const fs = await import('node:fs/promises');
    const dir = new URL('../../examples/jobs/', import.meta.url);
    const files = (await fs.readdir(dir)).filter((file) => file.endsWith('.yaml'));
    assert.deepEqual(files.sort(), ['cronjob.yaml', 'indexed-job.yaml', 'job.yaml']);
    for (const file of files) {
      for (const obj of parseManifests(await fs.readFile(new URL(file, dir), 'utf8'), file)) {
        const resource = obj.kind === 'Job' ? 'jobs.batch' : 'cronjobs.batch';
        obj.metadata.namespace = 'default';
        if (obj.kind === 'Job') {
          // What the API server's Job strategy adds before validating: the generated selector.
          const { generateJobSelector } = await import('../../daemon/api/strategies/batch-strategy.js');
          obj.metadata.uid = 'uid';
          generateJobSelector(obj as Job);
        }
        assert.deepEqual(findUnknownFields(resource, obj), [], file);
        applyDefaults(resource, obj);
        assert.deepEqual(validateObject(resource, obj), [], file);
      }
    }
  });
});
