// The real API semantics in memory, for component tests of the scheduler, the kubelet, the
// controllers, the event recorder and the volume manager: LocalClient → ResourceRegistry →
// NedbObjectStore without a data dir, so defaults, validation, status rules and graceful deletion
// are the API server's own, not a test double's that could drift from them.
//
// newTestCluster() is that API alone. startControllerCluster() adds what controller tests need
// around a control plane without nodes: a ManualClock, event recorders, and markPodsReady to
// stand in for the missing kubelet. Plus builders for test objects.

import type { Node, Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { ManualClock } from '../../lib/clock.js';
import { rfc3339 } from '../../lib/time.js';
import { LocalClient } from '../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { isPodActive, isPodReady } from '../../daemon/controllers/pod-state.js';

export interface TestCluster {
  client: ApiClient;
  store: NedbObjectStore;
  close(): Promise<void>;
}

/** The API in memory, with the system namespaces (default, kube-system...) already there. */
export async function newTestCluster(now: () => Date = () => new Date()): Promise<TestCluster> {
  const store = new NedbObjectStore({ clock: now });
  await store.open();
  const registry = new ResourceRegistry({ store, clock: now });
  await registry.ensureSystemNamespaces();
  return { client: new LocalClient(registry), store, close: () => store.close() };
}

export interface ControllerCluster extends TestCluster {
  clock: ManualClock;
  /** An EventRecorder for a controller; close() flushes it. */
  recorderFor: (component: string) => EventRecorder;
}

/** A control plane without nodes on a ManualClock, for controller component tests. */
export async function startControllerCluster(): Promise<ControllerCluster> {
  const clock = new ManualClock('2025-01-01T00:00:00Z');
  const cluster = await newTestCluster(() => clock.now());
  const recorders: EventRecorder[] = [];
  return {
    ...cluster,
    clock,
    recorderFor: (component) => {
      const recorder = new EventRecorder(cluster.client, { component }, clock, { onError: () => {} });
      recorders.push(recorder);
      return recorder;
    },
    close: async () => {
      await Promise.all(recorders.map((r) => r.flush()));
      await cluster.close();
    },
  };
}

/** Creates a Ready node with the given labels and allocatable resources. */
export async function createReadyNode(
  client: ApiClient,
  name: string,
  options: { labels?: Record<string, string>; cpu?: string; memory?: string; pods?: string } = {},
): Promise<Node> {
  const created = await client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: options.labels ?? {} }, spec: {} });
  const resources = { cpu: options.cpu ?? '2', memory: options.memory ?? '4Gi', pods: options.pods ?? '110' };
  return client.updateStatus<Node>('nodes', {
    ...created,
    status: { capacity: resources, allocatable: resources, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
  });
}

export function newPod(name: string, spec: Partial<Pod['spec']> = {}, namespace = 'default'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'app', image: 'kubelab/busybox:1' }], ...spec },
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
