// AllocationLedger: the cluster-wide truth of who holds which ClusterIP, LoadBalancer address and
// NodePort, kept in the store as one reservation object per value, the way Kubernetes 1.31+ keeps
// one networking.k8s.io IPAddress object per Service IP (`kubectl get ipaddresses`).
//
// Why one object per value, and not Kubernetes' older design (one RangeAllocation bitmap per pool,
// pkg/registry/core/service/allocator/storage, rewritten with a resourceVersion-guarded
// compare-and-swap and retried on conflict):
// - the guard is the store's own create, "only if no such key" (etcd: create_revision == 0), so
//   two API servers taking *different* values never touch the same key and never wait for each
//   other; with a bitmap every allocation of every server rewrites one key, and 100 Services
//   created at once through two servers turn into a queue of conflicts and retries;
// - a value's object names its holder (the Service's namespace, name and uid), so a repair pass
//   can tell a leak from a value in use by reading one object, and a late release can never free a
//   value someone else holds by now;
// - nothing limits the pool to what a bitmap can hold (Kubernetes dropped the bitmap partly for
//   that: a /12 service CIDR is a 128 KiB value rewritten on every allocation).
// The price: picking a candidate needs a view of what is taken. Each server keeps one in memory
// (lib/net/ip-allocator.ts), fed by a watch of the ledger; the view may lag, which only costs a
// lost race (AlreadyExists) and a retry with another value, never a duplicate.
//
// Where it lives: the store resource `allocations`, with the pool as "namespace" and the value as
// name (`/registry/allocations/ipaddresses/10.96.0.10`, `/registry/allocations/nodeports/30080`
// on etcd). The API does not serve that resource: reservations are the API server's bookkeeping,
// not user objects, exactly as Kubernetes' RangeAllocation objects were never served.

import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../lib/api/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../lib/errors.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';

/** The store resource of every reservation (never served by the API). */
export const ALLOCATIONS_RESOURCE = 'allocations';

/** ClusterIPs and LoadBalancer addresses share one pool: an address is held at most once, whatever for. */
export type AllocationPool = 'ipaddresses' | 'nodeports';

/** Who holds a value: the object that was written with it (Kubernetes' IPAddress spec.parentRef, plus the uid). */
export interface AllocationHolder {
  resource: string;
  namespace?: string;
  name: string;
  uid: string;
}

/** One reservation as stored. */
export interface AllocationRecord extends KubeObject {
  spec: { holder: AllocationHolder };
}

/** How many times reserve() reads back a value whose reservation vanished between its create and its read. */
const RESERVE_ATTEMPTS = 3;

export class AllocationLedger {
  constructor(private readonly store: ObjectStore) {}

  /**
   * Makes `value` of `pool` the holder's: true when it is now (or already was) the holder's,
   * false when someone else holds it. Atomic on either backend: the store's create fails when the
   * key exists, so of two servers reserving one value exactly one gets true.
   */
  async reserve(pool: AllocationPool, value: string, holder: AllocationHolder): Promise<boolean> {
    for (let attempt = 1; attempt <= RESERVE_ATTEMPTS; attempt += 1) {
      try {
        await this.store.create(ALLOCATIONS_RESOURCE, newRecord(pool, value, holder));
        return true;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      const current = await this.get(pool, value);
      // Released between our create and this read: try the create again.
      if (current) return current.spec.holder.uid === holder.uid;
    }
    return false;
  }

  /**
   * Frees `value` if `holderUid` still holds it; a value now someone else's, or already free, is
   * left alone. The delete is guarded by the record's resourceVersion, so it frees exactly the
   * reservation it read.
   */
  async release(pool: AllocationPool, value: string, holderUid: string): Promise<void> {
    const current = await this.get(pool, value);
    if (current && current.spec.holder.uid === holderUid) await this.remove(current);
  }

  /** Deletes exactly this reservation (same uid and resourceVersion); one that changed or went meanwhile is left alone. */
  async remove(record: AllocationRecord): Promise<boolean> {
    try {
      await this.store.delete(ALLOCATIONS_RESOURCE, record.metadata.namespace, record.metadata.name!, {
        uid: record.metadata.uid,
        resourceVersion: record.metadata.resourceVersion,
      });
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }

  async get(pool: AllocationPool, value: string): Promise<AllocationRecord | undefined> {
    try {
      return (await this.store.get(ALLOCATIONS_RESOURCE, pool, value)) as AllocationRecord;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every reservation (of one pool), with the version the list was read at. */
  async list(pool?: AllocationPool): Promise<{ records: AllocationRecord[]; resourceVersion: number }> {
    const list = await this.store.list(ALLOCATIONS_RESOURCE, pool ? { namespace: pool } : {});
    return { records: list.items as AllocationRecord[], resourceVersion: Number(list.metadata.resourceVersion) };
  }

  /** Every change after `resourceVersion`; returns the function that stops watching. */
  watch(resourceVersion: number, onEvent: (type: StoreEvent['type'], pool: AllocationPool, value: string) => void): () => void {
    return this.store.watch(ALLOCATIONS_RESOURCE, { resourceVersion }, (event) => {
      onEvent(event.type, event.object.metadata.namespace as AllocationPool, event.object.metadata.name!);
    });
  }
}

function newRecord(pool: AllocationPool, value: string, holder: AllocationHolder): AllocationRecord {
  return {
    apiVersion: 'internal.kubelab.io/v1',
    kind: 'Allocation',
    metadata: { namespace: pool, name: value, uid: randomUUID() },
    spec: { holder },
  };
}

/** The holder of a Service's values; a new Service gets its uid here, before the store write, as kube-apiserver's registry gives it. */
export function serviceHolder(service: KubeObject): AllocationHolder {
  service.metadata.uid ??= randomUUID();
  return { resource: 'services', namespace: service.metadata.namespace, name: service.metadata.name ?? '', uid: service.metadata.uid };
}
