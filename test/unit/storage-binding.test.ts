// Table tests of the storage planners: binding (matching, pre-binding, default class, phases,
// reclaim), local-path provisioning and reclaim, the scheduler's volume decisions and node
// affinity, and the protection finalizers.

import assert from 'node:assert/strict';
import type { Node, Pod } from '../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../lib/api/storage-types.js';
import { findMatchingVolume, planClaim, planVolume, type ClaimPlan, type VolumePlan } from '../../lib/storage/plan-binding.js';
import { planLocalPathReclaim, planLocalPathVolume } from '../../lib/storage/plan-provisioning.js';
import { planPodVolumes } from '../../lib/storage/pod-volume-scheduling.js';
import { affinityToNode, volumeFitsNode } from '../../lib/storage/volume-node-affinity.js';
import { nodeSelectorMatches as nodeMatchesSelector } from '../../lib/scheduling/node-affinity.js';
import { claimMayGo, volumeMayGo } from '../../daemon/controllers/volume-binding/protection-controller.js';

// covers: PersistentVolumeClaim spec.storageClassName, spec.selector, spec.volumeName, spec.accessModes, spec.resources.requests
// covers: PersistentVolume spec.claimRef, spec.storageClassName, spec.nodeAffinity.required.nodeSelectorTerms.matchExpressions, spec.nodeAffinity.required.nodeSelectorTerms.matchFields, spec.persistentVolumeReclaimPolicy
// covers: StorageClass provisioner, volumeBindingMode, reclaimPolicy

const node = (name: string, extra: Partial<Node['metadata']> = {}): Node =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, zone: name === 'a' ? 'z1' : 'z2' }, annotations: { 'kubelab.io/data-dir': `/var/lib/kubelab-${name}` }, ...extra } }) as Node;

function pv(name: string, size: string, extra: Partial<PersistentVolume['spec']> = {}, meta: Partial<PersistentVolume['metadata']> = {}, phase = 'Available'): PersistentVolume {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, ...meta },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/data/${name}` }, persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', ...extra },
    status: { phase: phase as 'Available' },
  };
}
function pvc(name: string, size = '1Gi', extra: Partial<PersistentVolumeClaim['spec']> = {}, meta: Partial<PersistentVolumeClaim['metadata']> = {}, phase = 'Pending'): PersistentVolumeClaim {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: '', volumeMode: 'Filesystem', ...extra },
    status: { phase: phase as 'Pending' },
  };
}
const sc = (name: string, extra: Partial<StorageClass> = {}, isDefault = false): StorageClass =>
  ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, creationTimestamp: '2025-01-01T00:00:00Z', ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) }, provisioner: 'kubelab.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', ...extra }) as StorageClass;
const localPath = sc('local-path', {}, true);
const manual = sc('manual', { provisioner: 'kubernetes.io/no-provisioner' });
const refTo = (claim: PersistentVolumeClaim, withUid = true) => ({ kind: 'PersistentVolumeClaim', namespace: 'default', name: claim.metadata.name, ...(withUid ? { uid: claim.metadata.uid } : {}) });
const nodes = new Map([['a', node('a')], ['b', node('b')]]);

describe('storage: binding a claim (planClaim)', () => {
  const big = pv('big', '10Gi');
  const small = pv('small', '2Gi');
  const tiny = pv('tiny', '500Mi');
  const cases: { name: string; claim: PersistentVolumeClaim; volumes?: PersistentVolume[]; classes?: StorageClass[]; expected: ClaimPlan | string }[] = [
    { name: 'the smallest volume that is big enough', claim: pvc('c'), volumes: [big, small, tiny], expected: { action: 'bind', volumeName: 'small' } },
    { name: 'no volume big enough: pending, saying why', claim: pvc('c', '20Gi'), volumes: [big, small], expected: 'FailedBinding: no persistent volumes available for this claim and no storage class is set' },
    { name: 'access modes must all be offered', claim: pvc('c', '1Gi', { accessModes: ['ReadWriteMany'] }), volumes: [big, pv('shared', '50Gi', { accessModes: ['ReadWriteOnce', 'ReadWriteMany'] })], expected: { action: 'bind', volumeName: 'shared' } },
    { name: 'the class must match ("" asks for volumes without one)', claim: pvc('c'), volumes: [pv('classy', '1Gi', { storageClassName: 'manual' }), big], expected: { action: 'bind', volumeName: 'big' } },
    { name: 'a class asks for volumes of that class', claim: pvc('c', '1Gi', { storageClassName: 'manual' }), volumes: [small, pv('classy', '5Gi', { storageClassName: 'manual' })], classes: [{ ...manual, volumeBindingMode: 'Immediate' }], expected: { action: 'bind', volumeName: 'classy' } },
    { name: 'the selector must match the volume labels', claim: pvc('c', '1Gi', { selector: { matchLabels: { disk: 'ssd' } } }), volumes: [small, pv('ssd', '8Gi', {}, { labels: { disk: 'ssd' } })], expected: { action: 'bind', volumeName: 'ssd' } },
    { name: 'a volume bound to another claim is not taken', claim: pvc('c'), volumes: [pv('other', '1Gi', { claimRef: { namespace: 'default', name: 'x', uid: 'u' } }, {}, 'Bound'), big], expected: { action: 'bind', volumeName: 'big' } },
    { name: 'a volume being deleted is not taken', claim: pvc('c'), volumes: [pv('going', '1Gi', {}, { deletionTimestamp: '2025-01-01T00:00:00Z' }), big], expected: { action: 'bind', volumeName: 'big' } },
    { name: 'claimRef pre-binding wins over a smaller volume', claim: pvc('c'), volumes: [tiny, small, pv('mine', '10Gi', { claimRef: refTo(pvc('c'), false) })], expected: { action: 'bind', volumeName: 'mine' } },
    { name: 'volumeName pre-binding to a fitting volume', claim: pvc('c', '1Gi', { volumeName: 'big' }), volumes: [small, big], expected: { action: 'bind', volumeName: 'big' } },
    { name: 'volumeName naming a missing volume waits', claim: pvc('c', '1Gi', { volumeName: 'nope' }), volumes: [small], expected: 'FailedBinding: volume "nope" not found' },
    { name: 'volumeName naming a too small volume says so', claim: pvc('c', '5Gi', { volumeName: 'small' }), volumes: [small], expected: 'VolumeMismatch: Cannot bind to requested volume "small": requested PV is too small' },
    { name: 'volumeName naming a volume bound elsewhere', claim: pvc('c', '1Gi', { volumeName: 'other' }), volumes: [pv('other', '1Gi', { claimRef: { namespace: 'default', name: 'x', uid: 'u' } })], expected: 'FailedBinding: volume "other" already bound to a different claim.' },
    { name: 'a bound claim whose volume is gone is Lost', claim: pvc('c', '1Gi', { volumeName: 'gone' }, {}, 'Bound'), volumes: [], expected: 'lost ClaimLost: Bound claim has lost reference to PersistentVolume. Data on the volume is lost!' },
    { name: 'no class named: the default class is given', claim: pvc('c', '1Gi', { storageClassName: undefined }), classes: [sc('other'), localPath], expected: { action: 'setClass', className: 'local-path' } },
    { name: 'no class named and no default: volumes without a class', claim: pvc('c', '1Gi', { storageClassName: undefined }), volumes: [small], classes: [sc('other')], expected: { action: 'bind', volumeName: 'small' } },
    { name: 'WaitForFirstConsumer waits for its pod', claim: pvc('c', '1Gi', { storageClassName: 'local-path' }), classes: [localPath], expected: 'WaitForFirstConsumer: waiting for first consumer to be created before binding' },
    { name: 'WaitForFirstConsumer with a node: provision there', claim: pvc('c', '1Gi', { storageClassName: 'local-path' }, { annotations: { 'volume.kubernetes.io/selected-node': 'b' } }), classes: [localPath], expected: { action: 'provision', className: 'local-path', nodeName: 'b' } },
    {
      name: 'WaitForFirstConsumer static: a volume on the selected node only',
      claim: pvc('c', '1Gi', { storageClassName: 'manual' }, { annotations: { 'volume.kubernetes.io/selected-node': 'b' } }),
      volumes: [pv('on-a', '1Gi', { storageClassName: 'manual', nodeAffinity: affinityToNode(node('a')) }), pv('on-b', '5Gi', { storageClassName: 'manual', nodeAffinity: affinityToNode(node('b')) })],
      classes: [manual],
      expected: { action: 'bind', volumeName: 'on-b' },
    },
    { name: 'a class that does not exist', claim: pvc('c', '1Gi', { storageClassName: 'gold' }), expected: 'ProvisioningFailed: storageclass.storage.k8s.io "gold" not found' },
    { name: 'an external provisioner nobody runs', claim: pvc('c', '1Gi', { storageClassName: 'ebs' }), classes: [sc('ebs', { provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'Immediate' })], expected: "ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered." },
    { name: 'local-path with Immediate binding is refused', claim: pvc('c', '1Gi', { storageClassName: 'now' }), classes: [sc('now', { volumeBindingMode: 'Immediate' })], expected: 'ProvisioningFailed: kubelab.io/local-path makes a directory on one node and needs volumeBindingMode WaitForFirstConsumer; storage class "now" has Immediate' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planClaim({ claim: c.claim, volumes: c.volumes ?? [], classes: c.classes ?? [], nodes });
      if (typeof c.expected === 'string') {
        assert.ok(plan.action === 'pending' || plan.action === 'lost', JSON.stringify(plan));
        assert.equal(`${plan.action === 'lost' ? 'lost ' : ''}${plan.event.reason}: ${plan.event.message}`, c.expected);
      } else assert.deepEqual(plan, c.expected);
    });
  }

  it('findMatchingVolume with a node leaves out volumes that node cannot reach', () => {
    const volumes = [pv('on-a', '1Gi', { nodeAffinity: affinityToNode(node('a')) }), pv('anywhere', '5Gi')];
    assert.equal(findMatchingVolume(pvc('c'), volumes, node('b'))?.metadata.name, 'anywhere');
    assert.equal(findMatchingVolume(pvc('c'), volumes, node('a'))?.metadata.name, 'on-a');
  });
});

describe('storage: volume phases and reclaim (planVolume)', () => {
  const claim = pvc('c', '1Gi', { volumeName: 'v' }, {}, 'Bound');
  const cases: { name: string; volume: PersistentVolume; claim?: PersistentVolumeClaim; expected: VolumePlan | string }[] = [
    { name: 'no claimRef: Available', volume: pv('v', '1Gi', {}, {}, 'Pending'), expected: { action: 'phase', phase: 'Available', message: undefined, event: undefined } },
    { name: 'Available stays as it is', volume: pv('v', '1Gi'), expected: { action: 'none' } },
    { name: 'pre-bound by a user (no uid): Available to that claim', volume: pv('v', '1Gi', { claimRef: refTo(claim, false) }, {}, 'Pending'), expected: { action: 'phase', phase: 'Available', message: undefined, event: undefined } },
    { name: 'its claim points back: Bound', volume: pv('v', '1Gi', { claimRef: refTo(claim) }), claim, expected: { action: 'phase', phase: 'Bound', message: undefined, event: undefined } },
    { name: 'claim gone, Retain: Released, data kept', volume: pv('v', '1Gi', { claimRef: refTo(claim) }, {}, 'Bound'), expected: { action: 'phase', phase: 'Released', message: undefined, event: undefined } },
    { name: 'claim gone and a new one of the same name: still Released', volume: pv('v', '1Gi', { claimRef: refTo(claim) }, {}, 'Bound'), claim: pvc('c', '1Gi', {}, { uid: 'new' }), expected: { action: 'phase', phase: 'Released', message: undefined, event: undefined } },
    { name: 'claim gone, Delete, local-path: Released for its node to delete', volume: pv('v', '1Gi', { claimRef: refTo(claim), persistentVolumeReclaimPolicy: 'Delete' }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'kubelab.io/local-path' } }, 'Bound'), expected: { action: 'phase', phase: 'Released', message: undefined, event: undefined } },
    { name: 'claim gone, Delete, no provisioner can delete it: Failed', volume: pv('v', '1Gi', { claimRef: refTo(claim), persistentVolumeReclaimPolicy: 'Delete' }, {}, 'Bound'), expected: 'Failed' },
    { name: 'the binder bound it, the claim went elsewhere: unbind', volume: pv('v', '1Gi', { claimRef: refTo(claim) }, { annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }, 'Bound'), claim: pvc('c', '1Gi', { volumeName: 'w' }, {}, 'Bound'), expected: { action: 'unbind' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planVolume({ volume: c.volume, claim: c.claim });
      if (typeof c.expected === 'string') {
        assert.equal(plan.action === 'phase' && plan.phase, c.expected);
        assert.match(plan.action === 'phase' ? (plan.message ?? '') : '', /no deletable volume plugin matched/);
      } else assert.deepEqual(plan, c.expected);
    });
  }
});

describe('storage: local-path provisioning and reclaim', () => {
  const claim = pvc('data', '2Gi', { storageClassName: 'local-path' }, { resourceVersion: '7' });

  it('makes a hostPath volume under the node data dir, tied to that node, with the class reclaim policy', () => {
    const planned = planLocalPathVolume(claim, { ...localPath, reclaimPolicy: 'Retain' }, node('b'));
    assert.ok('volume' in planned);
    const v = planned.volume;
    assert.equal(v.metadata.name, 'pvc-uid-data');
    assert.equal(v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'kubelab.io/local-path');
    assert.deepEqual(v.spec.hostPath, { path: '/var/lib/kubelab-b/storage/pvc-uid-data_default_data', type: 'DirectoryOrCreate' });
    assert.deepEqual(v.spec.nodeAffinity, { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] }] } });
    assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.deepEqual(v.spec.capacity, { storage: '2Gi' });
    assert.equal(v.spec.claimRef?.uid, 'uid-data');
    assert.ok(volumeFitsNode(v, node('b')) && !volumeFitsNode(v, node('a')));
  });

  it('refuses shared access modes and nodes without a data dir', () => {
    const rwx = planLocalPathVolume(pvc('d', '1Gi', { accessModes: ['ReadWriteMany'] }), localPath, node('a'));
    assert.match('error' in rwx ? rwx.error : '', /offers ReadWriteOnce and ReadWriteOncePod only/);
    const bare = planLocalPathVolume(claim, localPath, node('a', { annotations: {} }));
    assert.match('error' in bare ? bare.error : '', /has not published its data dir/);
  });

  const provisioned = (extra: Partial<PersistentVolume['spec']> = {}, phase = 'Released') =>
    pv('pvc-1', '1Gi', { persistentVolumeReclaimPolicy: 'Delete', nodeAffinity: affinityToNode(node('a')), hostPath: { path: '/var/lib/kubelab-a/storage/pvc-1_default_data', type: 'DirectoryOrCreate' }, ...extra }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'kubelab.io/local-path' } }, phase);
  const reclaimCases: { name: string; volume: PersistentVolume; node?: string; expected: string }[] = [
    { name: 'Released + Delete on this node: delete the directory', volume: provisioned(), expected: 'delete /var/lib/kubelab-a/storage/pvc-1_default_data' },
    { name: 'on another node: not ours', volume: provisioned(), node: 'b', expected: 'none' },
    { name: 'still Bound: keep', volume: provisioned({}, 'Bound'), expected: 'none' },
    { name: 'Retain: keep the data', volume: provisioned({ persistentVolumeReclaimPolicy: 'Retain' }), expected: 'none' },
    { name: 'a directory outside <dataDir>/storage is never removed', volume: provisioned({ hostPath: { path: '/' } }), expected: 'refuse' },
    { name: 'nor one that climbs out', volume: provisioned({ hostPath: { path: '/var/lib/kubelab-a/storage/../../x' } }), expected: 'refuse' },
    { name: 'nor the storage directory itself', volume: provisioned({ hostPath: { path: '/var/lib/kubelab-a/storage' } }), expected: 'refuse' },
  ];
  for (const c of reclaimCases) {
    it(`reclaim: ${c.name}`, () => {
      const plan = planLocalPathReclaim(c.volume, { hostname: c.node ?? 'a', dataDir: `/var/lib/kubelab-${c.node ?? 'a'}` });
      assert.equal(plan.action === 'delete' ? `delete ${plan.directory}` : plan.action, c.expected);
    });
  }
});

describe('storage: the scheduler and claims (planPodVolumes, node affinity)', () => {
  const pod = (...claimNames: string[]): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: claimNames.map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } })) } }) as Pod;
  const onA = pv('on-a', '1Gi', { nodeAffinity: affinityToNode(node('a')), claimRef: { namespace: 'default', name: 'bound', uid: 'uid-bound' } }, {}, 'Bound');
  const claims = new Map<string, PersistentVolumeClaim>([
    ['bound', pvc('bound', '1Gi', { volumeName: 'on-a', storageClassName: 'local-path' }, {}, 'Bound')],
    ['immediate', pvc('immediate', '1Gi', { storageClassName: '' })],
    ['wffc', pvc('wffc', '1Gi', { storageClassName: 'local-path' })],
    ['selected', pvc('selected', '1Gi', { storageClassName: 'local-path' }, { annotations: { 'volume.kubernetes.io/selected-node': 'a' } })],
    ['static', pvc('static', '1Gi', { storageClassName: 'manual' })],
    ['going', pvc('going', '1Gi', {}, { deletionTimestamp: '2025-01-01T00:00:00Z' })],
  ]);
  const volumes = [onA, pv('static-b', '1Gi', { storageClassName: 'manual', nodeAffinity: affinityToNode(node('b')) })];
  const classes = [localPath, manual];
  const outcome = (p: Pod) => {
    const plan = planPodVolumes({ pod: p, claims, volumes, classes });
    if (plan.kind === 'unresolvable') return plan.message;
    if (plan.kind === 'waitForBinding') return `wait ${plan.claims.join(',')}`;
    return `a:[${plan.nodeReasons(node('a')).join(';')}] b:[${plan.nodeReasons(node('b')).join(';')}] select:${plan.claimsToSelect.map((c) => c.metadata.name).join(',')}`;
  };
  const cases: [string, Pod, string][] = [
    ['no claims: every node', pod(), 'a:[] b:[] select:'],
    ['a missing claim', pod('nope'), 'persistentvolumeclaim "nope" not found'],
    ['a claim being deleted', pod('going'), 'persistentvolumeclaim "going" is being deleted'],
    ['an unbound Immediate claim', pod('immediate'), 'pod has unbound immediate PersistentVolumeClaims'],
    ['a bound claim ties the pod to its volume node', pod('bound'), "a:[] b:[node(s) had volume node affinity conflict] select:"],
    ['a WaitForFirstConsumer claim: any node, then select it', pod('wffc'), 'a:[] b:[] select:wffc'],
    ['a claim whose node is selected: wait for its binding', pod('selected'), 'wait selected'],
    ['a static WaitForFirstConsumer claim: nodes with a fitting volume', pod('static'), "a:[node(s) didn't find available persistent volumes to bind] b:[] select:static"],
  ];
  for (const [name, p, expected] of cases) it(name, () => assert.equal(outcome(p), expected));

  it('node selector terms are ORed, requirements ANDed, Gt/Lt compare integers, matchFields names the node', () => {
    const n = node('a', { labels: { 'kubernetes.io/hostname': 'a', zone: 'z1', disks: '3' } });
    const sel = (terms: object[]) => ({ nodeSelectorTerms: terms }) as never;
    assert.ok(nodeMatchesSelector(sel([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]), n));
    assert.ok(!nodeMatchesSelector(sel([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'ssd', operator: 'Exists' }] }]), n));
    assert.ok(nodeMatchesSelector(sel([{ matchExpressions: [{ key: 'disks', operator: 'Gt', values: ['2'] }, { key: 'gpu', operator: 'DoesNotExist' }] }]), n));
    assert.ok(!nodeMatchesSelector(sel([{ matchExpressions: [{ key: 'disks', operator: 'Lt', values: ['2'] }] }]), n));
    assert.ok(nodeMatchesSelector(sel([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }]), n));
    assert.ok(!nodeMatchesSelector(sel([{}]), n), 'an empty term matches nothing');
  });
});

describe('storage: protection finalizers', () => {
  const deleting = pvc('data', '1Gi', {}, { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['kubernetes.io/pvc-protection'] });
  const podUsing = (phase: string, extra: Partial<Pod['metadata']> = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...extra }, spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] }, status: { phase } }) as unknown as Pod;
  const cases: [string, PersistentVolumeClaim, Pod[], boolean][] = [
    ['a running pod keeps the claim', deleting, [podUsing('Running')], false],
    ['a pod being deleted still keeps it', deleting, [podUsing('Running', { deletionTimestamp: '2025-01-01T00:00:01Z' })], false],
    ['a pending pod keeps it', deleting, [podUsing('Pending')], false],
    ['a finished pod does not', deleting, [podUsing('Succeeded'), podUsing('Failed')], true],
    ['a pod of another namespace does not', deleting, [podUsing('Running', { namespace: 'other' })], true],
    ['no pods: it may go', deleting, [], true],
    ['not being deleted: nothing to do', pvc('data', '1Gi', {}, { finalizers: ['kubernetes.io/pvc-protection'] }), [], false],
  ];
  for (const [name, claim, pods, expected] of cases) it(`claim: ${name}`, () => assert.equal(claimMayGo(claim, pods), expected));

  it('a volume keeps its finalizer while Bound', () => {
    const marked = (phase: string) => pv('v', '1Gi', {}, { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['kubernetes.io/pv-protection'] }, phase);
    assert.equal(volumeMayGo(marked('Bound')), false);
    assert.equal(volumeMayGo(marked('Released')), true);
    assert.equal(volumeMayGo(marked('Available')), true);
  });
});
