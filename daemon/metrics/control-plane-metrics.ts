// The control plane's Prometheus metrics, served by the API server at /metrics (admin only):
// kube-apiserver's request counters and latencies, kube-scheduler's attempts, the work queues of
// the controllers (and of everything else in the process), and the process's own CPU and memory.
//
// One prom-client Registry per component of a process: the control plane's here, the node
// agent's in node-agent-metrics.ts, so `kubelabd server`, which runs both, never registers one
// name twice and each endpoint shows its own component, as Kubernetes' separate binaries do.

import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { SchedulingResult } from '../scheduler/scheduler.js';
import { parseResourcePath } from '../api/resource-path.js';
import { workQueueCollector } from './workqueue-collector.js';
import type { WorkQueueMetricsProvider } from '../../lib/work-queue.js';

/** kube-apiserver's buckets for request latency, in seconds. */
const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

export class ControlPlaneMetrics {
  readonly registry = new Registry();
  readonly workQueues: WorkQueueMetricsProvider;
  private readonly requests: Counter<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'code'>;
  private readonly requestDuration: Histogram<'verb' | 'group' | 'version' | 'resource' | 'subresource'>;
  private readonly scheduleAttempts: Counter<'result' | 'profile'>;
  private readonly schedulingDuration: Histogram<'result' | 'profile'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, API resource and HTTP response code.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'code'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version, resource and subresource.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource'],
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    });
    this.scheduleAttempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
      registers,
    });
    this.schedulingDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384],
      registers,
    });
    this.workQueues = workQueueCollector(this.registry);
  }

  /** The scheduler's onAttempt. */
  readonly onSchedulingAttempt = (result: SchedulingResult, seconds: number): void => {
    const labels = { result, profile: 'default-scheduler' };
    this.scheduleAttempts.inc(labels);
    this.schedulingDuration.observe(labels, seconds);
  };

  /** express middleware, first in the chain: counts every request and its latency when the response ends. */
  readonly countRequests = (req: Request, res: Response, next: NextFunction): void => {
    const startedMs = performance.now();
    res.once('close', () => {
      let parsed: ReturnType<typeof parseResourcePath>;
      try {
        parsed = parseResourcePath(req.path);
      } catch {
        parsed = undefined; // a broken path was answered 400; count it without a resource
      }
      const watch = req.query.watch === 'true' || req.query.watch === '1';
      const verb = parsed ? kubernetesVerb(req.method, parsed.name !== undefined, watch) : req.method.toUpperCase();
      const labels = {
        verb,
        group: parsed?.info.group ?? '',
        version: parsed?.info.version ?? '',
        resource: parsed?.info.plural ?? '',
        subresource: parsed?.subresource?.name ?? '',
      };
      this.requests.inc({ ...labels, code: String(res.statusCode) });
      this.requestDuration.observe(labels, (performance.now() - startedMs) / 1000);
    });
    next();
  };
}

/** The verb label as kube-apiserver writes it: upper case, WATCH and LIST told apart. */
function kubernetesVerb(method: string, named: boolean, watch: boolean): string {
  if (method === 'GET' || method === 'HEAD') return watch ? 'WATCH' : named ? 'GET' : 'LIST';
  if (method === 'DELETE' && !named) return 'DELETECOLLECTION';
  return method === 'POST' ? 'POST' : method;
}
