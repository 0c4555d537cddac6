// LocalClient: the ApiClient of components that run inside the API server's own process
// (the scheduler, the server's kubelet, the controllers).
//
// It calls the registry directly instead of going through HTTPS, but it goes through the registry,
// never around it to the store: defaults, validation, status rules and graceful deletion apply to
// a controller's writes exactly as they apply to kubectl's. A component written against ApiClient
// runs unchanged on a remote node with the RestClient.

import { resourceByKey } from '../../lib/api/resources.js';
import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import type { ApiClient, DeleteOptions, ListOptions, PatchType, Watch, WatchEvent, WatchOptions, WriteOptions } from '../../lib/client/api-client.js';
import { ApiError, isGone } from '../../lib/errors.js';
import { internalContext, type Registry, type RequestContext } from './registry.js';

export class LocalClient implements ApiClient {
  constructor(
    private readonly registry: Registry,
    /** Who this client acts as; fieldValidation and dryRun are overridden per call by WriteOptions. */
    private readonly context: RequestContext = internalContext(),
  ) {}

  get<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string): Promise<T> {
    return this.registry.get(resource, namespace, name, this.requestContext()) as Promise<T>;
  }

  list<T extends KubeObject = KubeObject>(resource: string, options: ListOptions = {}): Promise<ObjectList<T>> {
    return this.registry.list(resource, options, this.requestContext()) as Promise<ObjectList<T>>;
  }

  /**
   * Events arrive synchronously, in order, from the store's write path: keep onEvent short
   * (enqueue a key). A too-old resourceVersion arrives as an ERROR event with the 410 Status,
   * as over HTTP, and ends the watch; `done` resolves then, or when stop() is called.
   */
  watch<T extends KubeObject = KubeObject>(resource: string, options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Watch {
    let finish!: () => void;
    let fail!: (err: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    let stopped = false;
    let stopWatch: (() => void) | undefined;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      stopWatch?.();
      finish();
    };
    try {
      stopWatch = this.registry.watch(resource, options, this.requestContext(), (event) => {
        if (stopped) return;
        try {
          // The store shares event objects among watchers; a controller may change what it gets.
          onEvent({ type: event.type, object: structuredClone(event.object) } as WatchEvent<T>);
        } catch (err) {
          // A handler that throws ends its own watch (as a broken connection would), not the write.
          fail(err);
          stop();
        }
      });
      if (stopped) stopWatch(); // stopped while the backlog was being delivered
    } catch (err) {
      stopped = true;
      if (isGone(err)) {
        onEvent({ type: 'ERROR', object: (err as ApiError).toStatus() as unknown as T });
        finish();
      } else {
        fail(err);
      }
    }
    return { stop, done };
  }

  create<T extends KubeObject = KubeObject>(resource: string, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.registry.create(resource, namespaceOf(resource, obj), obj, this.requestContext(options)) as Promise<T>;
  }

  update<T extends KubeObject = KubeObject>(resource: string, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.registry.update(resource, namespaceOf(resource, obj), obj.metadata.name ?? '', obj, this.requestContext(options)) as Promise<T>;
  }

  updateStatus<T extends KubeObject = KubeObject>(resource: string, obj: T): Promise<T> {
    return this.registry.update(resource, namespaceOf(resource, obj), obj.metadata.name ?? '', obj, this.requestContext(), 'status') as Promise<T>;
  }

  patch<T extends KubeObject = KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    options: WriteOptions & { subresource?: 'status' | 'scale' } = {},
  ): Promise<T> {
    return this.registry.patch(resource, namespace, name, patch, type, this.requestContext(options), options.subresource) as Promise<T>;
  }

  delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
    return this.registry.delete(resource, namespace, name, options, this.requestContext({ dryRun: options.dryRun }));
  }

  /** A fresh context per call: warnings of one request must not leak into the next. */
  private requestContext(options: WriteOptions = {}): RequestContext {
    return {
      ...this.context,
      fieldValidation: options.fieldValidation ?? this.context.fieldValidation,
      dryRun: options.dryRun ?? this.context.dryRun,
      warnings: [],
    };
  }
}

/** A namespaced object without a namespace goes to `default`, as kubectl's context would send it. */
function namespaceOf(resource: string, obj: KubeObject): string | undefined {
  if (resourceByKey(resource)?.namespaced === false) return undefined;
  return obj.metadata?.namespace ?? 'default';
}
