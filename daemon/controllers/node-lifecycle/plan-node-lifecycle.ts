// The node lifecycle controller's decisions, as pure functions (Kubernetes' node lifecycle
// controller, monitorNodeHealth, plus its taint manager, without the I/O).
//
// A node tells the cluster it lives in two ways: its kubelet rewrites the Ready condition with a
// fresh lastHeartbeatTime every 10 s, and its gossip member answers pings. The controller decides:
//   1. Health: reachable, or unreachable because no heartbeat was seen for the grace period
//      ("Kubelet stopped posting node status.") or because gossip declares the node dead or gone.
//   2. Conditions: an unreachable node's conditions become Unknown (nobody knows its memory or
//      readiness any more), keeping the last heartbeat time so the user sees when it went quiet.
//   3. Taints: unreachable gets node.kubernetes.io/unreachable, a kubelet reporting Ready=False
//      gets node.kubernetes.io/not-ready, each as NoSchedule (the scheduler stops placing pods
//      there) and NoExecute (the pods already there must go). A healthy node loses both.
//   4. Pods: on an unreachable node every pod stops being Ready at once, so the endpoints
//      controller drops it from Services now instead of after the eviction timeout.
//   5. Eviction (the taint manager): a pod that does not tolerate the NoExecute taint is deleted
//      podEvictionTimeout after the taint's timeAdded; a toleration with tolerationSeconds
//      shortens or lengthens that, and one without tolerationSeconds keeps the pod forever.
//
// "No heartbeat seen" is measured on the controller's own clock, from the moment it saw the
// heartbeat change (Kubernetes' probeTimestamp), not from the timestamp the kubelet wrote: a
// worker whose clock runs a minute behind must not look dead, nor one running ahead look alive.

import type { Node, NodeCondition, Pod, PodCondition, Taint } from '../../../lib/api/types.js';
import { tolerates } from '../../../lib/scheduling.js';
import { rfc3339 } from '../../../lib/time.js';
import type { MembershipState } from '../../../network/gossip/membership-view.js';
import { GOSSIP_STATE_ANNOTATION } from '../../../lib/scheduling.js';
import { NODE_LIFECYCLE_DEFAULTS } from '../../config.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
/** The node annotation that mirrors the server's gossip view of the node. */
export { GOSSIP_STATE_ANNOTATION };

/** How long without a heartbeat before a node is unreachable (kube-controller-manager's --node-monitor-grace-period). */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = NODE_LIFECYCLE_DEFAULTS.nodeMonitorGracePeriodMs;
/** How long pods stay on an unreachable or not-ready node before eviction (DefaultTolerationSeconds' 300 s). */
export const DEFAULT_POD_EVICTION_TIMEOUT_MS = NODE_LIFECYCLE_DEFAULTS.podEvictionTimeoutMs;

export const MESSAGE_STOPPED_POSTING = 'Kubelet stopped posting node status.';
export const MESSAGE_NEVER_POSTED = 'Kubelet never posted node status.';
export const MESSAGE_GOSSIP_DEAD = 'Gossip reports the node dead.';
export const MESSAGE_GOSSIP_LEFT = 'Gossip reports the node left the cluster.';

export type NodeHealth =
  | { state: 'Ready' }
  /** The kubelet posts fresh status but says the node is not ready. */
  | { state: 'NotReady' }
  /** Nobody can vouch for the node: the message says why. */
  | { state: 'Unreachable'; message: string };

export interface NodeHealthInput {
  node: Node;
  /** When this controller last saw the Ready heartbeat change (or first saw the node). */
  heartbeatObservedAt: Date;
  /** The server's gossip view; undefined when gossip does not know the node or does not run. */
  gossipState: MembershipState | undefined;
  now: Date;
  nodeMonitorGracePeriodMs: number;
}

export const readyConditionOf = (node: Node): NodeCondition | undefined => node.status?.conditions?.find((c) => c.type === 'Ready');

/** Is the node reachable, and does its kubelet say it is ready? */
export function planNodeHealth(input: NodeHealthInput): NodeHealth {
  const { node, gossipState } = input;
  // Gossip's verdict comes first: its failure detector is faster than the heartbeat's grace period.
  if (gossipState === 'dead') return { state: 'Unreachable', message: MESSAGE_GOSSIP_DEAD };
  if (gossipState === 'left') return { state: 'Unreachable', message: MESSAGE_GOSSIP_LEFT };
  const ready = readyConditionOf(node);
  const silentMs = input.now.getTime() - input.heartbeatObservedAt.getTime();
  if (silentMs > input.nodeMonitorGracePeriodMs) {
    return { state: 'Unreachable', message: ready ? MESSAGE_STOPPED_POSTING : MESSAGE_NEVER_POSTED };
  }
  // Within the grace period: trust what the kubelet last said. A node that has not posted yet is
  // given the benefit of the doubt until the grace period ends.
  if (!ready || ready.status === 'True') return { state: 'Ready' };
  // Unknown is what we write ourselves: a fresh heartbeat will replace it; until then, still unreachable.
  if (ready.status === 'Unknown') return { state: 'Unreachable', message: ready.message ?? MESSAGE_STOPPED_POSTING };
  return { state: 'NotReady' };
}

/**
 * The conditions to write for an unreachable node: every one Unknown with reason
 * NodeStatusUnknown, lastHeartbeatTime kept. Undefined when nothing changes (already Unknown).
 */
export function planUnknownConditions(node: Node, message: string, now: Date): NodeCondition[] | undefined {
  const at = rfc3339(now);
  const current = node.status?.conditions ?? [];
  let changed = false;
  const next = current.map((condition) => {
    if (condition.status === 'Unknown') return condition;
    changed = true;
    return { ...condition, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message, lastTransitionTime: at };
  });
  if (!current.some((c) => c.type === 'Ready')) {
    changed = true;
    next.push({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message, lastHeartbeatTime: node.metadata.creationTimestamp ?? at, lastTransitionTime: at });
  }
  return changed ? next : undefined;
}

/** The taint key that goes with a health, if any. */
function taintKeyFor(health: NodeHealth): string | undefined {
  if (health.state === 'Unreachable') return TAINT_UNREACHABLE;
  if (health.state === 'NotReady') return TAINT_NOT_READY;
  return undefined;
}

/**
 * The node's taints after this pass: the health's key as NoSchedule and NoExecute (a NoExecute
 * taint keeps its timeAdded, since eviction counts from it), the other health key removed, every
 * other taint (user taints, cordon) untouched. Undefined when nothing changes.
 */
export function planHealthTaints(node: Node, health: NodeHealth, now: Date): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wantedKey = taintKeyFor(health);
  const isHealthTaint = (t: Taint) => t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY;
  const next = current.filter((t) => !isHealthTaint(t) || (t.key === wantedKey && (t.effect === 'NoSchedule' || t.effect === 'NoExecute')));
  if (wantedKey) {
    if (!next.some((t) => t.key === wantedKey && t.effect === 'NoSchedule')) next.push({ key: wantedKey, effect: 'NoSchedule' });
    if (!next.some((t) => t.key === wantedKey && t.effect === 'NoExecute')) next.push({ key: wantedKey, effect: 'NoExecute', timeAdded: rfc3339(now) });
  }
  const same = next.length === current.length && next.every((t, i) => t === current[i]);
  return same ? undefined : next;
}

/**
 * The pod's conditions with Ready (and ContainersReady, when present) False, as Kubernetes'
 * MarkPodsNotReady writes them; undefined for a pod that is not Ready now (it is in no Service's
 * ready addresses, so there is nothing to take away) or has finished (its status is final).
 */
export function planPodNotReady(pod: Pod, now: Date): PodCondition[] | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const conditions = pod.status?.conditions ?? [];
  if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return undefined;
  const at = rfc3339(now);
  return conditions.map((c) =>
    (c.type === 'Ready' || c.type === 'ContainersReady') && c.status !== 'False' ? { ...c, status: 'False', lastProbeTime: null, lastTransitionTime: at } : c,
  );
}

/**
 * How long the pod may stay on a node with this NoExecute taint (the taint manager's
 * getMinTolerationTime): undefined for forever (a matching toleration without tolerationSeconds),
 * the shortest tolerationSeconds of the matching tolerations, or the default when none matches.
 */
export function podToleranceMs(pod: Pod, taint: Taint, defaultMs: number): number | undefined {
  const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
  if (matching.length === 0) return defaultMs;
  const limited = matching.filter((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null);
  if (limited.length === 0) return undefined;
  return Math.max(0, Math.min(...limited.map((t) => t.tolerationSeconds!))) * 1000;
}

export interface PlannedEviction {
  pod: Pod;
  /** The NoExecute taint the pod is evicted for. */
  taint: Taint;
}

/**
 * The pods to delete now: those on a node with a health NoExecute taint whose tolerance has run
 * out since the taint's timeAdded. Also returns when the next pod's tolerance runs out, so the
 * controller can come back then instead of polling.
 */
export function planEvictions(taints: Taint[], pods: Pod[], now: Date, podEvictionTimeoutMs: number): { evict: PlannedEviction[]; nextAt?: Date } {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute' && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY));
  const evict: PlannedEviction[] = [];
  let nextMs: number | undefined;
  for (const pod of pods) {
    for (const taint of noExecute) {
      const toleranceMs = podToleranceMs(pod, taint, podEvictionTimeoutMs);
      if (toleranceMs === undefined) continue;
      const addedMs = taint.timeAdded ? Date.parse(taint.timeAdded) : now.getTime();
      const deadlineMs = addedMs + toleranceMs;
      if (deadlineMs <= now.getTime()) {
        evict.push({ pod, taint });
        break;
      }
      nextMs = nextMs === undefined ? deadlineMs : Math.min(nextMs, deadlineMs);
    }
  }
  return { evict, ...(nextMs !== undefined ? { nextAt: new Date(nextMs) } : {}) };
}

/**
 * The annotations after mirroring the gossip state (removed when gossip does not know the node),
 * or undefined when unchanged. Without a membership view at all, the controller skips this.
 */
export function planGossipAnnotation(node: Node, gossipState: MembershipState | undefined): Record<string, string> | undefined {
  const annotations = node.metadata.annotations ?? {};
  if (annotations[GOSSIP_STATE_ANNOTATION] === gossipState) return undefined;
  const next = { ...annotations };
  if (gossipState === undefined) delete next[GOSSIP_STATE_ANNOTATION];
  else next[GOSSIP_STATE_ANNOTATION] = gossipState;
  return next;
}
