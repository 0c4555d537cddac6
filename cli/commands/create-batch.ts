// `kubelab create job NAME --image=IMAGE [-- COMMAND...]`, `kubelab create job NAME
// --from=cronjob/CRONJOB` and `kubelab create cronjob NAME --image=IMAGE --schedule=CRON
// [--restart=OnFailure] [-- COMMAND...]`: the batch objects kubectl's generators build from flags.
//
// `--from=cronjob/X` runs a CronJob by hand, now: a Job made from its jobTemplate, owned by the
// CronJob (so its history and `kubectl delete cronjob` include it) and marked
// `cronjob.kubernetes.io/instantiate: manual`, as kubectl marks it.

import type { Argv, CommandModule } from 'yargs';
import type { CronJob, Job } from '../../lib/api/batch-types.js';
import { jobFromCronJobTemplate } from '../../lib/api/job-from-cronjob.js';
import type { KubeObject } from '../../lib/api/types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { createGenerated, type GeneratorOutputOptions } from '../generated-object.js';
import { commandAfterDashes, generatorOutputFlags } from './generator-flags.js';

interface CreateJobOptions extends GeneratorOutputOptions {
  name: string;
  image?: string;
  from?: string;
  command?: string[];
}

interface CreateCronJobOptions extends GeneratorOutputOptions {
  name: string;
  image: string;
  schedule: string;
  restart: string;
  command?: string[];
}

/** The pod template of a generated Job or CronJob: one container named after the object. */
function batchPodTemplate(name: string, image: string, command: string[], restartPolicy: 'Never' | 'OnFailure') {
  return {
    metadata: { creationTimestamp: null },
    spec: { containers: [{ name, image, ...(command.length > 0 ? { command } : {}), resources: {} }], restartPolicy },
  };
}

/** The Job `kubectl create job NAME --image=IMAGE -- COMMAND` builds, Go zero values included (pure). */
export function jobFromFlags(name: string, image: string, command: string[]): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, creationTimestamp: null },
    spec: { template: batchPodTemplate(name, image, command, 'Never') },
    status: {},
  } as Job;
}

/** The CronJob `kubectl create cronjob NAME --image=IMAGE --schedule=S -- COMMAND` builds (pure). */
export function cronJobFromFlags(name: string, image: string, schedule: string, restartPolicy: 'Never' | 'OnFailure', command: string[]): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, creationTimestamp: null },
    spec: {
      schedule,
      jobTemplate: { metadata: { name, creationTimestamp: null }, spec: { template: batchPodTemplate(name, image, command, restartPolicy) } },
    },
    status: {},
  } as CronJob;
}

/** The Job `kubectl create job NAME --from=cronjob/X` builds from the CronJob (pure). */
export function jobFromCronJob(name: string, cronJob: CronJob): Job {
  const annotations = { 'cronjob.kubernetes.io/instantiate': 'manual', ...(cronJob.spec.jobTemplate.metadata?.annotations ?? {}) };
  return jobFromCronJobTemplate(cronJob, name, annotations);
}

export const createJobCommand: CommandModule<GlobalOptions, GlobalOptions & CreateJobOptions> = {
  command: 'job <name> [command..]',
  describe: 'Create a Job that runs an image (or a CronJob\'s template, now) to completion',
  builder: (y) =>
    generatorOutputFlags(y)
      .positional('name', { type: 'string', demandOption: true })
      .positional('command', { type: 'string', array: true, describe: 'after --: the command to run instead of the image\'s' })
      .option('image', { type: 'string', describe: 'the image to run' })
      .option('from', { type: 'string', describe: 'cronjob/NAME: a Job from that CronJob\'s jobTemplate' }) as unknown as Argv<GlobalOptions & CreateJobOptions>,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      if (argv.from && argv.image) throw new CliError('either --image or --from must be specified, not both');
      if (argv.from) {
        const match = /^(cronjob|cronjobs|cj|cronjob\.batch|cronjobs\.batch)\/(.+)$/.exec(argv.from);
        if (!match) throw new CliError(`from must be an existing cronjob: --from=cronjob/NAME, not "${argv.from}"`);
        const cronJob = await ctx.client.get<CronJob>('cronjobs.batch', ctx.namespace, match[2]);
        return createGenerated(ctx, jobFromCronJob(argv.name, cronJob), argv);
      }
      if (!argv.image) throw new CliError('either --image or --from must be specified');
      await createGenerated(ctx, jobFromFlags(argv.name, argv.image, commandAfterDashes(argv, 2)), argv);
    }),
};

export const createCronJobCommand: CommandModule<GlobalOptions, GlobalOptions & CreateCronJobOptions> = {
  command: ['cronjob <name> [command..]', 'cj <name> [command..]'],
  describe: 'Create a CronJob that runs an image on a schedule',
  builder: (y) =>
    generatorOutputFlags(y)
      .positional('name', { type: 'string', demandOption: true })
      .positional('command', { type: 'string', array: true, describe: 'after --: the command to run instead of the image\'s' })
      .option('image', { type: 'string', demandOption: true, describe: 'the image to run' })
      .option('schedule', { type: 'string', demandOption: true, describe: 'cron schedule, e.g. "*/5 * * * *" or @hourly' })
      .option('restart', { type: 'string', default: 'OnFailure', choices: ['OnFailure', 'Never'], describe: 'the pods\' restartPolicy' }) as unknown as Argv<
      GlobalOptions & CreateCronJobOptions
    >,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const cronJob = cronJobFromFlags(argv.name, argv.image, argv.schedule, argv.restart as 'OnFailure' | 'Never', commandAfterDashes(argv, 2));
      await createGenerated(ctx, cronJob, argv);
    }),
};
