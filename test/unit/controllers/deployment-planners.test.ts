// covers: Deployment spec.revisionHistoryLimit, spec.progressDeadlineSeconds, spec.strategy.rollingUpdate.maxSurge, spec.strategy.rollingUpdate.maxUnavailable

import assert from 'node:assert/strict';
import type { ReplicaSet } from '../../../lib/api/types.js';
import { canonicalJson, podTemplateHash, safeEncodeString, templatesEqual } from '../../../lib/api/pod-template-hash.js';
import {
  maxScaledDown,
  maxSurge,
  maxUnavailable,
  newReplicaSetReplicas,
  planCleanupUnhealthy,
  planScaleDownOld,
  resolveFenceposts,
  scaledValue,
} from '../../../daemon/controllers/deployment/rolling-plan.js';
import { maxRevision, setNewReplicaSetAnnotations } from '../../../daemon/controllers/deployment/revision.js';
import { planHistoryCleanup } from '../../../daemon/controllers/deployment/rollback-history.js';
import { planProportionalScale } from '../../../daemon/controllers/deployment/proportional-scale.js';
import { planPausedCondition, planRolloutStatus } from '../../../daemon/controllers/deployment/progress.js';
import { findActiveOrLatest, findNewReplicaSet, isSaturated } from '../../../daemon/controllers/deployment/replica-set-lists.js';
import { newDeployment, newReplicaSet, template } from '../../helpers/workload-builders.js';

describe('pod-template-hash', () => {
  it('is stable and made of safe characters', () => {
    const hash = podTemplateHash(template('nginx:1.25'));
    assert.equal(hash, podTemplateHash(template('nginx:1.25')));
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(hash, podTemplateHash(template('nginx:1.27')));
  });

  it('encodes each character the way apimachinery does', () => {
    // '0' is 48, 48 % 27 = 21 → '4'; '9' is 57 → 57 % 27 = 3 → 'f'.
    assert.equal(safeEncodeString('09'), '4f');
  });

  it('ignores the pod-template-hash label, nulls, empty objects and key order', () => {
    const plain = template('nginx:1.25');
    const decorated = {
      metadata: { creationTimestamp: null, labels: { 'pod-template-hash': 'abc', app: 'web' }, annotations: {} },
      spec: { containers: [{ resources: {}, image: 'nginx:1.25', name: 'web', env: [] }] },
    };
    assert.equal(podTemplateHash(plain), podTemplateHash(decorated as never));
    assert.ok(templatesEqual(plain, decorated as never));
  });

  it('the collision count changes the hash', () => {
    assert.notEqual(podTemplateHash(template()), podTemplateHash(template(), 1));
    assert.notEqual(podTemplateHash(template(), 1), podTemplateHash(template(), 2));
  });

  it('the undo patch shape equals the stored ReplicaSet template (a defaulted one)', () => {
    const stored = {
      metadata: { labels: { app: 'nginx', 'pod-template-hash': '7c5ddbdf54' } },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {}, imagePullPolicy: 'IfNotPresent' }],
        restartPolicy: 'Always',
        securityContext: {},
      },
    };
    const fromUndo = {
      metadata: { creationTimestamp: null, labels: { app: 'nginx' } },
      spec: {
        restartPolicy: 'Always',
        containers: [{ name: 'nginx', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', ports: [{ protocol: 'TCP', containerPort: 80 }], resources: {} }],
      },
    };
    assert.ok(templatesEqual(stored as never, fromUndo as never));
    assert.equal(podTemplateHash(stored as never), podTemplateHash(fromUndo as never));
  });

  it('order inside lists matters (containers are a sequence)', () => {
    const a = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
    const b = { spec: { containers: [{ name: 'b', image: 'y' }, { name: 'a', image: 'x' }] } };
    assert.equal(templatesEqual(a as never, b as never), false);
  });

  it('canonicalJson sorts keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('rolling update maths', () => {
  const scaled: [number | string, number, boolean, number][] = [
    [3, 10, true, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['25%', 1, true, 1],
    ['25%', 1, false, 0],
    ['50%', 3, true, 2],
    ['50%', 3, false, 1],
    ['100%', 4, false, 4],
    ['0%', 4, true, 0],
  ];
  for (const [value, total, up, want] of scaled) {
    it(`${JSON.stringify(value)} of ${total} rounded ${up ? 'up' : 'down'} is ${want}`, () => assert.equal(scaledValue(value, total, up), want));
  }

  it('rejects a value that is neither an integer nor a percentage, saying what is expected', () => {
    assert.throws(() => scaledValue('ten', 10, true), /expected an integer or a percentage/);
  });

  const fenceposts: [number | string, number | string, number, [number, number]][] = [
    ['25%', '25%', 4, [1, 1]],
    ['25%', '25%', 1, [1, 0]],
    [0, 0, 5, [0, 1]],
    ['10%', '10%', 3, [1, 0]],
    [0, '10%', 3, [0, 1]],
    [2, 1, 10, [2, 1]],
  ];
  for (const [surge, unavailable, desired, want] of fenceposts) {
    it(`fenceposts surge=${surge} unavailable=${unavailable} of ${desired} → ${JSON.stringify(want)}`, () =>
      assert.deepEqual(resolveFenceposts(surge, unavailable, desired), want));
  }

  it('maxUnavailable is capped at replicas and 0 for Recreate', () => {
    assert.equal(maxUnavailable(newDeployment('d', 2, { maxUnavailable: 5 })), 2);
    assert.equal(maxUnavailable(newDeployment('d', 2, { strategy: 'Recreate' })), 0);
    assert.equal(maxSurge(newDeployment('d', 2, { strategy: 'Recreate' })), 0);
  });

  const newRSCases: { name: string; replicas: number; surge: number | string; old: number; current: number; want: number }[] = [
    { name: 'first step of 3 with 25% surge', replicas: 3, surge: '25%', old: 3, current: 0, want: 1 },
    { name: 'total already at the ceiling', replicas: 3, surge: 1, old: 3, current: 1, want: 1 },
    { name: 'old scaled down makes room', replicas: 3, surge: 1, old: 1, current: 1, want: 3 },
    { name: 'never above replicas', replicas: 3, surge: 5, old: 0, current: 1, want: 3 },
    { name: 'surge 50% of 4', replicas: 4, surge: '50%', old: 4, current: 0, want: 2 },
  ];
  for (const c of newRSCases) {
    it(`new ReplicaSet size: ${c.name}`, () => {
      const d = newDeployment('d', c.replicas, { maxSurge: c.surge, maxUnavailable: 0 });
      const newRS = newReplicaSet('new', c.current);
      assert.equal(newReplicaSetReplicas(d, [newReplicaSet('old', c.old), newRS], newRS), c.want);
    });
  }

  it('Recreate scales the new ReplicaSet straight to replicas', () => {
    const d = newDeployment('d', 4, { strategy: 'Recreate' });
    const newRS = newReplicaSet('new', 0);
    assert.equal(newReplicaSetReplicas(d, [newReplicaSet('old', 4), newRS], newRS), 4);
  });

  it('old pods go only as far as availability allows', () => {
    // 3 replicas, maxUnavailable 1: 2 must stay available.
    const d = newDeployment('d', 3, { maxSurge: 1, maxUnavailable: 1 });
    const old = newReplicaSet('old', 3);
    const fresh = newReplicaSet('new', 1, { available: 0 });
    assert.equal(maxScaledDown(d, [old, fresh], fresh), 4 - 2 - 1);
    assert.deepEqual(planScaleDownOld(d, [old, fresh], [old]).map((s) => s.replicas), [2]);
  });

  it('no scale-down when availability is at the minimum', () => {
    const d = newDeployment('d', 3, { maxSurge: 1, maxUnavailable: 0 });
    const old = newReplicaSet('old', 3);
    const fresh = newReplicaSet('new', 1, { available: 0 });
    assert.deepEqual(planScaleDownOld(d, [old, fresh], [old]), []);
  });

  it('unhealthy old pods are cleaned up first, oldest ReplicaSet first, within the limit', () => {
    const older = newReplicaSet('older', 3, { available: 1, created: '2025-01-01T00:00:00Z' });
    const old = newReplicaSet('old', 2, { available: 0, created: '2025-01-02T00:00:00Z' });
    const steps = planCleanupUnhealthy([old, older], 3);
    assert.deepEqual(steps.map((s) => [s.replicaSet.metadata.name, s.replicas]), [['older', 1], ['old', 1]]);
  });

  it('a whole rollout of 4 replicas (surge 1, unavailable 1) never drops below 3 available', () => {
    const d = newDeployment('d', 4, { maxSurge: 1, maxUnavailable: 1 });
    let old = newReplicaSet('old', 4);
    let fresh = newReplicaSet('new', 0, { created: '2025-01-02T00:00:00Z' });
    const settle = (rs: ReplicaSet): ReplicaSet => ({ ...rs, status: { replicas: rs.spec.replicas ?? 0, availableReplicas: rs.spec.replicas ?? 0, readyReplicas: rs.spec.replicas ?? 0 } });
    for (let step = 0; step < 10 && (old.spec.replicas !== 0 || fresh.spec.replicas !== 4); step++) {
      fresh = { ...fresh, spec: { ...fresh.spec, replicas: newReplicaSetReplicas(d, [old, fresh], fresh) } };
      assert.ok((old.spec.replicas ?? 0) + (fresh.spec.replicas ?? 0) <= 5, 'never above replicas + maxSurge');
      for (const s of planScaleDownOld(d, [old, fresh], [old])) old = { ...old, spec: { ...old.spec, replicas: s.replicas } };
      assert.ok((old.status?.availableReplicas ?? 0) + (fresh.status?.availableReplicas ?? 0) >= 3);
      old = settle(old);
      fresh = settle(fresh);
    }
    assert.equal(old.spec.replicas, 0);
    assert.equal(fresh.spec.replicas, 4);
  });
});

describe('revisions', () => {
  it('a new ReplicaSet gets max+1, the change-cause and the replicas annotations, never the skip list', () => {
    const d = newDeployment('d', 3, { maxSurge: 1 });
    d.metadata.annotations = {
      'kubernetes.io/change-cause': 'kubectl set image',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'deployment.kubernetes.io/revision': '7',
    };
    const rs = newReplicaSet('d-abc', 0);
    const changed = setNewReplicaSetAnnotations(d, rs, maxRevision([newReplicaSet('a', 0, { revision: 1 }), newReplicaSet('b', 0, { revision: 2 })]) + 1, false, { desired: 3, max: 4 });
    assert.ok(changed);
    assert.deepEqual(rs.metadata.annotations, {
      'kubernetes.io/change-cause': 'kubectl set image',
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
  });

  it('re-using an old ReplicaSet renumbers it and keeps its old number in revision-history', () => {
    const d = newDeployment('d', 1);
    const reused = newReplicaSet('d-v1', 0, { revision: 1 });
    setNewReplicaSetAnnotations(d, reused, 3, true, { desired: 1, max: 2 });
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    setNewReplicaSetAnnotations(d, reused, 5, true, { desired: 1, max: 2 });
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1,3');
  });

  it('a revision is never lowered, and an unchanged ReplicaSet reports no change', () => {
    const d = newDeployment('d', 1);
    const rs = newReplicaSet('d-v1', 1, { revision: 4 });
    assert.equal(setNewReplicaSetAnnotations(d, rs, 2, true, { desired: 1, max: 2 }), false);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
  });
});

describe('history pruning', () => {
  const old = (name: string, revision: number, replicas = 0) => newReplicaSet(name, replicas, { revision, actual: replicas });

  it('keeps revisionHistoryLimit old ReplicaSets, deleting the lowest revisions', () => {
    const d = newDeployment('d', 1, { revisionHistoryLimit: 2 });
    const plan = planHistoryCleanup(d, [old('r3', 3), old('r1', 1), old('r4', 4), old('r2', 2)]);
    assert.deepEqual(plan.map((rs) => rs.metadata.name), ['r1', 'r2']);
  });

  it('never deletes a ReplicaSet that still has pods or an unobserved spec', () => {
    const d = newDeployment('d', 1, { revisionHistoryLimit: 0 });
    const unobserved = old('r2', 2);
    unobserved.metadata.generation = 2;
    assert.deepEqual(planHistoryCleanup(d, [old('r1', 1, 1), unobserved, old('r3', 3)]).map((rs) => rs.metadata.name), ['r3']);
  });

  it('defaults to 10', () => {
    const d = newDeployment('d', 1);
    const many = Array.from({ length: 12 }, (_, i) => old(`r${i + 1}`, i + 1));
    assert.deepEqual(planHistoryCleanup(d, many).map((rs) => rs.metadata.name), ['r1', 'r2']);
  });
});

describe('finding the new ReplicaSet', () => {
  it('matches semantically and picks the oldest of equals', () => {
    const d = newDeployment('d', 1, { image: 'v2' });
    const a = newReplicaSet('a', 1, { image: 'v2', created: '2025-01-02T00:00:00Z' });
    const b = newReplicaSet('b', 1, { image: 'v2', created: '2025-01-01T00:00:00Z' });
    a.spec.template.metadata!.labels!['pod-template-hash'] = 'x';
    assert.equal(findNewReplicaSet(d, [a, b, newReplicaSet('c', 1, { image: 'v1' })])?.metadata.name, 'b');
  });

  it('active-or-latest and saturation', () => {
    const old = newReplicaSet('old', 0, { created: '2025-01-01T00:00:00Z' });
    const newer = newReplicaSet('newer', 0, { created: '2025-01-02T00:00:00Z' });
    assert.equal(findActiveOrLatest(undefined, [old, newer])?.metadata.name, 'newer');
    assert.equal(findActiveOrLatest(newReplicaSet('n', 2), [old])?.metadata.name, 'n');
    assert.equal(findActiveOrLatest(newReplicaSet('n', 2), [newReplicaSet('o', 1)]), undefined);
    const d = newDeployment('d', 2);
    assert.ok(isSaturated(d, newReplicaSet('n', 2, { desired: 2 })));
    assert.ok(!isSaturated(d, newReplicaSet('n', 2, { desired: 2, available: 1 })));
  });
});

describe('proportional scaling during a rollout', () => {
  it('shares 10 → 20 between old and new by size (maxSurge 3)', () => {
    const d = newDeployment('d', 20, { maxSurge: 3, maxUnavailable: 2 });
    const old = newReplicaSet('old', 8, { maxReplicas: 13, created: '2025-01-01T00:00:00Z' });
    const fresh = newReplicaSet('new', 5, { maxReplicas: 13, created: '2025-01-02T00:00:00Z' });
    const { steps, operation } = planProportionalScale(d, [old, fresh]);
    assert.equal(operation, 'up');
    const sizes = Object.fromEntries(steps.map((s) => [s.replicaSet.metadata.name, s.replicas]));
    // 23 allowed: old 8*23/13 = 14.15 → 14, new 5*23/13 = 8.8 → 9.
    assert.deepEqual(sizes, { old: 14, new: 9 });
  });

  it('scaling to zero takes everything away', () => {
    const d = newDeployment('d', 0, { maxSurge: 1 });
    const { steps } = planProportionalScale(d, [newReplicaSet('a', 3, { maxReplicas: 4 }), newReplicaSet('b', 1, { maxReplicas: 4 })]);
    assert.deepEqual(steps.map((s) => s.replicas), [0, 0]);
  });
});

describe('progress conditions', () => {
  const now = new Date('2025-01-01T00:10:00Z');

  it('a finished rollout is Available and NewReplicaSetAvailable with the real messages', () => {
    const d = newDeployment('nginx', 2);
    const rs = newReplicaSet('nginx-7c5ddbdf54', 2);
    const { status } = planRolloutStatus(d, [rs], rs, now);
    assert.equal(status.replicas, 2);
    assert.equal(status.updatedReplicas, 2);
    assert.equal(status.unavailableReplicas, 0);
    const available = status.conditions?.find((c) => c.type === 'Available');
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(available?.reason, 'MinimumReplicasAvailable');
    assert.equal(available?.message, 'Deployment has minimum availability.');
    assert.equal(progressing?.reason, 'NewReplicaSetAvailable');
    assert.equal(progressing?.message, 'ReplicaSet "nginx-7c5ddbdf54" has successfully progressed.');
  });

  it('progress moves lastUpdateTime but keeps lastTransitionTime', () => {
    const d = newDeployment('web', 3);
    d.status = {
      replicas: 3, updatedReplicas: 1, availableReplicas: 3,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    };
    const { status } = planRolloutStatus(d, [newReplicaSet('old', 1), newReplicaSet('new', 2, { available: 2 })], newReplicaSet('new', 2, { available: 2 }), now);
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.reason, 'ReplicaSetUpdated');
    assert.equal(progressing?.message, 'ReplicaSet "new" is progressing.');
    assert.equal(progressing?.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(progressing?.lastUpdateTime, '2025-01-01T00:10:00Z');
  });

  const deadlineCases: { name: string; lastUpdate: string; want: string; recheck?: number }[] = [
    { name: 'within the deadline: keep waiting, look again when it passes', lastUpdate: '2025-01-01T00:05:00Z', want: 'ReplicaSetUpdated', recheck: 301_000 },
    { name: 'past the deadline: ProgressDeadlineExceeded', lastUpdate: '2025-01-01T00:00:00Z', want: 'ProgressDeadlineExceeded' },
  ];
  for (const c of deadlineCases) {
    it(c.name, () => {
      const d = newDeployment('web', 2, { progressDeadlineSeconds: 600 });
      const stuck = newReplicaSet('new', 2, { available: 0, actual: 2 });
      d.status = {
        replicas: 2, updatedReplicas: 2, availableReplicas: 0, readyReplicas: 0, observedGeneration: 1,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: c.lastUpdate, lastTransitionTime: c.lastUpdate }],
      };
      const plan = planRolloutStatus(d, [stuck], stuck, new Date('2025-01-01T00:10:00.500Z'));
      const progressing = plan.status.conditions?.find((x) => x.type === 'Progressing');
      assert.equal(progressing?.reason, c.want);
      if (c.want === 'ProgressDeadlineExceeded') {
        assert.equal(progressing?.status, 'False');
        assert.equal(progressing?.message, 'ReplicaSet "new" has timed out progressing.');
        assert.equal(plan.recheckAfterMs, undefined);
      } else {
        assert.equal(plan.recheckAfterMs, c.recheck! - 500);
      }
    });
  }

  it('pause and resume set Unknown conditions, but never over a reported deadline', () => {
    const d = newDeployment('web', 1);
    d.spec.paused = true;
    const paused = planPausedCondition(d, now);
    assert.equal(paused?.conditions?.[0].reason, 'DeploymentPaused');
    assert.equal(paused?.conditions?.[0].message, 'Deployment is paused');
    assert.equal(paused?.conditions?.[0].status, 'Unknown');
    d.status = paused;
    assert.equal(planPausedCondition(d, now), undefined);
    d.spec.paused = false;
    assert.equal(planPausedCondition(d, now)?.conditions?.[0].reason, 'DeploymentResumed');
    d.status = { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] };
    d.spec.paused = true;
    assert.equal(planPausedCondition(d, now), undefined);
  });
});
