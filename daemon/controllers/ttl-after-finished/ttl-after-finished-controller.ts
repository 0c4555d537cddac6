// The TTL-after-finished controller (Kubernetes' pkg/controller/ttlafterfinished,
// "ttl-after-finished" in kube-controller-manager): deletes a finished Job
// ttlSecondsAfterFinished after it finished, so Jobs do not pile up. Its pods go with it (the
// garbage collector, Background propagation).
//
// "Finished" is the time of the Job's Complete or Failed condition. A Job not due yet is looked at
// again when it will be (the work queue's delayed add); before deleting, the Job is read again and
// deleted only if it is the same one (uid precondition) and still due, since a user may have
// changed its TTL meanwhile.

import type { Job } from '../../../lib/api/batch-types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { isNotFound } from '../../../lib/errors.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { findCondition } from '../job/job-plan.js';
import { JOB_RESOURCE } from '../job/job-controller.js';

/** When `job` is due for deletion, in ms since the epoch; undefined if it has no TTL or has not finished (pure). */
export function jobExpiresAtMs(job: Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return undefined;
  const finished = [findCondition(job.status, 'Complete'), findCondition(job.status, 'Failed')].find((c) => c?.status === 'True');
  if (!finished?.lastTransitionTime) return undefined;
  return Date.parse(finished.lastTransitionTime) + ttl * 1000;
}

export class TtlAfterFinishedController extends Controller {
  private readonly jobs: Informer<Job>;

  constructor(options: ControllerOptions) {
    super(options, { component: 'ttl-after-finished-controller' });
    this.jobs = this.informers.informerFor<Job>(JOB_RESOURCE);
    this.jobs.addEventHandler({
      onAdd: (job) => this.onJobChange(job),
      onUpdate: (_old, job) => this.onJobChange(job),
    });
  }

  protected watched(): Informer[] {
    return [this.jobs];
  }

  private onJobChange(job: Job): void {
    if (jobExpiresAtMs(job) !== undefined) this.queue.add(objectKey(job));
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let job: Job;
    try {
      job = await this.client.get<Job>(JOB_RESOURCE, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const expiresAtMs = jobExpiresAtMs(job);
    if (expiresAtMs === undefined) return;
    const leftMs = expiresAtMs - this.clock.now().getTime();
    if (leftMs > 0) return this.queue.addAfter(key, leftMs);
    try {
      await this.client.delete(JOB_RESOURCE, namespace, name, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
