// The repair pass's decision (pure): Kubernetes' ClusterIP and NodePort repair controllers
// (pkg/registry/core/service/ipallocator/controller/repair.go, portallocator/controller/repair.go),
// over kubelab's reservation ledger (allocation-ledger.ts).
//
// A reservation and the Service that holds its value are two writes: reserve, then store the
// Service (and, on delete or update, store the Service, then free the value). A server that dies
// in between leaves one without the other:
//   - a reservation no Service holds (a leak): the value can never be handed out again. It is
//     freed, but only once it has been seen leaked in LEAK_PASSES passes in a row. A single pass
//     cannot tell a leak from a write in flight on another server (reserved, Service not stored
//     yet); passes are minutes apart and a write takes milliseconds, so a reservation still
//     unclaimed at the second pass is a leak. The count is kept per reservation uid: a value freed
//     and reserved again in between starts from zero.
//   - a value a stored Service holds with no reservation (a Service stored by a kubelab that kept
//     its pools in memory, or a store restored from a snapshot): its reservation is created, so
//     no one else is given the value. When another holder has it already, two Services share the
//     value: nothing can be decided automatically; it is reported (Kubernetes' event
//     "ClusterIPAlreadyAllocated"), the user deletes or edits one of them.

import type { AllocationHolder, AllocationPool } from './allocation-ledger.js';

/** A reservation passes this many repair passes unclaimed before it is freed. */
export const LEAK_PASSES = 2;

export interface LedgerEntry {
  pool: AllocationPool;
  value: string;
  /** The reservation's own uid: what leak counts are kept by. */
  uid: string;
  holder: AllocationHolder;
}

/** A value a stored object holds. */
export interface Holding {
  pool: AllocationPool;
  value: string;
  holder: AllocationHolder;
}

export interface RepairPlan<E extends LedgerEntry> {
  /** Leaks seen LEAK_PASSES times: free them. */
  release: E[];
  /** Values held with no reservation: reserve them for their holder. */
  reserve: Holding[];
  /** Values held by an object while another holder's reservation has them. */
  conflicts: { holding: Holding; heldBy: AllocationHolder }[];
  /** Leak counts to remember for the next pass (reservation uid → passes seen leaked). */
  leakCounts: Map<string, number>;
}

const keyOf = (pool: string, value: string) => `${pool}/${value}`;

/**
 * `entries`: the ledger, read before `holdings` (what the stored objects hold) were, so a value
 * freed in between shows as a leak, never as a missing reservation to recreate.
 */
export function planAllocationRepair<E extends LedgerEntry>(entries: E[], holdings: Holding[], previousLeakCounts: ReadonlyMap<string, number>): RepairPlan<E> {
  const holdingByValue = new Map<string, Holding[]>();
  for (const holding of holdings) {
    const key = keyOf(holding.pool, holding.value);
    holdingByValue.set(key, [...(holdingByValue.get(key) ?? []), holding]);
  }
  const plan: RepairPlan<E> = { release: [], reserve: [], conflicts: [], leakCounts: new Map() };
  const reserved = new Map<string, E>();
  for (const entry of entries) {
    reserved.set(keyOf(entry.pool, entry.value), entry);
    const claimed = (holdingByValue.get(keyOf(entry.pool, entry.value)) ?? []).some((h) => h.holder.uid === entry.holder.uid);
    if (claimed) continue;
    const seen = (previousLeakCounts.get(entry.uid) ?? 0) + 1;
    if (seen >= LEAK_PASSES) plan.release.push(entry);
    else plan.leakCounts.set(entry.uid, seen);
  }
  for (const [key, held] of holdingByValue) {
    const entry = reserved.get(key);
    for (const holding of held) {
      if (!entry) {
        // The first holder gets the reservation; any other is reported at the next pass.
        if (holding === held[0]) plan.reserve.push(holding);
      } else if (entry.holder.uid !== holding.holder.uid) {
        plan.conflicts.push({ holding, heldBy: entry.holder });
      }
    }
  }
  return plan;
}
