// A DaemonSet's history as ControllerRevisions: Kubernetes' constructHistory, snapshot and
// cleanupHistory (pkg/controller/daemon/update.go), the pure part.
//
// A Deployment keeps one ReplicaSet per template version; a DaemonSet runs its pods itself, so
// it keeps its versions in ControllerRevisions instead: one per distinct template, named
// `<daemonset>-<hash>`, labelled `controller-revision-hash: <hash>` (the label its pods carry
// too), numbered by `revision`. Its `data` is the patch that puts that template back:
// `{"spec":{"template":{..., "$patch":"replace"}}}`. `kubectl rollout undo ds/x` sends exactly
// that data to the DaemonSet as a strategic merge patch; the controller then finds that the
// template matches an existing revision and gives it the next number, so `rollout history`
// shows the undone version as the newest.

import { canonicalJson, templatesEqual } from '../../../lib/api/pod-template-hash.js';
import type { ControllerRevision, DaemonSet, PodTemplateSpec } from '../../../lib/api/types.js';
import { controllerRefTo } from '../controller-ref.js';
import { CONTROLLER_REVISION_HASH_LABEL } from './plan-daemon-pods.js';

/**
 * The patch that restores `template`, written as Kubernetes writes it (getPatch): the template
 * as Go's typed encoder emits it (`creationTimestamp: null`, `resources: {}` on every container),
 * keys sorted as Go's encoder writes a map. kubectl's `rollout undo` compares these bytes with the
 * same encoding of the DaemonSet to say "skipped rollback (current template already matches)".
 */
export function revisionData(template: PodTemplateSpec): unknown {
  const typed = structuredClone(template) as PodTemplateSpec;
  typed.metadata = { creationTimestamp: null, ...(typed.metadata ?? {}) };
  for (const list of [typed.spec?.containers, typed.spec?.initContainers]) {
    for (const container of list ?? []) container.resources ??= {};
  }
  return { spec: { template: JSON.parse(canonicalJson({ ...typed, $patch: 'replace' })) } };
}

/** The template a revision restores; undefined when its data is not a DaemonSet template patch. */
export function revisionTemplate(revision: ControllerRevision): PodTemplateSpec | undefined {
  const template = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!template || typeof template !== 'object') return undefined;
  const { $patch: _directive, ...rest } = template;
  return rest as unknown as PodTemplateSpec;
}

export interface HistorySplit {
  /** Revisions of the DaemonSet's current template (normally one). */
  current: ControllerRevision[];
  old: ControllerRevision[];
}

export function splitHistory(daemonSet: DaemonSet, revisions: ControllerRevision[]): HistorySplit {
  const split: HistorySplit = { current: [], old: [] };
  for (const revision of revisions) {
    if (templatesEqual(revisionTemplate(revision), daemonSet.spec.template)) split.current.push(revision);
    else split.old.push(revision);
  }
  return split;
}

export const maxRevision = (revisions: ControllerRevision[]): number => Math.max(0, ...revisions.map((r) => r.revision ?? 0));

/** Of several revisions of the same template, the newest is kept and the others are deleted (dedupCurHistories). */
export function pickCurrent(current: ControllerRevision[]): { keep: ControllerRevision; duplicates: ControllerRevision[] } | undefined {
  if (current.length === 0) return undefined;
  const sorted = [...current].sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
  return { keep: sorted[0], duplicates: sorted.slice(1) };
}

/** The revision to create for the DaemonSet's current template (snapshot). */
export function newRevision(daemonSet: DaemonSet, hash: string, revision: number): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${daemonSet.metadata.name}-${hash}`,
      namespace: daemonSet.metadata.namespace,
      labels: { ...(daemonSet.spec.template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      // The DaemonSet's annotations travel along: kubernetes.io/change-cause is what `rollout history` prints.
      ...(daemonSet.metadata.annotations ? { annotations: { ...daemonSet.metadata.annotations } } : {}),
      ownerReferences: [controllerRefTo(daemonSet, 'apps/v1', 'DaemonSet')],
    },
    data: revisionData(daemonSet.spec.template),
    revision,
  };
}

/**
 * cleanupHistory: the old revisions beyond revisionHistoryLimit, oldest first, except those whose
 * hash a live pod still carries (OnDelete leaves old pods running for a long time).
 */
export function historyToClean(old: ControllerRevision[], revisionHistoryLimit: number, liveHashes: Set<string>): ControllerRevision[] {
  let excess = old.length - revisionHistoryLimit;
  const clean: ControllerRevision[] = [];
  for (const revision of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
    if (excess <= 0) break;
    if (liveHashes.has(revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')) continue;
    clean.push(revision);
    excess--;
  }
  return clean;
}
