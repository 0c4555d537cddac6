import assert from 'node:assert/strict';
import { allocateSubnet, OutOfSubnetsError, type SubnetLease } from '../../../network/subnet/allocate-subnet.js';

const now = new Date('2025-01-01T00:00:00Z');
const later = new Date('2025-01-01T00:05:00Z');
const earlier = new Date('2024-12-31T23:55:00Z');

describe('allocateSubnet', () => {
  const cases: { name: string; cidr?: string; leases: SubnetLease[]; node: string; want: string }[] = [
    { name: 'first node gets the lowest subnet', leases: [], node: 'n1', want: '10.244.0.0/24' },
    { name: 'second node gets the next one', leases: [{ nodeName: 'n1', subnet: '10.244.0.0/24' }], node: 'n2', want: '10.244.1.0/24' },
    {
      name: 'a gap left by an expired lease is reused first',
      leases: [
        { nodeName: 'gone', subnet: '10.244.0.0/24', expiresAt: earlier },
        { nodeName: 'n2', subnet: '10.244.1.0/24' },
      ],
      node: 'n3',
      want: '10.244.0.0/24',
    },
    {
      name: 'an unexpired released lease stays taken',
      leases: [
        { nodeName: 'gone', subnet: '10.244.0.0/24', expiresAt: later },
        { nodeName: 'n2', subnet: '10.244.1.0/24' },
      ],
      node: 'n3',
      want: '10.244.2.0/24',
    },
    {
      name: 'a returning node gets its lease back',
      leases: [
        { nodeName: 'n1', subnet: '10.244.0.0/24' },
        { nodeName: 'n2', subnet: '10.244.5.0/24' },
      ],
      node: 'n2',
      want: '10.244.5.0/24',
    },
    { name: 'a returning node gets its released lease back too', leases: [{ nodeName: 'n2', subnet: '10.244.7.0/24', expiresAt: later }], node: 'n2', want: '10.244.7.0/24' },
    { name: 'a lease outside the cluster CIDR is not handed back', leases: [{ nodeName: 'n1', subnet: '10.99.0.0/24' }], node: 'n1', want: '10.244.0.0/24' },
    { name: 'the last subnet of a small CIDR', cidr: '10.0.0.0/22', leases: ['a', 'b', 'c'].map((n, i) => ({ nodeName: n, subnet: `10.0.${i}.0/24` })), node: 'd', want: '10.0.3.0/24' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(allocateSubnet(c.cidr ?? '10.244.0.0/16', c.leases, c.node, now), { subnet: c.want }));
  }

  it('throws OutOfSubnets naming the CIDR and the count when a /22 holds 4 leases', () => {
    const leases = [0, 1, 2, 3].map((i) => ({ nodeName: `n${i}`, subnet: `10.0.${i}.0/24` }));
    assert.throws(() => allocateSubnet('10.0.0.0/22', leases, 'n4', now), (error: unknown) => {
      assert.ok(error instanceof OutOfSubnetsError);
      assert.equal(error.code, 'OutOfSubnets');
      assert.match(error.message, /all 4 \/24 subnets of cluster CIDR 10\.0\.0\.0\/22/);
      return true;
    });
  });

  it('rejects an invalid cluster CIDR with an example of a valid one', () => {
    assert.throws(() => allocateSubnet('10.244.0.0/33', [], 'n1', now), /not an IPv4 CIDR.*10\.244\.0\.0\/16/);
    assert.throws(() => allocateSubnet('banana', [], 'n1', now), /not an IPv4 CIDR/);
  });

  it('rejects a subnet prefix shorter than the cluster prefix', () => {
    assert.throws(() => allocateSubnet('10.244.0.0/24', [], 'n1', now, 16), /between \/24 and \/32/);
  });
});
