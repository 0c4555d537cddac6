// The node IPAM controller (kube-controller-manager's nodeipam controller, with flannel's lease
// rules): every Node gets a pod subnet, and a deleted Node's subnet is freed, later.
//
// The policy (which subnet) is allocateSubnet's and the storage (the ledger ConfigMap and
// Node.spec.podCIDR) is SubnetLeaseRegistry's; this controller only decides when to call them:
//   - a Node without spec.podCIDR is leased one (acquire), which the registry publishes on the
//     Node; the node's agent waits for it, then creates its bridge network with that subnet;
//   - a Node that came with its own podCIDR (kubelabd --pod-subnet) has it recorded in the ledger,
//     so no other node is ever leased the same subnet; a subnet outside the cluster CIDR or
//     already another node's is reported as an event on the Node (CIDRAssignmentFailed);
//   - a deleted Node's lease is released with a grace period (5 min): the node coming back in
//     time gets its subnet back, and packets still in flight to its old pods never reach a
//     newcomer's;
//   - when every subnet is leased, the Node gets a Warning event CIDRNotAvailable with the
//     allocator's message (which says what to do); the resync tries again every 30 s.

import type { Node } from '../../../lib/api/types.js';
import { isNotFound } from '../../../lib/errors.js';
import type { Informer } from '../../../lib/client/informer.js';
import { OutOfSubnetsError } from '../../../network/subnet/allocate-subnet.js';
import { InvalidPodSubnetError, type SubnetLeaseRegistry } from '../../../network/subnet/subnet-lease-registry.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { CONTROLLER_DEFAULTS } from '../../config.js';

/** How long a deleted node's subnet stays reserved for it. */
export const LEASE_RELEASE_GRACE_MS = CONTROLLER_DEFAULTS.subnetLeaseReleaseGraceMs;

export interface NodeIpamControllerOptions extends ControllerOptions {
  registry: SubnetLeaseRegistry;
  releaseGraceMs?: number;
}

export class NodeIpamController extends Controller {
  private readonly registry: SubnetLeaseRegistry;
  private readonly recorder: EventRecorder;
  private readonly releaseGraceMs: number;
  private readonly nodes: Informer<Node>;

  constructor(options: NodeIpamControllerOptions) {
    super(options, { component: 'node-ipam-controller', failing: 'node', workers: 1 });
    this.registry = options.registry;
    this.recorder = options.recorder;
    this.releaseGraceMs = options.releaseGraceMs ?? LEASE_RELEASE_GRACE_MS;
    const enqueue = (node: Node) => this.queue.add(node.metadata.name!);
    this.nodes = this.informers.informerFor<Node>('nodes');
    this.nodes.addEventHandler({
      onAdd: enqueue,
      // Heartbeats rewrite every Node each 10 s: only a changed podCIDR is news here.
      onUpdate: (old, node) => {
        if (old.spec?.podCIDR !== node.spec?.podCIDR) enqueue(node);
      },
      onDelete: enqueue,
    });
  }

  protected watched(): Informer[] {
    return [this.nodes];
  }

  /** Nodes deleted while no controller ran still hold a lease: find them at once, and at every resync. */
  protected override onSynced(): Promise<void> {
    return this.resync();
  }

  /** Every Node, and every node that holds a lease (its Node may be gone). */
  protected override async resync(): Promise<void> {
    for (const node of this.nodes.list()) this.queue.add(node.metadata.name!);
    for (const lease of await this.registry.list()) if (!lease.expiresAt) this.queue.add(lease.nodeName);
  }

  /** Gives the node a subnet, records the one it brought, or releases a deleted node's; safe to repeat. */
  async reconcile(nodeName: string): Promise<void> {
    const node = await this.client.get<Node>('nodes', undefined, nodeName).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!node) {
      await this.registry.release(nodeName, this.releaseGraceMs);
      return;
    }
    try {
      if (node.spec?.podCIDR) await this.registry.record(nodeName, node.spec.podCIDR);
      else await this.registry.acquire(nodeName);
    } catch (error) {
      // Nothing a retry can fix: tell the user on the Node; the resync tries again later.
      if (error instanceof OutOfSubnetsError) this.recorder.record(node, 'Warning', 'CIDRNotAvailable', error.message);
      else if (error instanceof InvalidPodSubnetError) this.recorder.record(node, 'Warning', 'CIDRAssignmentFailed', error.message);
      else throw error;
    }
  }
}
