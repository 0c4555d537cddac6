// A control plane without nodes for controller component tests: the real registry (defaults,
// validation, status rules, graceful delete) over an in-memory store, a LocalClient, a
// ManualClock, and the helpers that stand in for the missing kubelet (markPodsReady).

import type { Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { ManualClock } from '../../lib/clock.js';
import { rfc3339 } from '../../lib/time.js';
import { LocalClient } from '../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { isPodActive, isPodReady } from '../../daemon/controllers/pod-state.js';

export interface ControllerCluster {
  store: NedbObjectStore;
  client: ApiClient;
  clock: ManualClock;
  recorderFor: (component: string) => EventRecorder;
  close(): Promise<void>;
}

export async function startControllerCluster(): Promise<ControllerCluster> {
  const clock = new ManualClock('2025-01-01T00:00:00Z');
  const store = new NedbObjectStore({ clock: () => clock.now() });
  await store.open();
  const registry = new ResourceRegistry({ store, clock: () => clock.now() });
  await registry.ensureSystemNamespaces();
  const client = new LocalClient(registry);
  const recorders: EventRecorder[] = [];
  return {
    store,
    client,
    clock,
    recorderFor: (component) => {
      const recorder = new EventRecorder(client, { component }, clock, { onError: () => {} });
      recorders.push(recorder);
      return recorder;
    },
    close: async () => {
      await Promise.all(recorders.map((r) => r.flush()));
      await store.close();
    },
  };
}

/** What the kubelet would report: the pod Running and Ready since now. Returns how many changed. */
export async function markPodsReady(client: ApiClient, clock: ManualClock, filter: (pod: Pod) => boolean = () => true): Promise<number> {
  const pods = (await client.list<Pod>('pods', { namespace: 'default' })).items.filter((p) => isPodActive(p) && !isPodReady(p) && filter(p));
  for (const pod of pods) {
    const now = rfc3339(clock.now());
    await client.updateStatus<Pod>('pods', {
      ...pod,
      status: {
        phase: 'Running',
        startTime: now,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
        containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, state: { running: { startedAt: now } }, lastState: {}, ready: true, restartCount: 0, image: c.image, imageID: '' })),
      },
    }).catch(() => undefined); // deleted or changed meanwhile: the next round marks it
  }
  return pods.length;
}

/**
 * Polls `check` until it passes; between polls the manual clock moves `stepMs` (so retries with
 * back-off and delayed requeues run) and real time lets the controllers work.
 */
export async function eventually<T>(check: () => Promise<T> | T, clock: ManualClock, options: { timeoutMs?: number; stepMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError;
    await clock.advance(options.stepMs ?? 50);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function podsOf(client: ApiClient, labelSelector?: string): Promise<Pod[]> {
  return (await client.list<Pod>('pods', { namespace: 'default', labelSelector })).items;
}
