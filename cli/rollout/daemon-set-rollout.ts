// `kubelab rollout status|history|undo daemonset/NAME`: kubectl's DaemonSetStatusViewer,
// DaemonSetHistoryViewer and DaemonSetRollbacker.
//
// A DaemonSet's versions are its ControllerRevisions (selected by its selector, controlled by
// it), each holding the patch that restores its template. `history` lists them by revision with
// the change-cause annotation each carries; `undo` sends the chosen revision's patch to the
// DaemonSet as a strategic merge patch, exactly the bytes the controller stored, and the
// controller does the rest (the revision becomes the newest, the pods roll back node by node).

import { templatesEqual } from '../../lib/api/pod-template-hash.js';
import { matchesLabels, requirementsFromLabelSelector } from '../../lib/api/selectors.js';
import type { ControllerRevision, DaemonSet, LabelSelector, ObjectMeta, PodTemplateSpec } from '../../lib/api/types.js';

/** What the history and undo of a DaemonSet read; a StatefulSet's ControllerRevisions are read the same way. */
export interface RevisionedWorkload {
  metadata: ObjectMeta;
  spec: { selector: LabelSelector; template: PodTemplateSpec };
}
import type { ApiClient } from '../../lib/client/api-client.js';
import { CliError } from '../cli-errors.js';
import { CHANGE_CAUSE_ANNOTATION } from './deployment-revisions.js';
import { RolloutFailed, type RolloutStatus } from './deployment-status.js';

/** kubectl's DaemonSetStatusViewer: read from status alone; OnDelete has no rollout to follow. */
export function daemonSetRolloutStatus(ds: DaemonSet): RolloutStatus {
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    throw new RolloutFailed('rollout status is only available for RollingUpdate strategy type');
  }
  const st = ds.status;
  if ((ds.metadata.generation ?? 0) > (st?.observedGeneration ?? 0)) {
    return { message: 'Waiting for daemon set spec update to be observed...\n', done: false };
  }
  const name = ds.metadata.name;
  const desired = st?.desiredNumberScheduled ?? 0;
  const updated = st?.updatedNumberScheduled ?? 0;
  if (updated < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...\n`, done: false };
  const available = st?.numberAvailable ?? 0;
  if (available < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...\n`, done: false };
  return { message: `daemon set "${name}" successfully rolled out\n`, done: true };
}

/** The revisions the DaemonSet controls, oldest first. */
export async function daemonSetRevisions(client: ApiClient, ds: RevisionedWorkload): Promise<ControllerRevision[]> {
  const selector = requirementsFromLabelSelector(ds.spec.selector);
  const listed = await client.list<ControllerRevision>('controllerrevisions.apps', { namespace: ds.metadata.namespace });
  return listed.items
    .filter((r) => matchesLabels(selector, r.metadata.labels) && r.metadata.ownerReferences?.some((o) => o.controller && o.uid === ds.metadata.uid))
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
}

/** The template a revision's patch restores. */
export function templateOfRevision(revision: ControllerRevision): PodTemplateSpec {
  const template = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {};
  const { $patch: _directive, ...rest } = template;
  return rest as unknown as PodTemplateSpec;
}

/** Revision → template, with the revision's change-cause carried into the template's annotations (as history prints it). */
export function daemonSetHistory(revisions: ControllerRevision[]): Map<number, PodTemplateSpec> {
  const history = new Map<number, PodTemplateSpec>();
  for (const revision of revisions) {
    const template = structuredClone(templateOfRevision(revision));
    const changeCause = revision.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
    if (changeCause) template.metadata = { ...(template.metadata ?? {}), annotations: { ...(template.metadata?.annotations ?? {}), [CHANGE_CAUSE_ANNOTATION]: changeCause } };
    history.set(revision.revision ?? 0, template);
  }
  return history;
}

export type RollbackPlan = { skip: true } | { skip: false; patch: unknown };

/** findHistory and daemonSetMatch: the revision to restore (the one before the newest by default), or a skip. */
export function planDaemonSetRollback(ds: RevisionedWorkload, revisions: ControllerRevision[], toRevision: number): RollbackPlan {
  if (toRevision === 0 && revisions.length <= 1) throw new CliError('no last revision to roll back to');
  const sorted = [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  const target = toRevision === 0 ? sorted[sorted.length - 2] : sorted.find((r) => r.revision === toRevision);
  if (!target) throw new CliError(`unable to find specified revision ${toRevision} in history`);
  if (templatesEqual(templateOfRevision(target), ds.spec.template)) return { skip: true };
  return { skip: false, patch: target.data };
}
