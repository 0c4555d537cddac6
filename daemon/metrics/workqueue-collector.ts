// workqueue_depth and workqueue_adds_total (client-go's workqueue metrics), read off every queue
// of the process when scraped: the queues count adds in a plain number and know their length, so
// a busy controller pays nothing per key for being measured.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkQueueMetricsProvider, WorkQueueStats } from '../../lib/work-queue.js';

export function workQueueCollector(registry: Registry): WorkQueueMetricsProvider {
  const queues = new Set<WorkQueueStats>();
  // Queues of one name (two ReplicaSet controllers in a test process) are summed.
  const byName = () => {
    const totals = new Map<string, { depth: number; adds: number }>();
    for (const q of queues) {
      const t = totals.get(q.name) ?? { depth: 0, adds: 0 };
      t.depth += q.length;
      t.adds += q.addsTotal;
      totals.set(q.name, t);
    }
    return totals;
  };
  new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, t] of byName()) this.set({ name }, t.depth);
    },
  });
  new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, t] of byName()) this.inc({ name }, t.adds);
    },
  });
  return { register: (q) => void queues.add(q), unregister: (q) => void queues.delete(q) };
}
