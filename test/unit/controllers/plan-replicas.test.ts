// covers: ReplicaSet spec.minReadySeconds
// covers: ReplicationController spec.minReadySeconds

import assert from 'node:assert/strict';
import { calculateReplicaSetStatus, planReplicas, rankPodsForDeletion, slowStartBatches } from '../../../daemon/controllers/replicaset/plan-replicas.js';
import { isPodActive, isPodAvailable } from '../../../daemon/controllers/pod-state.js';
import { newPod } from '../../helpers/workload-builders.js';

const pods = (n: number) => Array.from({ length: n }, (_, i) => newPod(`p${i}`));

describe('planReplicas', () => {
  const cases: { name: string; replicas: number; active: number; burst?: number; want: string }[] = [
    { name: 'nothing to do', replicas: 3, active: 3, want: 'none' },
    { name: 'creates the missing pods', replicas: 5, active: 2, want: 'create 3' },
    { name: 'deletes the extra pods', replicas: 1, active: 4, want: 'delete 3' },
    { name: 'scales to zero', replicas: 0, active: 2, want: 'delete 2' },
    { name: 'burst limits creations', replicas: 800, active: 0, want: 'create 500' },
    { name: 'custom burst limits deletions', replicas: 0, active: 10, burst: 4, want: 'delete 4' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planReplicas(c.replicas, pods(c.active), c.burst);
      const got = plan.action === 'none' ? 'none' : plan.action === 'create' ? `create ${plan.count}` : `delete ${plan.pods.length}`;
      assert.equal(got, c.want);
    });
  }
});

describe('slowStartBatches', () => {
  const cases: [number, number[]][] = [
    [0, []],
    [1, [1]],
    [3, [1, 2]],
    [10, [1, 2, 4, 3]],
    [15, [1, 2, 4, 8]],
  ];
  for (const [count, want] of cases) it(`${count} pods go out as ${JSON.stringify(want)}`, () => assert.deepEqual(slowStartBatches(count), want));
});

describe('rankPodsForDeletion (which pod goes first)', () => {
  const cases: { name: string; first: ReturnType<typeof newPod>; second: ReturnType<typeof newPod> }[] = [
    { name: 'unscheduled before scheduled', first: newPod('a'), second: newPod('b', { nodeName: 'n1' }) },
    { name: 'Pending before Running', first: newPod('a', { phase: 'Pending', nodeName: 'n1' }), second: newPod('b', { nodeName: 'n1' }) },
    { name: 'Unknown before Running', first: newPod('a', { phase: 'Unknown' }), second: newPod('b') },
    { name: 'not ready before ready', first: newPod('a', { ready: false }), second: newPod('b') },
    { name: 'lower deletion cost first', first: newPod('a', { deletionCost: -5 }), second: newPod('b') },
    { name: 'ready for less time first', first: newPod('a', { readySince: '2025-01-02T00:00:00Z' }), second: newPod('b', { readySince: '2025-01-01T00:00:00Z' }) },
    { name: 'more restarts first', first: newPod('a', { restarts: 4 }), second: newPod('b', { restarts: 1 }) },
    { name: 'newer first', first: newPod('a', { created: '2025-01-03T00:00:00Z' }), second: newPod('b', { created: '2025-01-01T00:00:00Z' }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(rankPodsForDeletion([c.second, c.first]).map((p) => p.metadata.name), ['a', 'b']);
      assert.deepEqual(rankPodsForDeletion([c.first, c.second]).map((p) => p.metadata.name), ['a', 'b']);
    });
  }

  it('pods doubled up on a node go before a pod alone on its node', () => {
    const ranked = rankPodsForDeletion([newPod('alone', { nodeName: 'n2' }), newPod('x', { nodeName: 'n1' }), newPod('y', { nodeName: 'n1' })]);
    assert.equal(ranked[2].metadata.name, 'alone');
  });

  it('readiness outranks restarts and age', () => {
    const ranked = rankPodsForDeletion([newPod('old-restarting', { restarts: 9, created: '2024-01-01T00:00:00Z' }), newPod('new-not-ready', { ready: false })]);
    assert.equal(ranked[0].metadata.name, 'new-not-ready');
  });
});

describe('pod state', () => {
  it('finished or terminating pods are not active', () => {
    assert.equal(isPodActive(newPod('a', { phase: 'Succeeded' })), false);
    assert.equal(isPodActive(newPod('a', { phase: 'Failed' })), false);
    const terminating = newPod('a');
    terminating.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
    assert.equal(isPodActive(terminating), false);
    assert.equal(isPodActive(newPod('a', { phase: 'Pending' })), true);
  });

  it('available means ready for at least minReadySeconds', () => {
    const pod = newPod('a', { readySince: '2025-01-01T00:00:00Z' });
    assert.equal(isPodAvailable(pod, 10, new Date('2025-01-01T00:00:09Z')), false);
    assert.equal(isPodAvailable(pod, 10, new Date('2025-01-01T00:00:10Z')), true);
    assert.equal(isPodAvailable(pod, 0, new Date('2025-01-01T00:00:00Z')), true);
    assert.equal(isPodAvailable(newPod('b', { ready: false }), 0, new Date()), false);
  });
});

describe('calculateReplicaSetStatus', () => {
  const now = new Date('2025-01-01T00:00:05Z');
  it('counts replicas, fully labeled, ready and available pods', () => {
    const status = calculateReplicaSetStatus({
      activePods: [newPod('a'), newPod('b', { ready: false }), newPod('c', { labels: { app: 'web' } }), newPod('d', { labels: { other: 'x' } })],
      templateLabels: { app: 'web' },
      minReadySeconds: 0,
      now,
      generation: 4,
      previous: undefined,
    });
    assert.deepEqual(status, { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 4 });
  });

  it('minReadySeconds holds back availability', () => {
    const status = calculateReplicaSetStatus({ activePods: [newPod('a', { readySince: '2025-01-01T00:00:00Z' })], templateLabels: {}, minReadySeconds: 10, now, generation: 1, previous: undefined });
    assert.equal(status.readyReplicas, 1);
    assert.equal(status.availableReplicas, 0);
  });

  it('sets ReplicaFailure on a failed pass and removes it on the next good one', () => {
    const failed = calculateReplicaSetStatus({ activePods: [], templateLabels: {}, minReadySeconds: 0, now, generation: 1, previous: undefined, failure: { reason: 'FailedCreate', message: 'quota' } });
    assert.equal(failed.conditions?.[0].reason, 'FailedCreate');
    assert.equal(failed.conditions?.[0].status, 'True');
    const healed = calculateReplicaSetStatus({ activePods: [], templateLabels: {}, minReadySeconds: 0, now, generation: 1, previous: failed });
    assert.equal(healed.conditions, undefined);
  });
});
