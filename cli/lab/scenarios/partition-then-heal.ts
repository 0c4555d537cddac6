// partition-then-heal: a host's network cable is cut (`kubelab lab partition`: its veth on the
// lab bridge goes down) while it keeps running. To the rest of the cluster this looks like a
// dead host: gossip suspects it and declares it dead, the Node goes NotReady, its pods are
// evicted and replaced elsewhere. But the host is alive: its containers keep running, and no one
// can tell it that its pods moved. When the cable is plugged back in (`lab heal`), the host
// rejoins gossip, its kubelet reads the API again, finds its pods gone and removes their
// containers, so in the end each pod runs once. A Deployment's pods are interchangeable, so two
// copies for a while are harmless; the invariants check that none is left once it settles.

import { healHost, partitionHost } from '../lab-host-actions.js';
import { gossipStateOf, readyStatusOf } from './cluster-view.js';
import { listHostContainers } from './host-containers.js';
import { followHostLoss } from './host-loss.js';
import { checkNoDuplicatePods, checkNoObjectLost, checkReplicasReady } from './invariants.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { APP_LABEL, deployAndPickVictim, settledInvariants, snapshotObjects, trackMilestones } from './scenario-steps.js';

const APP = 'web';

export const partitionThenHeal: Scenario = {
  name: 'partition-then-heal',
  summary: 'cut a host\'s cable; watch detection, eviction and replacements; heal it and watch it rejoin and clean up',
  minHosts: 2,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const { narrator, view, state } = ctx;
    const replicas = state.plan.hosts.length;
    const { victim, victimPods, before } = await deployAndPickVictim(ctx, APP);

    let healed = false;
    ctx.onCleanup(`heal ${victim.name}`, async () => {
      if (!healed) narrator.say(await healHost(victim));
    });
    narrator.say(`cutting ${victim.name}'s cable (${victimPods.size} of the pods run there)`);
    const cutAt = narrator.at();
    narrator.say(await partitionHost(victim));

    const partitionTimeline = await followHostLoss(ctx, { victim, app: APP, replicas, victimPods, faultAt: cutAt });
    // The cut-off host cannot hear that its pods moved: their containers still run there.
    const { containers } = await listHostContainers(state);
    const stillRunning = containers.filter((c) => c.host === victim.name && c.running && c.role === 'app' && victimPods.has(c.podUid));
    narrator.say(`${victim.name} still runs ${stillRunning.length} container(s) of its evicted pods: it cannot hear that they moved`);
    const node = () => view.node(victim.name);

    narrator.say(`healing ${victim.name}'s cable`);
    const healAt = narrator.at();
    narrator.say(await healHost(victim));
    healed = true;
    const stopHealTracking = trackMilestones(ctx, [
      { key: 'alive', seen: () => (gossipStateOf(node()) === 'alive' ? `${victim.name} is alive again in the server's gossip view` : undefined) },
      { key: 'ready', seen: () => (readyStatusOf(node()) === 'True' ? `${victim.name} Ready again (its kubelet posts status)` : undefined) },
    ]);
    try {
      await view.waitFor(`${victim.name} Ready and alive in gossip`, () => (narrator.markedAt('alive') && narrator.markedAt('ready') ? true : undefined), ctx.readyTimeoutMs);
    } finally {
      stopHealTracking();
    }
    const invariants = await settledInvariants(ctx, async () => {
      const { containers: now, unreachable } = await listHostContainers(state);
      if (!now.some((c) => c.host === victim.name && c.running && victimPods.has(c.podUid))) {
        narrator.mark('cleaned', `${victim.name}'s kubelet removed the containers of its evicted pods`);
      }
      return [
        checkReplicasReady(`Deployment ${APP}`, replicas, view.pods({ [APP_LABEL]: APP })),
        checkNoDuplicatePods(ctx.namespace, view.pods(), now, unreachable),
        checkNoObjectLost(before, await snapshotObjects(ctx)),
      ];
    });
    const healTimeline = narrator.timeline(`${victim.name} healed:`, healAt, [
      { key: 'alive', label: 'alive' },
      { key: 'ready', label: 'Ready' },
      { key: 'cleaned', label: 'old containers removed' },
    ]);
    return { timelines: [partitionTimeline, healTimeline], invariants };
  },
};
