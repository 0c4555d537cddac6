// Which nodes should run a DaemonSet's pod: Kubernetes' NodeShouldRunDaemonPod and
// AddOrUpdateDaemonPodTolerations (pkg/controller/daemon), as pure functions.
//
// A DaemonSet does not ask the scheduler "where?": the answer is "on every node that fits". A
// node fits when the pod's nodeSelector matches its labels and the pod tolerates its taints.
// Two answers come back, because taints have two strengths:
// - shouldRun: a new daemon pod may be placed here;
// - shouldContinueRunning: a daemon pod already here may stay. An untolerated NoSchedule taint
//   stops new pods but leaves running ones alone; an untolerated NoExecute taint, or a node whose
//   labels stopped matching, means the pod must go.
//
// Daemon pods are the node's own services (log shippers, network agents), so Kubernetes adds
// tolerations to every one of them: they stay on a node that is not ready or unreachable (they
// may be what makes it ready again), and they go on nodes under disk, memory or PID pressure, on
// cordoned nodes, and (hostNetwork pods only) on nodes whose pod network is not up yet.

import type { Node, PodSpec, Taint, Toleration } from '../../../lib/api/types.js';
import { tolerates } from '../../../lib/scheduling.js';

/** The tolerations every daemon pod gets, in the order Kubernetes adds them. */
export const DAEMON_POD_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Only pods on the host's network can run before the node's pod network is up. */
export const NETWORK_UNAVAILABLE_TOLERATION: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

/** Same key, operator, value and effect: Kubernetes' Toleration.MatchToleration. */
const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/**
 * The template's tolerations plus the daemon ones. A user's toleration that matches one of them
 * is replaced by it: a daemon pod never leaves a not-ready node after tolerationSeconds.
 */
export function daemonPodTolerations(spec: PodSpec): Toleration[] {
  const added = [...DAEMON_POD_TOLERATIONS, ...(spec.hostNetwork === true ? [NETWORK_UNAVAILABLE_TOLERATION] : [])];
  const tolerations = [...(spec.tolerations ?? [])];
  for (const toleration of added) {
    const at = tolerations.findIndex((t) => sameToleration(t, toleration));
    if (at >= 0) tolerations[at] = toleration;
    else tolerations.push(toleration);
  }
  return tolerations;
}

export interface Placement {
  /** A new daemon pod may be placed on this node. */
  shouldRun: boolean;
  /** A daemon pod already on this node may stay. */
  shouldContinueRunning: boolean;
  /** Why not, when shouldRun is false: for logs and tests. */
  reason?: string;
}

/**
 * NodeShouldRunDaemonPod. `spec` is the pod spec with the daemon tolerations already added
 * (daemonPodTolerations). kubelab's DaemonSets have no affinity (the API refuses it), so the
 * node selector is the whole of "which nodes"; a template naming a nodeName picks that node only.
 */
export function placeDaemonPod(node: Node, spec: PodSpec): Placement {
  const name = node.metadata.name ?? '';
  if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false, reason: `the template names node ${spec.nodeName}` };
  const labels = node.metadata.labels ?? {};
  const selected = Object.entries(spec.nodeSelector ?? {}).every(([key, value]) => labels[key] === value);
  if (!selected) return { shouldRun: false, shouldContinueRunning: false, reason: "node didn't match the pod's node selector" };

  const tolerations = spec.tolerations ?? [];
  const untolerated = (effect: Taint['effect']) => (node.spec?.taints ?? []).find((taint) => taint.effect === effect && !tolerations.some((t) => tolerates(t, taint)));
  const noExecute = untolerated('NoExecute');
  if (noExecute) return { shouldRun: false, shouldContinueRunning: false, reason: `untolerated taint ${noExecute.key}:NoExecute` };
  const noSchedule = untolerated('NoSchedule');
  if (noSchedule) return { shouldRun: false, shouldContinueRunning: true, reason: `untolerated taint ${noSchedule.key}:NoSchedule` };
  return { shouldRun: true, shouldContinueRunning: true };
}
