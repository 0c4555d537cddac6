// The scenarios `kubelab lab scenario list` shows, in the order a tour of failures reads best:
// one pod failing, one daemon failing, a rollout, then whole hosts failing, then the server.

import { crashLoopingPod } from './crash-looping-pod.js';
import { daemonRestart } from './daemon-restart.js';
import { nodeLoss } from './node-loss.js';
import { partitionThenHeal } from './partition-then-heal.js';
import { rollingUpdateUnderLoad } from './rolling-update-under-load.js';
import type { Scenario } from './scenario.js';
import { serverLoss } from './server-loss.js';

export const SCENARIOS: Scenario[] = [crashLoopingPod, daemonRestart, rollingUpdateUnderLoad, nodeLoss, partitionThenHeal, serverLoss];

/** `NAME  SUMMARY` rows, with what a scenario needs beyond any lab under it. */
export function formatScenarioList(scenarios: Scenario[] = SCENARIOS): string {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  const lines: string[] = [];
  for (const s of scenarios) {
    lines.push(`${s.name.padEnd(width)}  ${s.summary}`);
    if (s.unavailable) lines.push(`${''.padEnd(width)}  (cannot run yet: ${s.unavailable})`);
    if (s.minServers) lines.push(`${''.padEnd(width)}  (needs a lab with ${s.minServers} servers: kubelab lab up --servers ${s.minServers})`);
  }
  return lines.join('\n') + '\n';
}
