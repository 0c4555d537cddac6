// The node lifecycle controller (kube-controller-manager's nodelifecycle controller with its taint
// manager): what the cluster does when a host dies.
//
// Every 5 s (the node monitor period), and whenever a Node or the gossip membership changes, each
// node is reconciled. A node's heartbeat is its node lease's renewal (kube-node-lease/<node>,
// every 10 s) or a new lastHeartbeatTime in its status, whichever moved. The decisions are pure and live in plan-node-lifecycle.ts; this file reads
// the node and its pods, asks the planner, and writes:
//   1. an unreachable node's conditions become Unknown, with an event NodeNotReady;
//   2. its pods lose their Ready condition at once (the endpoints controller drops them from
//      Services, so clients stop being sent to a dead host long before the pods are replaced);
//   3. the unreachable (or not-ready) taints go on, and come off when a fresh heartbeat returns;
//   4. the annotation kubelab.io/gossip-state mirrors the server's gossip view of the node;
//   5. once a pod's tolerance of the NoExecute taint runs out (podEvictionTimeout, 300 s by
//      default), it is deleted with gracePeriodSeconds 0 and the event TaintManagerEviction: no
//      kubelet is left to confirm a graceful stop, and its ReplicaSet or ReplicationController
//      creates a replacement, which the scheduler places on a node without the taint.
// A node that comes back finds its pods gone; its kubelet removes their containers.

import { NODE_LEASE_NAMESPACE, type Lease } from '../../../lib/api/coordination-types.js';
import { LEASES_RESOURCE } from '../../../lib/client/leader-elector.js';
import type { Node, Pod } from '../../../lib/api/types.js';
import { isNotFound } from '../../../lib/errors.js';
import type { Informer } from '../../../lib/client/informer.js';
import type { MembershipView } from '../../../network/gossip/membership-view.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { NODE_LIFECYCLE_DEFAULTS } from '../../config.js';
import {
  DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS, DEFAULT_POD_EVICTION_TIMEOUT_MS,
  planEvictions, planGossipAnnotation, planHealthTaints, planNodeHealth, planPodNotReady, planUnknownConditions, readyConditionOf,
  type NodeHealth,
} from './plan-node-lifecycle.js';

/** How often every node's health is checked (kube-controller-manager's --node-monitor-period). */
export const NODE_MONITOR_PERIOD_MS = NODE_LIFECYCLE_DEFAULTS.nodeMonitorPeriodMs;

export interface NodeLifecycleControllerOptions extends Omit<ControllerOptions, 'resyncPeriodMs'> {
  /** Records NodeNotReady on nodes and pods, and TaintManagerEviction on evicted pods. */
  recorder: EventRecorder;
  /** The server's gossip view; without it only heartbeats count, and no gossip annotation is written. */
  membership?: MembershipView;
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
  /** The resync period of this controller: every node is checked this often. */
  monitorPeriodMs?: number;
}

/** The last heartbeat seen for a node, and when (on our clock) we first saw it. */
interface HeartbeatObservation {
  heartbeat: string | undefined;
  observedAtMs: number;
}

export class NodeLifecycleController extends Controller {
  private readonly recorder: EventRecorder;
  private readonly membership?: MembershipView;
  private readonly gracePeriodMs: number;
  private readonly evictionTimeoutMs: number;
  private readonly nodes: Informer<Node>;
  private readonly heartbeats = new Map<string, HeartbeatObservation>();
  private unsubscribeMembership?: () => void;

  constructor(options: NodeLifecycleControllerOptions) {
    // Its resync is the node monitor period: every node's health is checked that often.
    super({ ...options, resyncPeriodMs: options.monitorPeriodMs ?? NODE_MONITOR_PERIOD_MS }, { component: 'node-lifecycle-controller', failing: 'syncing node' });
    this.recorder = options.recorder;
    this.membership = options.membership;
    this.gracePeriodMs = options.nodeMonitorGracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS;
    this.evictionTimeoutMs = options.podEvictionTimeoutMs ?? DEFAULT_POD_EVICTION_TIMEOUT_MS;
    const enqueue = (node: Node) => this.queue.add(node.metadata.name!);
    this.nodes = this.informers.informerFor<Node>('nodes');
    this.nodes.addEventHandler({ onAdd: enqueue, onUpdate: (_old, node) => enqueue(node), onDelete: enqueue });
  }

  protected watched(): Informer[] {
    return [this.nodes];
  }

  /** A change in the gossip view (a node suspected, dead, alive again) looks at every node. */
  protected override onSynced(): void {
    this.unsubscribeMembership = this.membership?.onChange(() => this.resync());
  }

  protected override resync(): void {
    for (const node of this.nodes.list()) this.queue.add(node.metadata.name!);
  }

  /** Watches nodes and gossip, reconciles, and checks every node each monitor period, until `signal` aborts. */
  override async run(signal: AbortSignal): Promise<void> {
    try {
      await super.run(signal);
    } finally {
      this.unsubscribeMembership?.();
    }
  }

  /** Converges one node and its pods; safe to run any number of times. */
  async reconcile(nodeName: string): Promise<void> {
    let node = await this.client.get<Node>('nodes', undefined, nodeName).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!node) {
      this.heartbeats.delete(nodeName);
      return;
    }
    const now = this.clock.now();
    const gossipState = this.membership?.stateOf(nodeName);
    const health = planNodeHealth({ node, heartbeatObservedAt: this.observeHeartbeat(node, await this.nodeLeaseOf(nodeName)), gossipState, now, nodeMonitorGracePeriodMs: this.gracePeriodMs });
    const pods = (await this.client.list<Pod>('pods', { fieldSelector: `spec.nodeName=${nodeName}` })).items;

    if (health.state === 'Unreachable') {
      node = await this.markUnknown(node, health.message, now);
      await this.markPodsNotReady(pods, now);
    }
    node = await this.writeTaintsAndAnnotation(node, health, gossipState);

    const { evict, nextAt } = planEvictions(node.spec?.taints ?? [], pods, now, this.evictionTimeoutMs);
    for (const { pod } of evict) await this.evict(pod);
    // Come back when the next pod's tolerance runs out, rather than up to a monitor period late.
    if (nextAt) this.queue.addAfter(nodeName, nextAt.getTime() - now.getTime());
  }

  /**
   * When the node's heartbeat last changed, on our clock (first sight counts as a change): its
   * node lease's renewTime or its Ready condition's lastHeartbeatTime, whichever moved.
   */
  private observeHeartbeat(node: Node, lease: Lease | undefined): Date {
    const heartbeat = `${readyConditionOf(node)?.lastHeartbeatTime ?? ''} ${lease?.spec?.renewTime ?? ''}`;
    const seen = this.heartbeats.get(node.metadata.name!);
    if (!seen || seen.heartbeat !== heartbeat) {
      this.heartbeats.set(node.metadata.name!, { heartbeat, observedAtMs: this.clock.now().getTime() });
    }
    return new Date(this.heartbeats.get(node.metadata.name!)!.observedAtMs);
  }

  /** The node's lease (kube-node-lease/<node>), renewed by its kubelet every 10 s; read at each pass (every 5 s per node). */
  private async nodeLeaseOf(nodeName: string): Promise<Lease | undefined> {
    return this.client.get<Lease>(LEASES_RESOURCE, NODE_LEASE_NAMESPACE, nodeName).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  }

  private async markUnknown(node: Node, message: string, now: Date): Promise<Node> {
    const conditions = planUnknownConditions(node, message, now);
    if (!conditions) return node;
    const updated = await this.client.updateStatus<Node>('nodes', { ...node, status: { ...node.status, conditions } });
    this.recorder.record(updated, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
    return updated;
  }

  private async markPodsNotReady(pods: Pod[], now: Date): Promise<void> {
    for (const pod of pods) {
      const conditions = planPodNotReady(pod, now);
      if (!conditions) continue;
      try {
        await this.client.updateStatus<Pod>('pods', { ...pod, status: { ...pod.status, conditions } });
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      this.recorder.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  private async writeTaintsAndAnnotation(node: Node, health: NodeHealth, gossipState: ReturnType<MembershipView['stateOf']>): Promise<Node> {
    const taints = planHealthTaints(node, health, this.clock.now());
    const annotations = this.membership ? planGossipAnnotation(node, gossipState) : undefined;
    if (!taints && !annotations) return node;
    const next: Node = {
      ...node,
      metadata: { ...node.metadata, ...(annotations ? { annotations } : {}) },
      spec: { ...node.spec, ...(taints ? { taints } : {}) },
    };
    if (taints?.length === 0) delete next.spec.taints;
    return this.client.update<Node>('nodes', next);
  }

  private async evict(pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata;
    this.recorder.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    try {
      // Grace 0: the node is gone, so no kubelet could confirm a graceful stop; uid: not a namesake created since.
      await this.client.delete('pods', namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
