// An ApiClient whose lists and watches the test scripts: it records every list and watch call
// (with its options), answers lists from objects the test sets, and lets the test push events
// into an open watch, end it, or answer it with 410 Gone. For informer and controller-runtime
// tests that must see exactly what a component asks the API server; writes are not supported.

import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import type { ApiClient, ListOptions, WatchEvent, WatchOptions } from '../../lib/client/api-client.js';

export interface ScriptedWatch {
  resource: string;
  options: WatchOptions;
  stopped: boolean;
  /** Delivers an event, as the server would. */
  emit(type: WatchEvent['type'], object: KubeObject): void;
  /** The server ends the watch (a timeout, a restart). */
  end(): void;
  /** The server says the resourceVersion is too old: an ERROR event with a 410 Status. */
  gone(): void;
}

export function object(name: string, resourceVersion: string, namespace = 'default', labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, resourceVersion, ...(labels ? { labels } : {}) } } as KubeObject;
}

export class ScriptedApiClient implements ApiClient {
  readonly lists: { resource: string; options: ListOptions }[] = [];
  readonly watches: ScriptedWatch[] = [];
  /** What the next list of each resource answers. */
  readonly items = new Map<string, { items: KubeObject[]; resourceVersion: string }>();

  setList(resource: string, resourceVersion: string, items: KubeObject[]): void {
    this.items.set(resource, { items, resourceVersion });
  }

  /** The open (not ended, not stopped) watches. */
  get openWatches(): ScriptedWatch[] {
    return this.watches.filter((watch) => !watch.stopped);
  }

  async list<T extends KubeObject = KubeObject>(resource: string, options: ListOptions = {}): Promise<ObjectList<T>> {
    this.lists.push({ resource, options });
    const answer = this.items.get(resource) ?? { items: [], resourceVersion: '1' };
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: answer.resourceVersion }, items: answer.items as T[] };
  }

  watch<T extends KubeObject = KubeObject>(resource: string, options: WatchOptions, onEvent: (event: WatchEvent<T>) => void) {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const watch: ScriptedWatch = {
      resource,
      options,
      stopped: false,
      emit: (type, item) => {
        if (!watch.stopped) onEvent({ type, object: item as T });
      },
      end: () => {
        watch.stopped = true;
        finish();
      },
      gone: () => {
        onEvent({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' } as unknown as T });
        watch.end();
      },
    };
    this.watches.push(watch);
    return { stop: () => watch.end(), done };
  }

  get(): never {
    throw new Error('ScriptedApiClient: get is not scripted');
  }
  create(): never {
    throw new Error('ScriptedApiClient: create is not scripted');
  }
  update(): never {
    throw new Error('ScriptedApiClient: update is not scripted');
  }
  updateStatus(): never {
    throw new Error('ScriptedApiClient: updateStatus is not scripted');
  }
  patch(): never {
    throw new Error('ScriptedApiClient: patch is not scripted');
  }
  delete(): never {
    throw new Error('ScriptedApiClient: delete is not scripted');
  }
}
