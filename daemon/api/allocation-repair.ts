// AllocationRepair: the thin part of Kubernetes' ClusterIP and NodePort repair controllers,
// which every API server runs at start and then every few minutes. It reads the reservation
// ledger, then the stored Services, asks planAllocationRepair what to do (the rules and why a
// leak must be seen twice are there), and does it with guarded writes: a leak is deleted only if
// it is still the very reservation that was seen (same uid and resourceVersion), a missing
// reservation is created only if no one holds the value. Several servers repairing at once is
// safe: whoever loses a race was about to do the same thing.

import type { Service } from '../../lib/api/types.js';
import { logger } from '../../lib/logger.js';
import type { ObjectStore } from '../store/object-store.js';
import type { AllocationLedger, AllocationPool, AllocationRecord } from './allocation-ledger.js';
import { LEAK_PASSES, planAllocationRepair, type Holding, type LedgerEntry } from './plan-allocation-repair.js';

const log = logger('allocation-repair');

export interface AllocationRepairOptions {
  store: ObjectStore;
  ledger: AllocationLedger;
  /** What a stored Service holds, as ledger entries. */
  holdingsOf: (service: Service) => Holding[];
}

/** What one pass did (tests and logs read it). */
export interface RepairResult {
  released: string[];
  reserved: string[];
  conflicts: string[];
  /** Leaks seen, not freed yet. */
  suspected: number;
}

type RecordEntry = LedgerEntry & { record: AllocationRecord };

const describeHolder = (h: { namespace?: string; name: string }) => `${h.namespace ? `${h.namespace}/` : ''}${h.name}`;

export class AllocationRepair {
  private leakCounts: ReadonlyMap<string, number> = new Map();

  constructor(private readonly options: AllocationRepairOptions) {}

  /** One pass: free leaks seen before, reserve what stored Services hold without a reservation. */
  async runOnce(): Promise<RepairResult> {
    const { ledger, store } = this.options;
    // The ledger first, then the Services (see planAllocationRepair).
    const { records } = await ledger.list();
    const services = (await store.list('services')).items as Service[];
    const entries: RecordEntry[] = records.map((record) => ({
      pool: record.metadata.namespace as AllocationPool,
      value: record.metadata.name!,
      uid: record.metadata.uid!,
      holder: record.spec.holder,
      record,
    }));
    const plan = planAllocationRepair(entries, services.flatMap((service) => this.options.holdingsOf(service)), this.leakCounts);
    this.leakCounts = plan.leakCounts;
    const result: RepairResult = { released: [], reserved: [], conflicts: [], suspected: plan.leakCounts.size };
    for (const entry of plan.release) {
      if (await ledger.remove(entry.record)) {
        result.released.push(`${entry.pool}/${entry.value}`);
        log.info(`freed ${entry.pool}/${entry.value}: reserved for ${describeHolder(entry.holder)}, which has not held it in ${LEAK_PASSES} repair passes in a row (a write that never finished)`);
      }
    }
    for (const holding of plan.reserve) {
      if (await ledger.reserve(holding.pool, holding.value, holding.holder)) {
        result.reserved.push(`${holding.pool}/${holding.value}`);
        log.info(`reserved ${holding.pool}/${holding.value} for ${describeHolder(holding.holder)}, which holds it without a reservation (stored before reservations were kept)`);
      }
    }
    for (const { holding, heldBy } of plan.conflicts) {
      const what = `${holding.pool}/${holding.value}`;
      result.conflicts.push(what);
      log.warn(`${what} is held by Service ${describeHolder(holding.holder)} but reserved for ${describeHolder(heldBy)}: two objects share it; delete or change one of them`);
    }
    return result;
  }

  /** Runs a pass every `intervalMs` (a failed pass is logged, the next one tries again); returns the function that stops it. */
  runEvery(intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.runOnce()
        .catch((err: unknown) => log.warn('the allocation repair pass failed; the next one tries again', { err }))
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
