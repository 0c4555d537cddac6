// node-loss: a host loses power. A Deployment spread over the hosts; one host (not the server's)
// is killed as `kubelab lab kill` does (SIGKILL for its engine, containers and kubelabd). The
// narration follows the chain of reactions the README's "when a host dies" section describes:
// gossip suspects the host, then declares it dead; the node lifecycle controller marks the Node
// NotReady (Ready=Unknown) and taints it; after the pod eviction timeout its pods are deleted; the
// ReplicaSet creates replacements, which the scheduler places on live hosts. Then the host is
// powered on again (`lab restart`) and rejoins, and its kubelet removes the evicted pods' old
// containers.

import { killHost, restartHost } from '../lab-host-actions.js';
import { gossipStateOf, isServing, readyStatusOf } from './cluster-view.js';
import { listHostContainers } from './host-containers.js';
import { checkNoDuplicatePods, checkNoObjectLost, checkReplicasReady } from './invariants.js';
import { formatSeconds } from './narration.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { APP_LABEL, helloDeployment, pickVictim, placement, settledInvariants, snapshotObjects, trackMilestones, waitForServingPods } from './scenario-steps.js';

const APP = 'web';

export const nodeLoss: Scenario = {
  name: 'node-loss',
  summary: 'kill a host (power cut); watch suspect, dead, NotReady, eviction and replacements; restart it',
  minHosts: 2,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const { narrator, view, state } = ctx;
    const replicas = state.plan.hosts.length;
    narrator.say(`creating Deployment ${APP} (${replicas} replicas of kubelab/hello:v1, readiness probe on /)`);
    await ctx.client.create('deployments.apps', helloDeployment(APP, ctx.namespace, replicas));
    const pods = await waitForServingPods(ctx, APP, replicas);
    const victim = pickVictim(ctx, pods);
    const victimPods = new Set(pods.filter((p) => p.spec.nodeName === victim.name).map((p) => p.metadata.uid!));
    const before = await snapshotObjects(ctx);
    narrator.say(`pod eviction timeout ${formatSeconds(ctx.timings.podEvictionTimeoutMs)}, node monitor grace period ${formatSeconds(ctx.timings.nodeMonitorGracePeriodMs)} (kubelab lab up flags)`);

    let restarted = false;
    ctx.onCleanup(`restart ${victim.name}`, async () => {
      if (!restarted) await restartHost(state, victim, ctx.readyTimeoutMs, (line) => narrator.say(line));
    });
    narrator.say(`killing ${victim.name} (${victimPods.size} of the pods run there)`);
    const killedAt = narrator.at();
    narrator.say(await killHost(state, victim));

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
          const left = view.pods({ [APP_LABEL]: APP }).filter((p) => victimPods.has(p.metadata.uid!) && !p.metadata.deletionTimestamp);
          return left.length === 0 ? `${victim.name}'s ${victimPods.size} pod(s) evicted (deleted by the node lifecycle controller)` : undefined;
        },
      },
      {
        key: 'replacements',
        seen: () => {
          const serving = view.pods({ [APP_LABEL]: APP }).filter((p) => isServing(p) && p.spec.nodeName !== victim.name);
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
    const lossTimeline = narrator.timeline(victim.name, killedAt, [
      { key: 'suspect', label: 'suspect' },
      { key: 'dead', label: 'dead' },
      { key: 'notready', label: 'NotReady' },
      { key: 'evicted', label: 'pods evicted' },
      { key: 'replacements', label: 'replacements Ready' },
    ]);
    narrator.say(lossTimeline);

    narrator.say(`restarting ${victim.name} (engine, then kubelabd)`);
    const restartAt = narrator.at();
    await restartHost(state, victim, ctx.readyTimeoutMs, (line) => narrator.say(line));
    restarted = true;
    await view.waitFor(`${victim.name} Ready and alive in gossip`, () => (readyStatusOf(node()) === 'True' && gossipStateOf(node()) === 'alive' ? true : undefined), ctx.readyTimeoutMs);
    narrator.mark('rejoined', `${victim.name} rejoined: Ready, alive in gossip`);
    const rejoinTimeline = narrator.timeline(`${victim.name} restarted:`, restartAt, [{ key: 'rejoined', label: 'Ready and alive' }]);

    const invariants = await settledInvariants(ctx, async () => {
      const { containers, unreachable } = await listHostContainers(state);
      return [
        checkReplicasReady(`Deployment ${APP}`, replicas, view.pods({ [APP_LABEL]: APP })),
        checkNoDuplicatePods(ctx.namespace, view.pods(), containers, unreachable),
        checkNoObjectLost(before, await snapshotObjects(ctx)),
      ];
    });
    return { timelines: [lossTimeline, rejoinTimeline], invariants };
  },
};
