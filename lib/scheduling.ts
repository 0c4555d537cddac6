// The scheduler's decisions, as pure functions: kube-scheduler's framework reduced to its
// phases and a pick.
//
// 1. PreFilter: plugins that look beyond one node (inter-pod affinity, topology spread) count,
//    once per pod, the pods of each topology domain (lib/scheduling/*.ts).
// 2. Filter: each node runs a list of named filters, like the scheduler's Filter plugins, in the
//    same order (plus ours: a node not Ready or that gossip declares dead is left out at once); the
//    first filter that rejects a node gives the reason(s). The reasons of all rejected nodes are
//    counted, so an unschedulable pod says *why* on every node, and what preemption could do:
//    `0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.
//    preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`
// 3. Score: each feasible node gets points from the Score plugins, weighted as kube-scheduler's
//    default profile weighs them: free resources (LeastAllocated, x1), preferred node affinity
//    (x2), preferred inter-pod affinity (x2) and topology spread (x2: the pod's ScheduleAnyway
//    constraints, or, when it has none, few pods of the same controller per node, the default).
// 4. Pick: the highest score; ties are broken at random, so equal nodes share the load.
//
// kubelab has no pod priorities, so preemption never finds a victim; the message still says so,
// as kube-scheduler's does. Binding (writing spec.nodeName) and events belong to
// daemon/scheduler/scheduler.ts.

import { parseCpuMillis, parseMemoryBytes } from './api/quantity.js';
import type { Container, Node, Pod, Taint } from './api/types.js';
import { errorMessage } from './errors.js';
import { activePods, type ClusterSnapshot, type PodsOnNodes } from './scheduling/cluster-snapshot.js';
import { interPodAffinityFilter, interPodAffinityPreFilter, interPodAffinityScores, REASON_POD_AFFINITY, type InterPodAffinityState } from './scheduling/inter-pod-affinity.js';
import { nodeAffinityFilter, nodeAffinityScores, REASON_NODE_AFFINITY, type PluginScores } from './scheduling/node-affinity.js';
import {
  hasSpreadConstraints, REASON_SPREAD_MISSING_LABEL, topologySpreadFilter, topologySpreadPreFilter, topologySpreadScores, type TopologySpreadState,
} from './scheduling/pod-topology-spread.js';
import { tolerates, untoleratedTaint } from './scheduling/tolerations.js';

export { tolerates } from './scheduling/tolerations.js';
export type { ClusterSnapshot, PodsOnNodes } from './scheduling/cluster-snapshot.js';

export const REASON_NOT_READY = 'node(s) were not ready';
export const REASON_UNREACHABLE = 'node(s) were unreachable';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_SELECTOR = REASON_NODE_AFFINITY;
export const REASON_HOST_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_UNREADABLE_NODE = 'node(s) had fields the scheduler cannot read';
export const untoleratedTaintReason = (taint: Taint): string => `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;

/** What the PreFilter plugins computed for this pod, once per scheduling attempt. */
export interface CycleState {
  interPodAffinity: InterPodAffinityState;
  topologySpread: TopologySpreadState;
}

/** A filter: the reasons this node cannot run the pod, empty when it can. */
export type NodeFilter = (pod: Pod, node: Node, podsOnNode: Pod[], cycle: CycleState) => string[];

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

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeIsSchedulable(pod: Pod, node: Node): string[] {
  if (!node.spec?.unschedulable) return [];
  // `kubectl cordon` is tolerated like a taint (DaemonSet pods tolerate it).
  const tolerated = (pod.spec.tolerations ?? []).some((t) => tolerates(t, UNSCHEDULABLE_TAINT));
  return tolerated ? [] : [REASON_UNSCHEDULABLE];
}

export function taintsTolerated(pod: Pod, node: Node): string[] {
  const untolerated = untoleratedTaint(pod, node);
  return untolerated ? [untoleratedTaintReason(untolerated)] : [];
}

/** NodeAffinity: spec.nodeSelector and required node affinity (lib/scheduling/node-affinity.ts). */
export const nodeAffinityMatches: NodeFilter = (pod, node) => nodeAffinityFilter(pod, node);
/** PodTopologySpread's DoNotSchedule constraints (lib/scheduling/pod-topology-spread.ts). */
export const topologySpreadFits: NodeFilter = (pod, node, _pods, cycle) => topologySpreadFilter(pod, node, cycle.topologySpread);
/** InterPodAffinity's required terms, the pod's and the running pods' (lib/scheduling/inter-pod-affinity.ts). */
export const interPodAffinityFits: NodeFilter = (pod, node, _pods, cycle) => interPodAffinityFilter(pod, node, cycle.interPodAffinity);

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

/**
 * Requests already added up, by pod spec. The filters and scores ask for the request of every pod
 * on every node for each pod placed (with 1,000 pods: millions of calls, the scheduler's largest
 * cost in bench/scheduler.ts). The specs they read are the store's published objects or copies of
 * them, which nobody changes in place: a write stores a new object.
 */
const requests = new WeakMap<Pod['spec'], ResourceRequest>();

/** What a pod asks for: the sum of its containers, or its largest init container if that is more. */
export function podRequest(pod: Pod): ResourceRequest {
  let request = requests.get(pod.spec);
  if (!request) {
    request = addUpRequests(pod);
    requests.set(pod.spec, request);
  }
  return { ...request };
}

function addUpRequests(pod: Pod): ResourceRequest {
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

/**
 * The filters, in the order kube-scheduler runs its Filter plugins (PodTopologySpread and
 * InterPodAffinity last), each under its plugin's name (NodeReady and NodeAlive are kubelab's
 * own: kube-scheduler leaves not-ready nodes to their taints). The names head the columns of the
 * decision table in `kubelab describe pod`.
 */
export const FILTERS: readonly { name: string; filter: NodeFilter }[] = [
  { name: 'NodeReady', filter: nodeIsReady },
  { name: 'NodeAlive', filter: nodeIsAlive },
  { name: 'NodeUnschedulable', filter: nodeIsSchedulable },
  { name: 'TaintToleration', filter: taintsTolerated },
  { name: 'NodeAffinity', filter: nodeAffinityMatches },
  { name: 'NodePorts', filter: hostPortsFree },
  { name: 'NodeResourcesFit', filter: resourcesFit },
  { name: 'PodTopologySpread', filter: topologySpreadFits },
  { name: 'InterPodAffinity', filter: interPodAffinityFits },
];

/**
 * Reasons no eviction could fix (kube-scheduler's UnschedulableAndUnresolvable): a node's labels,
 * taints, readiness. The others (resources, ports, anti-affinity, skew) depend on the pods running there.
 */
const UNRESOLVABLE = new Set([REASON_NOT_READY, REASON_UNREACHABLE, REASON_UNSCHEDULABLE, REASON_NODE_AFFINITY, REASON_POD_AFFINITY, REASON_SPREAD_MISSING_LABEL, REASON_UNREADABLE_NODE]);
const isUnresolvable = (reasons: string[]) => reasons.some((r) => UNRESOLVABLE.has(r) || r.startsWith('node(s) had untolerated taint'));

/** Why one node was left out: the filter that rejected it (every earlier one passed, later ones did not run) and its reasons. */
export interface NodeRejection {
  node: string;
  filter: string;
  reasons: string[];
}

export interface FilterResult {
  feasible: Node[];
  /** Each rejected node with the filter that rejected it, in node order (the decision record reads it). */
  rejected: NodeRejection[];
  /** How many nodes each reason rejected. */
  reasons: Map<string, number>;
  /** How many rejected nodes no preemption could help (their reasons are about the node itself). */
  unresolvable: number;
}

/** PreFilter: what the cross-node plugins count once for this pod. */
export function preFilter(pod: Pod, snapshot: ClusterSnapshot): CycleState {
  return { interPodAffinity: interPodAffinityPreFilter(pod, snapshot), topologySpread: topologySpreadPreFilter(pod, snapshot) };
}

/** The nodes the pod fits on and why the others were refused. `namespaceLabels` serves pod affinity's namespaceSelector. */
export function filterNodes(pod: Pod, nodes: Node[], podsOnNodes: PodsOnNodes, namespaceLabels?: Map<string, Record<string, string>>): FilterResult {
  const feasible: Node[] = [];
  const rejections: NodeRejection[] = [];
  const reasons = new Map<string, number>();
  let unresolvable = 0;
  const cycle = preFilter(pod, { nodes, podsOnNodes, namespaceLabels });
  for (const node of nodes) {
    const podsOnNode = podsOnNodes.get(node.metadata.name!) ?? [];
    let rejected: string[] | undefined;
    // Like kube-scheduler, the first filter that rejects a node ends its checks.
    let step = 0;
    try {
      for (; step < FILTERS.length; step++) {
        const found = FILTERS[step].filter(pod, node, podsOnNode, cycle);
        if (found.length > 0) {
          rejected = found;
          break;
        }
      }
    } catch {
      // A node whose fields are of the wrong shape (stored before validation existed) fits no
      // pod, and must not stop the other nodes from being considered.
      rejected = [REASON_UNREADABLE_NODE];
    }
    if (!rejected) {
      feasible.push(node);
      continue;
    }
    rejections.push({ node: node.metadata.name!, filter: FILTERS[step].name, reasons: rejected });
    if (isUnresolvable(rejected)) unresolvable += 1;
    for (const reason of rejected) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return { feasible, rejected: rejections, reasons, unresolvable };
}

/** What DefaultPreemption found, for the second half of the message. */
export interface PreemptionOutcome {
  /** Rejected nodes whose reasons no eviction fixes. */
  unresolvable: number;
  /** spec.preemptionPolicy: Never: the pod may not preempt at all. */
  preemptionPolicy?: string;
}

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';

const histogramOf = (reasons: Map<string, number>): string[] =>
  // Kubernetes sorts the "<count> <reason>" strings themselves.
  [...reasons].filter(([, count]) => count > 0).map(([reason, count]) => `${count} ${reason}`).sort();

/**
 * The FailedScheduling message, exactly as kube-scheduler's FitError writes it. With `preemption`,
 * DefaultPreemption's verdict follows: kubelab has no pod priorities, so no node has a pod of
 * lower priority to evict: "No preemption victims found" where evictions could have helped,
 * "Preemption is not helpful" where nothing running there is the problem.
 */
export function formatUnschedulable(totalNodes: number, reasons: Map<string, number>, preemption?: PreemptionOutcome): string {
  if (totalNodes === 0) return 'no nodes available to schedule pods';
  const histogram = histogramOf(reasons);
  const filterMessage = `0/${totalNodes} nodes are available${histogram.length ? `: ${histogram.join(', ')}` : ''}.`;
  if (!preemption) return filterMessage;
  if (preemption.preemptionPolicy === 'Never') return `${filterMessage} preemption: not eligible due to preemptionPolicy=Never.`;
  const verdicts = histogramOf(new Map([[PREEMPTION_NOT_HELPFUL, preemption.unresolvable], [NO_PREEMPTION_VICTIMS, totalNodes - preemption.unresolvable]]));
  return `${filterMessage} preemption: 0/${totalNodes} nodes are available: ${verdicts.join(', ')}.`;
}

/**
 * Why the scheduling maths cannot read this pod, or undefined when it can. The API refuses such
 * pods today, but one stored before validation existed (`ports: "80"`) must not make every
 * scheduling pass throw: the scheduler leaves a bound one out of its node's accounting and does
 * not try to place a pending one, and says so in an event on the pod.
 */
export function unreadablePodProblem(pod: Pod): string | undefined {
  // Asked of every bound pod for each pod placed: answered once per (unchanging) pod object.
  if (problems.has(pod)) return problems.get(pod);
  const problem = findUnreadablePodProblem(pod);
  problems.set(pod, problem);
  return problem;
}

const problems = new WeakMap<Pod, string | undefined>();

function findUnreadablePodProblem(pod: Pod): string | undefined {
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

/** kube-scheduler's default weights of NodeAffinity and InterPodAffinity (PodTopologySpread: SPREAD_WEIGHT). */
const NODE_AFFINITY_WEIGHT = 2;
const INTER_POD_AFFINITY_WEIGHT = 2;

/**
 * The Score plugins in the order scoreNodes runs them, with their weights in the default profile:
 * a node's score is the sum of weight x normalized points. NodeResourcesFit scores with its
 * LeastAllocated strategy; PodTopologySpread uses the pod's ScheduleAnyway constraints or,
 * without them, the default spreading of a controller's pods.
 */
export const SCORE_PLUGINS: readonly { name: string; weight: number }[] = [
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'NodeAffinity', weight: NODE_AFFINITY_WEIGHT },
  { name: 'InterPodAffinity', weight: INTER_POD_AFFINITY_WEIGHT },
  { name: 'PodTopologySpread', weight: SPREAD_WEIGHT },
];

export interface NodeScore {
  node: string;
  /** The weighted sum, what pickNode compares. */
  score: number;
  /** Each SCORE_PLUGINS step's raw points for this node, and the same normalized to 0-100. */
  raw: number[];
  normalized: number[];
}

/** The default spreading, for pods without constraints of their own: fewer pods of the same controller, more points. */
function controllerSpreadScores(pod: Pod, feasible: Node[], podsOnNodes: PodsOnNodes): PluginScores {
  const owner = controllerUid(pod);
  const siblings = (node: Node) => (owner ? activePods(podsOnNodes.get(node.metadata.name!) ?? []).filter((p) => controllerUid(p) === owner).length : 0);
  const counts = feasible.map(siblings);
  const most = Math.max(0, ...counts);
  return { raw: counts, normalized: counts.map((count) => (most === 0 ? MAX_NODE_SCORE : Math.floor(((most - count) * MAX_NODE_SCORE) / most))) };
}

/**
 * Every Score plugin's points for each feasible node, weighted and summed: LeastAllocated,
 * preferred node affinity, preferred inter-pod affinity, and spreading (the pod's ScheduleAnyway
 * constraints, or the controller spreading when it has no constraints).
 */
export function scoreNodes(pod: Pod, feasible: Node[], podsOnNodes: PodsOnNodes, cluster: { nodes?: Node[]; namespaceLabels?: Map<string, Record<string, string>> } = {}): NodeScore[] {
  // Pods on every node count (a zone's pods on a full node still make the zone crowded).
  const snapshot: ClusterSnapshot = { nodes: cluster.nodes ?? feasible, podsOnNodes, namespaceLabels: cluster.namespaceLabels };
  const spread = hasSpreadConstraints(pod) ? topologySpreadScores(pod, feasible, snapshot) : controllerSpreadScores(pod, feasible, podsOnNodes);
  const nodeAffinity = nodeAffinityScores(pod, feasible);
  const interPodAffinity = interPodAffinityScores(pod, feasible, snapshot);
  return feasible.map((node, i) => {
    // LeastAllocated is 0-100 already: kube-scheduler has no NormalizeScore step for it.
    const leastAllocated = leastAllocatedScore(pod, node, podsOnNodes.get(node.metadata.name!) ?? []);
    const raw = [leastAllocated, nodeAffinity.raw[i], interPodAffinity.raw[i], spread.raw[i]];
    const normalized = [leastAllocated, nodeAffinity.normalized[i], interPodAffinity.normalized[i], spread.normalized[i]];
    let score = 0;
    for (let step = 0; step < SCORE_PLUGINS.length; step++) score += SCORE_PLUGINS[step].weight * normalized[step];
    return { node: node.metadata.name!, score, raw, normalized };
  });
}

/** The node with the highest score; among equals, one chosen by `random` (0 <= random() < 1). */
export function pickNode(scores: readonly Pick<NodeScore, 'node' | 'score'>[], random: () => number = Math.random): string | undefined {
  if (scores.length === 0) return undefined;
  const best = Math.max(...scores.map((s) => s.score));
  const top = scores.filter((s) => s.score === best);
  return top[Math.min(top.length - 1, Math.floor(random() * top.length))].node;
}
