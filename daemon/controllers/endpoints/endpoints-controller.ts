// The endpoints controller (kube-controller-manager's "endpoint" controller, pkg/controller/endpoint).
//
// A Service is only an address; the Endpoints object of the same name says which pod IPs and
// ports stand behind it right now. Every node's proxy and the cluster DNS read Endpoints, never
// pods, so this controller is the one place that decides "which pods serve this Service".
//
// Level-triggered like every controller here: event handlers only enqueue the key of the Service a
// change concerns (a Service changed; a pod changed whose old or new labels match a Service; an
// Endpoints object was deleted or edited behind our back), and reconcile(key) converges:
// 1. Service gone: delete its Endpoints (they die with their Service).
// 2. Service without selector: leave the Endpoints alone; the user writes them by hand (this is
//    how a Service points at something outside the cluster).
// 3. Otherwise: list the selected pods, plan the subsets (plan-endpoints.ts), and create or
//    update the Endpoints only when they differ. A pod that this write adds to or takes from the
//    ready addresses gets an event (EndpointsAdded / EndpointsRemoved) for `kubelab trace pod`.

import { labelSelectorToString, matchesLabels, requirementsFromMap } from '../../../lib/api/selectors.js';
import type { EndpointAddress, Endpoints, Pod, Service } from '../../../lib/api/types.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../../lib/errors.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { desiredEndpoints, endpointsUpToDate } from './plan-endpoints.js';
import { readyAddressChanges } from './ready-address-changes.js';

export type EndpointsControllerOptions = Omit<ControllerOptions, 'recorder'> & { recorder?: EventRecorder };

const hasSelector = (service: Service): boolean => Object.keys(service.spec?.selector ?? {}).length > 0;

export class EndpointsController extends Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly recorder?: EventRecorder;

  constructor(options: EndpointsControllerOptions) {
    super(options, { component: 'endpoint-controller' });
    this.recorder = options.recorder;
    const informers = this.informers;
    const enqueue = (object: Service | Endpoints) => this.queue.add(objectKey(object));
    this.services = informers.informerFor<Service>('services');
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: (_old, service) => enqueue(service), onDelete: enqueue });
    this.pods = informers.informerFor<Pod>('pods');
    this.pods.addEventHandler({
      onAdd: (pod) => this.onPodChange(pod),
      onUpdate: (old, pod) => this.onPodChange(pod, old),
      onDelete: (pod) => this.onPodChange(pod),
    });
    // Someone deleted or edited the Endpoints of a selector Service: put ours back.
    this.endpoints = informers.informerFor<Endpoints>('endpoints');
    this.endpoints.addEventHandler({ onUpdate: (_old, endpoints) => enqueue(endpoints), onDelete: enqueue });
  }

  /** A resync looks at every Service again. */
  protected watched(): Informer[] {
    return [this.services, this.pods, this.endpoints];
  }

  /** Enqueues every Service of the pod's namespace whose selector matches the pod's old or new labels. */
  private onPodChange(pod: Pod, old?: Pod): void {
    for (const service of this.services.list()) {
      if (service.metadata.namespace !== pod.metadata.namespace || !hasSelector(service)) continue;
      const selector = requirementsFromMap(service.spec.selector);
      if (matchesLabels(selector, pod.metadata.labels) || (old && matchesLabels(selector, old.metadata.labels))) this.queue.add(objectKey(service));
    }
  }

  /** Converges the Endpoints of the Service `namespace/name`; safe to run any number of times. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = await this.client.get<Service>('services', namespace, name).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!service) {
      await this.client.delete('endpoints', namespace, name).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      return;
    }
    if (!hasSelector(service) || service.spec.type === 'ExternalName') return;

    const pods = await this.client.list<Pod>('pods', { namespace, labelSelector: labelSelectorToString(service.spec.selector!) });
    const desired = desiredEndpoints(service, pods.items);
    const current = await this.client.get<Endpoints>('endpoints', namespace, name).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    // The events' time is taken before the write: a proxy that reacts to it acts later.
    const writtenAt = this.clock.now();
    if (!current) {
      await this.client.create('endpoints', desired).catch((error: unknown) => {
        // Created meanwhile (a second worker, a user): the retry compares and updates.
        if (isAlreadyExists(error)) throw new Error(`endpoints ${key} appeared while being created; retrying`, { cause: error });
        throw error;
      });
      this.recordReadyChanges(undefined, desired, writtenAt);
      return;
    }
    if (endpointsUpToDate(current, desired)) return;
    const next: Endpoints = {
      ...current,
      metadata: { ...current.metadata, labels: desired.metadata.labels },
      subsets: desired.subsets,
    };
    if (!desired.metadata.labels) delete next.metadata.labels;
    await this.client.update('endpoints', next).catch((error: unknown) => {
      if (isConflict(error)) throw new Error(`endpoints ${key} changed while being updated; retrying`, { cause: error });
      throw error;
    });
    this.recordReadyChanges(current, desired, writtenAt);
  }

  /** Tells each pod this write made (or stopped being) a ready address of the Service. */
  private recordReadyChanges(current: Endpoints | undefined, desired: Endpoints, at: Date): void {
    if (!this.recorder) return;
    const key = objectKey(desired);
    const podOf = (address: EndpointAddress) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: address.targetRef?.name, namespace: address.targetRef?.namespace ?? desired.metadata.namespace, uid: address.targetRef?.uid },
    });
    const { added, removed } = readyAddressChanges(current, desired);
    for (const address of added) {
      if (address.targetRef?.kind !== 'Pod') continue;
      this.recorder.record(podOf(address), 'Normal', 'EndpointsAdded', `Added ${address.ip} to the ready addresses of Endpoints ${key}`, { at });
    }
    for (const address of removed) {
      if (address.targetRef?.kind !== 'Pod') continue;
      const why = address.stillListed ? 'not ready' : 'being deleted, finished or gone';
      this.recorder.record(podOf(address), 'Normal', 'EndpointsRemoved', `Removed ${address.ip} from the ready addresses of Endpoints ${key} (${why})`, { at });
    }
  }
}
