// Steps several scenarios share: the workload they put under test (the tutorial's hello app as a
// Deployment with a readiness probe, and a Service in front), waiting for it, choosing the host
// to harm, remembering the objects that must survive, and checking invariants once the cluster
// has settled.

import http from 'node:http';
import type { Deployment, KubeObject, Pod, Service } from '../../../lib/api/types.js';
import type { LabHostPlan } from '../lab-plan.js';
import { CliError } from '../../cli-errors.js';
import { sleep } from '../run-command.js';
import { isServing } from './cluster-view.js';
import { objectRef, type InvariantResult, type ObjectRef } from './invariants.js';
import type { ScenarioContext } from './scenario.js';

export const APP_LABEL = 'app';

/** The hello app (busybox httpd on :3000), Ready once it answers `/`. */
export function helloDeployment(name: string, namespace: string, replicas: number, image = 'kubelab/hello:v1'): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { [APP_LABEL]: name } },
      // Never below `replicas` Ready pods during a rollout: one new pod first, then one old one goes.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { [APP_LABEL]: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'hello',
            image,
            ports: [{ name: 'http', containerPort: 3000 }],
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
          }],
        },
      },
    },
  } as Deployment;
}

/** A NodePort Service on port 80 in front of the app: a ClusterIP for pods, a port on every host. */
export function helloService(name: string, namespace: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'NodePort', selector: { [APP_LABEL]: name }, ports: [{ port: 80, targetPort: 3000 }] },
  } as Service;
}

/** Waits until `count` pods with `app=name` serve (Ready, not deleting); narrates where they run. */
export async function waitForServingPods(ctx: ScenarioContext, name: string, count: number, timeoutMs = 120_000): Promise<Pod[]> {
  const pods = await ctx.view.waitFor(`${count} Ready pods of ${name}`, () => {
    const serving = ctx.view.pods({ [APP_LABEL]: name }).filter(isServing);
    return serving.length === count ? serving : undefined;
  }, timeoutMs);
  ctx.narrator.say(`${name}: ${count}/${count} pods Ready (${placement(pods)})`);
  return pods;
}

/** `node1: 1, node2: 1, node3: 1` */
export function placement(pods: Pod[]): string {
  const perNode = new Map<string, number>();
  for (const pod of pods) perNode.set(pod.spec.nodeName ?? '(none)', (perNode.get(pod.spec.nodeName ?? '(none)') ?? 0) + 1);
  return [...perNode].sort(([a], [b]) => a.localeCompare(b)).map(([node, n]) => `${node}: ${n}`).join(', ');
}

/** The host to harm: not the server's (the control plane cannot survive it yet), the one with most of `pods`. */
export function pickVictim(ctx: ScenarioContext, pods: Pod[]): LabHostPlan {
  const agents = ctx.state.plan.hosts.filter((h) => h.role !== 'server');
  const count = (host: LabHostPlan) => pods.filter((p) => p.spec.nodeName === host.name).length;
  // Ties go to the last host, as the narration of a three-host lab ("node3 suspect ...") expects.
  return [...agents].reverse().reduce((best, host) => (count(host) > count(best) ? host : best));
}

/** What a host-loss scenario starts from: the app on every host, the host to harm and what must survive. */
export interface HostLossSetup {
  victim: LabHostPlan;
  /** The uids of the app's pods on the victim. */
  victimPods: Set<string>;
  before: ObjectRef[];
}

/** Deploys `app` with one replica per host, waits until every pod serves, picks the victim and remembers the objects. */
export async function deployAndPickVictim(ctx: ScenarioContext, app: string): Promise<HostLossSetup> {
  const replicas = ctx.state.plan.hosts.length;
  ctx.narrator.say(`creating Deployment ${app} (${replicas} replicas of kubelab/hello:v1, readiness probe on /)`);
  await ctx.client.create('deployments.apps', helloDeployment(app, ctx.namespace, replicas));
  const pods = await waitForServingPods(ctx, app, replicas);
  const victim = pickVictim(ctx, pods);
  const victimPods = new Set(pods.filter((p) => p.spec.nodeName === victim.name).map((p) => p.metadata.uid!));
  return { victim, victimPods, before: await snapshotObjects(ctx) };
}

/** Kinds the no-object-lost check remembers: the nodes and the namespace's workload objects. */
const REMEMBERED: Array<{ kind: string; resource: string; namespaced: boolean }> = [
  { kind: 'Node', resource: 'nodes', namespaced: false },
  { kind: 'Namespace', resource: 'namespaces', namespaced: false },
  { kind: 'Deployment', resource: 'deployments.apps', namespaced: true },
  { kind: 'ReplicaSet', resource: 'replicasets.apps', namespaced: true },
  { kind: 'Service', resource: 'services', namespaced: true },
];

/** Every remembered object now, by kind, namespace, name and uid. */
export async function snapshotObjects(ctx: ScenarioContext): Promise<ObjectRef[]> {
  const refs: ObjectRef[] = [];
  for (const { kind, resource, namespaced } of REMEMBERED) {
    const list = await ctx.client.list<KubeObject>(resource, namespaced ? { namespace: ctx.namespace } : {});
    refs.push(...list.items.map((item) => objectRef(kind, item)));
  }
  return refs;
}

/**
 * Checks until every invariant holds or `settleMs` has passed, and returns the last results: the
 * cluster converges (a rejoined kubelet removes its evicted pods' containers a little later), so
 * a promise is broken only if it stays broken.
 */
export async function settledInvariants(ctx: ScenarioContext, check: () => Promise<InvariantResult[]>, settleMs = 60_000): Promise<InvariantResult[]> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const results = await check();
    if (results.every((r) => r.ok) || Date.now() > deadline) {
      ctx.narrator.say(results.every((r) => r.ok) ? 'invariants hold' : `invariants still broken after ${settleMs / 1000} s of settling`);
      return results;
    }
    await sleep(1_000);
  }
}

/**
 * Calls each milestone's `seen` on every change of the view (and twice a second) and marks it
 * the first time it is true. Returns the function that stops watching.
 */
export function trackMilestones(ctx: ScenarioContext, milestones: Array<{ key: string; seen: () => string | undefined }>): () => void {
  const check = () => {
    for (const m of milestones) {
      if (ctx.narrator.markedAt(m.key) !== undefined) continue;
      const text = m.seen();
      if (text !== undefined) ctx.narrator.mark(m.key, text);
    }
  };
  const unsubscribe = ctx.view.onChange(check);
  const ticker = setInterval(check, 500);
  check();
  return () => {
    unsubscribe();
    clearInterval(ticker);
  };
}

/** Resolves once `url` answers 200 (from this machine, over the lab bridge); fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(url, { timeout: 2_000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy()).on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new CliError(`${url} did not answer within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
