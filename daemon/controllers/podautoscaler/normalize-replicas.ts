// From a metric's recommendation to the replica count the HPA sets: stabilization, rate limits
// and min/max (Kubernetes' horizontal.go: normalizeDesiredReplicas and
// normalizeDesiredReplicasWithBehaviors). Pure apart from the memory it keeps per HPA (past
// recommendations and scale events), and the time comes in as an argument: tests use a manual
// clock.
//
// Stabilization: a scale down takes the highest recommendation of the last
// stabilizationWindowSeconds (300 s by default), so a short dip does not remove pods that the next
// spike needs again; a scale up takes the lowest recommendation of its window (0 s by default:
// scale up at once).
// Rate: each policy says how much may change within its periodSeconds (Pods: a number, Percent: a
// share of the replicas at the start of the period, counting the changes made within it);
// selectPolicy Max takes the policy allowing the largest change, Min the smallest, Disabled none.
// Without spec.behavior, Kubernetes' older rule applies: scale up to at most
// max(2 x current, 4) per step, and the downscale window of the controller's flag.
// Each step also sets the AbleToScale and ScalingLimited conditions with Kubernetes' reasons.

import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from '../../../lib/api/autoscaling-types.js';
import { DEFAULT_SCALE_DOWN_RULES, DEFAULT_SCALE_UP_RULES } from '../../../lib/api/validate-autoscaling.js';

export interface ConditionNote {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface Normalized {
  replicas: number;
  ableToScale: ConditionNote;
  scalingLimited: ConditionNote;
}

interface TimestampedRecommendation {
  recommendation: number;
  timestampMs: number;
}

interface ScaleEvent {
  replicaChange: number;
  timestampMs: number;
  outdated: boolean;
}

export interface NormalizeInput {
  key: string;
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior?: HorizontalPodAutoscalerBehavior;
  nowMs: number;
}

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

/** Kubernetes' older scale-up limit for HPAs without behavior: double, or at least 4. */
export const scaleUpLimitWithoutBehavior = (currentReplicas: number): number => Math.max(2 * currentReplicas, 4);

export class ReplicaNormalizer {
  private readonly recommendations = new Map<string, TimestampedRecommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  /** `downscaleStabilizationMs`: the controller flag, used when an HPA's scaleDown sets no window. */
  constructor(private readonly downscaleStabilizationMs: number) {}

  /** Forget an HPA that is gone. */
  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  normalize(input: NormalizeInput): Normalized {
    return input.behavior ? this.withBehavior(input, input.behavior) : this.withoutBehavior(input);
  }

  /** Remember a rescale, for the rate limits of later periods (only HPAs with behavior count them). */
  recordScaleEvent(key: string, behavior: HorizontalPodAutoscalerBehavior | undefined, previous: number, next: number, nowMs: number): void {
    if (!behavior || previous === next) return;
    const up = next > previous;
    const rules = up ? this.scaleUpRules(behavior) : this.scaleDownRules(behavior);
    const events = (up ? this.scaleUpEvents : this.scaleDownEvents).get(key) ?? [];
    const longestPeriodMs = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000;
    for (const event of events) if (event.timestampMs <= nowMs - longestPeriodMs) event.outdated = true;
    const change = { replicaChange: Math.abs(next - previous), timestampMs: nowMs, outdated: false };
    const reuse = events.findIndex((e) => e.outdated);
    if (reuse >= 0) events[reuse] = change;
    else events.push(change);
    (up ? this.scaleUpEvents : this.scaleDownEvents).set(key, events);
  }

  // -------------------------------------------------------------------------------------------
  // Without spec.behavior

  private withoutBehavior(input: NormalizeInput): Normalized {
    const stabilized = this.stabilizeDown(input.key, input.desiredReplicas, input.nowMs);
    const ableToScale: ConditionNote =
      stabilized !== input.desiredReplicas
        ? { status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
        : { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
    const scaleUpLimit = scaleUpLimitWithoutBehavior(input.currentReplicas);
    let maximum = input.maxReplicas;
    let limit = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
    if (maximum > scaleUpLimit) {
      maximum = scaleUpLimit;
      limit = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
    }
    let replicas = stabilized;
    let reason = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
    if (stabilized < input.minReplicas) {
      replicas = input.minReplicas;
      reason = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
    } else if (stabilized > maximum) {
      replicas = maximum;
      reason = limit;
    }
    return { replicas, ableToScale, scalingLimited: { status: replicas === stabilized ? 'False' : 'True', ...reason } };
  }

  /** The highest recommendation within the downscale window (this one included), and remember this one. */
  private stabilizeDown(key: string, desired: number, nowMs: number): number {
    const cutoff = nowMs - this.downscaleStabilizationMs;
    const recommendations = this.recommendations.get(key) ?? [];
    let highest = desired;
    let oldIndex = -1;
    recommendations.forEach((rec, i) => {
      if (rec.timestampMs < cutoff) oldIndex = i;
      else if (rec.recommendation > highest) highest = rec.recommendation;
    });
    const entry = { recommendation: desired, timestampMs: nowMs };
    if (oldIndex >= 0) recommendations[oldIndex] = entry;
    else recommendations.push(entry);
    this.recommendations.set(key, recommendations);
    return highest;
  }

  // -------------------------------------------------------------------------------------------
  // With spec.behavior

  private scaleUpRules(behavior: HorizontalPodAutoscalerBehavior): HPAScalingRules {
    return { ...DEFAULT_SCALE_UP_RULES, ...stripUndefined(behavior.scaleUp) };
  }

  private scaleDownRules(behavior: HorizontalPodAutoscalerBehavior): HPAScalingRules {
    const rules = { ...DEFAULT_SCALE_DOWN_RULES, ...stripUndefined(behavior.scaleDown) };
    return { ...rules, stabilizationWindowSeconds: rules.stabilizationWindowSeconds ?? this.downscaleStabilizationMs / 1000 };
  }

  private withBehavior(input: NormalizeInput, behavior: HorizontalPodAutoscalerBehavior): Normalized {
    const up = this.scaleUpRules(behavior);
    const down = this.scaleDownRules(behavior);
    const stabilized = this.stabilizeWithWindows(input, up, down);
    const ableToScale: ConditionNote =
      stabilized.replicas !== input.desiredReplicas
        ? { status: 'True', reason: stabilized.reason, message: stabilized.message }
        : { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
    const limited = this.limitRate({ ...input, desiredReplicas: stabilized.replicas }, up, down);
    return {
      replicas: limited.replicas,
      ableToScale,
      scalingLimited: { status: limited.replicas === stabilized.replicas ? 'False' : 'True', reason: limited.reason, message: limited.message },
    };
  }

  /** Kubernetes' stabilizeRecommendationWithBehaviors: keep the recommendation between the up and down window bounds. */
  private stabilizeWithWindows(input: NormalizeInput, up: HPAScalingRules, down: HPAScalingRules): { replicas: number; reason: string; message: string } {
    const upCutoff = input.nowMs - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = input.nowMs - (down.stabilizationWindowSeconds ?? 0) * 1000;
    let upRecommendation = input.desiredReplicas;
    let downRecommendation = input.desiredReplicas;
    let oldIndex = -1;
    const recommendations = this.recommendations.get(input.key) ?? [];
    recommendations.forEach((rec, i) => {
      if (rec.timestampMs > upCutoff) upRecommendation = Math.min(rec.recommendation, upRecommendation);
      if (rec.timestampMs > downCutoff) downRecommendation = Math.max(rec.recommendation, downRecommendation);
      if (rec.timestampMs < upCutoff && rec.timestampMs < downCutoff) oldIndex = i;
    });
    let replicas = input.currentReplicas;
    if (replicas < upRecommendation) replicas = upRecommendation;
    if (replicas > downRecommendation) replicas = downRecommendation;
    const entry = { recommendation: input.desiredReplicas, timestampMs: input.nowMs };
    if (oldIndex >= 0) recommendations[oldIndex] = entry;
    else recommendations.push(entry);
    this.recommendations.set(input.key, recommendations);
    return input.desiredReplicas >= input.currentReplicas
      ? { replicas, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
      : { replicas, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  }

  /** Kubernetes' convertDesiredReplicasWithBehaviorRate: the policies' limit, then min/max. */
  private limitRate(input: NormalizeInput, up: HPAScalingRules, down: HPAScalingRules): { replicas: number; reason: string; message: string } {
    const { currentReplicas, desiredReplicas } = input;
    if (desiredReplicas > currentReplicas) {
      const limit = Math.max(currentReplicas, this.scaleUpLimit(input, up));
      let maximum = input.maxReplicas;
      let why = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
      if (maximum > limit) {
        maximum = limit;
        why = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
      }
      if (desiredReplicas > maximum) return { replicas: maximum, ...why };
    } else if (desiredReplicas < currentReplicas) {
      const limit = Math.min(currentReplicas, this.scaleDownLimit(input, down));
      let minimum = input.minReplicas;
      let why = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
      if (minimum < limit) {
        minimum = limit;
        why = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
      }
      if (desiredReplicas < minimum) return { replicas: minimum, ...why };
    }
    return { replicas: desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  private changesWithin(events: ScaleEvent[] | undefined, periodSeconds: number, nowMs: number): number {
    const cutoff = nowMs - periodSeconds * 1000;
    return (events ?? []).filter((e) => e.timestampMs > cutoff).reduce((sum, e) => sum + e.replicaChange, 0);
  }

  private scaleUpLimit(input: NormalizeInput, rules: HPAScalingRules): number {
    if (rules.selectPolicy === 'Disabled') return input.currentReplicas;
    const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
    let result = rules.selectPolicy === 'Min' ? INT32_MAX : INT32_MIN;
    for (const policy of rules.policies ?? []) {
      const added = this.changesWithin(this.scaleUpEvents.get(input.key), policy.periodSeconds, input.nowMs);
      const deleted = this.changesWithin(this.scaleDownEvents.get(input.key), policy.periodSeconds, input.nowMs);
      const periodStart = input.currentReplicas - added + deleted;
      // Percent rounds up: a small percentage of few pods must still allow one more pod.
      const proposed = policy.type === 'Pods' ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
      result = pick(result, proposed);
    }
    return result;
  }

  private scaleDownLimit(input: NormalizeInput, rules: HPAScalingRules): number {
    if (rules.selectPolicy === 'Disabled') return input.currentReplicas;
    // Min selects the smallest change, i.e. the highest lower bound.
    const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
    let result = rules.selectPolicy === 'Min' ? INT32_MIN : INT32_MAX;
    for (const policy of rules.policies ?? []) {
      const added = this.changesWithin(this.scaleUpEvents.get(input.key), policy.periodSeconds, input.nowMs);
      const deleted = this.changesWithin(this.scaleDownEvents.get(input.key), policy.periodSeconds, input.nowMs);
      const periodStart = input.currentReplicas - added + deleted;
      const proposed = policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
      result = pick(result, proposed);
    }
    return result;
  }
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
