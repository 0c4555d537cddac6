// What node-loss and partition-then-heal both watch once a host is out of reach: the chain of
// reactions from gossip's suspicion to Ready replacements. Each step is marked the moment the
// watches show it; the timeline is measured from `faultAt`.
//
//   suspect       the server's gossip view (the Node's kubelab.io/gossip-state annotation)
//   dead          the same, once the suspicion timed out without a refutation
//   NotReady      the node lifecycle controller set Ready=Unknown (with its reason)
//   pods evicted  every pod that ran on the host is deleted (or being deleted)
//   replacements  `replicas` pods serve (Ready) on the other hosts

import type { LabHostPlan } from '../lab-plan.js';
import { gossipStateOf, isServing } from './cluster-view.js';
import type { ScenarioContext } from './scenario.js';
import { APP_LABEL, placement, trackMilestones } from './scenario-steps.js';

export interface HostLoss {
  victim: LabHostPlan;
  /** The Deployment's name (its pods carry app=NAME). */
  app: string;
  replicas: number;
  /** The uids of the pods that ran on the victim when the fault began. */
  victimPods: Set<string>;
  /** When the fault began, on the narrator's clock. */
  faultAt: number;
}

/** Narrates until the replacements serve (or the eviction timeout plus two minutes passed); returns the timeline. */
export async function followHostLoss(ctx: ScenarioContext, loss: HostLoss): Promise<string> {
  const { narrator, view } = ctx;
  const { victim, app, replicas, victimPods } = loss;
  const node = () => view.node(victim.name);
  const stopTracking = trackMilestones(ctx, [
    { key: 'suspect', seen: () => (gossipStateOf(node()) === 'suspect' ? `${victim.name} is suspect in the server's gossip view` : undefined) },
    { key: 'dead', seen: () => (gossipStateOf(node()) === 'dead' ? `${victim.name} is dead in the server's gossip view` : undefined) },
    {
      key: 'notready',
      seen: () => {
        const ready = node()?.status?.conditions?.find((c) => c.type === 'Ready');
        return ready && ready.status !== 'True' ? `${victim.name} NotReady (Ready=${ready.status}: ${ready.message ?? ''})` : undefined;
      },
    },
    {
      key: 'evicted',
      seen: () => {
        const left = view.pods({ [APP_LABEL]: app }).filter((p) => victimPods.has(p.metadata.uid!) && !p.metadata.deletionTimestamp);
        return left.length === 0 ? `${victim.name}'s ${victimPods.size} pod(s) evicted (deleted by the node lifecycle controller)` : undefined;
      },
    },
    {
      key: 'replacements',
      seen: () => {
        const serving = view.pods({ [APP_LABEL]: app }).filter((p) => isServing(p) && p.spec.nodeName !== victim.name);
        return serving.length === replicas ? `replacements Ready: ${replicas}/${replicas} pods serve off ${victim.name} (${placement(serving)})` : undefined;
      },
    },
  ]);
  try {
    const waitMs = ctx.timings.podEvictionTimeoutMs + ctx.timings.nodeMonitorGracePeriodMs + 120_000;
    await view.waitFor(`${replicas} Ready replicas off ${victim.name}`, () => narrator.markedAt('replacements'), waitMs);
  } finally {
    stopTracking();
  }
  const timeline = narrator.timeline(victim.name, loss.faultAt, [
    { key: 'suspect', label: 'suspect' },
    { key: 'dead', label: 'dead' },
    { key: 'notready', label: 'NotReady' },
    { key: 'evicted', label: 'pods evicted' },
    { key: 'replacements', label: 'replacements Ready' },
  ]);
  narrator.say(timeline);
  return timeline;
}
