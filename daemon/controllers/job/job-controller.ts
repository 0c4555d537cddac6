// The Job controller (Kubernetes' pkg/controller/job, the "job" controller of
// kube-controller-manager): runs a Job's pods until enough of them succeeded.
//
// Handlers enqueue the Job of every Job or pod change; reconcile(key) reads the Job and the pods
// it owns, asks planJob (job-plan.ts) what to do, and acts in an order that survives a crash at
// any step: write status first (it records which finished pods are being counted), then remove
// those pods' tracking finalizers, then delete and create pods, then look again when time alone
// changes something (a deadline, the end of a back-off).
//
// A Job that is gone leaves pods behind with the tracking finalizer; the garbage collector
// deletes them (they are owned) and this controller removes their finalizer, which completes
// their deletion.

import {
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_TRACKING_FINALIZER,
  type Job,
} from '../../../lib/api/batch-types.js';
import type { EnvVar, Pod } from '../../../lib/api/types.js';
import type { BackoffPolicy } from '../../../lib/backoff.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { errorMessage, isNotFound } from '../../../lib/errors.js';
import { JOB_DEFAULTS } from '../../config.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { controllerOf, controllerRefTo } from '../controller-ref.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { planJob } from './job-plan.js';
import { slowStartBatch } from '../slow-start.js';

export const JOB_RESOURCE = 'jobs.batch';

export interface JobControllerOptions extends ControllerOptions {
  /** The re-create delay after pod failures; Kubernetes' 10 s doubling to 6 min by default. */
  podFailureBackoff?: BackoffPolicy;
}

export class JobController extends Controller {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly backoff: BackoffPolicy;

  constructor(options: JobControllerOptions) {
    super(options, { component: 'job-controller' });
    this.recorder = options.recorder;
    this.backoff = options.podFailureBackoff ?? JOB_DEFAULTS.podFailureBackoff;
    this.jobs = this.informers.informerFor<Job>(JOB_RESOURCE);
    this.jobs.addEventHandler({
      onAdd: (job) => this.queue.add(objectKey(job)),
      onUpdate: (_old, job) => this.queue.add(objectKey(job)),
      onDelete: (job) => this.queue.add(objectKey(job)),
    });
    this.pods = this.informers.informerFor<Pod>('pods');
    this.pods.addEventHandler({
      onAdd: (pod) => this.onPodChange(pod),
      onUpdate: (_old, pod) => this.onPodChange(pod),
      onDelete: (pod) => this.onPodChange(pod),
    });
  }

  protected watched(): Informer[] {
    return [this.jobs, this.pods];
  }

  /** A pod concerns the Job its ControllerRef names (also a Job that is gone: its finalizers). */
  private onPodChange(pod: Pod): void {
    const ref = controllerOf(pod);
    if (ref?.kind === 'Job' && ref.apiVersion.startsWith('batch/')) this.queue.add(`${pod.metadata.namespace}/${ref.name}`);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let job: Job;
    try {
      job = await this.client.get<Job>(JOB_RESOURCE, namespace, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return this.releaseOrphans(namespace!, name, undefined);
    }
    const all = (await this.client.list<Pod>('pods', { namespace })).items;
    const pods = all.filter((pod) => controllerOf(pod)?.uid === job.metadata.uid);
    // Pods of an earlier Job of the same name are orphans now: let their deletion finish.
    await this.releaseOrphans(namespace!, name, job.metadata.uid);
    if (job.metadata.deletionTimestamp) {
      // Being deleted (in the foreground, the garbage collector is deleting its pods): create
      // nothing, and let every pod go, as Kubernetes' Job controller does.
      for (const pod of pods) await this.removeFinalizer(pod);
      return;
    }

    const plan = planJob({ job, pods, now: this.clock.now(), backoff: this.backoff });
    if (JSON.stringify(plan.status) !== JSON.stringify(job.status ?? {})) {
      await this.client.updateStatus<Job>(JOB_RESOURCE, { ...job, status: plan.status });
    }
    for (const event of plan.events) this.recorder.record(job, event.type, event.reason, event.message);
    for (const pod of plan.removeFinalizers) await this.removeFinalizer(pod);
    const deletions = await Promise.allSettled(plan.delete.map((pod) => this.deletePod(job, pod)));
    // Creations go out in slow-start batches (1, 2, 4 ...): a template the API refuses costs one call.
    let next = 0;
    const creations = await slowStartBatch(plan.create.length, () => this.createPod(job, plan.create[next++]!.index));
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
    const failed = deletions.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    if (creations.error !== undefined) throw creations.error;
  }

  /** Removes the tracking finalizer from pods a Job named `name` once owned, unless it is `keepUid`. */
  private async releaseOrphans(namespace: string, name: string, keepUid: string | undefined): Promise<void> {
    const pods = this.pods
      .list()
      .filter((pod) => pod.metadata.namespace === namespace && (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER))
      .filter((pod) => {
        const ref = controllerOf(pod);
        return ref?.kind === 'Job' && ref.name === name && ref.uid !== keepUid;
      });
    for (const pod of pods) await this.removeFinalizer(pod);
  }

  private async removeFinalizer(pod: Pod): Promise<void> {
    try {
      const current = await this.client.get<Pod>('pods', pod.metadata.namespace, pod.metadata.name ?? '');
      if (current.metadata.uid !== pod.metadata.uid || !(current.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) return;
      const finalizers = current.metadata.finalizers!.filter((f) => f !== JOB_TRACKING_FINALIZER);
      await this.client.update<Pod>('pods', { ...current, metadata: { ...current.metadata, finalizers } });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async deletePod(job: Job, pod: Pod): Promise<void> {
    try {
      await this.client.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
      this.recorder.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (error) {
      if (isNotFound(error)) return;
      this.recorder.record(job, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(error)}`);
      throw error;
    }
  }

  private async createPod(job: Job, index: number | undefined): Promise<void> {
    try {
      const created = await this.client.create<Pod>('pods', podForJob(job, index));
      this.recorder.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (error) {
      this.recorder.record(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
      throw error;
    }
  }
}

/**
 * A pod of `job` from its template (pure): owned by the Job, held by the tracking finalizer, and
 * for an Indexed Job named NAME-INDEX-xxxxx, with hostname NAME-INDEX, the index annotation and
 * label, and JOB_COMPLETION_INDEX in every container read from that annotation.
 */
export function podForJob(job: Job, index: number | undefined): Pod {
  const template = job.spec.template;
  const name = job.metadata.name ?? '';
  const spec = structuredClone(template.spec ?? { containers: [] });
  const labels = { ...(template.metadata?.labels ?? {}) };
  const annotations = { ...(template.metadata?.annotations ?? {}) };
  if (index !== undefined) {
    annotations[JOB_COMPLETION_INDEX_ANNOTATION] = String(index);
    labels[JOB_COMPLETION_INDEX_ANNOTATION] = String(index);
    spec.hostname = spec.hostname ?? `${name}-${index}`;
    const env: EnvVar = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } } as EnvVar;
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) container.env = [...(container.env ?? []), env];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      finalizers: [JOB_TRACKING_FINALIZER],
      ownerReferences: [controllerRefTo(job, 'batch/v1', 'Job')],
    },
    spec,
  };
}
