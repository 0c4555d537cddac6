// covers: Node spec.taints.key, spec.taints.value, spec.taints.effect, spec.taints.timeAdded
// covers: Pod spec.tolerations.key, spec.tolerations.operator, spec.tolerations.effect, spec.tolerations.tolerationSeconds

import assert from 'node:assert/strict';
import type { Node, Pod, Taint, Toleration } from '../../../lib/api/types.js';
import {
  GOSSIP_STATE_ANNOTATION, MESSAGE_GOSSIP_DEAD, MESSAGE_GOSSIP_LEFT, MESSAGE_NEVER_POSTED, MESSAGE_STOPPED_POSTING, TAINT_NOT_READY, TAINT_UNREACHABLE,
  planEvictions, planGossipAnnotation, planHealthTaints, planNodeHealth, planPodNotReady, planUnknownConditions, podToleranceMs,
  type NodeHealth,
} from '../../../daemon/controllers/node-lifecycle/plan-node-lifecycle.js';
import type { MembershipState } from '../../../network/gossip/membership-view.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString().replace(/\.\d+Z$/, 'Z');

function node(ready?: 'True' | 'False' | 'Unknown', taints?: Taint[], annotations?: Record<string, string>): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: 'n1', creationTimestamp: iso(-100), ...(annotations ? { annotations } : {}) },
    spec: taints ? { taints } : {},
    status: {
      conditions: ready
        ? [
            { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: iso(0), lastTransitionTime: iso(-100) },
            { type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: iso(0), lastTransitionTime: iso(-100) },
          ]
        : [],
    },
  };
}

function pod(name: string, options: { ready?: boolean; phase?: 'Running' | 'Succeeded'; tolerations?: Toleration[] } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox' }], ...(options.tolerations ? { tolerations: options.tolerations } : {}) },
    status: {
      phase: options.phase ?? 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'ContainersReady', status: options.ready === false ? 'False' : 'True' },
        { type: 'Ready', status: options.ready === false ? 'False' : 'True', lastTransitionTime: iso(-50) },
      ],
    },
  };
}

const GRACE_MS = 40_000;
const EVICT_MS = 300_000;

describe('planNodeHealth', () => {
  const cases: { name: string; ready?: 'True' | 'False' | 'Unknown'; observedAt: number; now: number; gossip?: MembershipState; want: NodeHealth }[] = [
    { name: 'fresh heartbeat, Ready', ready: 'True', observedAt: 0, now: 30, want: { state: 'Ready' } },
    { name: 'exactly at the grace period still counts as fresh', ready: 'True', observedAt: 0, now: 40, want: { state: 'Ready' } },
    { name: 'heartbeat older than the grace period', ready: 'True', observedAt: 0, now: 41, want: { state: 'Unreachable', message: MESSAGE_STOPPED_POSTING } },
    { name: 'never posted, within the grace period: benefit of the doubt', observedAt: 0, now: 10, want: { state: 'Ready' } },
    { name: 'never posted, past the grace period', observedAt: 0, now: 41, want: { state: 'Unreachable', message: MESSAGE_NEVER_POSTED } },
    { name: 'gossip dead wins over a fresh heartbeat', ready: 'True', observedAt: 0, now: 1, gossip: 'dead', want: { state: 'Unreachable', message: MESSAGE_GOSSIP_DEAD } },
    { name: 'gossip left', ready: 'True', observedAt: 0, now: 1, gossip: 'left', want: { state: 'Unreachable', message: MESSAGE_GOSSIP_LEFT } },
    { name: 'gossip suspect is not yet a verdict', ready: 'True', observedAt: 0, now: 1, gossip: 'suspect', want: { state: 'Ready' } },
    { name: 'kubelet posts Ready=False', ready: 'False', observedAt: 0, now: 5, gossip: 'alive', want: { state: 'NotReady' } },
    { name: 'Unknown (our own mark) stays unreachable until the kubelet writes again', ready: 'Unknown', observedAt: 0, now: 5, want: { state: 'Unreachable', message: MESSAGE_STOPPED_POSTING } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = planNodeHealth({ node: node(c.ready), heartbeatObservedAt: at(c.observedAt), gossipState: c.gossip, now: at(c.now), nodeMonitorGracePeriodMs: GRACE_MS });
      assert.deepEqual(got, c.want);
    });
  }
});

describe('planUnknownConditions', () => {
  it('turns every condition Unknown with NodeStatusUnknown, keeping the last heartbeat', () => {
    const conditions = planUnknownConditions(node('True'), MESSAGE_STOPPED_POSTING, at(45))!;
    assert.deepEqual(conditions.map((c) => [c.type, c.status, c.reason, c.message, c.lastHeartbeatTime, c.lastTransitionTime]), [
      ['MemoryPressure', 'Unknown', 'NodeStatusUnknown', MESSAGE_STOPPED_POSTING, iso(0), iso(45)],
      ['Ready', 'Unknown', 'NodeStatusUnknown', MESSAGE_STOPPED_POSTING, iso(0), iso(45)],
    ]);
  });

  it('changes nothing when already Unknown (so it is written once)', () => {
    const once = node('True');
    once.status!.conditions = planUnknownConditions(once, MESSAGE_GOSSIP_DEAD, at(45));
    assert.equal(planUnknownConditions(once, MESSAGE_STOPPED_POSTING, at(50)), undefined);
  });

  it('adds a Ready Unknown condition to a node that never posted', () => {
    const conditions = planUnknownConditions(node(), MESSAGE_NEVER_POSTED, at(45))!;
    assert.deepEqual(conditions.map((c) => [c.type, c.status, c.message]), [['Ready', 'Unknown', MESSAGE_NEVER_POSTED]]);
  });
});

describe('planHealthTaints', () => {
  const unreachable: NodeHealth = { state: 'Unreachable', message: MESSAGE_STOPPED_POSTING };
  const keysOf = (taints: Taint[] | undefined) => taints?.map((t) => `${t.key}:${t.effect}${t.timeAdded ? `@${t.timeAdded}` : ''}`);

  it('adds unreachable NoSchedule and NoExecute (timeAdded on NoExecute), keeping user taints', () => {
    const user: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    assert.deepEqual(keysOf(planHealthTaints(node('True', [user]), unreachable, at(45))), [
      'dedicated:NoSchedule', `${TAINT_UNREACHABLE}:NoSchedule`, `${TAINT_UNREACHABLE}:NoExecute@${iso(45)}`,
    ]);
  });

  it('is unchanged (undefined) when the taints are already there: timeAdded is never moved', () => {
    const tainted = node('Unknown', [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: iso(45) }]);
    assert.equal(planHealthTaints(tainted, unreachable, at(100)), undefined);
  });

  it('a Ready node loses the health taints; a NotReady one gets not-ready instead of unreachable', () => {
    const tainted = node('True', [{ key: 'keep', effect: 'NoExecute' }, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: iso(45) }]);
    assert.deepEqual(keysOf(planHealthTaints(tainted, { state: 'Ready' }, at(100))), ['keep:NoExecute']);
    assert.deepEqual(keysOf(planHealthTaints(tainted, { state: 'NotReady' }, at(100))), [
      'keep:NoExecute', `${TAINT_NOT_READY}:NoSchedule`, `${TAINT_NOT_READY}:NoExecute@${iso(100)}`,
    ]);
    assert.equal(planHealthTaints(node('True'), { state: 'Ready' }, at(100)), undefined);
  });
});

describe('planPodNotReady', () => {
  it('sets Ready and ContainersReady False now, leaving other conditions alone', () => {
    const conditions = planPodNotReady(pod('web'), at(45))!;
    assert.deepEqual(conditions.map((c) => [c.type, c.status]), [['PodScheduled', 'True'], ['ContainersReady', 'False'], ['Ready', 'False']]);
    assert.equal(conditions.find((c) => c.type === 'Ready')!.lastTransitionTime, iso(45));
  });

  it('leaves pods that are not Ready, and finished pods, alone', () => {
    assert.equal(planPodNotReady(pod('web', { ready: false }), at(45)), undefined);
    assert.equal(planPodNotReady(pod('job', { phase: 'Succeeded' }), at(45)), undefined);
  });
});

describe('podToleranceMs and planEvictions', () => {
  const noExecute: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: iso(0) };
  const tolerate = (seconds?: number): Toleration => ({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });

  const cases: { name: string; tolerations?: Toleration[]; want: number | undefined }[] = [
    { name: 'no toleration: the eviction timeout', want: EVICT_MS },
    { name: 'its own tolerationSeconds', tolerations: [tolerate(30)], want: 30_000 },
    { name: 'the shortest of several', tolerations: [tolerate(600), tolerate(60)], want: 60_000 },
    { name: 'forever without tolerationSeconds', tolerations: [tolerate()], want: undefined },
    { name: 'a toleration of another taint does not count', tolerations: [{ key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }], want: EVICT_MS },
    { name: 'Exists without key tolerates everything, forever', tolerations: [{ operator: 'Exists' }], want: undefined },
  ];
  for (const c of cases) {
    it(`tolerance: ${c.name}`, () => assert.equal(podToleranceMs(pod('p', { tolerations: c.tolerations }), noExecute, EVICT_MS), c.want));
  }

  it('evicts the pods whose tolerance ran out since timeAdded, and says when the next one does', () => {
    const pods = [pod('plain'), pod('short', { tolerations: [tolerate(30)] }), pod('forever', { tolerations: [tolerate()] })];
    const before = planEvictions([noExecute], pods, at(29), EVICT_MS);
    assert.deepEqual(before.evict, []);
    assert.deepEqual(before.nextAt, at(30));

    const after30 = planEvictions([noExecute], pods, at(30), EVICT_MS);
    assert.deepEqual(after30.evict.map((e) => e.pod.metadata.name), ['short']);
    assert.deepEqual(after30.nextAt, at(300));

    assert.deepEqual(planEvictions([noExecute], pods, at(300), EVICT_MS).evict.map((e) => e.pod.metadata.name), ['plain', 'short']);
  });

  it('evicts nothing without a health NoExecute taint', () => {
    const userTaint: Taint = { key: 'dedicated', effect: 'NoExecute', timeAdded: iso(0) };
    assert.deepEqual(planEvictions([userTaint, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }], [pod('plain')], at(1000), EVICT_MS), { evict: [] });
  });
});

describe('planGossipAnnotation', () => {
  it('writes only on change, and removes the annotation when gossip does not know the node', () => {
    assert.deepEqual(planGossipAnnotation(node('True', undefined, { other: 'x' }), 'alive'), { other: 'x', [GOSSIP_STATE_ANNOTATION]: 'alive' });
    assert.equal(planGossipAnnotation(node('True', undefined, { [GOSSIP_STATE_ANNOTATION]: 'alive' }), 'alive'), undefined);
    assert.deepEqual(planGossipAnnotation(node('True', undefined, { [GOSSIP_STATE_ANNOTATION]: 'alive' }), 'dead'), { [GOSSIP_STATE_ANNOTATION]: 'dead' });
    assert.deepEqual(planGossipAnnotation(node('True', undefined, { [GOSSIP_STATE_ANNOTATION]: 'dead', other: 'x' }), undefined), { other: 'x' });
    assert.equal(planGossipAnnotation(node('True'), undefined), undefined);
  });
});
