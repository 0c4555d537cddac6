// `kubelab lab scenario list` and the refusal of a scenario that cannot run yet.

import assert from 'node:assert/strict';
import { assertRunnable, findScenario } from '../../../cli/lab/scenarios/run-scenario.js';
import { SCENARIOS, formatScenarioList } from '../../../cli/lab/scenarios/scenarios.js';
import { formatRolloutProgress } from '../../../cli/lab/scenarios/rolling-update-under-load.js';
import type { ReplicaSet } from '../../../lib/api/types.js';

describe('lab scenario list and run', () => {
  it('lists the six scenarios, server-loss with the reason it cannot run', () => {
    const text = formatScenarioList();
    assert.deepEqual(SCENARIOS.map((s) => s.name), ['crash-looping-pod', 'daemon-restart', 'rolling-update-under-load', 'node-loss', 'partition-then-heal', 'server-loss']);
    for (const s of SCENARIOS) assert.match(text, new RegExp(`^${s.name} +${s.summary.slice(0, 20).replace(/[()]/g, '.')}`, 'm'));
    assert.match(text, /^ +\(cannot run yet: .*"kubelab lab up --servers 3", issue 17/m);
  });

  it('refuses server-loss before looking for a lab, and names the known scenarios for a typo', () => {
    assert.throws(() => assertRunnable(findScenario('server-loss')), /scenario server-loss cannot run yet: it needs .*--servers 3.*issue 17/);
    assert.doesNotThrow(() => assertRunnable(findScenario('node-loss')));
    assert.throws(() => findScenario('node-los'), /no scenario "node-los"; the scenarios are crash-looping-pod, .*server-loss/);
  });

  it('narrates rollout progress from the ReplicaSets', () => {
    const rs = (name: string, replicas: number, ready: number) => ({ metadata: { name }, status: { replicas, readyReplicas: ready } }) as ReplicaSet;
    assert.equal(formatRolloutProgress(3, rs('web-v2', 2, 1), [rs('web-v1', 3, 3)]), 'new ReplicaSet web-v2 1/3 Ready, old ReplicaSets 3 pod(s)');
    assert.equal(formatRolloutProgress(3, undefined, [rs('web-v1', 3, 3)]), 'new ReplicaSet (not created yet) 0/3 Ready, old ReplicaSets 3 pod(s)');
  });
});
