// The scheduler: kube-scheduler. It watches pods that no node has yet (`spec.nodeName=`), and for
// each one decides where it runs: filter the nodes, score the feasible ones, pick the best
// (lib/scheduling.ts), then *bind* the pod by writing spec.nodeName. The kubelet of that node
// sees the pod appear in its own watch and starts it; the scheduler never talks to a node.
//
// A pod that fits nowhere is not retried in a hot loop. Like kube-scheduler's unschedulable queue,
// it waits until something that could make it fit happens (a node is added, labelled, uncordoned,
// becomes Ready or alive again in gossip, or gets more room) and, as a safety net, is retried
// every 30 s. Meanwhile its PodScheduled condition says why, as kube-scheduler 1.32 words it:
// `0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.`
// A pod waiting on other pods (affinity, anti-affinity, topology spread) is retried when a pod
// is bound, deleted or relabelled, since any of those can change where it fits.
//
// A pod's PersistentVolumeClaims take part (kube-scheduler's VolumeBinding plugin,
// lib/storage/pod-volume-scheduling.ts): a missing or unbound Immediate claim keeps it Pending
// with kube-scheduler's reason; a bound claim's volume node affinity filters the nodes; for a
// WaitForFirstConsumer claim the chosen node is written on the claim first
// (volume.kubernetes.io/selected-node), and the pod is bound once the binder has bound the claim.
//
// Every attempt's outcome is written on the pod as the annotation scheduling.kubelab.io/decision
// (lib/scheduling/decision.ts): each node's result per filter, each feasible node's scores, the
// pick. `kubelab describe pod` shows it as a table. It is written with the binding itself (one
// write), and for a pod that stays Pending only when it differs from the one the pod holds, so
// retries of a pod whose situation did not change write nothing. A pod created with spec.nodeName
// set never comes here and has no decision.
//
// A pod the scheduling maths cannot read (a wrong type stored before validation existed, such as
// `ports: "80"`) never stops the others: a pending one gets a FailedScheduling warning and is
// retried with the queue's exponential back-off; a bound one is left out of its node's accounting
// with a warning of its own, once per version of the pod.

import type { Namespace, Node, Pod, PodCondition } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Informer } from '../../lib/client/informer.js';
import { objectKey, splitKey } from '../../lib/client/object-key.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { runController } from '../../lib/controller-runtime.js';
import type { Clock } from '../../lib/clock.js';
import { isConflict, isNotFound } from '../../lib/errors.js';
import { logger, type Logger } from '../../lib/logger.js';
import {
  FILTERS, filterNodes, formatUnschedulable, GOSSIP_STATE_ANNOTATION, pickNode, PREEMPTION_NOT_HELPFUL, SCORE_PLUGINS, scoreNodes, unreadablePodProblem, type NodeRejection, type PodsOnNodes,
} from '../../lib/scheduling.js';
import { DECISION_ANNOTATION, encodeDecision, recordDecision, type DecisionInput, type SchedulingDecision } from '../../lib/scheduling/decision.js';
import { rfc3339 } from '../../lib/time.js';
import { WorkQueue } from '../../lib/work-queue.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../lib/api/storage-types.js';
import { planPodVolumes } from '../../lib/storage/pod-volume-scheduling.js';
import { SELECTED_NODE_ANNOTATION } from '../../lib/storage/storage-names.js';
import { CONTROLLER_DEFAULTS } from '../config.js';
import type { EventRecorder } from '../events/event-recorder.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** The filters as the decision names them: lib/scheduling.ts's, then the claims' (VolumeBinding). */
const VOLUME_BINDING = 'VolumeBinding';
const DECISION_FILTERS = [...FILTERS.map((f) => f.name), VOLUME_BINDING];
type Outcome = Omit<DecisionInput, 'filters' | 'scorePlugins'>;
const decide = (outcome: Outcome): SchedulingDecision => recordDecision({ ...outcome, filters: DECISION_FILTERS, scorePlugins: SCORE_PLUGINS });
/** How often pods that fit nowhere are tried again even if no node changed (kube-scheduler: podMaxInUnschedulablePodsDuration is 5 min; we are a lab). */
const UNSCHEDULABLE_RETRY_MS = CONTROLLER_DEFAULTS.unschedulableRetryMs;

export interface SchedulerOptions {
  client: ApiClient;
  recorder: EventRecorder;
  clock: Clock;
  /** Tie-breaking between nodes of equal score. */
  random?: () => number;
  unschedulableRetryMs?: number;
  /** Where errors that end a scheduling attempt are logged; logger('scheduler') by default. */
  log?: Logger;
  /** Shared informers (kubelabd's); without it the scheduler makes its own. */
  informers?: SharedInformerFactory;
  /** Told of every scheduling attempt: its result and how long it took (scheduler_schedule_attempts_total and _duration_seconds). */
  onAttempt?: (result: SchedulingResult, seconds: number) => void;
}

/** kube-scheduler's attempt results. */
export type SchedulingResult = 'scheduled' | 'unschedulable' | 'error';

export class Scheduler {
  private readonly client: ApiClient;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly retryMs: number;
  private readonly log: Logger;
  readonly queue: WorkQueue;
  /** Keys of pods that fit nowhere at their last attempt. */
  private readonly unschedulable = new Set<string>();
  /** uid → resourceVersion of bound pods already warned about as unreadable (one event per version). */
  private readonly warnedUnreadable = new Map<string, string | undefined>();
  /** Pods no node has yet: the scheduler's whole to-do list. */
  private readonly pendingPods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  /** Every pod and namespace: the cluster as the filters and scores see it (kube-scheduler's cache). */
  private readonly allPods: Informer<Pod>;
  private readonly namespaces: Informer<Namespace>;
  /**
   * Pods this scheduler bound whose binding its pod cache has not shown yet, by key (kube-scheduler's
   * "assumed" pods): counted on their node, so the next pod never sees that room as free.
   */
  private readonly assumed = new Map<string, Pod>();
  /** Claims, volumes and classes: a pod's claims decide where it may go (lib/storage/pod-volume-scheduling.ts). */
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly onAttempt?: (result: SchedulingResult, seconds: number) => void;

  constructor(options: SchedulerOptions) {
    this.client = options.client;
    this.recorder = options.recorder;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.retryMs = options.unschedulableRetryMs ?? UNSCHEDULABLE_RETRY_MS;
    this.log = options.log ?? logger('scheduler');
    this.onAttempt = options.onAttempt;
    this.queue = new WorkQueue({ name: 'scheduler', clock: this.clock, onError: (key, err) => this.log.error(`scheduling pod ${key}`, { err }) });
    const informers =
      options.informers ??
      new SharedInformerFactory({ client: this.client, clock: this.clock, onError: (_resource, err) => this.log.error('watch', { err }) });
    this.pendingPods = informers.informerFor<Pod>('pods', { fieldSelector: 'spec.nodeName=' });
    this.pendingPods.addEventHandler({ onAdd: (pod) => this.onPodChange(pod), onUpdate: (_old, pod) => this.onPodChange(pod), onDelete: (pod) => this.onPodDelete(pod) });
    this.nodes = informers.informerFor<Node>('nodes');
    this.nodes.addEventHandler({ onAdd: (node) => this.onNodeChange(node), onUpdate: (previous, node) => this.onNodeChange(node, previous), onDelete: () => this.retryUnschedulable() });
    this.allPods = informers.informerFor<Pod>('pods');
    // A bound pod that goes away frees room on its node (kube-scheduler's AssignedPodDelete).
    this.allPods.addEventHandler({ onDelete: (pod) => pod.spec?.nodeName && this.retryUnschedulable() });
    this.namespaces = informers.informerFor<Namespace>('namespaces');
    // A claim that appears or gets bound, or a new volume, can let a waiting pod go on.
    const retry = () => this.retryUnschedulable();
    this.claims = informers.informerFor<PersistentVolumeClaim>('persistentvolumeclaims');
    this.claims.addEventHandler({ onAdd: retry, onUpdate: retry, onDelete: retry });
    this.volumes = informers.informerFor<PersistentVolume>('persistentvolumes');
    this.volumes.addEventHandler({ onAdd: retry, onUpdate: retry, onDelete: retry });
    this.classes = informers.informerFor<StorageClass>('storageclasses.storage.k8s.io');
    this.classes.addEventHandler({ onAdd: retry, onUpdate: retry });
  }

  /** Watches pending pods and nodes and schedules until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    return runController({
      informers: [this.pendingPods, this.nodes, this.allPods, this.namespaces, this.claims, this.volumes, this.classes],
      queue: this.queue,
      reconcile: (key) => this.scheduleOnce(key),
      workers: 1,
      // The safety net: pods that fit nowhere are tried again this often, even if no node changed.
      resyncMs: this.retryMs,
      resync: () => this.retryUnschedulable(),
      clock: this.clock,
      signal,
    });
  }

  private onPodChange(pod: Pod): void {
    this.queue.add(objectKey(pod));
  }

  /**
   * Bound (no longer matches spec.nodeName=) or gone: nothing left to do for it. A pod just bound
   * may be what a waiting pod's affinity or spread constraint needed, so those are tried again.
   */
  private onPodDelete(pod: Pod): void {
    this.unschedulable.delete(objectKey(pod));
    this.retryUnschedulable();
  }

  /** Node changes that could make an unschedulable pod fit move all of them back to the queue. */
  private onNodeChange(node: Node, previous?: Node): void {
    if (!previous || schedulingInputsChanged(previous, node)) this.retryUnschedulable();
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.add(key);
  }

  /** One scheduling attempt for the pod with this key (`namespace/name`). */
  async scheduleOnce(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let pod: Pod;
    try {
      pod = await this.client.get<Pod>('pods', namespace, name);
    } catch (err) {
      if (isNotFound(err)) return void this.unschedulable.delete(key);
      throw err;
    }
    // Bound already (by us, or by the user who set spec.nodeName), going away, or not ours.
    const ours = (pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) === DEFAULT_SCHEDULER_NAME;
    if (pod.spec.nodeName || pod.metadata.deletionTimestamp || !ours) return void this.unschedulable.delete(key);
    const problem = unreadablePodProblem(pod);
    if (problem) {
      this.recorder.record(pod, 'Warning', 'FailedScheduling', `the scheduler cannot read this pod: ${problem}; it was probably stored before the API validated it: delete it and create it again`);
      // Thrown to the work queue, which retries this key alone with exponential back-off.
      throw new Error(`pod ${key} cannot be scheduled: ${problem}`);
    }

    const startedMs = performance.now();
    let result: SchedulingResult = 'error';
    try {
      result = await this.attempt(key, pod);
    } finally {
      this.onAttempt?.(result, (performance.now() - startedMs) / 1000);
    }
  }

  /** Volumes, filter, score, pick and bind: one attempt at a pod that needs a node. */
  private async attempt(key: string, pod: Pod): Promise<SchedulingResult> {
    const namespace = pod.metadata.namespace ?? 'default';
    const volumePlan = planPodVolumes({ pod, claims: this.claimsIn(namespace), volumes: this.volumes.list(), classes: this.classes.list() });
    if (volumePlan.kind === 'waitForBinding') {
      // The node is chosen; the binder binds or provisions the claims there; their update brings the pod back.
      this.unschedulable.add(key);
      return 'unschedulable';
    }
    const [nodeList, podList, namespaceList] = await this.clusterState();
    if (volumePlan.kind === 'unresolvable') {
      const nodes = nodeList.items.length;
      const decision = decide({
        result: 'Unschedulable', nodes, rejected: [], scores: [], reasons: new Map([[volumePlan.message, nodes]]), preFilter: { plugin: VOLUME_BINDING, reason: volumePlan.message },
      });
      await this.markUnschedulable(key, pod, formatUnresolvable(nodes, volumePlan.message), decision);
      return 'unschedulable';
    }
    // Pod affinity terms may select namespaces by their labels.
    const namespaceLabels = new Map(namespaceList.items.map((ns) => [ns.metadata.name!, ns.metadata.labels ?? {}]));
    const podsOnNodes: PodsOnNodes = new Map();
    for (const p of podList.items) {
      if (!p.spec?.nodeName) continue;
      const unreadable = unreadablePodProblem(p);
      if (unreadable) {
        this.warnUnreadableBoundPod(p, unreadable);
        continue;
      }
      podsOnNodes.set(p.spec.nodeName, [...(podsOnNodes.get(p.spec.nodeName) ?? []), p]);
    }
    const filtered = filterNodes(pod, nodeList.items, podsOnNodes, namespaceLabels);
    const { reasons } = filtered;
    let { unresolvable } = filtered;
    const rejected: NodeRejection[] = filtered.rejected;
    const feasible = filtered.feasible.filter((node) => {
      const refused = volumePlan.nodeReasons(node);
      for (const reason of refused) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      if (refused.length === 0) return true;
      // A volume's node affinity is not something evicting pods could fix.
      unresolvable += 1;
      rejected.push({ node: node.metadata.name!, filter: VOLUME_BINDING, reasons: refused });
      return false;
    });
    const scores = scoreNodes(pod, feasible, podsOnNodes, { nodes: nodeList.items, namespaceLabels });
    const nodeName = pickNode(scores, this.random);
    const outcome = { nodes: nodeList.items.length, rejected, scores, reasons };
    if (!nodeName) {
      const message = formatUnschedulable(nodeList.items.length, reasons, { unresolvable, preemptionPolicy: pod.spec.preemptionPolicy });
      await this.markUnschedulable(key, pod, message, decide({ ...outcome, result: 'Unschedulable' }));
      return 'unschedulable';
    }

    if (volumePlan.claimsToSelect.length > 0) {
      // WaitForFirstConsumer: the claims learn their node first; the pod is bound once they are.
      for (const claim of volumePlan.claimsToSelect) {
        await this.client.patch('persistentvolumeclaims', claim.metadata.namespace, claim.metadata.name!, { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: nodeName } } }, 'merge');
      }
      await this.writeDecision(pod, decide({ ...outcome, result: 'WaitingForVolumeBinding', picked: nodeName }));
      this.unschedulable.add(key);
      return 'unschedulable';
    }

    await this.bind(pod, nodeName, decide({ ...outcome, result: 'Scheduled', picked: nodeName }));
    this.unschedulable.delete(key);
    return 'scheduled';
  }

  /**
   * Nodes, pods (with the ones bound but not yet seen bound in the cache as bound) and namespaces,
   * from the informers' caches once they are synced: listing (and copying) every pod from the API
   * for each attempt made scheduling 1,000 pods quadratic (36 pods/s at 100 nodes, bench/scheduler.ts).
   * Before run() has synced them (a test calling scheduleOnce alone), from the API.
   */
  private async clusterState(): Promise<[{ items: Node[] }, { items: Pod[] }, { items: Namespace[] }]> {
    if (!(this.nodes.hasSynced && this.allPods.hasSynced && this.namespaces.hasSynced)) {
      return Promise.all([this.client.list<Node>('nodes'), this.client.list<Pod>('pods'), this.client.list<Namespace>('namespaces')]);
    }
    for (const [key, bound] of this.assumed) {
      const cached = this.allPods.get(key);
      // Seen bound (or gone, or replaced by a pod of the same name): the cache knows better now.
      if (!cached || cached.spec.nodeName || cached.metadata.uid !== bound.metadata.uid) this.assumed.delete(key);
    }
    let pods = this.allPods.list();
    if (this.assumed.size > 0) pods = pods.map((pod) => this.assumed.get(objectKey(pod)) ?? pod);
    return [{ items: this.nodes.list() }, { items: pods }, { items: this.namespaces.list() }];
  }

  private claimsIn(namespace: string): Map<string, PersistentVolumeClaim> {
    return new Map(this.claims.list().filter((c) => c.metadata.namespace === namespace).map((c) => [c.metadata.name!, c]));
  }

  /** A bound pod whose ports or requests cannot be read counts for nothing on its node; says so once per version. */
  private warnUnreadableBoundPod(pod: Pod, problem: string): void {
    const uid = pod.metadata.uid ?? objectKey(pod);
    if (this.warnedUnreadable.has(uid) && this.warnedUnreadable.get(uid) === pod.metadata.resourceVersion) return;
    if (this.warnedUnreadable.size > 10_000) this.warnedUnreadable.clear();
    this.warnedUnreadable.set(uid, pod.metadata.resourceVersion);
    this.recorder.record(pod, 'Warning', 'UnreadablePod', `the scheduler cannot read this pod (${problem}), so its ports and requests are not counted on node ${pod.spec.nodeName}; delete it and create it again`);
  }

  /** Binding: spec.nodeName can be set once; the API server refuses to move a bound pod. */
  private async bind(pod: Pod, nodeName: string, decision: SchedulingDecision): Promise<void> {
    const { namespace, name } = pod.metadata;
    // The decision travels with the binding: whoever sees the pod bound sees why. The event's time
    // is the binding's start: the node's kubelet may see the bound pod (and say so) before this
    // patch has even returned.
    const boundAt = this.clock.now();
    const patch = { metadata: { annotations: { [DECISION_ANNOTATION]: encodeDecision(decision) } }, spec: { nodeName } };
    const bound = await this.client.patch<Pod>('pods', namespace, name!, patch, 'merge');
    this.assumed.set(objectKey(bound), bound);
    this.recorder.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`, { at: boundAt });
    await this.setScheduledCondition(bound, { type: 'PodScheduled', status: 'True' });
  }

  private async markUnschedulable(key: string, pod: Pod, message: string, decision: SchedulingDecision): Promise<void> {
    this.unschedulable.add(key);
    this.recorder.record(pod, 'Warning', 'FailedScheduling', message);
    // The condition first: its status update names the resourceVersion read at the start of the attempt.
    await this.setScheduledCondition(pod, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message });
    await this.writeDecision(pod, decision);
  }

  /** Writes the decision annotation on a pod that stays Pending, only when it differs from the one it holds. */
  private async writeDecision(pod: Pod, decision: SchedulingDecision): Promise<void> {
    const text = encodeDecision(decision);
    if (pod.metadata.annotations?.[DECISION_ANNOTATION] === text) return;
    const { namespace, name } = pod.metadata;
    try {
      await this.client.patch<Pod>('pods', namespace, name!, { metadata: { annotations: { [DECISION_ANNOTATION]: text } } }, 'merge');
    } catch (err) {
      // Gone meanwhile: nothing to explain any more.
      if (!isNotFound(err)) throw err;
    }
  }

  /** Writes the PodScheduled condition if it changed, keeping lastTransitionTime when the status did not. */
  private async setScheduledCondition(pod: Pod, wanted: PodCondition): Promise<void> {
    const conditions = pod.status?.conditions ?? [];
    const current = conditions.find((c) => c.type === 'PodScheduled');
    if (current && current.status === wanted.status && current.reason === wanted.reason && current.message === wanted.message) return;
    const condition: PodCondition = {
      ...wanted,
      lastProbeTime: null,
      lastTransitionTime: current?.status === wanted.status && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(this.clock.now()),
    };
    const status = { ...pod.status, conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), condition] };
    try {
      await this.client.updateStatus<Pod>('pods', { ...pod, status });
    } catch (err) {
      // The pod changed or went away meanwhile; the next attempt (or the kubelet) writes it.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

/**
 * kube-scheduler's words for a pod no node can help (a PreFilter rejection), with DefaultPreemption's
 * verdict: `0/1 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/1 nodes
 * are available: 1 Preemption is not helpful for scheduling.`
 */
export function formatUnresolvable(totalNodes: number, message: string): string {
  if (totalNodes === 0) return 'no nodes available to schedule pods';
  return `0/${totalNodes} nodes are available: ${message}. preemption: 0/${totalNodes} nodes are available: ${totalNodes} ${PREEMPTION_NOT_HELPFUL}.`;
}

/** Whether a node change could let a pod fit that did not before. */
function schedulingInputsChanged(before: Node, after: Node): boolean {
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const gossipState = (n: Node) => n.metadata.annotations?.[GOSSIP_STATE_ANNOTATION];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return (
    !same(before.metadata.labels, after.metadata.labels) ||
    !same(before.spec?.taints, after.spec?.taints) ||
    Boolean(before.spec?.unschedulable) !== Boolean(after.spec?.unschedulable) ||
    !same(before.status?.allocatable, after.status?.allocatable) ||
    ready(before) !== ready(after) ||
    gossipState(before) !== gossipState(after)
  );
}
