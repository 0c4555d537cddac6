// daemon-restart: kubelabd on one host crashes and is started again, while its Docker Engine and
// containers keep running, as when kubelet or kube-proxy is restarted on a Kubernetes node. The
// new daemon must adopt what runs: the kubelet finds its pods' containers by their labels and
// leaves them alone (same container IDs, same restart counts), does not mark them unready, and
// Services keep answering. One thing can still take Ready away, and it is not the kubelet's doing:
// the lab detects a silent host within about a second (gossip, tuned for node failures), and a
// daemon that takes longer than that to come back is declared dead, so the node lifecycle
// controller marks its pods not Ready until it rejoins. The scenario reports that, with the cause. The daemon is killed with SIGKILL, a crash: a daemon stopped with SIGTERM
// leaves gossip politely, which tells the cluster the node is gone (that is a drain, not this).
//
// While it is down the host's own proxy is gone too, so the load generator runs on the server's
// host and reaches the pods (on every host) through the Service's ClusterIP; once the daemon is
// back, the host's NodePort must answer again.

import type { Node, Service } from '../../../lib/api/types.js';
import { startKubelabd } from '../host-kubelabd.js';
import { isRunning } from '../host-processes.js';
import { recordProcess } from '../lab-state.js';
import { sleep } from '../run-command.js';
import { gossipStateOf, isPodReady } from './cluster-view.js';
import { checkNoFailedRequests, checkNothingRestarted, checkReplicasReady, type ContainerIdentity, type InvariantResult } from './invariants.js';
import { loadGeneratorPod, readRequestCounts, waitForRequests } from './load-generator.js';
import { formatRequestCounts } from './request-log.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { APP_LABEL, helloDeployment, helloService, pickVictim, trackMilestones, waitForHttp, waitForServingPods } from './scenario-steps.js';
import { listHostContainers } from './host-containers.js';
import { CliError } from '../../cli-errors.js';

const APP = 'web';
const LOAD = 'load';

export const daemonRestart: Scenario = {
  name: 'daemon-restart',
  summary: 'crash and restart one host\'s kubelabd (not its engine); nothing may restart, the kubelet keeps its pods Ready, the Service keeps answering',
  minHosts: 2,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const { narrator, view, state, client } = ctx;
    // Two pods per host, so the restarted host has more than one container to adopt.
    const replicas = state.plan.hosts.length * 2;
    const server = state.plan.hosts.find((h) => h.role === 'server')!;
    narrator.say(`creating Deployment ${APP} (${replicas} replicas) and NodePort Service ${APP}`);
    await client.create('deployments.apps', helloDeployment(APP, ctx.namespace, replicas));
    const service = await client.create<Service>('services', helloService(APP, ctx.namespace));
    const pods = await waitForServingPods(ctx, APP, replicas);
    const victim = pickVictim(ctx, pods);
    const onVictim = pods.filter((p) => p.spec.nodeName === victim.name);
    if (onVictim.length === 0) throw new CliError(`no pod of ${APP} landed on a host other than the server's; nothing to watch`);

    const url = `http://${service.spec!.clusterIP}:80/`;
    narrator.say(`starting load generator ${LOAD} on ${server.name}: GET ${url} ten times a second`);
    await client.create('pods', loadGeneratorPod(LOAD, ctx.namespace, server.name, url));
    await view.waitFor(`load generator ${LOAD} running`, () => (view.pods().some((p) => p.metadata.name === LOAD && p.status?.phase === 'Running') ? true : undefined), 60_000);
    const warm = await waitForRequests(client, ctx.namespace, LOAD, 20);
    narrator.say(`load: ${formatRequestCounts(warm)}`);

    const identities = (): ContainerIdentity[] =>
      view.pods({ [APP_LABEL]: APP })
        .filter((p) => p.spec.nodeName === victim.name)
        .flatMap((p) => (p.status?.containerStatuses ?? []).map((c) => ({ pod: p.metadata.name!, container: c.name, containerID: c.containerID ?? '', restartCount: c.restartCount })));
    const before = identities();
    const engineIds = async () => new Set((await listHostContainers(state)).containers.filter((c) => c.host === victim.name && c.running && c.podNamespace === ctx.namespace).map((c) => c.id));
    const engineBefore = await engineIds();
    narrator.say(`${victim.name} runs ${onVictim.length} pod(s) of ${APP}: ${engineBefore.size} containers (with their sandboxes)`);

    const recorded = state.processes[victim.name]?.kubelabd;
    if (!recorded || !isRunning(recorded.pid)) throw new CliError(`kubelabd of ${victim.name} is not running; "kubelab lab restart ${victim.name}" first`);
    const node = () => view.node(victim.name);
    let podsWentNotReady = '';
    const stopTracking = trackMilestones(ctx, [
      { key: 'suspect', seen: () => (gossipStateOf(node()) === 'suspect' ? `${victim.name} is suspect in gossip (no daemon answers its pings)` : undefined) },
      { key: 'dead', seen: () => (gossipStateOf(node()) === 'dead' ? `${victim.name} is dead in gossip` : undefined) },
      {
        key: 'podNotReady',
        seen: () => {
          const notReady = view.pods({ [APP_LABEL]: APP }).filter((p) => p.spec.nodeName === victim.name && !isPodReady(p));
          if (notReady.length === 0) return undefined;
          podsWentNotReady = notReady.map((p) => p.metadata.name).join(', ');
          return `pods on ${victim.name} lost Ready: ${podsWentNotReady}`;
        },
      },
    ]);

    let started = false;
    ctx.onCleanup(`start kubelabd on ${victim.name}`, async () => {
      if (!started && !isRunning(state.processes[victim.name]?.kubelabd?.pid)) {
        recordProcess(state, victim.name, 'kubelabd', { ...recorded, pid: startKubelabd(recorded.argv, victim).pid });
      }
    });
    const killedAt = narrator.at();
    process.kill(recorded.pid, 'SIGKILL');
    while (isRunning(recorded.pid)) await sleep(50);
    narrator.say(`kubelabd on ${victim.name} killed (SIGKILL, pid ${recorded.pid}); its engine and containers keep running`);
    const restartedProcess = startKubelabd(recorded.argv, victim);
    recordProcess(state, victim.name, 'kubelabd', { ...recorded, pid: restartedProcess.pid });
    started = true;
    narrator.mark('started', `kubelabd on ${victim.name} started again (pid ${restartedProcess.pid})`);

    // The new daemon is up once its kubelet posts a heartbeat newer than the kill.
    const killedAtIso = new Date(killedAt - 1_000).toISOString();
    await view.waitFor(`a heartbeat from ${victim.name}'s new kubelet`, () => {
      const beat = (node() as Node | undefined)?.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
      return beat && beat > killedAtIso && isRunning(restartedProcess.pid) ? true : undefined;
    }, ctx.readyTimeoutMs);
    narrator.mark('heartbeat', `${victim.name}'s new kubelet posted node status (heartbeat)`);
    const nodePort = service.spec!.ports![0]!.nodePort!;
    await waitForHttp(`http://${victim.ip}:${nodePort}/`, 60_000);
    narrator.mark('nodeport', `${victim.name}'s proxy answers NodePort ${nodePort} again`);
    // A few more seconds of load after the restart, then the verdict.
    await sleep(3_000);
    stopTracking();
    const counts = await readRequestCounts(client, ctx.namespace, LOAD);
    narrator.say(`load: ${formatRequestCounts(counts)}`);

    const timeline = narrator.timeline(`kubelabd on ${victim.name}:`, killedAt, [
      { key: 'started', label: 'started again' },
      { key: 'heartbeat', label: 'node status posted' },
      { key: 'nodeport', label: 'NodePort answering' },
    ]);
    const gossipNote = narrator.markedAt('dead') ? `gossip declared ${victim.name} dead` : narrator.markedAt('suspect') ? `gossip suspected ${victim.name} and it refuted` : `gossip never suspected ${victim.name}`;
    const declaredDead = Boolean(narrator.markedAt('dead'));
    const podsReady: InvariantResult = {
      name: 'the restarted kubelet keeps its pods Ready',
      // Only gossip's verdict may take Ready away (through the node lifecycle controller), never the kubelet.
      ok: !podsWentNotReady || declaredDead,
      detail: !podsWentNotReady
        ? `every pod on ${victim.name} stayed Ready throughout (${gossipNote})`
        : declaredDead
          ? `${podsWentNotReady} lost Ready only because ${gossipNote} (the daemon took longer to come back than the lab's failure detection allows), and got it back when ${victim.name} rejoined`
          : `lost Ready during the restart: ${podsWentNotReady} (${gossipNote})`,
    };
    const engineAfter = await engineIds();
    const sameEngineContainers: InvariantResult = {
      name: 'same containers in the engine',
      ok: [...engineBefore].every((id) => engineAfter.has(id)) && engineAfter.size === engineBefore.size,
      detail: `${engineBefore.size} running containers before, ${engineAfter.size} after, ${[...engineBefore].filter((id) => engineAfter.has(id)).length} of them the same`,
    };
    return {
      timelines: [timeline],
      invariants: [
        checkNothingRestarted(before, identities()),
        sameEngineContainers,
        podsReady,
        checkReplicasReady(`Deployment ${APP}`, replicas, view.pods({ [APP_LABEL]: APP })),
        checkNoFailedRequests(counts.ok, counts.failed, counts.failures),
      ],
    };
  },
};
