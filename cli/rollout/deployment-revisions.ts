// How the CLI reads a Deployment's history: kubectl's deploymentutil, client side.
//
// A Deployment keeps no list of its versions. Its history is its ReplicaSets: the ones its
// selector matches AND whose controller ownerReference carries the Deployment's uid (a
// ReplicaSet that merely matches the labels belongs to someone else). Each carries the
// revision it was rolled out as in `deployment.kubernetes.io/revision`; the "new" ReplicaSet is
// the one whose pod template is the Deployment's template, ignoring the pod-template-hash label.
//
// `rollout history`, `rollout undo` and `describe deployment` all start here. The comparison
// below mirrors the controller's (daemon/controllers/pod-template-hash.ts) on purpose: the CLI
// only speaks HTTP and must not import the daemon, and both must agree on "same template".

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
  return canonical(semantic(a)) === canonical(semantic(b));
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

/** The template without the hash label and creationTimestamp, nulls and empty values dropped. */
function semantic(template: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string>; creationTimestamp?: unknown } };
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  if (copy.metadata) delete copy.metadata.creationTimestamp;
  return prune(copy);
}

function prune(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => prune(v) ?? {});
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
