// rolling-update-under-load: a Deployment of the hello app behind a Service, a load generator in
// the lab requesting the Service's ClusterIP ten times a second, and `kubelab set image` rolling
// it from kubelab/hello:v1 to v2. With maxUnavailable 0 and maxSurge 1 the Deployment controller
// adds one v2 pod, waits until its readiness probe passes, then removes one v1 pod, and so on:
// the Service always has `replicas` Ready endpoints, a v1 pod leaves the endpoints as soon as it
// is deleted, and the proxy tries the next endpoint when a dial is refused. The promise: not one
// request fails. The narration shows the rollout step by step with the request count.

import type { Deployment, ReplicaSet, Service } from '../../../lib/api/types.js';
import { sleep } from '../run-command.js';
import { checkNoFailedRequests, checkReplicasReady } from './invariants.js';
import { loadGeneratorPod, readRequestCounts, waitForRequests } from './load-generator.js';
import { formatRequestCounts } from './request-log.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { APP_LABEL, helloDeployment, helloService, waitForServingPods } from './scenario-steps.js';

const APP = 'web';
const LOAD = 'load';
const V2 = 'kubelab/hello:v2';

/** `new web-7d9f 2/3 Ready, old 2` — one line of rollout progress from the ReplicaSets. */
export function formatRolloutProgress(replicas: number, newReplicaSet: ReplicaSet | undefined, oldReplicaSets: ReplicaSet[]): string {
  const ready = newReplicaSet?.status?.readyReplicas ?? 0;
  const oldPods = oldReplicaSets.reduce((sum, rs) => sum + (rs.status?.replicas ?? 0), 0);
  const name = newReplicaSet?.metadata.name ?? '(not created yet)';
  return `new ReplicaSet ${name} ${ready}/${replicas} Ready, old ReplicaSets ${oldPods} pod(s)`;
}

export const rollingUpdateUnderLoad: Scenario = {
  name: 'rolling-update-under-load',
  summary: 'roll a Deployment from hello:v1 to v2 (maxUnavailable 0) while a pod requests its Service; 0 requests may fail',
  minHosts: 1,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const { narrator, view, state, client, namespace } = ctx;
    const replicas = 3;
    const server = state.plan.hosts.find((h) => h.role === 'server')!;
    narrator.say(`creating Deployment ${APP} (${replicas} replicas of kubelab/hello:v1, readiness probe, maxUnavailable 0, maxSurge 1) and Service ${APP}`);
    await client.create('deployments.apps', helloDeployment(APP, namespace, replicas));
    const service = await client.create<Service>('services', helloService(APP, namespace));
    await waitForServingPods(ctx, APP, replicas);

    const url = `http://${service.spec!.clusterIP}:80/`;
    narrator.say(`starting load generator ${LOAD} on ${server.name}: GET ${url} ten times a second`);
    await client.create('pods', loadGeneratorPod(LOAD, namespace, server.name, url));
    await view.waitFor(`load generator ${LOAD} running`, () => (view.pods().some((p) => p.metadata.name === LOAD && p.status?.phase === 'Running') ? true : undefined), 60_000);
    narrator.say(`load before the rollout: ${formatRequestCounts(await waitForRequests(client, namespace, LOAD, 20))}`);

    // What `kubelab set image deployment/web hello=kubelab/hello:v2` does: change the template's image.
    const deployment = await client.get<Deployment>('deployments.apps', namespace, APP);
    deployment.spec!.template.spec.containers[0]!.image = V2;
    const updated = await client.update<Deployment>('deployments.apps', deployment);
    const rolloutAt = narrator.at();
    narrator.say(`set image ${APP} hello=${V2} (generation ${updated.metadata.generation})`);

    let lastProgress = '';
    const deadline = Date.now() + 180_000;
    for (;;) {
      const current = await client.get<Deployment>('deployments.apps', namespace, APP);
      const sets = (await client.list<ReplicaSet>('replicasets.apps', { namespace, labelSelector: `${APP_LABEL}=${APP}` })).items;
      const isNew = (rs: ReplicaSet) => rs.spec?.template?.spec.containers[0]?.image === V2;
      const progress = formatRolloutProgress(replicas, sets.find(isNew), sets.filter((rs) => !isNew(rs)));
      if (progress !== lastProgress) {
        lastProgress = progress;
        const counts = await readRequestCounts(client, namespace, LOAD);
        narrator.say(`rollout: ${progress}; load: ${formatRequestCounts(counts)}`);
      }
      const status = current.status ?? {};
      const done = (status.observedGeneration ?? 0) >= (current.metadata.generation ?? 0)
        && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas;
      if (done) break;
      if (Date.now() > deadline) throw new Error(`the rollout of ${APP} did not finish within 180 s (last: ${progress})`);
      await sleep(250);
    }
    narrator.mark('rolledOut', `rollout complete: ${replicas}/${replicas} pods run ${V2}`);
    // Keep the load on a little longer: the last v1 pod's endpoint removal must not fail requests either.
    await sleep(3_000);
    const counts = await readRequestCounts(client, namespace, LOAD);
    narrator.say(`load after the rollout: ${formatRequestCounts(counts)}`);
    const timeline = narrator.timeline(`rollout of ${APP} to v2:`, rolloutAt, [{ key: 'rolledOut', label: 'complete' }]) + ` with ${formatRequestCounts(counts)}`;
    return {
      timelines: [timeline],
      invariants: [
        checkNoFailedRequests(counts.ok, counts.failed, counts.failures),
        checkReplicasReady(`Deployment ${APP}`, replicas, view.pods({ [APP_LABEL]: APP })),
      ],
    };
  },
};
