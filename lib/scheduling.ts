// The scheduler's decisions, as pure functions: kube-scheduler's framework reduced to its two
// phases and a pick.
//
// 1. Filter: each node runs a list of named filters, like the scheduler's Filter plugins, in the
//    same order (plus one of ours: a node that gossip declares dead is left out at once); the first filter that rejects a node gives the reason(s). The reasons of all
//    rejected nodes are counted, so an unschedulable pod says *why* on every node:
//    `0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.`
// 2. Score: each feasible node gets points for free resources (LeastAllocated) and for holding
//    few pods of the same controller (spreading replicas, PodTopologySpread's default).
// 3. Pick: the highest score; ties are broken at random, so equal nodes share the load.
//
// Binding (writing spec.nodeName) and events belong to daemon/scheduler/scheduler.ts.

import { parseCpuMillis, parseMemoryBytes } from './api/quantity.js';
import type { Container, Node, Pod, Taint, Toleration } from './api/types.js';
import { errorMessage } from './errors.js';

export const REASON_NOT_READY = 'node(s) were not ready';
export const REASON_UNREACHABLE = 'node(s) were unreachable';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_SELECTOR = "node(s) didn't match Pod's node affinity/selector";
export const REASON_HOST_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_UNREADABLE_NODE = 'node(s) had fields the scheduler cannot read';
export const untoleratedTaintReason = (taint: Taint): string => `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;

/** Pods on each node, by node name (all of them; filters skip terminated ones). */
export type PodsOnNodes = Map<string, Pod[]>;

/** A filter: the reasons this node cannot run the pod, empty when it can. */
export type NodeFilter = (pod: Pod, node: Node, podsOnNode: Pod[]) => string[];

const isTerminated = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const activePods = (pods: Pod[]): Pod[] => pods.filter((p) => !isTerminated(p));

export function nodeIsReady(_pod: Pod, node: Node): string[] {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? [] : [REASON_NOT_READY];
}

/**
 * The server's gossip view of a node (alive, suspect, dead, left), written by the node lifecycle
 * controller as an annotation so every component, and `get nodes -o wide`, can read it.
 */
export const GOSSIP_STATE_ANNOTATION = 'kubelab.io/gossip-state';
const UNREACHABLE_TAINT: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

/**
 * Gossip is the fastest news of a lost host: its peers stop hearing it within seconds, long
 * before its heartbeat goes stale and the lifecycle controller turns Ready Unknown and taints it
 * unreachable. A node gossip calls dead (or that left) gets no new pods meanwhile. A suspect node
 * still does: suspicion is often a lost packet, and is refuted or confirmed within seconds.
 * A pod that tolerates the unreachable taint goes there anyway, as it would once the taint is set.
 */
export function nodeIsAlive(pod: Pod, node: Node): string[] {
  const state = node.metadata.annotations?.[GOSSIP_STATE_ANNOTATION];
  if (state !== 'dead' && state !== 'left') return [];
  const tolerated = (pod.spec.tolerations ?? []).some((t) => tolerates(t, UNREACHABLE_TAINT));
  return tolerated ? [] : [REASON_UNREACHABLE];
}

/** Whether one toleration tolerates one taint (Kubernetes' Toleration.ToleratesTaint). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  // An empty key with Exists tolerates every taint.
  if (toleration.operator === 'Exists') return true;
  return (toleration.key ?? '') === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeIsSchedulable(pod: Pod, node: Node): string[] {
  if (!node.spec?.unschedulable) return [];
  // `kubectl cordon` is tolerated like a taint (DaemonSet pods tolerate it).
  const tolerated = (pod.spec.tolerations ?? []).some((t) => tolerates(t, UNSCHEDULABLE_TAINT));
  return tolerated ? [] : [REASON_UNSCHEDULABLE];
}

export function taintsTolerated(pod: Pod, node: Node): string[] {
  const tolerations = pod.spec.tolerations ?? [];
  const untolerated = (node.spec?.taints ?? []).find(
    (taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerations.some((t) => tolerates(t, taint)),
  );
  return untolerated ? [untoleratedTaintReason(untolerated)] : [];
}

export function nodeSelectorMatches(pod: Pod, node: Node): string[] {
  const labels = node.metadata.labels ?? {};
  const matches = Object.entries(pod.spec.nodeSelector ?? {}).every(([key, value]) => labels[key] === value);
  return matches ? [] : [REASON_NODE_SELECTOR];
}

interface HostPort {
  hostIP: string;
  protocol: string;
  hostPort: number;
}

function hostPortsOf(pod: Pod): HostPort[] {
  return pod.spec.containers.flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => p.hostPort)
      .map((p) => ({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', hostPort: p.hostPort! })),
  );
}

const portsConflict = (a: HostPort, b: HostPort): boolean =>
  a.hostPort === b.hostPort && a.protocol === b.protocol && (a.hostIP === b.hostIP || a.hostIP === '0.0.0.0' || b.hostIP === '0.0.0.0');

export function hostPortsFree(pod: Pod, _node: Node, podsOnNode: Pod[]): string[] {
  const wanted = hostPortsOf(pod);
  if (wanted.length === 0) return [];
  const used = activePods(podsOnNode).flatMap(hostPortsOf);
  return wanted.some((w) => used.some((u) => portsConflict(w, u))) ? [REASON_HOST_PORTS] : [];
}

export interface ResourceRequest {
  milliCpu: number;
  memoryBytes: number;
}

function containerRequest(c: Container): ResourceRequest {
  // An unset request defaults to the limit, as the API server's defaulting does.
  const cpu = c.resources?.requests?.cpu ?? c.resources?.limits?.cpu;
  const memory = c.resources?.requests?.memory ?? c.resources?.limits?.memory;
  return { milliCpu: cpu ? parseCpuMillis(cpu) : 0, memoryBytes: memory ? parseMemoryBytes(memory) : 0 };
}

/** What a pod asks for: the sum of its containers, or its largest init container if that is more. */
export function podRequest(pod: Pod): ResourceRequest {
  const sum = pod.spec.containers.map(containerRequest).reduce((a, b) => ({ milliCpu: a.milliCpu + b.milliCpu, memoryBytes: a.memoryBytes + b.memoryBytes }), { milliCpu: 0, memoryBytes: 0 });
  for (const init of (pod.spec.initContainers ?? []).map(containerRequest)) {
    sum.milliCpu = Math.max(sum.milliCpu, init.milliCpu);
    sum.memoryBytes = Math.max(sum.memoryBytes, init.memoryBytes);
  }
  return sum;
}

function requestedOnNode(podsOnNode: Pod[]): ResourceRequest {
  return activePods(podsOnNode)
    .map(podRequest)
    .reduce((a, b) => ({ milliCpu: a.milliCpu + b.milliCpu, memoryBytes: a.memoryBytes + b.memoryBytes }), { milliCpu: 0, memoryBytes: 0 });
}

export interface Allocatable {
  milliCpu: number;
  memoryBytes: number;
  pods: number;
}

export function allocatableOf(node: Node): Allocatable {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    milliCpu: a.cpu ? parseCpuMillis(a.cpu) : 0,
    memoryBytes: a.memory ? parseMemoryBytes(a.memory) : 0,
    pods: a.pods ? Number(a.pods) : 0,
  };
}

/** NodeResourcesFit: the pod's requests fit in what is allocatable minus what other pods requested. */
export function resourcesFit(pod: Pod, node: Node, podsOnNode: Pod[]): string[] {
  const allocatable = allocatableOf(node);
  const requested = requestedOnNode(podsOnNode);
  const wanted = podRequest(pod);
  const reasons: string[] = [];
  if (activePods(podsOnNode).length + 1 > allocatable.pods) reasons.push(REASON_TOO_MANY_PODS);
  if (wanted.milliCpu > 0 && wanted.milliCpu > allocatable.milliCpu - requested.milliCpu) reasons.push(REASON_INSUFFICIENT_CPU);
  if (wanted.memoryBytes > 0 && wanted.memoryBytes > allocatable.memoryBytes - requested.memoryBytes) reasons.push(REASON_INSUFFICIENT_MEMORY);
  return reasons;
}

/** The filters, in the order kube-scheduler runs its Filter plugins. */
export const FILTERS: readonly NodeFilter[] = [nodeIsReady, nodeIsAlive, nodeIsSchedulable, taintsTolerated, nodeSelectorMatches, hostPortsFree, resourcesFit];

export interface FilterResult {
  feasible: Node[];
  /** How many nodes each reason rejected. */
  reasons: Map<string, number>;
}

export function filterNodes(pod: Pod, nodes: Node[], podsOnNodes: PodsOnNodes): FilterResult {
  const feasible: Node[] = [];
  const reasons = new Map<string, number>();
  for (const node of nodes) {
    const podsOnNode = podsOnNodes.get(node.metadata.name!) ?? [];
    let rejected: string[] | undefined;
    try {
      rejected = FILTERS.map((filter) => filter(pod, node, podsOnNode)).find((r) => r.length > 0);
    } catch {
      // A node whose fields are of the wrong shape (stored before validation existed) fits no
      // pod, and must not stop the other nodes from being considered.
      rejected = [REASON_UNREADABLE_NODE];
    }
    if (!rejected) {
      feasible.push(node);
      continue;
    }
    for (const reason of rejected) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return { feasible, reasons };
}

/** The FailedScheduling message, exactly as kube-scheduler's FitError writes it. */
export function formatUnschedulable(totalNodes: number, reasons: Map<string, number>): string {
  if (totalNodes === 0) return 'no nodes available to schedule pods';
  // Kubernetes sorts the "<count> <reason>" strings themselves.
  const histogram = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${totalNodes} nodes are available${histogram.length ? `: ${histogram.join(', ')}` : ''}.`;
}

/**
 * Why the scheduling maths cannot read this pod, or undefined when it can. The API refuses such
 * pods today, but one stored before validation existed (`ports: "80"`) must not make every
 * scheduling pass throw: the scheduler leaves a bound one out of its node's accounting and does
 * not try to place a pending one, and says so in an event on the pod.
 */
export function unreadablePodProblem(pod: Pod): string | undefined {
  const spec = pod.spec as unknown;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return 'spec is not an object';
  const { containers, initContainers } = spec as { containers?: unknown; initContainers?: unknown };
  if (!Array.isArray(containers)) return 'spec.containers is not a list';
  if (initContainers !== undefined && !Array.isArray(initContainers)) return 'spec.initContainers is not a list';
  for (const [field, list] of [['containers', containers], ['initContainers', initContainers ?? []]] as const) {
    for (const [i, container] of (list as unknown[]).entries()) {
      const path = `spec.${field}[${i}]`;
      if (!container || typeof container !== 'object' || Array.isArray(container)) return `${path} is not an object`;
      const { ports, resources } = container as { ports?: unknown; resources?: unknown };
      if (ports !== undefined && ports !== null && !Array.isArray(ports)) return `${path}.ports is not a list`;
      for (const [j, port] of ((ports as unknown[]) ?? []).entries()) {
        if (!port || typeof port !== 'object' || Array.isArray(port)) return `${path}.ports[${j}] is not an object`;
      }
      if (resources !== undefined && resources !== null && (typeof resources !== 'object' || Array.isArray(resources))) return `${path}.resources is not an object`;
    }
  }
  try {
    hostPortsOf(pod);
    nonZeroRequest(pod);
    controllerUid(pod);
  } catch (error) {
    return errorMessage(error);
  }
  return undefined;
}

// Scoring --------------------------------------------------------------------------------------

/** Pods without requests still count a little when scoring (kube-scheduler's non-zero defaults). */
const DEFAULT_MILLI_CPU_REQUEST = 100;
const DEFAULT_MEMORY_REQUEST_BYTES = 200 * 1024 * 1024;
const MAX_NODE_SCORE = 100;
/** PodTopologySpread weighs twice as much as the resources score in kube-scheduler's defaults. */
const SPREAD_WEIGHT = 2;

function nonZeroRequest(pod: Pod): ResourceRequest {
  const r = podRequest(pod);
  return { milliCpu: r.milliCpu || DEFAULT_MILLI_CPU_REQUEST, memoryBytes: r.memoryBytes || DEFAULT_MEMORY_REQUEST_BYTES };
}

/** LeastAllocated: the share of cpu and memory left free after placing the pod, 0-100. */
export function leastAllocatedScore(pod: Pod, node: Node, podsOnNode: Pod[]): number {
  const allocatable = allocatableOf(node);
  const requested = [...activePods(podsOnNode), pod].map(nonZeroRequest).reduce((a, b) => ({ milliCpu: a.milliCpu + b.milliCpu, memoryBytes: a.memoryBytes + b.memoryBytes }));
  const free = (capacity: number, used: number) => (capacity <= 0 || used > capacity ? 0 : ((capacity - used) * MAX_NODE_SCORE) / capacity);
  return Math.floor((free(allocatable.milliCpu, requested.milliCpu) + free(allocatable.memoryBytes, requested.memoryBytes)) / 2);
}

const controllerUid = (pod: Pod): string | undefined => pod.metadata.ownerReferences?.find((o) => o.controller)?.uid ?? pod.metadata.ownerReferences?.[0]?.uid;

export interface NodeScore {
  node: string;
  score: number;
}

/** Least-allocated plus spreading of the pods of one controller across nodes. */
export function scoreNodes(pod: Pod, feasible: Node[], podsOnNodes: PodsOnNodes): NodeScore[] {
  const owner = controllerUid(pod);
  const siblings = (node: Node) => (owner ? activePods(podsOnNodes.get(node.metadata.name!) ?? []).filter((p) => controllerUid(p) === owner).length : 0);
  const counts = feasible.map(siblings);
  const most = Math.max(0, ...counts);
  return feasible.map((node, i) => {
    const spread = most === 0 ? MAX_NODE_SCORE : Math.floor(((most - counts[i]) * MAX_NODE_SCORE) / most);
    return { node: node.metadata.name!, score: leastAllocatedScore(pod, node, podsOnNodes.get(node.metadata.name!) ?? []) + SPREAD_WEIGHT * spread };
  });
}

/** The node with the highest score; among equals, one chosen by `random` (0 <= random() < 1). */
export function pickNode(scores: NodeScore[], random: () => number = Math.random): string | undefined {
  if (scores.length === 0) return undefined;
  const best = Math.max(...scores.map((s) => s.score));
  const top = scores.filter((s) => s.score === best);
  return top[Math.min(top.length - 1, Math.floor(random() * top.length))].node;
}
