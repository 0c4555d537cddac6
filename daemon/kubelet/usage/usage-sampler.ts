// The kubelet's resource usage sampler: cAdvisor's housekeeping in one small loop.
//
// Every housekeeping interval (KUBELET_DEFAULTS.housekeepingIntervalMs, `--housekeeping-interval`)
// it reads the counters of every running app container of this node and of the node itself, and
// turns them into rates against the previous pass (lib/metrics/usage-report.ts). The latest
// report is what the node's kubelet server answers at /stats/usage, and what the API server's
// metrics.k8s.io reads (kubectl top, the HPA). Nothing is stored: a restarted kubelet reports
// again after two passes, as metrics-server does after two scrapes.

import { errorMessage } from '../../../lib/errors.js';
import type { Clock } from '../../../lib/clock.js';
import { runEvery } from '../../../lib/controller-runtime.js';
import type { Logger } from '../../../lib/logger.js';
import { planUsageReport, type CounterSample, type ContainerReading, type NodeUsageReport } from '../../../lib/metrics/usage-report.js';
import { LABEL_CONTAINER_ROLE, type ContainerRuntime } from '../../runtime/container-runtime.js';
import type { ContainerUsageSource, NodeUsageSource } from './usage-source.js';

export interface UsageSamplerOptions {
  nodeName: string;
  runtime: Pick<ContainerRuntime, 'listContainers'>;
  containers: ContainerUsageSource;
  node: NodeUsageSource;
  clock: Clock;
  intervalMs: number;
  log?: Logger;
}

export class UsageSampler {
  private previous: ReadonlyMap<string, CounterSample> = new Map();
  private previousNode: CounterSample | undefined;
  private report: NodeUsageReport;
  private warnedNode = false;

  constructor(private readonly options: UsageSamplerOptions) {
    this.report = { nodeName: options.nodeName, pods: [] };
  }

  /** The latest pass's report (empty until two passes have run). */
  latest(): NodeUsageReport {
    return this.report;
  }

  /** Samples now, then every interval, until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    return runEvery(this.options.clock, this.options.intervalMs, signal, () => this.sampleOnce(), {
      immediately: true,
      onError: (err) => this.options.log?.warn('sampling resource usage; the previous numbers stay until the next pass', { err }),
    });
  }

  /** One pass: read every running container and the node, compute rates, keep the report. */
  async sampleOnce(): Promise<NodeUsageReport> {
    const { runtime, containers, node, clock, nodeName } = this.options;
    const running = (await runtime.listContainers({ nodeName })).filter((c) => c.state === 'running' && c.labels[LABEL_CONTAINER_ROLE] === 'app');
    const stamp = (counters: { cpuUsageNanos: number; memoryWorkingSetBytes: number }): CounterSample => ({ ...counters, atMs: clock.now().getTime() });
    const [readings, nodeSample] = await Promise.all([
      Promise.all(
        running.map(async (c): Promise<ContainerReading | undefined> => {
          const counters = await containers.read({ id: c.id, pid: c.pid });
          return counters && { id: c.id, pod: c.pod, container: c.name, sample: stamp(counters) };
        }),
      ),
      node.read().then(
        (counters) => counters && stamp(counters),
        (err: unknown) => {
          if (!this.warnedNode) this.options.log?.warn(`reading the node's usage from ${node.description}: ${errorMessage(err)}`);
          this.warnedNode = true;
          return undefined;
        },
      ),
    ]);
    containers.retain(new Set(running.map((c) => c.id)));
    const plan = planUsageReport({
      nodeName,
      previous: this.previous,
      previousNode: this.previousNode,
      containers: readings.filter((r): r is ContainerReading => r !== undefined),
      node: nodeSample,
    });
    this.previous = plan.previous;
    this.previousNode = plan.previousNode;
    this.report = plan.report;
    return plan.report;
  }
}
