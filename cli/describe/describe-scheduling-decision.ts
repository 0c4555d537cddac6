// The "Scheduling Decision" section of `kubelab describe pod`: the scheduler's decision
// annotation (lib/scheduling/decision.ts) as a table, one row per node: each filter's verdict (ok,
// the reason that refused the node, or - for filters that did not run after a refusal), each
// score plugin's normalized points with the raw ones in parentheses (the header gives its
// weight), the weighted total, and a * on the node picked. kubectl has no such section; it is
// kubelab's window into kube-scheduler's reasoning.

import type { Pod } from '../../lib/api/types.js';
import { decisionOf, filterCells, scoreCells, type SchedulingDecision } from '../../lib/scheduling/decision.js';
import type { DescribeWriter } from './tab-writer.js';

/** kubelabd's scheduler's name (daemon/scheduler/scheduler.ts); the CLI does not import the daemon. */
const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export function describeSchedulingDecision(w: DescribeWriter, pod: Pod): void {
  let decision: SchedulingDecision | undefined;
  try {
    decision = decisionOf(pod);
  } catch (err) {
    return void w.line(0, 'Scheduling Decision:', `<unreadable: ${(err as Error).message}>`);
  }
  if (!decision) return void w.line(0, 'Scheduling Decision:', withoutDecision(pod));
  w.line(0, 'Scheduling Decision:');
  w.line(1, summary(decision));
  if (decision.preFilter) return void w.line(1, `refused before any node was filtered, by ${decision.preFilter.plugin}: ${decision.preFilter.reason}`);
  const scoreHeaders = decision.scores.map((s) => `${s.name} x${s.weight}`);
  w.line(1, 'NODE', ...decision.filters, ...scoreHeaders, 'TOTAL', 'PICKED');
  w.line(1, '----', ...decision.filters.map(dashes), ...scoreHeaders.map(dashes), '-----', '------');
  for (const row of decision.rows) {
    w.line(1, row.node, ...filterCells(decision, row), ...scoreCells(decision, row), row.total ?? '-', row.node === decision.picked ? '*' : '');
  }
  if (decision.omitted) {
    const counts = Object.entries(decision.reasons).map(([reason, count]) => `${count} ${reason}`);
    if (decision.otherReasons) counts.push(`${decision.otherReasons} for other reasons`);
    w.line(1, `(${decision.omitted} more nodes not listed; refused over all nodes: ${counts.join(', ') || 'none'})`);
  }
}

const dashes = (header: string) => '-'.repeat(header.length);

function summary(d: SchedulingDecision): string {
  const passed = `${d.feasible} of ${d.nodes} node${d.nodes === 1 ? '' : 's'} passed every filter`;
  if (d.result === 'Scheduled') return `Scheduled on ${d.picked}: ${passed}`;
  if (d.result === 'WaitingForVolumeBinding') return `${d.picked} picked, waiting for the pod's volume claims to be bound there: ${passed}`;
  return `Unschedulable: ${passed}`;
}

/** Why a pod has no decision: it was bound without the scheduler, belongs to another one, or was not tried yet. */
function withoutDecision(pod: Pod): string {
  if (pod.spec.nodeName) return `<none> (spec.nodeName was set when the pod was created: no scheduler chose ${pod.spec.nodeName})`;
  const scheduler = pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  if (scheduler !== DEFAULT_SCHEDULER_NAME) return `<none> (spec.schedulerName is ${scheduler}; kubelab runs only ${DEFAULT_SCHEDULER_NAME})`;
  return '<none> (not tried yet)';
}
