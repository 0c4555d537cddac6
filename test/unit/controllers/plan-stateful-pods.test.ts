import assert from 'node:assert/strict';
import type { OwnerReference, Pod, StatefulSet } from '../../../lib/api/types.js';
import { countStatefulPods, planStatefulSet, type StatefulPlanInput } from '../../../daemon/controllers/statefulset/plan-stateful-pods.js';
import { claimNameFor, newClaim, newStatefulPod, ordinalOf, wantedOrdinals } from '../../../daemon/controllers/statefulset/stateful-identity.js';
import { claimOwnerRefs, ownerRefTo, type RetentionPolicy } from '../../../daemon/controllers/statefulset/stateful-revisions.js';

// covers: StatefulSet spec.podManagementPolicy, spec.updateStrategy.type, spec.updateStrategy.rollingUpdate.partition, spec.minReadySeconds, spec.replicas, spec.ordinals.start, spec.persistentVolumeClaimRetentionPolicy.whenDeleted, spec.persistentVolumeClaimRetentionPolicy.whenScaled, spec.serviceName, spec.volumeClaimTemplates

const NOW = new Date('2025-01-01T01:00:00Z');

interface PodOptions {
  revision?: string;
  ready?: boolean;
  readySince?: string;
  deleting?: boolean;
  phase?: 'Running' | 'Failed' | 'Succeeded' | 'Pending';
}

function statefulPod(ordinal: number, options: PodOptions = {}): { ordinal: number; pod: Pod } {
  const name = `web-${ordinal}`;
  const pod: Pod = {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'web', 'controller-revision-hash': options.revision ?? 'web-new' },
      ...(options.deleting ? { deletionTimestamp: '2025-01-01T00:59:00Z' } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] },
    status: {
      phase: options.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True', lastTransitionTime: options.readySince ?? '2025-01-01T00:00:00Z' }],
    },
  };
  return { ordinal, pod };
}

function plan(replicas: number, pods: { ordinal: number; pod: Pod }[], options: Partial<StatefulPlanInput> = {}) {
  const result = planStatefulSet({
    ordinals: Array.from({ length: replicas }, (_, i) => i),
    pods,
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', partition: 0 },
    currentRevision: 'web-old',
    updateRevision: 'web-new',
    minReadySeconds: 0,
    now: NOW,
    ...options,
  });
  return { create: result.create.map(({ ordinal, revision }) => `${ordinal}@${revision}`), delete: result.delete.map((pod) => pod.metadata.name) };
}

describe('planStatefulSet', () => {
  describe('OrderedReady: one pod at a time, in ordinal order', () => {
    const cases: { name: string; replicas: number; pods: { ordinal: number; pod: Pod }[]; create: string[]; delete: string[] }[] = [
      { name: 'an empty set makes web-0 only', replicas: 3, pods: [], create: ['0@web-new'], delete: [] },
      { name: 'web-1 waits until web-0 is Running and Ready', replicas: 3, pods: [statefulPod(0, { ready: false })], create: [], delete: [] },
      { name: 'web-1 waits while web-0 is Pending', replicas: 3, pods: [statefulPod(0, { phase: 'Pending', ready: false })], create: [], delete: [] },
      { name: 'web-0 ready: web-1 is made', replicas: 3, pods: [statefulPod(0)], create: ['1@web-new'], delete: [] },
      { name: 'a missing web-0 is made again before anything else', replicas: 3, pods: [statefulPod(1), statefulPod(2)], create: ['0@web-new'], delete: [] },
      { name: 'a terminating web-0 is waited for (same name)', replicas: 3, pods: [statefulPod(0, { deleting: true }), statefulPod(1)], create: [], delete: [] },
      { name: 'a failed web-1 is deleted to be made again', replicas: 3, pods: [statefulPod(0), statefulPod(1, { phase: 'Failed', ready: false })], create: [], delete: ['web-1'] },
      { name: 'all ready: nothing to do', replicas: 2, pods: [statefulPod(0), statefulPod(1)], create: [], delete: [] },
    ];
    for (const c of cases) {
      it(c.name, () => assert.deepEqual(plan(c.replicas, c.pods), { create: c.create, delete: c.delete }));
    }
  });

  describe('scale-down removes the highest ordinal first', () => {
    it('OrderedReady deletes one condemned pod per pass, highest first', () => {
      assert.deepEqual(plan(1, [statefulPod(0), statefulPod(1), statefulPod(2)]), { create: [], delete: ['web-2'] });
    });
    it('OrderedReady waits for the condemned pod to terminate before the next', () => {
      assert.deepEqual(plan(1, [statefulPod(0), statefulPod(1), statefulPod(2, { deleting: true })]), { create: [], delete: [] });
    });
    it('OrderedReady does not scale down while another pod is unhealthy', () => {
      assert.deepEqual(plan(2, [statefulPod(0), statefulPod(1, { ready: false }), statefulPod(2)]), { create: [], delete: [] });
    });
    it('Parallel deletes every condemned pod at once', () => {
      assert.deepEqual(plan(1, [statefulPod(0), statefulPod(1), statefulPod(2)], { podManagementPolicy: 'Parallel' }), { create: [], delete: ['web-2', 'web-1'] });
    });
    it('to zero, OrderedReady still goes from the top', () => {
      assert.deepEqual(plan(0, [statefulPod(0), statefulPod(1)]), { create: [], delete: ['web-1'] });
    });
  });

  describe('Parallel: no waiting', () => {
    it('makes every missing pod at once', () => {
      assert.deepEqual(plan(3, [], { podManagementPolicy: 'Parallel' }), { create: ['0@web-new', '1@web-new', '2@web-new'], delete: [] });
    });
    it('makes web-2 while web-0 is not ready', () => {
      assert.deepEqual(plan(3, [statefulPod(0, { ready: false }), statefulPod(1)], { podManagementPolicy: 'Parallel' }), { create: ['2@web-new'], delete: [] });
    });
  });

  describe('RollingUpdate: reverse ordinal order down to the partition', () => {
    const old = (ordinal: number, options: PodOptions = {}) => statefulPod(ordinal, { revision: 'web-old', ...options });
    it('replaces the highest old pod first', () => {
      assert.deepEqual(plan(3, [old(0), old(1), old(2)]), { create: [], delete: ['web-2'] });
    });
    it('waits for the updated pod to be ready before the next', () => {
      assert.deepEqual(plan(3, [old(0), old(1), statefulPod(2, { ready: false })]), { create: [], delete: [] });
    });
    it('goes on below once the updated pod is ready', () => {
      assert.deepEqual(plan(3, [old(0), old(1), statefulPod(2)]), { create: [], delete: ['web-1'] });
    });
    it('partition 2 leaves ordinals 0 and 1 at the old revision', () => {
      assert.deepEqual(plan(3, [old(0), old(1), statefulPod(2)], { updateStrategy: { type: 'RollingUpdate', partition: 2 } }), { create: [], delete: [] });
    });
    it('a pod below the partition is made again at the current revision', () => {
      assert.deepEqual(plan(3, [old(1), statefulPod(2)], { updateStrategy: { type: 'RollingUpdate', partition: 2 } }), { create: ['0@web-old'], delete: [] });
    });
    it('a pod at or above the partition is made at the update revision', () => {
      assert.deepEqual(plan(3, [old(0), old(1)], { updateStrategy: { type: 'RollingUpdate', partition: 1 } }), { create: ['2@web-new'], delete: [] });
    });
    it('minReadySeconds: an updated pod ready for less than it holds the update', () => {
      assert.deepEqual(plan(2, [old(0), statefulPod(1, { readySince: '2025-01-01T00:59:50Z' })], { minReadySeconds: 30 }), { create: [], delete: [] });
      assert.deepEqual(plan(2, [old(0), statefulPod(1, { readySince: '2025-01-01T00:59:00Z' })], { minReadySeconds: 30 }), { create: [], delete: ['web-0'] });
    });
  });

  describe('OnDelete', () => {
    const onDelete = { updateStrategy: { type: 'OnDelete' as const } };
    it('never deletes an old pod by itself', () => {
      assert.deepEqual(plan(2, [statefulPod(0, { revision: 'web-old' }), statefulPod(1, { revision: 'web-old' })], onDelete), { create: [], delete: [] });
    });
    it('a pod the user deleted is made again at the update revision', () => {
      assert.deepEqual(plan(2, [statefulPod(0, { revision: 'web-old' })], onDelete), { create: ['1@web-new'], delete: [] });
    });
  });

  it('ordinals.start numbers the pods from there', () => {
    const set = { metadata: { name: 'web' }, spec: { replicas: 2, ordinals: { start: 5 } } } as unknown as StatefulSet;
    assert.deepEqual(wantedOrdinals(set), [5, 6]);
  });
});

describe('countStatefulPods', () => {
  it('counts replicas, ready, available, current and updated (terminating pods count as replicas only)', () => {
    const pods = [statefulPod(0, { revision: 'web-old' }), statefulPod(1, { ready: false }), statefulPod(2, { deleting: true })].map((p) => p.pod);
    assert.deepEqual(countStatefulPods(pods, 'web-old', 'web-new', 0, NOW), { replicas: 3, readyReplicas: 2, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 1 });
  });
});

describe('StatefulSet pod identity', () => {
  const set: StatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'shop', uid: 'uid-web' },
    spec: {
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', emptyDir: {} }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };

  it('names the pod web-1, sets hostname, subdomain, the identity labels and its own claim', () => {
    const pod = newStatefulPod(set, set.spec.template, 'web-abc', 1);
    assert.equal(pod.metadata.name, 'web-1');
    assert.equal(pod.spec.hostname, 'web-1');
    assert.equal(pod.spec.subdomain, 'web');
    assert.deepEqual(pod.metadata.labels, { app: 'web', 'controller-revision-hash': 'web-abc', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
    assert.deepEqual(pod.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }]);
    assert.equal(pod.metadata.ownerReferences?.[0].kind, 'StatefulSet');
  });

  it('names the claim TEMPLATE-SET-ORDINAL in the set namespace with the selector labels', () => {
    const claim = newClaim(set, set.spec.volumeClaimTemplates![0], 2, []);
    assert.equal(claimNameFor(set, set.spec.volumeClaimTemplates![0], 2), 'data-web-2');
    assert.equal(claim.metadata.name, 'data-web-2');
    assert.equal(claim.metadata.namespace, 'shop');
    assert.deepEqual(claim.metadata.labels, { app: 'web' });
    assert.equal(claim.metadata.ownerReferences, undefined);
  });

  it('reads ordinals only from SET-N names', () => {
    assert.deepEqual(['web-0', 'web-12', 'web-01', 'web-x', 'webby-1', undefined].map((n) => ordinalOf('web', n)), [0, 12, -1, -1, -1, -1]);
  });
});

describe('claimOwnerRefs (persistentVolumeClaimRetentionPolicy)', () => {
  const setRef = ownerRefTo({ metadata: { name: 'web', uid: 'set' } }, 'apps/v1', 'StatefulSet');
  const podRef = ownerRefTo({ metadata: { name: 'web-2', uid: 'pod' } }, 'v1', 'Pod');
  const other: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'other' };
  const uids = (refs: OwnerReference[]) => refs.map((r) => r.uid);
  const cases: { policy: RetentionPolicy; scaledDown: boolean; owners: string[] }[] = [
    { policy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, scaledDown: false, owners: [] },
    { policy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, scaledDown: true, owners: [] },
    { policy: { whenDeleted: 'Delete', whenScaled: 'Retain' }, scaledDown: false, owners: ['set'] },
    { policy: { whenDeleted: 'Delete', whenScaled: 'Retain' }, scaledDown: true, owners: ['set'] },
    { policy: { whenDeleted: 'Retain', whenScaled: 'Delete' }, scaledDown: false, owners: [] },
    { policy: { whenDeleted: 'Retain', whenScaled: 'Delete' }, scaledDown: true, owners: ['pod'] },
    { policy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, scaledDown: false, owners: ['set'] },
    { policy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, scaledDown: true, owners: ['pod'] },
  ];
  for (const c of cases) {
    it(`whenDeleted ${c.policy.whenDeleted}, whenScaled ${c.policy.whenScaled}, ${c.scaledDown ? 'scaled down' : 'in range'}: owned by [${c.owners.join(', ')}]`, () => {
      assert.deepEqual(uids(claimOwnerRefs([], setRef, podRef, c.policy, c.scaledDown)), c.owners);
      // Other owners are kept, and a stale reference the policy no longer wants is removed.
      assert.deepEqual(uids(claimOwnerRefs([other, setRef, podRef], setRef, podRef, c.policy, c.scaledDown)), ['other', ...c.owners]);
    });
  }
  it('references are plain (not controller) owner references', () => {
    assert.deepEqual(claimOwnerRefs([], setRef, podRef, { whenDeleted: 'Delete', whenScaled: 'Retain' }, false), [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set' }]);
  });
});
