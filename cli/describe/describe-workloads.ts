// `kubelab describe` for the controllers that keep pods running: ReplicationController,
// ReplicaSet (desired/current replicas and how their pods are doing) and Deployment (rollout
// strategy, conditions, and which ReplicaSet is new and which are old).

import { resourceKey, RESOURCES } from '../../lib/api/resources.js';
import type { Deployment, LabelSelector, Pod, ReplicaSet, ReplicationController } from '../../lib/api/types.js';
import type { CliContext } from '../cli-context.js';
import { describeConditions, describeEvents, describeMetadata, describeTemplate, formatTime } from './describe-common.js';
import { DescribeWriter } from './tab-writer.js';

/** `app=web,tier in (fe)` from a LabelSelector, as kubectl prints and sends selectors. */
export function selectorString(selector: LabelSelector | Record<string, string> | undefined): string {
  if (!selector) return '';
  const s = selector as LabelSelector;
  if (!('matchLabels' in s) && !('matchExpressions' in s)) {
    return Object.entries(selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  }
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
  }
  return parts.join(',');
}

async function podsStatus(ctx: CliContext, namespace: string | undefined, selector: string): Promise<string> {
  const pods = selector ? (await ctx.client.list<Pod>('pods', { namespace, labelSelector: selector })).items : [];
  const count = (phase: string) => pods.filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
  return `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`;
}

export async function describeReplicaSet(ctx: CliContext, rs: ReplicaSet | ReplicationController): Promise<string> {
  const w = new DescribeWriter();
  const selector = selectorString(rs.spec.selector);
  w.line(0, 'Name:', rs.metadata.name);
  w.line(0, 'Namespace:', rs.metadata.namespace);
  w.line(0, 'Selector:', selector);
  w.map(0, 'Labels', rs.metadata.labels);
  const annotations = { ...(rs.metadata.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  w.map(0, 'Annotations', annotations, ': ');
  const owner = rs.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) w.line(0, 'Controlled By:', `${owner.kind}/${owner.name}`);
  w.line(0, 'Replicas:', `${rs.status?.replicas ?? 0} current / ${rs.spec.replicas ?? 1} desired`);
  w.line(0, 'Pods Status:', await podsStatus(ctx, rs.metadata.namespace, selector));
  describeTemplate(w, rs.spec.template);
  describeConditions(w, rs.status?.conditions, true);
  await describeEvents(ctx, w, rs);
  return w.toString();
}

export async function describeDeployment(ctx: CliContext, d: Deployment): Promise<string> {
  const w = new DescribeWriter();
  const st = d.status ?? {};
  const selector = selectorString(d.spec.selector);
  describeMetadata(w, d);
  w.line(0, 'CreationTimestamp:', formatTime(d.metadata.creationTimestamp));
  w.line(0, 'Selector:', selector);
  const desired = d.spec.replicas ?? 1;
  w.line(0, 'Replicas:', `${desired} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable`);
  w.line(0, 'StrategyType:', d.spec.strategy?.type ?? '');
  w.line(0, 'MinReadySeconds:', d.spec.minReadySeconds ?? 0);
  const ru = d.spec.strategy?.rollingUpdate;
  if (d.spec.strategy?.type === 'RollingUpdate' && ru) w.line(0, 'RollingUpdateStrategy:', `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`);
  describeTemplate(w, d.spec.template);
  describeConditions(w, st.conditions, true);
  const rsInfo = RESOURCES.find((r) => r.kind === 'ReplicaSet')!;
  const owned = (await ctx.client.list<ReplicaSet>(resourceKey(rsInfo), { namespace: d.metadata.namespace, labelSelector: selector })).items.filter((rs) =>
    rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid),
  );
  const revision = (rs: ReplicaSet) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  owned.sort((a, b) => revision(b) - revision(a));
  const [newest, ...old] = owned;
  const label = (rs: ReplicaSet) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec.replicas ?? 0} replicas created)`;
  const oldActive = old.filter((rs) => (rs.spec.replicas ?? 0) > 0 || (rs.status?.replicas ?? 0) > 0);
  w.line(0, 'OldReplicaSets:', oldActive.length ? oldActive.map(label).join(', ') : '<none>');
  w.line(0, 'NewReplicaSet:', newest ? label(newest) : '<none>');
  await describeEvents(ctx, w, d);
  return w.toString();
}
