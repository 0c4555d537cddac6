// `kubelab describe pod`: the pod's identity, where and how it runs, each container's state,
// conditions, volumes, why the scheduler put it where it is (or nowhere), and the events that
// explain what happened to it.

import type { Pod } from '../../lib/api/types.js';
import { DECISION_ANNOTATION } from '../../lib/scheduling/decision.js';
import type { CliContext } from '../cli-context.js';
import { describeConditions, describeContainers, describeEvents, describeTolerations, describeVolumes, formatTime } from './describe-common.js';
import { describeSchedulingDecision } from './describe-scheduling-decision.js';
import { DescribeWriter } from './tab-writer.js';

export async function describePod(ctx: CliContext, pod: Pod): Promise<string> {
  const w = new DescribeWriter();
  const status = pod.status ?? {};
  w.line(0, 'Name:', pod.metadata.name);
  w.line(0, 'Namespace:', pod.metadata.namespace);
  w.line(0, 'Service Account:', pod.spec.serviceAccountName ?? '');
  w.line(0, 'Node:', pod.spec.nodeName ? `${pod.spec.nodeName}${status.hostIP ? `/${status.hostIP}` : ''}` : '<none>');
  w.line(0, 'Start Time:', status.startTime ? formatTime(status.startTime) : undefined);
  w.map(0, 'Labels', pod.metadata.labels);
  const annotations = { ...(pod.metadata.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  // Shown as its own section below, as a table rather than a line of JSON.
  delete annotations[DECISION_ANNOTATION];
  w.map(0, 'Annotations', annotations, ': ');
  if (pod.metadata.deletionTimestamp) {
    w.line(0, 'Status:', `Terminating (lasts ${pod.metadata.deletionGracePeriodSeconds ?? 0}s)`);
    w.line(0, 'Termination Grace Period:', `${pod.metadata.deletionGracePeriodSeconds ?? 0}s`);
  } else {
    w.line(0, 'Status:', status.phase ?? 'Pending');
  }
  if (status.reason) w.line(0, 'Reason:', status.reason);
  if (status.message) w.line(0, 'Message:', status.message);
  w.line(0, 'IP:', status.podIP ?? '');
  w.line(0, 'IPs:', status.podIPs?.length ? undefined : '<none>');
  for (const ip of status.podIPs ?? []) w.line(1, 'IP:', ip.ip);
  if (pod.spec.initContainers?.length) describeContainers(w, 0, 'Init Containers', pod.spec.initContainers, status.initContainerStatuses);
  describeContainers(w, 0, 'Containers', pod.spec.containers ?? [], status.containerStatuses);
  describeConditions(w, status.conditions, false);
  describeVolumes(w, 0, pod.spec.volumes);
  w.map(0, 'Node-Selectors', pod.spec.nodeSelector);
  describeTolerations(w, 0, pod.spec.tolerations);
  describeSchedulingDecision(w, pod);
  await describeEvents(ctx, w, pod);
  return w.toString();
}
