// How the CLI reads a Deployment's history: kubectl's deploymentutil, client side.
//
// A Deployment keeps no list of its versions. Its history is its ReplicaSets: the ones its
// selector matches AND whose controller ownerReference carries the Deployment's uid (a
// ReplicaSet that merely matches the labels belongs to someone else). Each carries the
// revision it was rolled out as in `deployment.kubernetes.io/revision`; the "new" ReplicaSet is
// the one whose pod template is the Deployment's template, ignoring the pod-template-hash label.
//
// `rollout history`, `rollout undo` and `describe deployment` all start here. "Same template"
// is lib/api/pod-template-hash.ts's templatesEqual, the very comparison the deployment
// controller uses, so the CLI and the controller always agree.

import { templatesEqual } from '../../lib/api/pod-template-hash.js';
import { labelSelectorToString } from '../../lib/api/selectors.js';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Annotations that describe the Deployment object itself: never copied back by an undo. */
export const ROLLBACK_SKIPPED_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** The revision of a ReplicaSet, or undefined when it has none (kubectl skips those). */
export function revisionOf(rs: ReplicaSet): number | undefined {
  const text = rs.metadata.annotations?.[REVISION_ANNOTATION];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** The ReplicaSets the Deployment controls: selected by its selector and owned by its uid. */
export async function ownedReplicaSets(client: ApiClient, d: Deployment): Promise<ReplicaSet[]> {
  const list = await client.list<ReplicaSet>('replicasets.apps', {
    namespace: d.metadata.namespace,
    labelSelector: labelSelectorToString(d.spec.selector),
  });
  return list.items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid));
}

/** Kubernetes' EqualIgnoreHash: would both templates make the same pods? */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return templatesEqual(a, b);
}

/** The ReplicaSet running the Deployment's current template (the oldest, if several). */
export function findNewReplicaSet(d: Deployment, owned: ReplicaSet[]): ReplicaSet | undefined {
  return [...owned].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Old ReplicaSets that still have replicas asked of them (what describe lists as OldReplicaSets). */
export function findOldReplicaSetsWithReplicas(d: Deployment, owned: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, owned);
  return owned.filter((rs) => rs !== newRS && (rs.spec.replicas ?? 1) !== 0);
}

/**
 * kubectl's deploymentRevision: the ReplicaSet of `toRevision`, or for 0 the one before the
 * latest. Throws kubectl's messages when there is none.
 */
export function pickRollbackReplicaSet(d: Deployment, owned: ReplicaSet[], toRevision: number): ReplicaSet {
  const withRevision = owned.filter((rs) => revisionOf(rs) !== undefined).sort((a, b) => revisionOf(b)! - revisionOf(a)!);
  if (toRevision > 0) {
    const rs = withRevision.find((r) => revisionOf(r) === toRevision);
    if (!rs) throw new Error(`unable to find specified revision ${toRevision} in history`);
    return rs;
  }
  const previous = withRevision[1];
  if (!previous) throw new Error(`no rollout history found for deployment "${d.metadata.name}"`);
  return previous;
}

/**
 * The JSON patch `rollout undo` sends (kubectl's getDeploymentPatch): the old ReplicaSet's
 * template without its pod-template-hash label replaces spec.template, and the annotations become
 * the Deployment's own skip-list annotations plus every other annotation of that ReplicaSet
 * (so its change-cause comes back too).
 */
export function planRollbackPatch(d: Deployment, rs: ReplicaSet): unknown[] {
  const template = structuredClone(rs.spec.template) as PodTemplateSpec;
  template.metadata = { creationTimestamp: null, ...(template.metadata ?? {}) } as PodTemplateSpec['metadata'];
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) if (ROLLBACK_SKIPPED_ANNOTATIONS.has(key)) annotations[key] = value;
  for (const [key, value] of Object.entries(rs.metadata.annotations ?? {})) if (!ROLLBACK_SKIPPED_ANNOTATIONS.has(key)) annotations[key] = value;
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const time = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
  return time(a) - time(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
