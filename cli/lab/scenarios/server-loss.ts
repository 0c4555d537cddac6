// server-loss: the host of the control plane's leader dies. On a lab with several servers
// (`kubelab lab up --servers 3`) every server runs an etcd member, an API server, a scheduler and
// a controller manager; the scheduler and the controller manager act only on the server holding
// their Lease. The scenario kills the host holding kube-controller-manager's Lease while a
// client keeps writing ConfigMaps through the lab's API address (HAProxy), and narrates what a
// learner should see:
//
//   new leader     another server takes kube-controller-manager's Lease once it is not renewed
//   scheduler      the same for kube-scheduler, if the dead host held it too
//   writes resume  the first ConfigMap create, started once the host is dead, answered 201 (HAProxy has taken the
//                  dead server out; etcd's two members left still make a majority)
//   then the chain node-loss shows (suspect, dead, NotReady, pods evicted, replacements), driven
//   by the NEW leader's controllers.
//
// Then the host is restarted: its etcd member rejoins on its data dir and its server follows.
// Invariants: every write answered 201 is stored, the replicas serve, no pod runs twice, no
// object was lost. A lab with one server has nothing to fail over to: the scenario refuses it.

import type { Lease } from '../../../lib/api/coordination-types.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { errorMessage } from '../../../lib/errors.js';
import { killHost, restartHost } from '../lab-host-actions.js';
import type { LabHostPlan } from '../lab-plan.js';
import { sleep } from '../run-command.js';
import { gossipStateOf, readyStatusOf } from './cluster-view.js';
import { listHostContainers } from './host-containers.js';
import { followHostLoss } from './host-loss.js';
import { checkNoDuplicatePods, checkNoObjectLost, checkReplicasReady, type InvariantResult } from './invariants.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { APP_LABEL, helloDeployment, snapshotObjects, settledInvariants, trackMilestones, waitForServingPods } from './scenario-steps.js';

/** A ConfigMap as the writer sends it. */
type ConfigMap = KubeObject & { data?: Record<string, string> };

const APP = 'web';
const CONTROLLER_MANAGER = 'kube-controller-manager';
const SCHEDULER = 'kube-scheduler';
/** A write every 200 ms: enough to see the gap, few enough to read the list at the end. */
const WRITE_INTERVAL_MS = 200;

/** The node part of a holderIdentity (`node2_<id>`), or undefined without a holder. */
export const holderNode = (holderIdentity: string | undefined): string | undefined => (holderIdentity ? holderIdentity.split('_')[0] : undefined);

/** Every acknowledged write is still stored. */
export function checkAcknowledgedWritesKept(acknowledged: string[], stored: Set<string>): InvariantResult {
  const name = 'every write answered 201 is stored';
  const lost = acknowledged.filter((n) => !stored.has(n));
  if (acknowledged.length === 0) return { name, ok: false, detail: 'no write was answered: the writer did not run' };
  if (lost.length === 0) return { name, ok: true, detail: `${acknowledged.length} of ${acknowledged.length} ConfigMaps stored` };
  return { name, ok: false, detail: `${lost.length} of ${acknowledged.length} lost: ${lost.slice(0, 5).join(', ')}` };
}

export const serverLoss: Scenario = {
  name: 'server-loss',
  summary: 'kill the host of the controller-manager leader under writes; another server takes over; restart it',
  minHosts: 3,
  minServers: 3,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const { narrator, view, state, client, namespace } = ctx;
    const servers = state.plan.hosts.filter((h) => h.role === 'server');
    narrator.say(`servers ${servers.map((h) => h.name).join(', ')} (an etcd member and a kubelabd server each), behind HAProxy`);
    const replicas = state.plan.hosts.length;
    narrator.say(`creating Deployment ${APP} (${replicas} replicas of kubelab/hello:v1, readiness probe on /)`);
    await client.create('deployments.apps', helloDeployment(APP, namespace, replicas));
    const pods = await waitForServingPods(ctx, APP, replicas);

    const holderOf = async (lease: string): Promise<string | undefined> => {
      try {
        const found = await client.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`, { signal: AbortSignal.timeout(3_000) });
        return holderNode(found.spec?.holderIdentity ?? undefined);
      } catch {
        return undefined; // no answer in time: asked again on the next tick
      }
    };
    const leaderName = await holderOf(CONTROLLER_MANAGER);
    const victim: LabHostPlan | undefined = servers.find((h) => h.name === leaderName);
    if (!victim) throw new Error(`the ${CONTROLLER_MANAGER} Lease is held by ${leaderName ?? 'nobody'}, not by one of the servers ${servers.map((h) => h.name).join(', ')}`);
    const schedulerLeader = await holderOf(SCHEDULER);
    narrator.say(`${CONTROLLER_MANAGER} leader: ${victim.name}; ${SCHEDULER} leader: ${schedulerLeader ?? 'nobody'}`);
    const victimPods = new Set(pods.filter((p) => p.spec.nodeName === victim.name).map((p) => p.metadata.uid!));
    const before = await snapshotObjects(ctx);

    // The writer: one ConfigMap every 200 ms through the lab's API address, all the way through.
    const acknowledged: string[] = [];
    let failed = 0;
    let killedAt: number | undefined;
    /** Set once `lab kill` has returned: the host is dead, and a write started after it went to another server. */
    let hostDead = false;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const name = `write-${i}`;
        const afterDeath = hostDead;
        try {
          await client.create<ConfigMap>('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { i: String(i) } } as ConfigMap);
          acknowledged.push(name);
          if (afterDeath) narrator.mark('writes', `first write answered 201 after the kill (${name}), through HAProxy`);
        } catch (err) {
          failed++;
          if (killedAt !== undefined) narrator.mark('write-failed', `a write failed while the server died: ${errorMessage(err)}`);
        }
        await sleep(WRITE_INTERVAL_MS);
      }
    })();

    let restarted = false;
    ctx.onCleanup(`restart ${victim.name}`, async () => {
      if (!restarted) await restartHost(state, victim, ctx.readyTimeoutMs, (line) => narrator.say(line));
    });
    let leases = { cm: victim.name as string | undefined, sched: schedulerLeader };
    const poller = setInterval(() => {
      void Promise.all([holderOf(CONTROLLER_MANAGER), holderOf(SCHEDULER)]).then(([cm, sched]) => {
        leases = { cm: cm ?? leases.cm, sched: sched ?? leases.sched };
      });
    }, 250);
    // The scheduler's Lease moves only if the dead host held it too; otherwise its holder carries on.
    const schedulerMoves = schedulerLeader === victim.name;
    const stopTracking = trackMilestones(ctx, [
      { key: 'leader', seen: () => (leases.cm && leases.cm !== victim.name ? `${leases.cm} now holds the ${CONTROLLER_MANAGER} Lease: its controllers act` : undefined) },
      ...(schedulerMoves ? [{ key: 'scheduler', seen: () => (leases.sched && leases.sched !== victim.name ? `${leases.sched} now holds the ${SCHEDULER} Lease: it schedules` : undefined) }] : []),
    ]);
    try {
      narrator.say(`killing ${victim.name}: its engine, pods, etcd member and server (${victimPods.size} of ${APP}'s pods run there); writing a ConfigMap every ${WRITE_INTERVAL_MS} ms`);
      killedAt = narrator.at();
      narrator.say(await killHost(state, victim));
      hostDead = true;
      const lossTimeline = await followHostLoss(ctx, { victim, app: APP, replicas, victimPods, faultAt: killedAt });
      await view.waitFor(`a new ${CONTROLLER_MANAGER} leader`, () => narrator.markedAt('leader'), 60_000);
      await view.waitFor('a write answered after the kill', () => narrator.markedAt('writes'), 60_000);
      const takeover = narrator.timeline(`${victim.name} (the leader) killed:`, killedAt, [
        { key: 'writes', label: 'writes answered again' },
        { key: 'leader', label: 'new controller-manager leader' },
        ...(schedulerMoves ? [{ key: 'scheduler', label: 'new scheduler leader' }] : []),
      ]);
      narrator.say(takeover);
      writing = false;
      await writer;
      narrator.say(`${acknowledged.length} writes answered 201, ${failed} failed (each failure was never acknowledged, so nothing was promised)`);

      narrator.say(`restarting ${victim.name} (engine, etcd member on its data dir, then kubelabd)`);
      const restartAt = narrator.at();
      await restartHost(state, victim, ctx.readyTimeoutMs, (line) => narrator.say(line));
      restarted = true;
      const node = () => view.node(victim.name);
      await view.waitFor(`${victim.name} Ready and alive in gossip`, () => (readyStatusOf(node()) === 'True' && gossipStateOf(node()) === 'alive' ? true : undefined), ctx.readyTimeoutMs);
      narrator.mark('rejoined', `${victim.name} rejoined: Ready, alive in gossip; it stays a follower until a Lease is free`);
      const rejoinTimeline = narrator.timeline(`${victim.name} restarted:`, restartAt, [{ key: 'rejoined', label: 'Ready and alive' }]);

      const invariants = await settledInvariants(ctx, async () => {
        const { containers, unreachable } = await listHostContainers(state);
        const stored = new Set((await client.list<ConfigMap>('configmaps', { namespace })).items.map((c) => c.metadata.name ?? ''));
        return [
          checkAcknowledgedWritesKept(acknowledged, stored),
          checkReplicasReady(`Deployment ${APP}`, replicas, view.pods({ [APP_LABEL]: APP })),
          checkNoDuplicatePods(namespace, view.pods(), containers, unreachable),
          checkNoObjectLost(before, await snapshotObjects(ctx)),
        ];
      });
      return { timelines: [takeover, lossTimeline, rejoinTimeline], invariants };
    } finally {
      writing = false;
      clearInterval(poller);
      stopTracking();
      await writer;
    }
  },
};
