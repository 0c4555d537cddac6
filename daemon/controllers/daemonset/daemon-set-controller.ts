// The DaemonSet controller: Kubernetes' DaemonSetsController (pkg/controller/daemon), which runs
// as the "daemonset" controller of kube-controller-manager.
//
// A DaemonSet says "run one pod like this on every node that fits". The controller watches
// DaemonSets, pods and nodes: a new node, a relabelled or tainted node and a deleted pod all
// concern the DaemonSets, whose keys the handlers enqueue. reconcile(key) then:
// 1. reads the DaemonSet, the nodes and the namespace's pods from the API;
// 2. claims pods (adopts matching orphans, releases pods whose labels stopped matching);
// 3. finds or creates the ControllerRevision of the current template (revisions.ts), whose hash
//    labels the new pods;
// 4. asks planDaemonSet which nodes need a pod and which pods must go (placement, excess pods,
//    one rolling-update step), and does it;
// 5. removes old revisions beyond revisionHistoryLimit, writes status.
//
// Where a daemon pod runs: since Kubernetes 1.12 the controller writes a required node affinity
// (matchFields metadata.name) into each pod and lets the default scheduler bind it. kubelab's
// scheduler implements no affinity, so this controller binds the pod itself by setting
// spec.nodeName, as Kubernetes' DaemonSet controller did before 1.12. The node's fitness
// (selector, taints) was already decided by placeDaemonPod; what is lost is the scheduler's
// resource check, so a daemon pod goes to a full node (as it should: it is the node's service).

import type { ControllerRevision, DaemonSet, Node, Pod } from '../../../lib/api/types.js';
import { canonicalJson, podTemplateHash } from '../../../lib/api/pod-template-hash.js';
import { matchesLabels, requirementsFromLabelSelector } from '../../../lib/api/selectors.js';
import { backoffRemainingMs, nextBackoffDelayMs, type BackoffWindow } from '../../../lib/backoff.js';
import { errorMessage, isAlreadyExists, isNotFound } from '../../../lib/errors.js';
import { CONTROLLER_DEFAULTS } from '../../config.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import { controllerOf, controllerRefTo, performClaims, planClaims } from '../controller-ref.js';
import { Controller, type ControllerOptions } from '../controller.js';
import { ownedPodEventHandlers } from '../owned-pod-events.js';
import { daemonPodTolerations } from './daemon-placement.js';
import { CONTROLLER_REVISION_HASH_LABEL, countDaemonPods, planDaemonSet, type DaemonUpdateStrategy } from './plan-daemon-pods.js';
import { historyToClean, maxRevision, newRevision, pickCurrent, splitHistory } from './revisions.js';

export const DAEMON_SET_COMPONENT = 'daemonset-controller';

export class DaemonSetController extends Controller {
  private readonly daemonSets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: EventRecorder;
  /** Per `namespace/name/node`: the back-off of the daemon pod that last failed there. */
  private readonly failedBackoff = new Map<string, BackoffWindow>();

  constructor(options: ControllerOptions) {
    super(options, { component: DAEMON_SET_COMPONENT });
    this.recorder = options.recorder;
    this.daemonSets = this.informers.informerFor<DaemonSet>('daemonsets.apps');
    this.daemonSets.addEventHandler({
      onAdd: (ds) => this.queue.add(objectKey(ds)),
      onUpdate: (_old, ds) => this.queue.add(objectKey(ds)),
      onDelete: (ds) => this.queue.add(objectKey(ds)),
    });
    this.pods = this.informers.informerFor<Pod>('pods');
    this.pods.addEventHandler(
      ownedPodEventHandlers({
        kind: 'DaemonSet',
        owners: this.daemonSets,
        selects: (ds, pod) => matchesLabels(requirementsFromLabelSelector(ds.spec.selector), pod.metadata.labels),
        minReadySecondsOf: (ds) => ds.spec.minReadySeconds,
        queue: this.queue,
      }),
    );
    this.nodes = this.informers.informerFor<Node>('nodes');
    // Any change of a node (labels, taints, readiness, a new or deleted node) may change where
    // daemon pods belong; there are few DaemonSets, so all of them look again.
    const everyDaemonSet = () => this.daemonSets.list().forEach((ds) => this.queue.add(objectKey(ds)));
    this.nodes.addEventHandler({
      onAdd: everyDaemonSet,
      onUpdate: (old, node) => {
        if (JSON.stringify([old.metadata.labels, old.spec, nodeReady(old)]) !== JSON.stringify([node.metadata.labels, node.spec, nodeReady(node)])) everyDaemonSet();
      },
      onDelete: everyDaemonSet,
    });
  }

  protected watched(): Informer[] {
    return [this.daemonSets, this.pods, this.nodes];
  }

  // -------------------------------------------------------------------------------------------
  // Reconcile

  /** One pass for one DaemonSet; safe to run again at any time. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let ds: DaemonSet;
    try {
      ds = await this.client.get<DaemonSet>('daemonsets.apps', namespace, name);
    } catch (error) {
      // Gone: its pods and revisions are the garbage collector's business.
      if (isNotFound(error)) return;
      throw error;
    }
    const selector = requirementsFromLabelSelector(ds.spec.selector);
    const matches = (obj: { metadata: { labels?: Record<string, string> } }) => selector.length > 0 && matchesLabels(selector, obj.metadata.labels);
    const nodes = (await this.client.list<Node>('nodes')).items;
    const listPods = async () => (await this.client.list<Pod>('pods', { namespace })).items;
    const claims = planClaims(ds, await listPods(), matches);
    let pods = await performClaims(this.client, 'pods', claims, controllerRefTo(ds, 'apps/v1', 'DaemonSet'));
    if (ds.metadata.deletionTimestamp) return;

    const hash = await this.ensureCurrentRevision(ds, matches);
    const podSpec = { ...structuredClone(ds.spec.template.spec), tolerations: daemonPodTolerations(ds.spec.template.spec) };
    const strategy = strategyOf(ds);
    const minReadySeconds = ds.spec.minReadySeconds ?? 0;

    const nowMs = this.clock.now().getTime();
    const failedBackoffNodes = new Set(nodes.map((node) => node.metadata.name ?? '').filter((node) => backoffRemainingMs(this.failedBackoff.get(`${key}/${node}`), nowMs) > 0));
    const plan = planDaemonSet({ nodes, pods, podSpec, hash, strategy, minReadySeconds, now: this.clock.now(), failedBackoffNodes });
    this.recordFailedPodDeletions(key, plan.delete, nowMs);
    const failures: unknown[] = [];
    await Promise.all([
      ...plan.delete.map((pod) => this.deletePod(ds, pod).catch((error) => failures.push(error))),
      ...plan.createOn.map((node) => this.createPod(ds, node, hash).catch((error) => failures.push(error))),
    ]);

    // Status reports what exists after this pass's writes.
    pods = (await listPods()).filter((pod) => controllerOf(pod)?.uid === ds.metadata.uid);
    await this.cleanupHistory(ds, matches, pods);
    const counts = countDaemonPods({ nodes, pods, podSpec, hash, minReadySeconds, now: this.clock.now() });
    const status = { ...ds.status, ...counts, observedGeneration: ds.metadata.generation ?? 0 };
    if (canonicalJson(status) !== canonicalJson(ds.status ?? {})) {
      await this.client.updateStatus('daemonsets.apps', { ...ds, status });
    }
    // Ready pods become available by time alone: look again then.
    if (minReadySeconds > 0 && counts.numberReady > counts.numberAvailable) this.queue.addAfter(key, minReadySeconds * 1000);
    if (failures.length > 0) throw failures[0];
  }

  /**
   * Each failed pod deleted starts (or doubles) its node's back-off, and the DaemonSet looks
   * again when it ends. A back-off idle for twice the cap is forgotten, as Kubernetes' is.
   */
  private recordFailedPodDeletions(key: string, deleted: Pod[], nowMs: number): void {
    const policy = CONTROLLER_DEFAULTS.daemonFailedPodBackoff;
    for (const pod of deleted) {
      if (pod.status?.phase !== 'Failed') continue;
      const backoffKey = `${key}/${pod.spec.nodeName}`;
      const previous = this.failedBackoff.get(backoffKey);
      const fresh = !previous || nowMs - previous.failedAtMs > 2 * policy.maxMs;
      const delayMs = nextBackoffDelayMs(policy, fresh ? undefined : previous.delayMs);
      this.failedBackoff.set(backoffKey, { delayMs, failedAtMs: nowMs });
      this.queue.addAfter(key, delayMs + 1);
    }
  }

  /**
   * constructHistory: the revision of the current template, created when missing or renumbered
   * to be the newest (after a rollback); returns its hash, the label the new pods carry.
   */
  private async ensureCurrentRevision(ds: DaemonSet, matches: (obj: ControllerRevision) => boolean): Promise<string> {
    const revisions = await this.ownedRevisions(ds, matches);
    const { current, old } = splitHistory(ds, revisions);
    const next = maxRevision(old) + 1;
    const picked = pickCurrent(current);
    if (picked) {
      for (const duplicate of picked.duplicates) await this.deleteRevision(duplicate);
      let keep = picked.keep;
      if ((keep.revision ?? 0) < next) keep = await this.client.update<ControllerRevision>('controllerrevisions.apps', { ...keep, revision: next });
      return keep.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? podTemplateHash(ds.spec.template, ds.status?.collisionCount);
    }
    const hash = podTemplateHash(ds.spec.template, ds.status?.collisionCount);
    const revision = newRevision(ds, hash, next);
    try {
      await this.client.create<ControllerRevision>('controllerrevisions.apps', revision);
      return hash;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Another template already has this name: count the collision, so the next pass hashes differently.
      const existing = await this.client.get<ControllerRevision>('controllerrevisions.apps', ds.metadata.namespace, revision.metadata.name ?? '');
      if (splitHistory(ds, [existing]).current.length > 0 && controllerOf(existing)?.uid === ds.metadata.uid) return hash;
      await this.client.updateStatus('daemonsets.apps', { ...ds, status: { ...ds.status!, collisionCount: (ds.status?.collisionCount ?? 0) + 1 } });
      throw new Error(`daemonset ${ds.metadata.namespace}/${ds.metadata.name}: ControllerRevision ${revision.metadata.name} already exists with another template; retrying with collisionCount ${(ds.status?.collisionCount ?? 0) + 1}`, { cause: error });
    }
  }

  private async ownedRevisions(ds: DaemonSet, matches: (obj: ControllerRevision) => boolean): Promise<ControllerRevision[]> {
    const listed = await this.client.list<ControllerRevision>('controllerrevisions.apps', { namespace: ds.metadata.namespace });
    const claims = planClaims(ds, listed.items, matches);
    return performClaims(this.client, 'controllerrevisions.apps', claims, controllerRefTo(ds, 'apps/v1', 'DaemonSet'));
  }

  private async cleanupHistory(ds: DaemonSet, matches: (obj: ControllerRevision) => boolean, pods: Pod[]): Promise<void> {
    const { old } = splitHistory(ds, await this.ownedRevisions(ds, matches));
    const liveHashes = new Set(pods.map((pod) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? ''));
    for (const revision of historyToClean(old, ds.spec.revisionHistoryLimit ?? 10, liveHashes)) await this.deleteRevision(revision);
  }

  private async deleteRevision(revision: ControllerRevision): Promise<void> {
    try {
      await this.client.delete('controllerrevisions.apps', revision.metadata.namespace, revision.metadata.name ?? '');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async createPod(ds: DaemonSet, nodeName: string, hash: string): Promise<void> {
    const template = ds.spec.template;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [controllerRefTo(ds, 'apps/v1', 'DaemonSet')],
      },
      spec: { ...structuredClone(template.spec), tolerations: daemonPodTolerations(template.spec), nodeName },
    };
    try {
      const created = await this.client.create<Pod>('pods', pod);
      this.recorder.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (error) {
      this.recorder.record(ds, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
      throw error;
    }
  }

  private async deletePod(ds: DaemonSet, pod: Pod): Promise<void> {
    try {
      await this.client.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
      this.recorder.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (error) {
      if (isNotFound(error)) return;
      this.recorder.record(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(error)}`);
      throw error;
    }
  }
}

const nodeReady = (node: Node) => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;

function strategyOf(ds: DaemonSet): DaemonUpdateStrategy {
  const strategy = ds.spec.updateStrategy;
  if (strategy?.type === 'OnDelete') return { type: 'OnDelete' };
  return { type: 'RollingUpdate', maxUnavailable: strategy?.rollingUpdate?.maxUnavailable ?? 1, maxSurge: strategy?.rollingUpdate?.maxSurge ?? 0 };
}
