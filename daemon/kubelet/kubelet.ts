// The kubelet: the node agent. It makes the pods bound to this node true on this node's
// container runtime, and tells the cluster how they are doing.
//
// Its loops, each a run* around a *Once step:
// - node status: register the Node, write its status when it changes (node-status.ts), and
//   renew the node lease every 10 s, the heartbeat (node-lease.ts);
// - pods: an informer on `pods with spec.nodeName=<me>`; every change enqueues the pod's key;
// - workers: take keys off the work queue (one pod never synced twice at once) and sync the pod
//   (pod-worker.ts): start what should run, restart what crashed, stop what was deleted;
// - container poll: every second, compare the runtime's containers with what was seen before
//   and enqueue the pods whose containers changed, so a crash is noticed within about a second
//   (the runtime interface has no event stream, and a list per second is cheap);
// - resync: every 10 s enqueue every pod anyway, and remove containers of pods that no longer
//   exist (orphans), so a missed event costs at most 10 s;
// - probes: a worker per container probe (probe-manager.ts); a result that flips enqueues the pod.
// On start it *adopts* what it finds: containers of pods that still exist are left running as
// they are (restart counts come from their labels); those of vanished pods are removed.

import path from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Informer } from '../../lib/client/informer.js';
import { objectKey, splitKey } from '../../lib/client/object-key.js';
import { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import { runController, runEvery } from '../../lib/controller-runtime.js';
import type { Clock } from '../../lib/clock.js';
import { isNotFound } from '../../lib/errors.js';
import { logger, type Logger } from '../../lib/logger.js';
import { WorkQueue } from '../../lib/work-queue.js';
import { errorMessage } from '../../lib/errors.js';
import { ReportedOnce } from '../../lib/unreadable-objects.js';
import { KUBELET_DEFAULTS } from '../config.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { LABEL_POD_UID, type ContainerRuntime } from '../runtime/container-runtime.js';
import { KubeletStreams } from './kubelet-streams.js';
import { defaultNodeIP, NodeStatusManager, type NodeStatusOptions } from './node-status.js';
import { NodeLeaseManager } from './node-lease.js';
import { DEFAULT_BACKOFF } from './pod-actions.js';
import type { ClusterDns } from './pod-dns.js';
import { PodWorker } from './pod-worker.js';
import { ProbeManager } from './probe-manager.js';
import { Prober, type ContainerProber } from './prober.js';
import type { TmpfsMounter } from './tmpfs-mounter.js';
import type { ServiceAccountTokenClient } from './service-account-tokens.js';
import { VolumeManager } from './volumes.js';

export interface KubeletOptions {
  nodeName: string;
  client: ApiClient;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  clock: Clock;
  /** Pod volumes live under `<dataDir>/pods/<uid>/`. */
  dataDir: string;
  role: 'server' | 'agent';
  /** The engine network pods get their IPs from; undefined = the engine's default bridge. */
  networkName?: string;
  /** Container restart back-off (CrashLoopBackOff); Kubernetes: 10 s doubling to 300 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** This node's InternalIP; defaults to the host's first non-loopback IPv4 address. */
  nodeIP?: string;
  /** The port this kubelet's stream server listens on, published as status.daemonEndpoints (multi-host). */
  kubeletPort?: number;
  /** How many pods are synced in parallel. */
  workers?: number;
  containerPollMs?: number;
  resyncMs?: number;
  heartbeatIntervalMs?: number;
  /** The cluster DNS server(s) and domain for ClusterFirst pods (kubelet --cluster-dns, --cluster-domain). */
  clusterDns?: ClusterDns;
  /** Asked at every heartbeat: a problem (the cluster DNS cannot bind port 53) makes the node NotReady with it. */
  readinessProblem?: NodeStatusOptions['readinessProblem'];
  /** Runs one probe attempt; the real Prober (HTTP, TCP, exec through the runtime) by default. */
  prober?: ContainerProber;
  /** Where the kubelet reports what failed; logger('kubelet') by default. */
  log?: Logger;
  /** Shared informers (kubelabd's); without it the kubelet makes its own. */
  informers?: SharedInformerFactory;
  /** Mounts the tmpfs of secret volumes; the host's mount table by default (tests give a fake). */
  tmpfs?: TmpfsMounter;
  /** Where projected service account tokens come from (TokenRequests); without it such volumes are refused. */
  tokens?: ServiceAccountTokenClient;
  /** Told, once per pod, the seconds from this kubelet first syncing it to its status first saying Running (kubelet_pod_start_duration_seconds). */
  onPodStarted?: (seconds: number) => void;
}

export class Kubelet {
  readonly streams: PodStreams;
  readonly queue: WorkQueue;
  private readonly reportedUnhandled = new ReportedOnce();
  readonly nodeStatus: NodeStatusManager;
  readonly nodeLease: NodeLeaseManager;
  readonly probes: ProbeManager;
  private readonly worker: PodWorker;
  private readonly volumes: VolumeManager;
  private readonly pods: Informer<Pod>;
  private readonly log: Logger;
  /** Last seen `id:state` of every container on this node, to notice changes. */
  private lastContainerStates = new Map<string, string>();
  /** When each pod not yet Running was first synced here (performance.now() ms), by uid. */
  private readonly firstSeenMs = new Map<string, number>();

  constructor(private readonly options: KubeletOptions) {
    const { nodeName, client, runtime, clock } = options;
    this.log = options.log ?? logger('kubelet');
    const nodeIP = options.nodeIP ?? defaultNodeIP();
    this.queue = new WorkQueue({ name: 'kubelet', clock, onError: (key, err) => this.log.error(`syncing pod ${key}`, { err }) });
    this.volumes = new VolumeManager(client, options.dataDir, options.tmpfs, options.tokens, clock);
    this.probes = new ProbeManager({
      prober: options.prober ?? new Prober(runtime),
      recorder: options.recorder,
      clock,
      onChange: (key) => this.queue.add(key),
      log: this.log,
    });
    this.worker = new PodWorker({
      nodeName,
      client,
      runtime,
      recorder: options.recorder,
      clock,
      volumes: this.volumes,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      nodeIP,
      networkName: options.networkName,
      requeueAfter: (key, delayMs) => this.queue.addAfter(key, delayMs),
      probes: this.probes,
      clusterDns: options.clusterDns,
      onPodRunning: (pod) => {
        const seenMs = this.firstSeenMs.get(pod.metadata.uid ?? '');
        if (seenMs === undefined) return;
        this.firstSeenMs.delete(pod.metadata.uid ?? '');
        options.onPodStarted?.((performance.now() - seenMs) / 1000);
      },
    });
    this.nodeLease = new NodeLeaseManager({ nodeName, client, clock, renewIntervalMs: options.heartbeatIntervalMs ?? KUBELET_DEFAULTS.heartbeatIntervalMs });
    this.nodeStatus = new NodeStatusManager({ nodeName, client, runtime, clock, role: options.role, nodeIP, kubeletPort: options.kubeletPort, heartbeatIntervalMs: options.heartbeatIntervalMs, readinessProblem: options.readinessProblem, dataDir: path.resolve(options.dataDir) });
    const informers =
      options.informers ??
      new SharedInformerFactory({ client, clock, onError: (_resource, err) => this.log.error('watching pods', { err }) });
    this.pods = informers.informerFor<Pod>('pods', { fieldSelector: `spec.nodeName=${nodeName}` });
    const enqueue = (pod: Pod) => this.queue.add(objectKey(pod));
    this.pods.addEventHandler({ onAdd: enqueue, onUpdate: (_old, pod) => enqueue(pod), onDelete: enqueue });
    this.streams = new KubeletStreams(runtime);
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.probes.stopAll(), { once: true });
    const { clock } = this.options;
    const onError = (err: unknown) => this.log.error('periodic pass', { err });
    await Promise.all([
      this.nodeStatus.run(signal, this.log),
      this.nodeLease.run(signal, this.log),
      runController({
        informers: [this.pods],
        queue: this.queue,
        reconcile: (key) => this.syncPod(key),
        workers: this.options.workers ?? 4,
        // Adopt before the workers start: orphans go, the rest is synced without restarting anything.
        onSynced: () => this.cleanupOrphansOnce().catch((err: unknown) => this.log.error('removing orphaned containers', { err })),
        resyncMs: this.options.resyncMs ?? KUBELET_DEFAULTS.resyncMs,
        resync: () => this.resyncOnce(),
        onError,
        clock,
        signal,
      }),
      // Only once the pods are known: a container change is mapped to its pod through the cache.
      this.pods.waitForSync(signal).then(() => runEvery(clock, this.options.containerPollMs ?? KUBELET_DEFAULTS.containerPollMs, signal, () => this.pollContainersOnce(), { onError })),
    ]);
  }

  /** One sync of the pod `namespace/name`. */
  async syncPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let pod: Pod;
    try {
      pod = await this.options.client.get<Pod>('pods', namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Deleted without us (force delete): the orphan sweep removes what it had.
      return this.cleanupOrphansOnce();
    }
    if (pod.spec.nodeName !== this.options.nodeName) return;
    const uid = pod.metadata.uid ?? '';
    if (pod.status?.phase !== 'Running' && !pod.metadata.deletionTimestamp && !this.firstSeenMs.has(uid)) {
      if (this.firstSeenMs.size > 10_000) this.firstSeenMs.clear(); // pods that never ran: forget them rather than grow
      this.firstSeenMs.set(uid, performance.now());
      // The first row the kubelet adds to `kubelab trace pod`. Kubernetes has no event for it; a
      // pod without any status yet is one no kubelet has synced, so a daemon restart adds none.
      if (!pod.status?.hostIP) this.options.recorder.record(pod, 'Normal', 'Seen', `Pod bound to ${this.options.nodeName} seen by its kubelet`);
    }
    try {
      if (pod.metadata.deletionTimestamp) return await this.worker.terminatePod(pod);
      return await this.worker.syncPod(pod);
    } catch (err) {
      // A pod the kubelet cannot handle (a field of a shape stored before the API checked types):
      // said on the pod once per version; the work queue retries this pod alone, with back-off.
      if ((err instanceof TypeError || err instanceof RangeError) && this.reportedUnhandled.firstTime(pod)) {
        this.options.recorder.record(pod, 'Warning', 'FailedSync', `error syncing pod: the kubelet cannot handle it: ${errorMessage(err)}; it retries with growing delays. A field probably has a shape the API accepted before it checked types: recreate the pod`);
      }
      throw err;
    }
  }

  /** Enqueues every pod of this node (the periodic resync) and removes orphans. */
  async resyncOnce(): Promise<void> {
    for (const pod of this.pods.list()) this.queue.add(objectKey(pod));
    await this.cleanupOrphansOnce();
  }

  /** Enqueues the pods whose containers changed state since the last poll. */
  async pollContainersOnce(): Promise<void> {
    const containers = await this.options.runtime.listContainers({ nodeName: this.options.nodeName });
    const now = new Map(containers.map((c) => [c.id, `${c.state}:${c.pod.uid}`]));
    const changedUids = new Set<string>();
    for (const [id, state] of now) if (this.lastContainerStates.get(id) !== state) changedUids.add(state.split(':')[1]);
    for (const [id, state] of this.lastContainerStates) if (!now.has(id)) changedUids.add(state.split(':')[1]);
    this.lastContainerStates = now;
    if (changedUids.size === 0) return;
    for (const pod of this.pods.list()) if (changedUids.has(pod.metadata.uid!)) this.queue.add(objectKey(pod));
  }

  /** Removes containers, sandboxes and volumes of pods that are not bound here anymore. */
  async cleanupOrphansOnce(): Promise<void> {
    const { runtime, nodeName } = this.options;
    const known = new Set(this.pods.list().map((p) => p.metadata.uid!));
    const [containers, sandboxes, onDisk] = await Promise.all([
      runtime.listContainers({ nodeName }),
      runtime.listPodSandboxes({ nodeName }),
      this.volumes.podUidsOnDisk(),
    ]);
    const orphans = new Set<string>();
    for (const c of containers) if (!known.has(c.pod.uid)) orphans.add(c.labels[LABEL_POD_UID] ?? c.pod.uid);
    for (const s of sandboxes) if (!known.has(s.pod.uid)) orphans.add(s.pod.uid);
    for (const uid of onDisk) if (!known.has(uid)) orphans.add(uid);
    for (const uid of orphans) await this.worker.removeEverything(uid);
  }
}
