// node-loss: a host loses power. A Deployment spread over the hosts; one host (not the server's)
// is killed as `kubelab lab kill` does (SIGKILL for its engine, containers and kubelabd). The
// narration follows the chain of reactions the README's "when a host dies" section describes:
// gossip suspects the host, then declares it dead; the node lifecycle controller marks the Node
// NotReady (Ready=Unknown) and taints it; after the pod eviction timeout its pods are deleted; the
// ReplicaSet creates replacements, which the scheduler places on live hosts. Then the host is
// powered on again (`lab restart`) and rejoins, and its kubelet removes the evicted pods' old
// containers.

import { killHost, restartHost } from '../lab-host-actions.js';
import { gossipStateOf, readyStatusOf } from './cluster-view.js';
import { listHostContainers } from './host-containers.js';
import { followHostLoss } from './host-loss.js';
import { checkNoDuplicatePods, checkNoObjectLost, checkReplicasReady } from './invariants.js';
import { formatSeconds } from './narration.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { APP_LABEL, deployAndPickVictim, settledInvariants, snapshotObjects } from './scenario-steps.js';

const APP = 'web';

export const nodeLoss: Scenario = {
  name: 'node-loss',
  summary: 'kill a host (power cut); watch suspect, dead, NotReady, eviction and replacements; restart it',
  minHosts: 2,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const { narrator, view, state } = ctx;
    const replicas = state.plan.hosts.length;
    const { victim, victimPods, before } = await deployAndPickVictim(ctx, APP);
    narrator.say(`pod eviction timeout ${formatSeconds(ctx.timings.podEvictionTimeoutMs)}, node monitor grace period ${formatSeconds(ctx.timings.nodeMonitorGracePeriodMs)} (kubelab lab up flags)`);

    let restarted = false;
    ctx.onCleanup(`restart ${victim.name}`, async () => {
      if (!restarted) await restartHost(state, victim, ctx.readyTimeoutMs, (line) => narrator.say(line));
    });
    narrator.say(`killing ${victim.name} (${victimPods.size} of the pods run there)`);
    const killedAt = narrator.at();
    narrator.say(await killHost(state, victim));

    const lossTimeline = await followHostLoss(ctx, { victim, app: APP, replicas, victimPods, faultAt: killedAt });
    const node = () => view.node(victim.name);

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
