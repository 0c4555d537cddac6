// The DaemonSet controller's decisions, as pure functions: Kubernetes' podsShouldBeOnNode (the
// "manage" step), rollingUpdate (update.go) and updateDaemonSetStatus, without the I/O.
//
// A DaemonSet's whole idea is a loop over the nodes: for each, does it want a daemon pod
// (placeDaemonPod), and how many of ours are there?
//   wants one, has none      -> create one, bound to that node;
//   may keep one, has two+   -> keep the oldest, delete the others (during a surge: one old, one new);
//   has a finished pod       -> delete it, a fresh one comes next pass;
//   must not have one        -> delete what is there (its labels stopped matching, or a NoExecute taint).
// A rolling update then replaces pods whose controller-revision-hash label is not the current
// template's, one bounded step at a time:
// - maxUnavailable (the default, 1): delete old pods on up to maxUnavailable nodes, counting every
//   node that already has no available pod against that budget. The manage step fills the gap
//   with a new pod once the old one is gone. So with 1, at most one node is without a working
//   daemon pod at any moment.
// - maxSurge: start a new pod beside the old one on up to maxSurge nodes; delete the old pod once
//   the new one is available. No node is ever without a daemon pod.
// OnDelete does nothing here: an old pod is replaced only when the user deletes it.
//
// A pod being deleted (deletionTimestamp set) still occupies its node: no new pod is made there
// until it is gone, so two daemon pods of one DaemonSet never hold the node's ports at once.

import type { Node, Pod, PodSpec } from '../../../lib/api/types.js';
import { isPodAvailable, isPodReady } from '../pod-state.js';
import { placeDaemonPod } from './daemon-placement.js';

/** The label that says which template version (ControllerRevision) made a pod. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

export interface DaemonUpdateStrategy {
  type: 'RollingUpdate' | 'OnDelete';
  maxUnavailable?: number | string;
  maxSurge?: number | string;
}

export interface DaemonSetPlanInput {
  nodes: Node[];
  /** The DaemonSet's own pods, whatever their phase, including those being deleted. */
  pods: Pod[];
  /** The template's pod spec with the daemon tolerations added. */
  podSpec: PodSpec;
  /** The current template's hash: pods carrying another one are old. */
  hash: string;
  strategy: DaemonUpdateStrategy;
  minReadySeconds: number;
  now: Date;
  /** Nodes where a failed daemon pod must wait out its back-off before it is deleted and made again. */
  failedBackoffNodes?: ReadonlySet<string>;
}

export interface DaemonSetPlan {
  /** Nodes to create a daemon pod on (each at most once). */
  createOn: string[];
  /** Pods to delete (each at most once). */
  delete: Pod[];
}

const isFinished = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const isDeleting = (pod: Pod): boolean => Boolean(pod.metadata.deletionTimestamp);
const keyOf = (pod: Pod): string => pod.metadata.uid ?? pod.metadata.name ?? '';
const isUpdated = (pod: Pod, hash: string): boolean => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;

/** Oldest first (podByCreationTimestampAndPhase): the pod that has run longest is the one kept. */
export function oldestFirst(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => {
    const timeA = a.metadata.creationTimestamp ?? '';
    const timeB = b.metadata.creationTimestamp ?? '';
    if (timeA !== timeB) return Date.parse(timeA || '0') - Date.parse(timeB || '0');
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
}

/** The pods on each node, by node name; pods bound to no node are left out (ours always are bound). */
export function podsByNode(pods: Pod[]): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const node = pod.spec.nodeName;
    if (!node) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return byNode;
}

/**
 * intstr.GetScaledValueFromIntOrPercent, rounding up: `25%` of 3 nodes is 1. Both zero (only
 * possible for a DaemonSet stored before validation) means 1, so an update always moves.
 */
export function resolveRollingBudget(strategy: DaemonUpdateStrategy, desired: number): { maxUnavailable: number; maxSurge: number } {
  const scale = (value: number | string | undefined): number => {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && value.endsWith('%')) return Math.ceil((parseInt(value, 10) * desired) / 100);
    return 0;
  };
  const maxSurge = scale(strategy.maxSurge);
  const maxUnavailable = scale(strategy.maxUnavailable);
  return maxSurge === 0 && maxUnavailable === 0 ? { maxUnavailable: 1, maxSurge: 0 } : { maxUnavailable, maxSurge };
}

export function planDaemonSet(input: DaemonSetPlanInput): DaemonSetPlan {
  const { nodes, podSpec, hash, minReadySeconds, now } = input;
  const budget = resolveRollingBudget(input.strategy, nodes.filter((node) => placeDaemonPod(node, podSpec).shouldRun).length);
  const surging = input.strategy.type === 'RollingUpdate' && budget.maxSurge > 0;
  const byNode = podsByNode(input.pods);
  const createOn: string[] = [];
  const toDelete = new Map<string, Pod>();
  const remove = (pod: Pod) => toDelete.set(keyOf(pod), pod);

  // 1. Manage: the right number of daemon pods on each node.
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const { shouldRun, shouldContinueRunning } = placeDaemonPod(node, podSpec);
    const pods = byNode.get(name) ?? [];
    if (shouldRun && pods.length === 0) {
      createOn.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods) {
        if (isDeleting(pod)) continue;
        // A failed pod is replaced, but not faster than its node's back-off allows (the node may
        // keep rejecting it); a pod that exited successfully is simply replaced.
        if (pod.status?.phase === 'Failed' && input.failedBackoffNodes?.has(name)) continue;
        if (isFinished(pod)) remove(pod);
        else running.push(pod);
      }
      for (const pod of excessPods(oldestFirst(running), surging, hash, minReadySeconds, now)) remove(pod);
    } else {
      for (const pod of pods) if (!isDeleting(pod)) remove(pod);
    }
  }
  // Pods bound to a node that no longer exists (Kubernetes' pod GC deletes these; kubelab has none).
  const known = new Set(nodes.map((node) => node.metadata.name));
  for (const [name, pods] of byNode) if (!known.has(name)) for (const pod of pods) if (!isDeleting(pod)) remove(pod);

  // 2. Rolling update, on the pods as they will be after step 1.
  if (input.strategy.type === 'RollingUpdate') {
    // Only nodes that want a daemon pod take part: a node that merely keeps its pod (untolerated
    // NoSchedule taint) would lose it for good if the update deleted it.
    const after = new Map<string, Pod[]>();
    for (const node of nodes) {
      if (!placeDaemonPod(node, podSpec).shouldRun) continue;
      const name = node.metadata.name ?? '';
      after.set(name, (byNode.get(name) ?? []).filter((pod) => !toDelete.has(keyOf(pod))));
    }
    const step = surging ? planSurgeStep(after, hash, budget.maxSurge, minReadySeconds, now) : planUnavailableStep(after, hash, budget.maxUnavailable, minReadySeconds, now);
    for (const pod of step.delete) remove(pod);
    for (const name of step.createOn) if (!createOn.includes(name)) createOn.push(name);
  }
  return { createOn, delete: [...toDelete.values()] };
}

/**
 * Which of a node's running pods (oldest first) are too many. Without surge, all but the oldest.
 * With surge, at most one new and one old; the old one goes once it is not ready or the new one
 * is available.
 */
function excessPods(running: Pod[], surging: boolean, hash: string, minReadySeconds: number, now: Date): Pod[] {
  if (running.length <= 1) return [];
  if (!surging) return running.slice(1);
  const excess: Pod[] = [];
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    if (isUpdated(pod, hash) && !oldestNew) oldestNew = pod;
    else if (!isUpdated(pod, hash) && !oldestOld) oldestOld = pod;
    else excess.push(pod);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReadySeconds, now))) excess.push(oldestOld);
  return excess;
}

/** A node's live pods split into the one new and the one old; undefined when there are more (manage cleans up first). */
function splitNodePods(pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (isDeleting(pod)) continue;
    if (isUpdated(pod, hash)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** maxUnavailable: delete old pods while fewer than maxUnavailable nodes lack an available pod. */
function planUnavailableStep(byNode: Map<string, Pod[]>, hash: string, maxUnavailable: number, minReadySeconds: number, now: Date): DaemonSetPlan {
  let unavailable = 0;
  const replaceNow: Pod[] = [];
  const candidates: Pod[] = [];
  // Node order is stable (by name), so successive passes pick the same next node.
  for (const name of [...byNode.keys()].sort()) {
    const split = splitNodePods(byNode.get(name) ?? [], hash);
    if (!split) {
      unavailable++;
      continue;
    }
    const { newPod, oldPod } = split;
    if ((!newPod && !oldPod) || (newPod && oldPod)) {
      // Being created, or mid-replacement: the manage step is on it; the node counts as down.
      unavailable++;
    } else if (newPod) {
      if (!isPodAvailable(newPod, minReadySeconds, now)) unavailable++;
    } else if (oldPod) {
      // An old pod that is not working anyway is replaced at once: nothing is lost. Its node is
      // down all the same, so it uses up budget (Kubernetes does not count it, and so may take
      // one more working node down than maxUnavailable says).
      if (!isPodAvailable(oldPod, minReadySeconds, now)) {
        replaceNow.push(oldPod);
        unavailable++;
      } else {
        candidates.push(oldPod);
      }
    }
  }
  const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
  return { createOn: [], delete: [...replaceNow, ...candidates.slice(0, room)] };
}

/** maxSurge: start new pods beside old ones on up to maxSurge nodes; delete an old pod once its new one is available. */
function planSurgeStep(byNode: Map<string, Pod[]>, hash: string, maxSurge: number, minReadySeconds: number, now: Date): DaemonSetPlan {
  let surging = 0;
  const deleteOld: Pod[] = [];
  const replaceNow: string[] = [];
  const candidates: string[] = [];
  for (const name of [...byNode.keys()].sort()) {
    const split = splitNodePods(byNode.get(name) ?? [], hash);
    if (!split) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = split;
    if (!oldPod) continue;
    if (!newPod) {
      if (!isPodAvailable(oldPod, minReadySeconds, now)) replaceNow.push(name);
      else candidates.push(name);
    } else if (!isPodAvailable(newPod, minReadySeconds, now)) {
      surging++;
    } else {
      deleteOld.push(oldPod);
    }
  }
  const room = Math.max(0, Math.min(maxSurge - surging, candidates.length));
  return { createOn: [...replaceNow, ...candidates.slice(0, room)], delete: deleteOld };
}

// ---------------------------------------------------------------------------------------------
// Status

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/**
 * updateDaemonSetStatus: per node that should run the pod, its oldest live daemon pod counts as
 * scheduled, ready, available and updated (current hash); a node that should not run one but has
 * one is misscheduled. Pods being deleted or finished do not count.
 */
export function countDaemonPods(input: Omit<DaemonSetPlanInput, 'strategy' | 'failedBackoffNodes'>): DaemonSetCounts {
  const { nodes, podSpec, hash, minReadySeconds, now } = input;
  const byNode = podsByNode(input.pods.filter((pod) => !isDeleting(pod) && !isFinished(pod)));
  const counts: DaemonSetCounts = {
    desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0,
    updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  for (const node of nodes) {
    const pods = oldestFirst(byNode.get(node.metadata.name ?? '') ?? []);
    if (!placeDaemonPod(node, podSpec).shouldRun) {
      if (pods.length > 0) counts.numberMisscheduled++;
      continue;
    }
    counts.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    counts.currentNumberScheduled++;
    const pod = pods[0];
    if (isPodReady(pod)) {
      counts.numberReady++;
      if (isPodAvailable(pod, minReadySeconds, now)) counts.numberAvailable++;
    }
    if (isUpdated(pod, hash)) counts.updatedNumberScheduled++;
  }
  counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;
  return counts;
}
