// Lease (coordination.k8s.io/v1), the object behind leader election and node heartbeats. Its
// schema is in schemas/coordination.ts.

import type { KubeObject } from './types.js';

/** Where every kubelet keeps its node lease (its heartbeat), named after the node. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with microseconds, `2026-12-02T12:00:00.123456Z`. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** Kubernetes' MicroTime: RFC 3339 in UTC with six fractional digits. */
export function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
