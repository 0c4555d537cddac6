// What a fault scenario is: a name, one line for `lab scenario list`, and a `run` that builds its
// workload in its own namespace, does one harm to the lab (kills a host, cuts a cable, restarts a
// daemon ...), narrates what the cluster does about it with measured times, restores the lab,
// and returns the invariants it checked. run-scenario.ts does the rest: the namespace, the
// summary, the clean-up and the exit code.

import type { RestClient } from '../../../lib/client/rest-client.js';
import type { LabState } from '../lab-state.js';
import type { ClusterView } from './cluster-view.js';
import type { InvariantResult } from './invariants.js';
import type { Narrator } from './narration.js';

export interface ScenarioContext {
  state: LabState;
  client: RestClient;
  /** The run's own namespace (scenario-NAME-xxxx): everything the scenario creates lives in it. */
  namespace: string;
  narrator: Narrator;
  /** Nodes and the namespace's pods, kept current by watches. */
  view: ClusterView;
  /** The server's node lifecycle timings, read from its command line in lab.json. */
  timings: { podEvictionTimeoutMs: number; nodeMonitorGracePeriodMs: number };
  /** How long a restarted host may take to be Ready again (`lab --ready-timeout`). */
  readyTimeoutMs: number;
  /**
   * Registers an undo step (restart a killed host, heal a cut cable) that runs when the scenario
   * ends, also when it fails; a step whose harm the scenario already undid returns at once.
   */
  onCleanup(description: string, undo: () => Promise<void>): void;
}

export interface ScenarioResult {
  /** Timeline sentences for the summary (`node3 suspect at +1.1 s, dead at +3.8 s, ...`). */
  timelines: string[];
  invariants: InvariantResult[];
}

export interface Scenario {
  name: string;
  /** One line for `lab scenario list`. */
  summary: string;
  /** The fewest hosts it needs (a host to harm besides the server's). */
  minHosts: number;
  /** The fewest servers (`lab up --servers M`) it needs, if more than one. */
  minServers?: number;
  /** Why it cannot run on any lab yet; `list` shows it and `run` refuses with it. */
  unavailable?: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
