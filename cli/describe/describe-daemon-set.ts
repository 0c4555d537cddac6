// `kubelab describe daemonset`: kubectl's DaemonSetDescriber layout. A DaemonSet counts nodes,
// not replicas: how many should run its pod, how many do, how many run the current template,
// how many are available, and how many run one they should not (misscheduled).

import type { DaemonSet } from '../../lib/api/types.js';
import { formatLabels } from '../../lib/printers/printer.js';
import type { CliContext } from '../cli-context.js';
import { describeEvents, describeTemplate } from './describe-common.js';
import { DescribeWriter } from './tab-writer.js';
import { describeAnnotations, podsStatus, selectorString } from './describe-workloads.js';

export async function describeDaemonSet(ctx: CliContext, ds: DaemonSet): Promise<string> {
  const w = new DescribeWriter();
  const selector = selectorString(ds.spec.selector);
  const st = ds.status;
  w.line(0, 'Name:', ds.metadata.name);
  w.line(0, 'Selector:', selector);
  w.line(0, 'Node-Selector:', formatLabels(ds.spec.template.spec.nodeSelector));
  w.map(0, 'Labels', ds.metadata.labels);
  describeAnnotations(w, ds.metadata.annotations);
  // kubectl writes these five without a tab: they are not aligned with the rest.
  w.line(0, `Desired Number of Nodes Scheduled: ${st?.desiredNumberScheduled ?? 0}`);
  w.line(0, `Current Number of Nodes Scheduled: ${st?.currentNumberScheduled ?? 0}`);
  w.line(0, `Number of Nodes Scheduled with Up-to-date Pods: ${st?.updatedNumberScheduled ?? 0}`);
  w.line(0, `Number of Nodes Scheduled with Available Pods: ${st?.numberAvailable ?? 0}`);
  w.line(0, `Number of Nodes Misscheduled: ${st?.numberMisscheduled ?? 0}`);
  w.line(0, 'Pods Status:', await podsStatus(ctx, ds, selector));
  describeTemplate(w, ds.spec.template);
  await describeEvents(ctx, w, ds);
  return w.toString();
}
