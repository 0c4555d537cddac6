// The service-lb controller (cloud-controller-manager's service controller, or MetalLB's, for a
// cluster with no cloud): it watches Services of type LoadBalancer that are still <pending> and
// either gets them an address once one is free again, or says on the Service why it has none
// (`kubelab describe svc` shows the AllocationFailed event). The addresses themselves are handed
// out by the API server when a Service is written (daemon/api/service-allocation.ts), so
// "allocate" here is a write of the unchanged Service: the API server fills in
// status.loadBalancer.ingress if it can.
//
// Level-triggered: a pending Service is enqueued when it appears or changes, and every pending
// Service when a LoadBalancer address is released (a Service deleted, or no longer a
// LoadBalancer); the periodic resync looks at all of them again.

import type { Service } from '../../../lib/api/types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey } from '../../../lib/client/object-key.js';
import { isConflict, isNotFound } from '../../../lib/errors.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { ingressIPs, isPending, planLoadBalancer } from './plan-load-balancer.js';

export const SERVICE_LB_COMPONENT = 'service-lb-controller';

/**
 * The API server frees a deleted Service's address when its own watch sees the delete (the
 * reservation lives in the store: daemon/api/allocation-ledger.ts), which may be a moment after
 * this controller sees it. A refusal this soon after a release is asked again shortly, not taken
 * as "the pool is full".
 */
const RELEASE_SETTLE_MS = 5_000;
const RELEASE_RETRY_MS = 250;

export interface ServiceLbControllerOptions extends ControllerOptions {
  /** The API server's LoadBalancer pool (its --lb-pool or the default one). */
  lbPool: readonly string[];
}

export class ServiceLbController extends Controller {
  private readonly services: Informer<Service>;
  private readonly recorder: EventRecorder;
  private readonly lbPool: readonly string[];
  /** key → the resourceVersion the API server left the Service pending at, when we last asked. */
  private readonly refusedAt = new Map<string, string>();
  /** key → the last warning told on it (once per version and message, not at every resync). */
  private readonly warned = new Map<string, string>();
  /** When an address last went back to the pool (ms since the epoch). */
  private releasedAtMs = 0;

  constructor(options: ServiceLbControllerOptions) {
    super(options, { component: SERVICE_LB_COMPONENT, workers: 1 });
    this.recorder = options.recorder;
    this.lbPool = options.lbPool;
    this.services = this.informers.informerFor<Service>('services');
    const onChange = (service: Service) => {
      if (isPending(service)) this.queue.add(objectKey(service));
    };
    this.services.addEventHandler({
      onAdd: onChange,
      onUpdate: (old, service) => {
        if (ingressIPs(old).length > 0 && ingressIPs(service).length === 0) this.onRelease();
        onChange(service);
      },
      onDelete: (service) => {
        this.refusedAt.delete(objectKey(service));
        this.warned.delete(objectKey(service));
        if (ingressIPs(service).length > 0) this.onRelease();
      },
    });
  }

  protected watched(): Informer[] {
    return [this.services];
  }

  /** An address went back to the pool: every pending Service may try again. */
  private onRelease(): void {
    this.releasedAtMs = this.clock.now().getTime();
    this.refusedAt.clear();
    for (const service of this.services.list()) if (isPending(service)) this.queue.add(objectKey(service));
  }

  async reconcile(key: string): Promise<void> {
    const service = this.services.get(key);
    if (!service) return;
    const plan = planLoadBalancer(service, this.services.list(), this.lbPool, this.refusedAt.get(key));
    if (plan.action === 'none') return;
    if (plan.action === 'warn') {
      const said = `${service.metadata.resourceVersion}/${plan.message}`;
      if (this.warned.get(key) !== said) this.recorder.record(service, 'Warning', plan.reason, plan.message);
      this.warned.set(key, said);
      return;
    }
    let written: Service;
    try {
      written = await this.client.update<Service>('services', service);
    } catch (error) {
      if (isNotFound(error)) return;
      if (isConflict(error)) throw new Error(`service ${key} changed while asking for an address; retrying`, { cause: error });
      throw error;
    }
    const ips = ingressIPs(written);
    if (ips.length > 0) {
      this.refusedAt.delete(key);
      this.recorder.record(written, 'Normal', 'IPAllocated', `Assigned IP ${ips.join(', ')} from the LoadBalancer pool`);
      return;
    }
    if (this.clock.now().getTime() - this.releasedAtMs < RELEASE_SETTLE_MS) {
      this.queue.addAfter(key, RELEASE_RETRY_MS);
      return;
    }
    // The pool is fuller than our view of it: wait for a release before asking again.
    this.refusedAt.set(key, written.metadata.resourceVersion ?? '');
    this.queue.add(key);
  }
}
