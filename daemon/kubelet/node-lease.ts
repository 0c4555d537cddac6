// The kubelet's node lease: its heartbeat since Kubernetes 1.17. Every 10 s the kubelet renews
// the Lease `kube-node-lease/<node name>` (holder: the node, duration 40 s), a write of a few
// hundred bytes, instead of rewriting the whole Node status; the node status is then written only
// when it changes, or every 5 minutes (node-status.ts). The node lifecycle controller counts a
// renewal as a heartbeat, and `kubectl describe node` shows the Lease.
//
// The Lease is owned by the Node (an ownerReference), so deleting the Node lets the garbage
// collector delete its Lease too.

import { microTime, NODE_LEASE_NAMESPACE, type Lease } from '../../lib/api/coordination-types.js';
import type { Node } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { LEASES_RESOURCE } from '../../lib/client/leader-elector.js';
import type { Clock } from '../../lib/clock.js';
import { runEvery } from '../../lib/controller-runtime.js';
import { isNotFound } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

/** The kubelet's --node-lease-duration-seconds default. */
export const NODE_LEASE_DURATION_SECONDS = 40;

export interface NodeLeaseOptions {
  client: ApiClient;
  clock: Clock;
  nodeName: string;
  /** How often the Lease is renewed (Kubernetes: a quarter of its duration, 10 s). */
  renewIntervalMs: number;
}

export class NodeLeaseManager {
  constructor(private readonly options: NodeLeaseOptions) {}

  /** Renews this node's Lease, creating it (owned by the Node, once the Node exists) when missing. */
  async renewOnce(): Promise<Lease> {
    const { client, clock, nodeName } = this.options;
    const renewTime = microTime(clock.now());
    try {
      const lease = await client.get<Lease>(LEASES_RESOURCE, NODE_LEASE_NAMESPACE, nodeName);
      const owned = lease.metadata.ownerReferences?.length ? {} : await this.ownerOf();
      return await client.update<Lease>(LEASES_RESOURCE, {
        ...lease,
        metadata: { ...lease.metadata, ...owned },
        spec: { ...lease.spec, holderIdentity: nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return client.create<Lease>(LEASES_RESOURCE, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE, ...(await this.ownerOf()) },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime },
    });
  }

  /** Renews every interval until `signal` aborts; a failed renewal is logged and tried again next time. */
  run(signal: AbortSignal, log: Logger): Promise<void> {
    return runEvery(this.options.clock, this.options.renewIntervalMs, signal, () => this.renewOnce(), {
      immediately: true,
      onError: (err) => log.error(`renewing the node lease of ${this.options.nodeName}`, { err }),
    });
  }

  /** The Node as the Lease's owner; nothing while the Node is not registered yet (the next renewal adds it). */
  private async ownerOf(): Promise<{ ownerReferences?: NonNullable<Lease['metadata']['ownerReferences']> }> {
    try {
      const node = await this.options.client.get<Node>('nodes', undefined, this.options.nodeName);
      return { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid! }] };
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
  }
}
