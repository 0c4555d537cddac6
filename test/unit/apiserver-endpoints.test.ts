import assert from 'node:assert/strict';
import type { Lease } from '../../lib/api/coordination-types.js';
import {
  APISERVER_ADDRESS_ANNOTATION,
  APISERVER_IDENTITY_LABEL,
  isLeaseLive,
  planApiserverEndpoints,
  planExpiredApiserverLeases,
  planIdentityLease,
  findNodeNameClash,
} from '../../daemon/api/plan-apiserver-endpoints.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();

function lease(name: string, address: string | undefined, renewedSecondsAgo: number, durationSeconds = 15, identity = true): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: identity ? { [APISERVER_IDENTITY_LABEL]: 'kube-apiserver' } : {},
      annotations: address ? { [APISERVER_ADDRESS_ANNOTATION]: address } : {},
    },
    spec: { holderIdentity: `${name}_x`, leaseDurationSeconds: durationSeconds, renewTime: at(renewedSecondsAgo) },
  };
}

describe('API server identity Leases and the kubernetes Endpoints', () => {
  describe('planApiserverEndpoints', () => {
    const cases: { name: string; leases: Lease[]; want: ReturnType<typeof planApiserverEndpoints> }[] = [
      { name: 'no lease: no address', leases: [], want: [] },
      {
        name: 'three live servers on one port: one subset, addresses sorted',
        leases: [lease('c', '10.0.0.13:6443', 1), lease('a', '10.0.0.11:6443', 2), lease('b', '10.0.0.12:6443', 9)],
        want: [{ addresses: [{ ip: '10.0.0.11' }, { ip: '10.0.0.12' }, { ip: '10.0.0.13' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
      },
      {
        name: 'a lease past its duration drops out',
        leases: [lease('a', '10.0.0.11:6443', 2), lease('b', '10.0.0.12:6443', 16)],
        want: [{ addresses: [{ ip: '10.0.0.11' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
      },
      {
        name: 'servers on one machine, different ports: one subset per port, by port',
        leases: [lease('a', '127.0.0.1:40001', 1), lease('b', '127.0.0.1:39000', 1)],
        want: [
          { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 39000, protocol: 'TCP' }] },
          { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 40001, protocol: 'TCP' }] },
        ],
      },
      {
        name: 'leases without the identity label or a usable address are not servers',
        leases: [lease('a', '10.0.0.11:6443', 1), lease('kube-scheduler', '10.0.0.12:6443', 1, 15, false), lease('b', undefined, 1), lease('c', '10.0.0.13', 1), lease('d', '10.0.0.14:99999', 1)],
        want: [{ addresses: [{ ip: '10.0.0.11' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
      },
      {
        name: 'the same address twice (a restarted server under a new id) is listed once',
        leases: [lease('a', '10.0.0.11:6443', 1), lease('a2', '10.0.0.11:6443', 3)],
        want: [{ addresses: [{ ip: '10.0.0.11' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
      },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(planApiserverEndpoints(c.leases, NOW), c.want));
  });

  describe('findNodeNameClash: another live server under this node name', () => {
    const on = (l: Lease, host: string): Lease => ({ ...l, metadata: { ...l.metadata, labels: { ...l.metadata.labels, 'kubernetes.io/hostname': host } } });
    const cases: { name: string; leases: Lease[]; want: string | undefined }[] = [
      { name: 'none', leases: [], want: undefined },
      { name: 'a live server on another name', leases: [on(lease('kube-apiserver-b', 'x:1', 1), 'node2')], want: undefined },
      { name: 'its own Lease (a restart with the same data dir)', leases: [on(lease('kube-apiserver-me', 'x:1', 1), 'node1')], want: undefined },
      { name: 'a dead server on this name (a host rebuilt with a new data dir)', leases: [on(lease('kube-apiserver-old', 'x:1', 20), 'node1')], want: undefined },
      { name: 'a live server on this name', leases: [on(lease('kube-apiserver-b', 'x:1', 1), 'node1')], want: 'kube-apiserver-b' },
    ];
    for (const c of cases) it(c.name, () => assert.equal(findNodeNameClash(c.leases, 'node1', 'me', NOW)?.metadata.name, c.want));
  });

  it('isLeaseLive: renewed within its duration', () => {
    assert.equal(isLeaseLive(lease('a', 'x:1', 14.9), NOW), true);
    assert.equal(isLeaseLive(lease('a', 'x:1', 15), NOW), false);
    assert.equal(isLeaseLive({ ...lease('a', 'x:1', 0), spec: {} }, NOW), false);
  });

  it('planExpiredApiserverLeases: dead for longer than the grace past expiry, identity leases only', () => {
    const leases = [lease('live', 'x:1', 1), lease('just-dead', 'x:1', 20), lease('long-dead', 'x:1', 31), lease('kube-scheduler', 'x:1', 100, 15, false)];
    assert.deepEqual(planExpiredApiserverLeases(leases, NOW, 15_000), ['long-dead']);
  });

  it('planIdentityLease: a new Lease, then renewals that keep acquireTime and follow the address', () => {
    const first = planIdentityLease(undefined, { id: 'id-1', nodeName: 'server2', address: '10.0.0.12:6443', leaseDurationSeconds: 15, now: new Date(NOW) });
    assert.deepEqual(first, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'kube-apiserver-id-1',
        namespace: 'kube-system',
        labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': 'server2' },
        annotations: { 'kubelab.io/apiserver-address': '10.0.0.12:6443' },
      },
      spec: { holderIdentity: 'server2_id-1', leaseDurationSeconds: 15, acquireTime: '2026-12-02T12:00:00.000000Z', renewTime: '2026-12-02T12:00:00.000000Z' },
    });
    const stored = { ...first, metadata: { ...first.metadata, resourceVersion: '7', uid: 'u' } };
    const renewed = planIdentityLease(stored, { id: 'id-1', nodeName: 'server2', address: '10.0.0.12:7443', leaseDurationSeconds: 15, now: new Date(NOW + 10_000) });
    assert.equal(renewed.metadata.resourceVersion, '7', 'the renewal is guarded by the version it read');
    assert.equal(renewed.spec?.acquireTime, '2026-12-02T12:00:00.000000Z');
    assert.equal(renewed.spec?.renewTime, '2026-12-02T12:00:10.000000Z');
    assert.equal(renewed.metadata.annotations?.['kubelab.io/apiserver-address'], '10.0.0.12:7443');
  });
});
