// `kubelab lab scenario list`, what a scenario needs beyond any lab, and the server-loss checks.

import assert from 'node:assert/strict';
import { assertRunnable, findScenario } from '../../../cli/lab/scenarios/run-scenario.js';
import { SCENARIOS, formatScenarioList } from '../../../cli/lab/scenarios/scenarios.js';
import { checkAcknowledgedWritesKept, holderNode } from '../../../cli/lab/scenarios/server-loss.js';
import { formatRolloutProgress } from '../../../cli/lab/scenarios/rolling-update-under-load.js';
import type { ReplicaSet } from '../../../lib/api/types.js';

describe('lab scenario list and run', () => {
  it('lists the six scenarios, server-loss with the servers it needs', () => {
    const text = formatScenarioList();
    assert.deepEqual(SCENARIOS.map((s) => s.name), ['crash-looping-pod', 'daemon-restart', 'rolling-update-under-load', 'node-loss', 'partition-then-heal', 'server-loss']);
    for (const s of SCENARIOS) assert.match(text, new RegExp(`^${s.name} +${s.summary.slice(0, 20).replace(/[()]/g, '.')}`, 'm'));
    assert.match(text, /^ +\(needs a lab with 3 servers: kubelab lab up --servers 3\)/m);
    assert.doesNotMatch(text, /cannot run yet/);
  });

  it('every scenario can run; a typo names the known scenarios', () => {
    for (const s of SCENARIOS) assert.doesNotThrow(() => assertRunnable(s));
    assert.throws(() => findScenario('node-los'), /no scenario "node-los"; the scenarios are crash-looping-pod, .*server-loss/);
  });

  it('server-loss: the node of a Lease holder, and every acknowledged write kept', () => {
    assert.equal(holderNode('node2_5f0c1e9a-0c1d-4b5e-9f00-1234567890ab'), 'node2');
    assert.equal(holderNode(undefined), undefined);
    assert.equal(holderNode(''), undefined);
    assert.deepEqual(checkAcknowledgedWritesKept(['write-0', 'write-1'], new Set(['write-0', 'write-1', 'write-2'])), { name: 'every write answered 201 is stored', ok: true, detail: '2 of 2 ConfigMaps stored' });
    assert.deepEqual(checkAcknowledgedWritesKept(['write-0', 'write-1'], new Set(['write-0'])), { name: 'every write answered 201 is stored', ok: false, detail: '1 of 2 lost: write-1' });
    assert.equal(checkAcknowledgedWritesKept([], new Set()).ok, false);
  });

  it('narrates rollout progress from the ReplicaSets', () => {
    const rs = (name: string, replicas: number, ready: number) => ({ metadata: { name }, status: { replicas, readyReplicas: ready } }) as ReplicaSet;
    assert.equal(formatRolloutProgress(3, rs('web-v2', 2, 1), [rs('web-v1', 3, 3)]), 'new ReplicaSet web-v2 1/3 Ready, old ReplicaSets 3 pod(s)');
    assert.equal(formatRolloutProgress(3, undefined, [rs('web-v1', 3, 3)]), 'new ReplicaSet (not created yet) 0/3 Ready, old ReplicaSets 3 pod(s)');
  });
});
