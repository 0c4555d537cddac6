// The invariants fault scenarios check, over fixed lists of pods, host containers and objects.

import assert from 'node:assert/strict';
import type { Pod } from '../../../lib/api/types.js';
import {
  checkNoDuplicatePods, checkNoFailedRequests, checkNoObjectLost, checkNothingRestarted, checkReplicasReady, formatInvariant,
  type HostContainer,
} from '../../../cli/lab/scenarios/invariants.js';

const NS = 'scenario-x';

function pod(name: string, uid: string, nodeName: string, options: { ready?: boolean; deleting?: boolean; phase?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid, ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName, containers: [{ name: 'hello', image: 'kubelab/hello:v1' }] },
    status: { phase: (options.phase ?? 'Running') as 'Running', conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  } as Pod;
}

function container(host: string, p: Pod, running = true, role = 'app'): HostContainer {
  return { host, id: `${host}-${p.metadata.uid}-${role}`, podUid: p.metadata.uid!, podNamespace: NS, podName: p.metadata.name!, role, running };
}

describe('scenario invariants', () => {
  describe('every replica Ready', () => {
    const cases: Array<{ name: string; pods: Pod[]; ok: boolean; detail: RegExp }> = [
      { name: 'three Ready pods for three replicas', pods: [pod('a', '1', 'node1'), pod('b', '2', 'node2'), pod('c', '3', 'node3')], ok: true, detail: /3\/3 Ready/ },
      { name: 'a terminating pod does not count', pods: [pod('a', '1', 'node1'), pod('b', '2', 'node2'), pod('c', '3', 'node3', { deleting: true })], ok: false, detail: /2 live pods for 3 replicas/ },
      { name: 'one not Ready', pods: [pod('a', '1', 'node1'), pod('b', '2', 'node2'), pod('c', '3', 'node3', { ready: false })], ok: false, detail: /not Ready: c \(Running on node3\)/ },
      { name: 'one too many', pods: [pod('a', '1', 'node1'), pod('b', '2', 'node2'), pod('c', '3', 'node3'), pod('d', '4', 'node1')], ok: false, detail: /4 live pods for 3 replicas/ },
      { name: 'a finished pod is not live', pods: [pod('a', '1', 'node1'), pod('b', '2', 'node2'), pod('c', '3', 'node3'), pod('d', '4', 'node1', { phase: 'Failed' })], ok: true, detail: /3\/3/ },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const result = checkReplicasReady('Deployment web', 3, c.pods);
        assert.equal(result.ok, c.ok);
        assert.match(result.detail, c.detail);
      });
    }
  });

  describe('no duplicate pods', () => {
    const a = pod('web-a', 'uid-a', 'node1');
    const b = pod('web-b', 'uid-b', 'node3');
    const cases: Array<{ name: string; pods: Pod[]; containers: HostContainer[]; unreachable?: string[]; ok: boolean; detail?: RegExp }> = [
      { name: 'each pod runs once, where the API has it', pods: [a, b], containers: [container('node1', a), container('node1', a, true, 'sandbox'), container('node3', b)], ok: true },
      { name: 'an exited attempt elsewhere is history, not a duplicate', pods: [a, b], containers: [container('node1', a), container('node3', b), container('node2', b, false)], ok: true },
      { name: 'a partitioned host still runs an evicted pod', pods: [a], containers: [container('node1', a), container('node2', b)], ok: false, detail: /node2 still runs pod web-b \(uid uid-b\), which the API no longer has/ },
      { name: 'a pod running on two hosts', pods: [a], containers: [container('node1', a), container('node2', a)], ok: false, detail: /pod web-a runs on node1 and node2; node2 still runs pod web-a, which the API has on node1/ },
      {
        name: 'two copies of one StatefulSet ordinal (same name, two uids)',
        pods: [pod('db-0', 'new', 'node1')],
        containers: [container('node1', pod('db-0', 'new', 'node1')), container('node2', pod('db-0', 'old', 'node2'))],
        ok: false,
        detail: /2 copies of pod db-0 run at once \(uids new, old\)/,
      },
      { name: 'other namespaces are not ours to judge', pods: [a], containers: [container('node1', a), { ...container('node2', b), podNamespace: 'default' }], ok: true },
      { name: 'a host whose engine does not answer cannot be vouched for', pods: [a], containers: [container('node1', a)], unreachable: ['node3'], ok: false, detail: /the engine of node3 did not answer/ },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const result = checkNoDuplicatePods(NS, c.pods, c.containers, c.unreachable);
        assert.equal(result.ok, c.ok, result.detail);
        if (c.detail) assert.match(result.detail, c.detail);
      });
    }
  });

  describe('no object lost', () => {
    const before = [
      { kind: 'Node', name: 'node3', uid: 'n3' },
      { kind: 'Deployment', namespace: NS, name: 'web', uid: 'd1' },
    ];
    it('holds when every object is there with its uid (new objects are fine)', () => {
      assert.equal(checkNoObjectLost(before, [...before, { kind: 'ReplicaSet', namespace: NS, name: 'web-1', uid: 'r1' }]).ok, true);
    });
    it('names a missing object and a recreated one', () => {
      const result = checkNoObjectLost(before, [{ kind: 'Node', name: 'node3', uid: 'n3-again' }]);
      assert.equal(result.ok, false);
      assert.equal(result.detail, 'Node node3 was replaced (uid n3 -> n3-again); Deployment scenario-x/web is gone');
    });
  });

  describe('no container restarted', () => {
    const before = [{ pod: 'web-a', container: 'hello', containerID: 'docker://abcdef0123456789', restartCount: 0 }];
    it('holds for the same container and count', () => assert.equal(checkNothingRestarted(before, [...before]).ok, true));
    it('catches a new container and a higher restart count', () => {
      assert.match(checkNothingRestarted(before, [{ ...before[0]!, containerID: 'docker://999999999999aaaa' }]).detail, /new container \(abcdef012345 -> 999999999999\)/);
      assert.match(checkNothingRestarted(before, [{ ...before[0]!, restartCount: 1 }]).detail, /restartCount 0 -> 1/);
      assert.match(checkNothingRestarted(before, []).detail, /web-a\/hello is gone/);
    });
  });

  describe('0 failed requests', () => {
    it('holds with requests and no failure', () => assert.equal(formatInvariant(checkNoFailedRequests(412, 0)), '  ok    0 failed requests: 412 requests, 0 failed'));
    it('fails with a failure, showing it', () => {
      assert.equal(formatInvariant(checkNoFailedRequests(410, 2, ['fail Connection refused'])), '  FAIL  0 failed requests: 2 of 412 requests failed: fail Connection refused');
    });
    it('fails when no request was made at all', () => assert.equal(checkNoFailedRequests(0, 0).ok, false));
  });
});
