// The shared informer factory: client-go's SharedInformerFactory.
//
// Every controller wants pods; without sharing, each would list and watch all pods itself, and
// the API server would stream every pod change to kubelabd five times. The factory hands out one
// Informer per (resource, list options): the ReplicaSet, ReplicationController, Deployment,
// Endpoints and garbage collector controllers all get the same `pods` informer and add their own
// handlers to it, so adding a controller adds handlers, not watches. Different options are
// different caches: the scheduler's `pods with spec.nodeName=` and the kubelet's `pods with
// spec.nodeName=node-1` are their own informers.
//
// A component that is given no factory makes its own (tests do this), which is the unshared
// behaviour; kubelabd makes one per process and passes it to everything it starts.

import type { KubeObject } from '../api/types.js';
import type { Clock } from '../clock.js';
import type { ApiClient, ListOptions } from './api-client.js';
import { Informer } from './informer.js';
import { logger } from '../logger.js';

export interface SharedInformerFactoryOptions {
  client: ApiClient;
  clock: Clock;
  /** Told about list and watch failures of any informer (each retries on its own). */
  onError?: (resource: string, error: unknown) => void;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer>();

  constructor(private readonly options: SharedInformerFactoryOptions) {}

  /** The one informer for this resource and these options; made on first request. */
  informerFor<T extends KubeObject>(resource: string, listOptions: ListOptions = {}): Informer<T> {
    const key = informerKey(resource, listOptions);
    let informer = this.informers.get(key);
    if (!informer) {
      const { client, clock, onError } = this.options;
      informer = new Informer({
        client,
        clock,
        resource,
        listOptions,
        onError: (error) => (onError ? onError(resource, error) : logger('informer').error(key, { err: error })),
      });
      this.informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** How many distinct informers (so watches, once started) the factory holds. */
  get size(): number {
    return this.informers.size;
  }
}

/** `pods?fieldSelector=spec.nodeName%3D`: resource plus the options that change what is listed. */
function informerKey(resource: string, options: ListOptions): string {
  const query = new URLSearchParams();
  if (options.namespace) query.set('namespace', options.namespace);
  if (options.labelSelector) query.set('labelSelector', options.labelSelector);
  if (options.fieldSelector !== undefined) query.set('fieldSelector', options.fieldSelector);
  const text = query.toString();
  return text ? `${resource}?${text}` : resource;
}
