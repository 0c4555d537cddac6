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
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { objectName } from '../printers/name-printer.js';

interface CreateJobOptions {
  name: string;
  image?: string;
  from?: string;
  command?: string[];
}

interface CreateCronJobOptions {
  name: string;
  image: string;
  schedule: string;
  restart: string;
  command?: string[];
}

/** The Job `kubectl create job NAME --image=IMAGE -- COMMAND` builds (pure). */
export function jobFromFlags(name: string, namespace: string, image: string, command: string[]): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name, image, ...(command.length > 0 ? { command } : {}) }] } } },
  };
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
    y
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
        return createGenerated(ctx, 'jobs.batch', jobFromCronJob(argv.name, cronJob));
      }
      if (!argv.image) throw new CliError('either --image or --from must be specified');
      await createGenerated(ctx, 'jobs.batch', jobFromFlags(argv.name, ctx.namespace, argv.image, commandOf(argv)));
    }),
};

export const createCronJobCommand: CommandModule<GlobalOptions, GlobalOptions & CreateCronJobOptions> = {
  command: ['cronjob <name> [command..]', 'cj <name> [command..]'],
  describe: 'Create a CronJob that runs an image on a schedule',
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true })
      .positional('command', { type: 'string', array: true, describe: 'after --: the command to run instead of the image\'s' })
      .option('image', { type: 'string', demandOption: true, describe: 'the image to run' })
      .option('schedule', { type: 'string', demandOption: true, describe: 'cron schedule, e.g. "*/5 * * * *" or @hourly' })
      .option('restart', { type: 'string', default: 'OnFailure', choices: ['OnFailure', 'Never'], describe: 'the pods\' restartPolicy' }) as unknown as Argv<
      GlobalOptions & CreateCronJobOptions
    >,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const command = commandOf(argv);
      const cronJob: CronJob = {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: argv.name, namespace: ctx.namespace },
        spec: {
          schedule: argv.schedule,
          jobTemplate: {
            metadata: {},
            spec: { template: { spec: { restartPolicy: argv.restart as 'OnFailure' | 'Never', containers: [{ name: argv.name, image: argv.image, ...(command.length > 0 ? { command } : {}) }] } } },
          },
        },
      };
      await createGenerated(ctx, 'cronjobs.batch', cronJob);
    }),
};

/**
 * The command after `--`: yargs leaves it in argv._ after `create job` (unparsed, so its own
 * flags stay its own), and only words before `--` in the positional.
 */
function commandOf(argv: { command?: string[]; _: (string | number)[] }): string[] {
  return [...(argv.command ?? []), ...argv._.slice(2)].map(String);
}

async function createGenerated(ctx: CliContext, resource: string, object: KubeObject): Promise<void> {
  const created = await ctx.client.create(resource, object, { fieldManager: 'kubectl-create' });
  ctx.out(`${objectName({ ...object, ...created })} created\n`);
}
