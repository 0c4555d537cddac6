// Slow start: Kubernetes' slowStartBatch (pkg/controller/replicaset), used by every controller
// that creates pods. Calls go out in batches of 1, 2, 4, 8 ... (each batch in parallel) and the
// first batch with a failure ends the run: a template that can never work (quota, admission, a
// name too long) costs one failed call, not hundreds, while a healthy one still reaches large
// counts in a few round trips. Together with the burst limit (plan-replicas.ts: at most 500 pods
// per sync) this bounds what one pass can do to the API server.

import { slowStartBatches } from './replicaset/plan-replicas.js';

/** Kubernetes' controller.SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface SlowStartResult {
  /** Calls that succeeded (all of those started before the failing batch ended). */
  successes: number;
  /** Calls never made because an earlier batch failed. */
  skipped: number;
  /** The first failure of the failing batch, if any. */
  error?: unknown;
}

/** Runs `call` `count` times in slow-start batches, stopping after the first batch with a failure. */
export async function slowStartBatch(count: number, call: () => Promise<unknown>, initialBatchSize = SLOW_START_INITIAL_BATCH_SIZE): Promise<SlowStartResult> {
  let successes = 0;
  let started = 0;
  for (const size of slowStartBatches(count, initialBatchSize)) {
    started += size;
    const results = await Promise.allSettled(Array.from({ length: size }, () => call()));
    successes += results.filter((result) => result.status === 'fulfilled').length;
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) return { successes, skipped: count - started, error: failed.reason };
  }
  return { successes, skipped: 0 };
}
