import assert from 'node:assert/strict';
import type { Pod, PodPhase } from '../../lib/api/types.js';
import { planDrain, type DrainFlags } from '../../cli/plan-drain.js';

type Owner = 'ReplicaSet' | 'ReplicationController' | 'DaemonSet';

function newPod(name: string, opts: { owner?: Owner; emptyDir?: boolean; mirror?: boolean; phase?: PodPhase; namespace?: string } = {}): Pod {
  return {
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'v1', kind: opts.owner, name: 'owner', uid: 'u1', controller: true }] } : {}),
      ...(opts.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'i' }],
      ...(opts.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    },
    status: { phase: opts.phase ?? 'Running' },
  };
}

const noFlags: DrainFlags = { force: false, ignoreDaemonsets: false, deleteEmptydirData: false };
const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('planDrain: which pods a drain evicts, and what stops it', () => {
  const cases: { name: string; pods: Pod[]; flags?: Partial<DrainFlags>; evict: string[]; errors?: string[]; warning?: string }[] = [
    { name: 'pods of a ReplicaSet and an RC are evicted without flags', pods: [newPod('a', { owner: 'ReplicaSet' }), newPod('b', { owner: 'ReplicationController' })], evict: ['a', 'b'] },
    {
      name: 'a pod with no controller refuses the drain',
      pods: [newPod('a', { owner: 'ReplicaSet' }), newPod('x')],
      evict: ['a'],
      errors: ['cannot delete Pods that declare no controller (use --force to override): default/x'],
    },
    { name: '--force evicts it, with a warning', pods: [newPod('x')], flags: { force: true }, evict: ['x'], warning: 'deleting Pods that declare no controller: default/x' },
    {
      name: 'emptyDir refuses the drain',
      pods: [newPod('x', { owner: 'ReplicaSet', emptyDir: true })],
      evict: [],
      errors: ['cannot delete Pods with local storage (use --delete-emptydir-data to override): default/x'],
    },
    {
      name: '--delete-emptydir-data evicts it, with a warning',
      pods: [newPod('x', { owner: 'ReplicaSet', emptyDir: true })],
      flags: { deleteEmptydirData: true },
      evict: ['x'],
      warning: 'deleting Pods with local storage: default/x',
    },
    {
      name: 'emptyDir and no controller: --delete-emptydir-data alone is not enough',
      pods: [newPod('x', { emptyDir: true })],
      flags: { deleteEmptydirData: true },
      evict: [],
      errors: ['cannot delete Pods that declare no controller (use --force to override): default/x'],
    },
    {
      name: 'DaemonSet pods refuse the drain without --ignore-daemonsets',
      pods: [newPod('ds', { owner: 'DaemonSet', namespace: 'kube-system' })],
      evict: [],
      errors: ['cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/ds'],
    },
    {
      name: 'with --ignore-daemonsets they stay, with a warning',
      pods: [newPod('ds', { owner: 'DaemonSet', namespace: 'kube-system' }), newPod('a', { owner: 'ReplicaSet' })],
      flags: { ignoreDaemonsets: true },
      evict: ['a'],
      warning: 'ignoring DaemonSet-managed Pods: kube-system/ds',
    },
    { name: 'mirror pods are skipped silently', pods: [newPod('m', { mirror: true })], evict: [] },
    {
      name: 'finished pods go without flags: they lose nothing',
      pods: [newPod('done', { phase: 'Succeeded', emptyDir: true }), newPod('failed', { phase: 'Failed' })],
      evict: ['done', 'failed'],
    },
    {
      name: 'refusals are grouped per reason, in the order they are met',
      pods: [newPod('x'), newPod('e', { owner: 'ReplicaSet', emptyDir: true }), newPod('y')],
      evict: [],
      errors: [
        'cannot delete Pods that declare no controller (use --force to override): default/x, default/y',
        'cannot delete Pods with local storage (use --delete-emptydir-data to override): default/e',
      ],
    },
    {
      name: 'warnings of different kinds are joined by "; "',
      pods: [newPod('x'), newPod('ds', { owner: 'DaemonSet' })],
      flags: { force: true, ignoreDaemonsets: true },
      evict: ['x'],
      warning: 'deleting Pods that declare no controller: default/x; ignoring DaemonSet-managed Pods: default/ds',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planDrain(c.pods, { ...noFlags, ...c.flags });
      assert.deepEqual(plan.errors, c.errors ?? []);
      assert.equal(plan.warning, c.warning ?? '');
      // A refused drain evicts nothing: the command stops before the first eviction.
      if ((c.errors ?? []).length === 0) assert.deepEqual(names(plan.evict), c.evict);
    });
  }
});
