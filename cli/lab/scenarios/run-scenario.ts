// `kubelab lab scenario run NAME`: runs one scenario on a running lab. It makes the run's own
// namespace (scenario-NAME-xxxx), starts the watches, runs the scenario, undoes whatever harm is
// still in place (restarts a killed host, heals a cut cable), deletes the namespace, and prints
// the summary: the measured timelines and each invariant. It fails (exit 1) when the scenario
// could not finish or an invariant is broken.

import crypto from 'node:crypto';
import type { Namespace } from '../../../lib/api/types.js';
import { loadClientConfig } from '../../../lib/client/kubeconfig.js';
import { RestClient } from '../../../lib/client/rest-client.js';
import { isNotFound } from '../../../lib/errors.js';
import { CliError } from '../../cli-errors.js';
import type { LabState } from '../lab-state.js';
import { sleep } from '../run-command.js';
import { ClusterView } from './cluster-view.js';
import { formatInvariant, type InvariantResult } from './invariants.js';
import { Narrator, formatSeconds } from './narration.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { SCENARIOS } from './scenarios.js';

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new CliError(`no scenario "${name}"; the scenarios are ${SCENARIOS.map((s) => s.name).join(', ')} ("kubelab lab scenario list" says what each does)`);
  return scenario;
}

/** The value of `--flag N` on the server's recorded command line, in ms. */
function serverFlagMs(state: LabState, flag: string, fallbackSeconds: number): number {
  const server = state.plan.hosts.find((h) => h.role === 'server')!;
  const argv = state.processes[server.name]?.kubelabd?.argv ?? [];
  const at = argv.indexOf(flag);
  const seconds = at >= 0 ? Number(argv[at + 1]) : NaN;
  return (Number.isFinite(seconds) ? seconds : fallbackSeconds) * 1000;
}

export interface RunScenarioOptions {
  readyTimeoutMs: number;
  write: (line: string) => void;
}

/** Refuses a scenario that cannot run on any lab yet, before a lab is even looked for. */
export function assertRunnable(scenario: Scenario): void {
  if (scenario.unavailable) throw new CliError(`scenario ${scenario.name} cannot run yet: it ${scenario.unavailable}`);
}

export async function runScenario(state: LabState, scenario: Scenario, options: RunScenarioOptions): Promise<void> {
  assertRunnable(scenario);
  if (state.phase !== 'up') throw new CliError(`the lab in ${state.plan.dir} is not up (phase ${state.phase}); run "kubelab lab up --dir ${state.plan.dir}" again or remove it with "lab down"`);
  if (state.plan.hosts.length < scenario.minHosts) {
    throw new CliError(`scenario ${scenario.name} needs a lab of at least ${scenario.minHosts} hosts; this one has ${state.plan.hosts.length} ("kubelab lab up --nodes ${scenario.minHosts}")`);
  }
  const servers = state.plan.hosts.filter((h) => h.role === 'server').length;
  if (scenario.minServers && servers < scenario.minServers) {
    throw new CliError(`scenario ${scenario.name} needs a lab with at least ${scenario.minServers} servers; this one has ${servers}, so there is no other server to take over ("kubelab lab up --nodes ${Math.max(scenario.minHosts, scenario.minServers)} --servers ${scenario.minServers}")`);
  }
  const narrator = new Narrator(options.write);
  const client = new RestClient(loadClientConfig({ kubeconfig: state.plan.kubeconfigPath }), { userAgent: 'kubelab-scenario/v0.1.0' });
  const namespace = `scenario-${scenario.name}-${crypto.randomBytes(2).toString('hex')}`;
  const cleanups: Array<{ description: string; undo: () => Promise<void> }> = [];
  narrator.print(`scenario ${scenario.name}: ${scenario.summary}`);
  narrator.print(`lab ${state.plan.dir} (${state.plan.hosts.map((h) => h.name).join(', ')}), namespace ${namespace}`);

  let result: ScenarioResult | undefined;
  let failure: unknown;
  const view = new ClusterView(client, namespace);
  try {
    await client.create<Namespace>('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'scenario.kubelab.io/name': scenario.name } } } as Namespace);
    await view.start();
    const ctx: ScenarioContext = {
      state,
      client,
      namespace,
      narrator,
      view,
      timings: {
        podEvictionTimeoutMs: serverFlagMs(state, '--pod-eviction-timeout', 300),
        nodeMonitorGracePeriodMs: serverFlagMs(state, '--node-monitor-grace-period', 40),
      },
      readyTimeoutMs: options.readyTimeoutMs,
      onCleanup: (description, undo) => void cleanups.push({ description, undo }),
    };
    // Ctrl-C stops waiting and still undoes the fault (a second Ctrl-C ends at once).
    let onInterrupt = () => {};
    const interrupted = new Promise<never>((_resolve, reject) => {
      onInterrupt = () => reject(new CliError('interrupted (Ctrl-C)'));
      process.once('SIGINT', onInterrupt);
    });
    try {
      result = await Promise.race([scenario.run(ctx), interrupted]);
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  } catch (err) {
    failure = err;
    narrator.say(`scenario stopped: ${(err as Error).message}`);
  } finally {
    for (const { description, undo } of cleanups.reverse()) {
      try {
        await undo();
      } catch (err) {
        narrator.say(`clean-up "${description}" failed: ${(err as Error).message}`);
      }
    }
    await deleteNamespace(client, namespace, narrator).catch((err: unknown) => narrator.say(`could not delete namespace ${namespace}: ${(err as Error).message}`));
    view.stop();
    client.close();
  }

  const invariants: InvariantResult[] = result?.invariants ?? [];
  narrator.print('');
  narrator.print(`summary of ${scenario.name} (${formatSeconds(narrator.elapsedMs())}):`);
  for (const line of result?.timelines ?? []) narrator.print(`  ${line}`);
  narrator.print('invariants:');
  for (const invariant of invariants) narrator.print(formatInvariant(invariant));
  if (failure) throw new CliError(`scenario ${scenario.name} did not finish: ${(failure as Error).message}`, { cause: failure });
  const broken = invariants.filter((i) => !i.ok);
  if (broken.length > 0) throw new CliError(`scenario ${scenario.name}: ${broken.length} invariant(s) broken: ${broken.map((i) => i.name).join(', ')}`);
  narrator.print(`scenario ${scenario.name} passed`);
}

/** Deletes the run's namespace and waits (up to a minute) until its pods are gone and it is removed. */
async function deleteNamespace(client: RestClient, namespace: string, narrator: Narrator): Promise<void> {
  await client.delete('namespaces', undefined, namespace).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const gone = await client.get('namespaces', undefined, namespace).then(() => false, (err: unknown) => {
      if (isNotFound(err)) return true;
      throw err;
    });
    if (gone) {
      narrator.say(`namespace ${namespace} deleted`);
      return;
    }
    if (Date.now() > deadline) {
      narrator.say(`namespace ${namespace} still terminating after 60 s; it goes once its pods are gone`);
      return;
    }
    await sleep(500);
  }
}
