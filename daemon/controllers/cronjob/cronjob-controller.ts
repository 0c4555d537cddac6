// The CronJob controller (Kubernetes' pkg/controller/cronjob, "cronjob" in
// kube-controller-manager): starts a CronJob's Jobs at the times of its schedule.
//
// Handlers enqueue the CronJob of every CronJob or Job change. reconcile(key) reads the CronJob
// and the Jobs it owns, asks planCronJob (cronjob-plan.ts), deletes what it says, starts the Job
// (its name comes from the scheduled minute, so AlreadyExists means "started already"), writes
// status, and asks the work queue to come back at the next schedule time. That delayed add is the
// only timer: a restarted daemon re-reads every CronJob, works out what it missed from
// status.lastScheduleTime, and starts the latest missed run once.

import type { CronJob, Job } from '../../../lib/api/batch-types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { errorMessage, isAlreadyExists, isNotFound } from '../../../lib/errors.js';
import { JOB_DEFAULTS } from '../../config.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { controllerOf } from '../controller-ref.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { JOB_RESOURCE } from '../job/job-controller.js';
import { jobFromTemplate, planCronJob } from './cronjob-plan.js';

export const CRONJOB_RESOURCE = 'cronjobs.batch';

export class CronJobController extends Controller {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly recorder: EventRecorder;

  constructor(options: ControllerOptions) {
    super(options, { component: 'cronjob-controller' });
    this.recorder = options.recorder;
    this.cronJobs = this.informers.informerFor<CronJob>(CRONJOB_RESOURCE);
    this.cronJobs.addEventHandler({
      onAdd: (cronJob) => this.queue.add(objectKey(cronJob)),
      onUpdate: (_old, cronJob) => this.queue.add(objectKey(cronJob)),
    });
    this.jobs = this.informers.informerFor<Job>(JOB_RESOURCE);
    this.jobs.addEventHandler({
      onAdd: (job) => this.onJobChange(job),
      onUpdate: (_old, job) => this.onJobChange(job),
      onDelete: (job) => this.onJobChange(job),
    });
  }

  protected watched(): Informer[] {
    return [this.cronJobs, this.jobs];
  }

  private onJobChange(job: Job): void {
    const ref = controllerOf(job);
    if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata.namespace}/${ref.name}`);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let cronJob: CronJob;
    try {
      cronJob = await this.client.get<CronJob>(CRONJOB_RESOURCE, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return; // its Jobs are the garbage collector's
      throw error;
    }
    const jobs = (await this.client.list<Job>(JOB_RESOURCE, { namespace })).items.filter((job) => controllerOf(job)?.uid === cronJob.metadata.uid);
    const plan = planCronJob({ cronJob, jobs, now: this.clock.now(), tooManyMissed: JOB_DEFAULTS.tooManyMissedSchedules });

    for (const job of plan.delete) await this.deleteJob(cronJob, job);
    if (plan.start) {
      try {
        const created = await this.client.create<Job>(JOB_RESOURCE, jobFromTemplate(cronJob, plan.start.name, plan.start.scheduledTime));
        this.recorder.record(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
        plan.status.active = [
          ...(plan.status.active ?? []),
          { apiVersion: 'batch/v1', kind: 'Job', name: created.metadata.name, namespace: created.metadata.namespace, uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion },
        ];
      } catch (error) {
        // Created by an earlier pass whose status write was lost: the next pass sees it as active.
        if (!isAlreadyExists(error)) {
          this.recorder.record(cronJob, 'Warning', 'FailedCreate', `Error creating job: ${errorMessage(error)}`);
          throw error;
        }
      }
    }
    for (const event of plan.events) this.recorder.record(cronJob, event.type, event.reason, event.message);
    if (JSON.stringify(plan.status) !== JSON.stringify(cronJob.status ?? {})) {
      await this.client.updateStatus<CronJob>(CRONJOB_RESOURCE, { ...cronJob, status: plan.status });
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async deleteJob(cronJob: CronJob, job: Job): Promise<void> {
    try {
      await this.client.delete(JOB_RESOURCE, job.metadata.namespace, job.metadata.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
      this.recorder.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
