// covers: HorizontalPodAutoscaler spec.minReplicas, spec.maxReplicas, spec.behavior.scaleUp.stabilizationWindowSeconds, spec.behavior.scaleUp.selectPolicy, spec.behavior.scaleUp.policies.type, spec.behavior.scaleUp.policies.value, spec.behavior.scaleUp.policies.periodSeconds, spec.behavior.scaleDown.stabilizationWindowSeconds, spec.behavior.scaleDown.selectPolicy, spec.behavior.scaleDown.policies.type, spec.behavior.scaleDown.policies.value, spec.behavior.scaleDown.policies.periodSeconds
// Stabilization windows, scaling policies and min/max, on a manual clock (the time is an argument),
// against the examples of Kubernetes' documentation (#configurable-scaling-behavior).
import assert from 'node:assert/strict';
import { ReplicaNormalizer } from '../../../daemon/controllers/podautoscaler/normalize-replicas.js';
import type { HorizontalPodAutoscalerBehavior } from '../../../lib/api/autoscaling-types.js';
import { defaultHorizontalPodAutoscaler } from '../../../lib/api/validate-autoscaling.js';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;

/** One HPA over time: each step recommends, the normalizer decides, a rescale is recorded. */
function run(normalizer: ReplicaNormalizer, behavior: HorizontalPodAutoscalerBehavior | undefined, start: number, steps: [number, number][], min = 1, max = 100): number[] {
  let current = start;
  const sizes: number[] = [];
  for (const [second, desired] of steps) {
    const out = normalizer.normalize({ key: 'default/web', currentReplicas: current, desiredReplicas: desired, minReplicas: min, maxReplicas: max, behavior, nowMs: s(second) });
    normalizer.recordScaleEvent('default/web', behavior, current, out.replicas, s(second));
    current = out.replicas;
    sizes.push(current);
  }
  return sizes;
}

/** The behavior as the API server stores it (defaults filled). */
function stored(behavior: HorizontalPodAutoscalerBehavior): HorizontalPodAutoscalerBehavior {
  const hpa = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 10, behavior: structuredClone(behavior) } };
  defaultHorizontalPodAutoscaler(hpa);
  return hpa.spec.behavior as HorizontalPodAutoscalerBehavior;
}

describe('HPA scaling behavior (normalizeDesiredReplicas[WithBehaviors])', () => {
  describe('without spec.behavior: downscale window of the flag, up to max(2 x current, 4) per step', () => {
    it('a scale down waits out the window: the highest recommendation of the last 300 s wins', () => {
      const n = new ReplicaNormalizer(300_000);
      assert.deepEqual(run(n, undefined, 5, [[0, 5], [15, 2], [150, 2], [299, 2], [301, 2]]), [5, 5, 5, 5, 2]);
    });
    it('a scale up is immediate but at most doubles (or reaches 4)', () => {
      const n = new ReplicaNormalizer(300_000);
      assert.deepEqual(run(n, undefined, 1, [[0, 10], [15, 10], [30, 10]]), [4, 8, 10]);
    });
    it('clamps to min and max and says why (conditions)', () => {
      const n = new ReplicaNormalizer(0);
      const low = n.normalize({ key: 'k', currentReplicas: 3, desiredReplicas: 1, minReplicas: 2, maxReplicas: 5, nowMs: T0 });
      assert.deepEqual([low.replicas, low.scalingLimited.status, low.scalingLimited.reason], [2, 'True', 'TooFewReplicas']);
      const high = n.normalize({ key: 'k2', currentReplicas: 4, desiredReplicas: 9, minReplicas: 1, maxReplicas: 5, nowMs: T0 });
      assert.deepEqual([high.replicas, high.scalingLimited.reason, high.scalingLimited.message], [5, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
      const fast = n.normalize({ key: 'k3', currentReplicas: 2, desiredReplicas: 9, minReplicas: 1, maxReplicas: 10, nowMs: T0 });
      assert.deepEqual([fast.replicas, fast.scalingLimited.reason], [4, 'ScaleUpLimit']);
      const ok = n.normalize({ key: 'k4', currentReplicas: 2, desiredReplicas: 3, minReplicas: 1, maxReplicas: 10, nowMs: T0 });
      assert.deepEqual([ok.replicas, ok.scalingLimited.status, ok.scalingLimited.reason, ok.ableToScale.reason], [3, 'False', 'DesiredWithinRange', 'ReadyForNewScale']);
    });
    it('says ScaleDownStabilized while the window holds the size', () => {
      const n = new ReplicaNormalizer(300_000);
      n.normalize({ key: 'k', currentReplicas: 5, desiredReplicas: 5, minReplicas: 1, maxReplicas: 10, nowMs: T0 });
      const held = n.normalize({ key: 'k', currentReplicas: 5, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10, nowMs: s(15) });
      assert.deepEqual([held.replicas, held.ableToScale.reason], [5, 'ScaleDownStabilized']);
    });
  });

  describe('with spec.behavior', () => {
    it('default rules: up by max(4 pods, 100 %) per 15 s, down after the flag\'s window', () => {
      const n = new ReplicaNormalizer(300_000);
      const behavior = stored({ scaleDown: { policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } });
      assert.deepEqual(run(n, behavior, 1, [[0, 20], [5, 20], [16, 20], [31, 20]]), [5, 5, 10, 20]);
    });
    it('scale down by at most 10 % a minute (Percent, the documentation example)', () => {
      const n = new ReplicaNormalizer(0);
      const behavior = stored({ scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } });
      // 10 % of 80 is 8: down to 72, then nothing more within that minute, then 10 % of 72 → 64 (trunc 64.8).
      assert.deepEqual(run(n, behavior, 80, [[0, 10], [30, 10], [61, 10]]), [72, 72, 64]);
    });
    it('Pods and Percent with selectPolicy Min take the smaller change; Max the larger', () => {
      const policies = [{ type: 'Pods' as const, value: 4, periodSeconds: 60 }, { type: 'Percent' as const, value: 10, periodSeconds: 60 }];
      const min = run(new ReplicaNormalizer(0), stored({ scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies } }), 80, [[0, 10]]);
      const max = run(new ReplicaNormalizer(0), stored({ scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies } }), 80, [[0, 10]]);
      assert.deepEqual([min, max], [[76], [72]]);
    });
    it('selectPolicy Disabled never scales that way', () => {
      const n = new ReplicaNormalizer(0);
      const behavior = stored({ scaleDown: { selectPolicy: 'Disabled' } });
      assert.deepEqual(run(n, behavior, 5, [[0, 1], [100, 1]]), [5, 5]);
    });
    it('a scale-up stabilization window takes the lowest recent recommendation', () => {
      const n = new ReplicaNormalizer(0);
      const behavior = stored({ scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 0 } });
      // At 61 s the recommendation of 0 s has left the window: 8, limited by the default rate (+4 pods per 15 s) to 6.
      assert.deepEqual(run(n, behavior, 2, [[0, 2], [10, 8], [30, 8], [61, 8], [76, 8]]), [2, 2, 2, 6, 8]);
    });
    it('the scale-down window of the HPA overrides the flag', () => {
      const n = new ReplicaNormalizer(300_000);
      const behavior = stored({ scaleDown: { stabilizationWindowSeconds: 30 } });
      assert.deepEqual(run(n, behavior, 4, [[0, 4], [10, 1], [31, 1]]), [4, 4, 1]);
    });
    it('limits still say which rule held the count', () => {
      const n = new ReplicaNormalizer(0);
      const behavior = stored({ scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } });
      const out = n.normalize({ key: 'k', currentReplicas: 2, desiredReplicas: 6, minReplicas: 1, maxReplicas: 10, behavior, nowMs: T0 });
      assert.deepEqual([out.replicas, out.scalingLimited.status, out.scalingLimited.reason], [3, 'True', 'ScaleUpLimit']);
    });
  });
});
