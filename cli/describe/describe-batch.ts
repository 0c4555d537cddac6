// `kubelab describe job|cronjob`, in kubectl's layout (describeJob / describeCronJob): what the
// Job asks for (parallelism, completions, back-off), how far it got (start, completion, pods by
// phase), and for a CronJob its schedule and the Jobs it has running.

import { humanDuration } from '../../lib/time.js';
import type { CronJob, Job } from '../../lib/api/batch-types.js';
import type { Pod } from '../../lib/api/types.js';
import type { CliContext } from '../cli-context.js';
import { describeEvents, describeTemplate, formatTime } from './describe-common.js';
import { selectorString } from './describe-workloads.js';
import { DescribeWriter } from './tab-writer.js';

export async function describeJob(ctx: CliContext, job: Job): Promise<string> {
  const w = new DescribeWriter();
  const spec = job.spec;
  const st = job.status ?? {};
  w.line(0, 'Name:', job.metadata.name);
  w.line(0, 'Namespace:', job.metadata.namespace);
  w.line(0, 'Selector:', selectorString(spec.selector));
  w.map(0, 'Labels', job.metadata.labels);
  w.map(0, 'Annotations', job.metadata.annotations, ': ');
  const owner = job.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) w.line(0, 'Controlled By:', `${owner.kind}/${owner.name}`);
  w.line(0, 'Parallelism:', spec.parallelism ?? 1);
  w.line(0, 'Completions:', spec.completions ?? '<unset>');
  w.line(0, 'Completion Mode:', spec.completionMode ?? 'NonIndexed');
  w.line(0, 'Suspend:', spec.suspend ? 'true' : 'false');
  w.line(0, 'Backoff Limit:', spec.backoffLimit ?? 6);
  if (spec.ttlSecondsAfterFinished !== undefined) w.line(0, 'TTL Seconds After Finished:', spec.ttlSecondsAfterFinished);
  if (st.startTime) w.line(0, 'Start Time:', formatTime(st.startTime));
  if (st.completionTime) w.line(0, 'Completed At:', formatTime(st.completionTime));
  if (st.startTime && st.completionTime) w.line(0, 'Duration:', humanDuration(Date.parse(st.completionTime) - Date.parse(st.startTime)));
  if (spec.activeDeadlineSeconds) w.line(0, 'Active Deadline Seconds:', `${spec.activeDeadlineSeconds}s`);
  const selector = selectorString(spec.selector);
  const pods = selector ? (await ctx.client.list<Pod>('pods', { namespace: job.metadata.namespace, labelSelector: selector })).items : [];
  const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  w.line(0, 'Pods Statuses:', `${st.active ?? 0} Active (${ready} Ready) / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed`);
  if (spec.completionMode === 'Indexed') w.line(0, 'Completed Indexes:', st.completedIndexes || '<none>');
  describeTemplate(w, spec.template);
  await describeEvents(ctx, w, job);
  return w.toString();
}

export async function describeCronJob(ctx: CliContext, cronJob: CronJob): Promise<string> {
  const w = new DescribeWriter();
  const spec = cronJob.spec;
  const st = cronJob.status ?? {};
  w.line(0, 'Name:', cronJob.metadata.name);
  w.line(0, 'Namespace:', cronJob.metadata.namespace);
  w.map(0, 'Labels', cronJob.metadata.labels);
  w.map(0, 'Annotations', cronJob.metadata.annotations, ': ');
  w.line(0, 'Schedule:', spec.schedule);
  if (spec.timeZone) w.line(0, 'TimeZone:', spec.timeZone);
  w.line(0, 'Concurrency Policy:', spec.concurrencyPolicy ?? 'Allow');
  w.line(0, 'Suspend:', spec.suspend ? 'True' : 'False');
  w.line(0, 'Successful Job History Limit:', spec.successfulJobsHistoryLimit ?? 3);
  w.line(0, 'Failed Job History Limit:', spec.failedJobsHistoryLimit ?? 1);
  w.line(0, 'Starting Deadline Seconds:', spec.startingDeadlineSeconds !== undefined ? `${spec.startingDeadlineSeconds}s` : '<unset>');
  w.line(0, 'Selector:', '<unset>');
  w.line(0, 'Parallelism:', spec.jobTemplate.spec.parallelism ?? '<unset>');
  w.line(0, 'Completions:', spec.jobTemplate.spec.completions ?? '<unset>');
  describeTemplate(w, spec.jobTemplate.spec.template);
  w.line(0, 'Last Schedule Time:', st.lastScheduleTime ? formatTime(st.lastScheduleTime) : '<unset>');
  w.line(0, 'Active Jobs:', st.active?.length ? st.active.map((ref) => ref.name).join(', ') : '<none>');
  await describeEvents(ctx, w, cronJob);
  return w.toString();
}
