// `kubelab describe` for the controllers that keep pods running: ReplicationController,
// ReplicaSet (desired/current replicas and how their pods are doing) and Deployment (rollout
// strategy, conditions, and which ReplicaSet is new and which are old), in kubectl's layout.

import { labelSelectorToString } from '../../lib/api/selectors.js';
import type { Deployment, LabelSelector, Pod, ReplicaSet, ReplicationController } from '../../lib/api/types.js';
import type { CliContext } from '../cli-context.js';
import { findNewReplicaSet, findOldReplicaSetsWithReplicas, ownedReplicaSets } from '../rollout/deployment-revisions.js';
import { describeEvents, describeTemplate, formatTime } from './describe-common.js';
import { DescribeWriter } from './tab-writer.js';

/** `app=web,tier in (fe)` from a LabelSelector or an RC's map, keys sorted as kubectl prints them. */
export function selectorString(selector: LabelSelector | Record<string, string> | undefined): string {
  return selector ? labelSelectorToString(selector) : '';
}

/**
 * `2 Running / 0 Waiting / 0 Succeeded / 0 Failed`, counting only the pods this controller
 * controls (a pod that merely matches the selector belongs to someone else, or to no one).
 */
export async function podsStatus(ctx: CliContext, owner: Pick<ReplicaSet, 'metadata'>, selector: string): Promise<string> {
  const listed = selector ? (await ctx.client.list<Pod>('pods', { namespace: owner.metadata.namespace, labelSelector: selector })).items : [];
  const pods = listed.filter((p) => p.metadata.ownerReferences?.some((o) => o.controller && o.uid === owner.metadata.uid));
  const count = (phase: string) => pods.filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
  return `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`;
}

/** kubectl writes `Type \tStatus\tReason`: the space after the type widens that column by one. */
function describeWorkloadConditions(w: DescribeWriter, conditions: { type: string; status: string; reason?: string }[] | undefined): void {
  if (!conditions?.length) return;
  w.line(0, 'Conditions:');
  w.line(1, 'Type', 'Status', 'Reason');
  w.line(1, '----', '------', '------');
  for (const c of conditions) w.line(1, `${c.type} `, c.status, c.reason ?? '');
}

export function describeAnnotations(w: DescribeWriter, annotations: Record<string, string> | undefined): void {
  const shown = { ...(annotations ?? {}) };
  delete shown['kubectl.kubernetes.io/last-applied-configuration'];
  w.map(0, 'Annotations', shown, ': ');
}

export async function describeReplicaSet(ctx: CliContext, rs: ReplicaSet | ReplicationController): Promise<string> {
  const w = new DescribeWriter();
  const selector = selectorString(rs.spec.selector);
  w.line(0, 'Name:', rs.metadata.name);
  w.line(0, 'Namespace:', rs.metadata.namespace);
  w.line(0, 'Selector:', selector);
  w.map(0, 'Labels', rs.metadata.labels);
  describeAnnotations(w, rs.metadata.annotations);
  const owner = rs.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) w.line(0, 'Controlled By:', `${owner.kind}/${owner.name}`);
  w.line(0, 'Replicas:', `${rs.status?.replicas ?? 0} current / ${rs.spec.replicas ?? 1} desired`);
  w.line(0, 'Pods Status:', await podsStatus(ctx, rs, selector));
  describeTemplate(w, rs.spec.template);
  describeWorkloadConditions(w, rs.status?.conditions);
  await describeEvents(ctx, w, rs);
  return w.toString();
}

export async function describeDeployment(ctx: CliContext, d: Deployment): Promise<string> {
  const w = new DescribeWriter();
  const st = d.status ?? {};
  w.line(0, 'Name:', d.metadata.name);
  w.line(0, 'Namespace:', d.metadata.namespace);
  w.line(0, 'CreationTimestamp:', formatTime(d.metadata.creationTimestamp));
  w.map(0, 'Labels', d.metadata.labels);
  describeAnnotations(w, d.metadata.annotations);
  w.line(0, 'Selector:', selectorString(d.spec.selector));
  const desired = d.spec.replicas ?? 1;
  w.line(0, 'Replicas:', `${desired} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable`);
  w.line(0, 'StrategyType:', d.spec.strategy?.type ?? '');
  w.line(0, 'MinReadySeconds:', d.spec.minReadySeconds ?? 0);
  const ru = d.spec.strategy?.rollingUpdate;
  if (ru) w.line(0, 'RollingUpdateStrategy:', `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`);
  describeTemplate(w, d.spec.template);
  describeWorkloadConditions(w, st.conditions);
  const owned = await ownedReplicaSets(ctx.client, d);
  const newRS = findNewReplicaSet(d, owned);
  const label = (rs: ReplicaSet) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec.replicas ?? 1} replicas created)`;
  const old = findOldReplicaSetsWithReplicas(d, owned);
  w.line(0, 'OldReplicaSets:', old.length ? old.map(label).join(', ') : '<none>');
  w.line(0, 'NewReplicaSet:', newRS ? label(newRS) : '<none>');
  await describeEvents(ctx, w, d);
  return w.toString();
}
