import assert from 'node:assert/strict';
import { ApiError } from '../../../lib/errors.js';
import { AllocationError, IpAllocator, parsePortRange, PortAllocator } from '../../../lib/net/ip-allocator.js';

/** The FieldError an allocation call threw, as the registry will print it. */
function fieldErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AllocationError, `expected an AllocationError, got ${String(err)}`);
    return `${err.fieldError.field}: ${err.fieldError.message}`;
  }
  assert.fail('expected the call to throw');
}

/** A seeded linear congruential generator: reproducible "random" starts. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

describe('IpAllocator', () => {
  it('hands out addresses after the first one, in order, skipping those already used', () => {
    const ips = new IpAllocator('10.96.0.0/12', ['10.96.0.3']);
    assert.equal(ips.firstAddress, '10.96.0.1');
    assert.deepEqual([ips.allocate(), ips.allocate(), ips.allocate()], ['10.96.0.2', '10.96.0.4', '10.96.0.5']);
  });

  it('gives a released address back only after going round the range (a re-created Service gets a new IP)', () => {
    const ips = new IpAllocator('10.0.0.0/29');
    const first = ips.allocate();
    ips.release(first);
    assert.notEqual(ips.allocate(), first);
  });

  it('never hands out network, broadcast or the kubernetes address, and says clearly when full', () => {
    const ips = new IpAllocator('10.0.0.0/29'); // .0 network, .1 kubernetes, .7 broadcast
    const got = Array.from({ length: 5 }, () => ips.allocate());
    assert.deepEqual(got, ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    assert.throws(
      () => ips.allocate(),
      (err: unknown) => err instanceof ApiError && err.code === 500 && /failed to allocate a serviceIP: range is full/.test(err.message) && /10\.0\.0\.0\/29/.test(err.message),
    );
  });

  it('allocateSpecific takes any host address including the first, and refuses taken or foreign ones', () => {
    const ips = new IpAllocator('10.96.0.0/12', ['10.96.0.10']);
    ips.allocateSpecific('10.96.0.1');
    assert.equal(ips.isAllocated('10.96.0.1'), true);
    assert.equal(
      fieldErrorOf(() => ips.allocateSpecific('10.0.0.1')),
      'spec.clusterIP: Invalid value: "10.0.0.1": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    assert.equal(fieldErrorOf(() => ips.allocateSpecific('10.96.0.10')), 'spec.clusterIP: Invalid value: "10.96.0.10": provided IP is already allocated');
    assert.match(fieldErrorOf(() => ips.allocateSpecific('10.96.0.0')), /not in the valid range/);
    assert.match(fieldErrorOf(() => ips.allocateSpecific('10.111.255.255')), /not in the valid range/);
  });

  it('release makes an address available to allocateSpecific again; releasing a free or foreign one is harmless', () => {
    const ips = new IpAllocator('10.96.0.0/24');
    ips.allocateSpecific('10.96.0.20');
    ips.release('10.96.0.20');
    ips.release('10.96.0.20');
    ips.release('192.168.1.1');
    ips.allocateSpecific('10.96.0.20');
  });

  it('a CIDR given with host bits set means its network', () => {
    const ips = new IpAllocator('10.96.5.7/16');
    assert.equal(ips.firstAddress, '10.96.0.1');
    assert.equal(ips.contains('10.96.255.254'), true);
    assert.equal(ips.contains('10.96.255.255'), false);
  });

  it('rejects CIDRs that are not IPv4 or too small', () => {
    assert.throws(() => new IpAllocator('fd00::/64'), /not an IPv4 CIDR/);
    assert.throws(() => new IpAllocator('10.0.0.0/31'), /too small/);
  });

  it('a random start is reproducible with a seeded random and still never repeats', () => {
    const a = new IpAllocator('10.96.0.0/24', [], { random: seeded(7) });
    const b = new IpAllocator('10.96.0.0/24', [], { random: seeded(7) });
    const fromA = Array.from({ length: 50 }, () => a.allocate());
    assert.deepEqual(Array.from({ length: 50 }, () => b.allocate()), fromA);
    assert.equal(new Set(fromA).size, 50);
    assert.ok(!fromA.includes('10.96.0.1'));
  });
});

describe('PortAllocator', () => {
  it('hands out node ports in order from the range, skipping used ones', () => {
    const ports = new PortAllocator('30000-32767', [30001]);
    assert.deepEqual([ports.allocate(), ports.allocate()], [30000, 30002]);
  });

  it('allocateSpecific refuses taken and out-of-range ports with the field path given', () => {
    const ports = new PortAllocator('30000-32767', [31001]);
    assert.equal(
      fieldErrorOf(() => ports.allocateSpecific(31001, 'spec.ports[0].nodePort')),
      'spec.ports[0].nodePort: Invalid value: 31001: provided port is already allocated',
    );
    assert.equal(
      fieldErrorOf(() => ports.allocateSpecific(8080, 'spec.ports[1].nodePort')),
      'spec.ports[1].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    ports.allocateSpecific(32767);
    ports.release(31001);
    ports.allocateSpecific(31001);
  });

  it('says clearly when the range is full', () => {
    const ports = new PortAllocator('30000-30002');
    ports.allocate();
    ports.allocate();
    ports.allocate();
    assert.equal(ports.freeCount, 0);
    assert.throws(() => ports.allocate(), /failed to allocate a nodePort: range is full: all 3 ports of 30000-30002 are in use/);
  });

  it('random start is deterministic with an injected random', () => {
    const ports = new PortAllocator('30000-32767', [], { random: () => 0.5 });
    assert.equal(ports.allocate(), 30000 + Math.floor(0.5 * 2768));
    assert.equal(ports.allocate(), 30000 + Math.floor(0.5 * 2768) + 1);
  });

  it('parses ranges and rejects nonsense', () => {
    assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
    assert.throws(() => parsePortRange('32767-30000'), /not a port range/);
    assert.throws(() => parsePortRange('abc'), /not a port range/);
  });
});
