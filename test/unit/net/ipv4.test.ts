import assert from 'node:assert/strict';
import {
  blockSize,
  broadcastOf,
  cidrContainsAddress,
  cidrContainsCidr,
  cidrsOverlap,
  formatIpv4Cidr,
  ipv4ToNumber,
  isIpv4Address,
  mustParseIpv4Cidr,
  nthAddress,
  nthSubnet,
  numberToIpv4,
  parseIpv4Cidr,
  parseIpv4Destination,
  subnetCount,
} from '../../../lib/net/ipv4.js';

const cidr = (text: string) => mustParseIpv4Cidr(text);
const ip = ipv4ToNumber;

describe('ipv4', () => {
  describe('addresses', () => {
    const cases: { text: string; valid: boolean; value?: number }[] = [
      { text: '0.0.0.0', valid: true, value: 0 },
      { text: '10.244.1.5', valid: true, value: 10 * 2 ** 24 + 244 * 2 ** 16 + 1 * 2 ** 8 + 5 },
      { text: '255.255.255.255', valid: true, value: 2 ** 32 - 1 },
      { text: '192.168.0.1', valid: true, value: 0xc0a80001 },
      { text: '256.1.1.1', valid: false },
      { text: '10.1.1', valid: false },
      { text: '010.1.1.1', valid: false },
      { text: '10.1.1.1/24', valid: false },
      { text: '::1', valid: false },
      { text: '', valid: false },
    ];
    for (const c of cases) {
      it(`${c.text || '(empty)'}: ${c.valid ? c.value : 'not an address'}`, () => {
        assert.equal(isIpv4Address(c.text), c.valid);
        if (c.valid) {
          assert.equal(ipv4ToNumber(c.text), c.value);
          assert.equal(numberToIpv4(c.value!), c.text, 'formats back');
        } else {
          assert.throws(() => ipv4ToNumber(c.text), /is not an IPv4 address/);
        }
      });
    }
  });

  describe('parsing CIDRs: parseIpv4Cidr, and parseIpv4Destination for routes (a bare address is that host)', () => {
    // [text, parseIpv4Cidr, parseIpv4Destination]; undefined: not parsed.
    const cases: [string, string | undefined, string | undefined][] = [
      ['10.244.0.0/16', '10.244.0.0/16', '10.244.0.0/16'],
      ['10.244.7.9/16', '10.244.0.0/16', '10.244.0.0/16'],
      ['10.96.0.0/12', '10.96.0.0/12', '10.96.0.0/12'],
      ['10.100.3.4/12', '10.96.0.0/12', '10.96.0.0/12'],
      ['0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0'],
      ['10.0.0.5/32', '10.0.0.5/32', '10.0.0.5/32'],
      ['10.0.0.5', undefined, '10.0.0.5/32'],
      ['10.0.0.0/33', undefined, undefined],
      ['10.0.0.0/', undefined, undefined],
      ['10.0.0/8', undefined, undefined],
      ['default', undefined, undefined],
      ['fd00::/8', undefined, undefined],
      ['fe80::1', undefined, undefined],
    ];
    const shown = (cidr: ReturnType<typeof parseIpv4Cidr>) => cidr && formatIpv4Cidr(cidr);
    for (const [text, asCidr, asDestination] of cases) {
      it(`${text} → ${asCidr ?? 'undefined'} as a CIDR, ${asDestination ?? 'undefined'} as a destination`, () => {
        assert.equal(shown(parseIpv4Cidr(text)), asCidr);
        assert.equal(shown(parseIpv4Destination(text)), asDestination);
      });
    }

    it('mustParseIpv4Cidr names the bad text and shows an example', () => {
      assert.throws(() => mustParseIpv4Cidr('10.96.0.0'), /"10\.96\.0\.0" is not an IPv4 CIDR \(e\.g\. 10\.96\.0\.0\/12\)/);
    });
  });

  describe('blocks', () => {
    const cases: { text: string; size: number; network: string; broadcast: string; firstHost: string }[] = [
      { text: '10.244.1.0/24', size: 256, network: '10.244.1.0', broadcast: '10.244.1.255', firstHost: '10.244.1.1' },
      { text: '10.96.0.0/12', size: 1_048_576, network: '10.96.0.0', broadcast: '10.111.255.255', firstHost: '10.96.0.1' },
      { text: '10.99.0.8/30', size: 4, network: '10.99.0.8', broadcast: '10.99.0.11', firstHost: '10.99.0.9' },
      { text: '10.0.0.5/32', size: 1, network: '10.0.0.5', broadcast: '10.0.0.5', firstHost: '' },
    ];
    for (const c of cases) {
      it(`${c.text}: ${c.size} addresses, ${c.network} .. ${c.broadcast}`, () => {
        const block = cidr(c.text);
        assert.equal(blockSize(block.prefixLength), c.size);
        assert.equal(numberToIpv4(nthAddress(block, 0)), c.network);
        assert.equal(numberToIpv4(broadcastOf(block)), c.broadcast);
        if (c.firstHost) assert.equal(numberToIpv4(nthAddress(block, 1)), c.firstHost);
        assert.equal(numberToIpv4(nthAddress(block, c.size - 1)), c.broadcast);
      });
    }

    it('nthAddress refuses an address outside the block', () => {
      assert.throws(() => nthAddress(cidr('10.244.1.0/24'), 256), /10\.244\.1\.0\/24 has no address number 256: it holds 256/);
      assert.throws(() => nthAddress(cidr('10.244.1.0/24'), -1), /no address number -1/);
    });
  });

  describe('containment and overlap', () => {
    const cases: { outer: string; inner: string; contains: boolean; overlap: boolean }[] = [
      { outer: '10.244.0.0/16', inner: '10.244.3.0/24', contains: true, overlap: true },
      { outer: '10.244.0.0/16', inner: '10.244.0.0/16', contains: true, overlap: true },
      { outer: '10.244.3.0/24', inner: '10.244.0.0/16', contains: false, overlap: true },
      { outer: '10.244.0.0/16', inner: '10.245.0.0/24', contains: false, overlap: false },
      { outer: '10.250.0.0/24', inner: '10.250.1.0/24', contains: false, overlap: false },
      { outer: '0.0.0.0/0', inner: '192.168.1.0/24', contains: true, overlap: true },
      { outer: '10.244.1.0/24', inner: '10.244.1.77/32', contains: true, overlap: true },
    ];
    for (const c of cases) {
      it(`${c.outer} ${c.contains ? 'contains' : 'does not contain'} ${c.inner}; ${c.overlap ? 'they overlap' : 'disjoint'}`, () => {
        assert.equal(cidrContainsCidr(cidr(c.outer), cidr(c.inner)), c.contains);
        assert.equal(cidrsOverlap(cidr(c.outer), cidr(c.inner)), c.overlap);
        assert.equal(cidrsOverlap(cidr(c.inner), cidr(c.outer)), c.overlap, 'overlap is symmetric');
      });
    }

    const addresses: { block: string; address: string; want: boolean }[] = [
      { block: '10.96.0.0/12', address: '10.96.0.1', want: true },
      { block: '10.96.0.0/12', address: '10.111.255.255', want: true },
      { block: '10.96.0.0/12', address: '10.112.0.0', want: false },
      { block: '10.96.0.0/12', address: '10.95.255.255', want: false },
    ];
    for (const c of addresses) {
      it(`${c.block} ${c.want ? 'holds' : 'does not hold'} ${c.address}`, () => {
        assert.equal(cidrContainsAddress(cidr(c.block), ip(c.address)), c.want);
      });
    }
  });

  describe('subnets', () => {
    const cases: { block: string; prefix: number; count: number; index: number; want: string }[] = [
      { block: '10.244.0.0/16', prefix: 24, count: 256, index: 0, want: '10.244.0.0/24' },
      { block: '10.244.0.0/16', prefix: 24, count: 256, index: 3, want: '10.244.3.0/24' },
      { block: '10.244.0.0/16', prefix: 24, count: 256, index: 255, want: '10.244.255.0/24' },
      { block: '10.244.0.0/16', prefix: 26, count: 1024, index: 5, want: '10.244.1.64/26' },
      { block: '10.244.0.0/24', prefix: 24, count: 1, index: 0, want: '10.244.0.0/24' },
    ];
    for (const c of cases) {
      it(`${c.block} in /${c.prefix}: ${c.count} subnets, number ${c.index} is ${c.want}`, () => {
        assert.equal(subnetCount(cidr(c.block), c.prefix), c.count);
        assert.equal(formatIpv4Cidr(nthSubnet(cidr(c.block), c.prefix, c.index)), c.want);
      });
    }

    it('refuses a prefix that cannot cut the block, and an index past the end', () => {
      assert.throws(() => subnetCount(cidr('10.244.0.0/16'), 8), /\/8 cannot cut 10\.244\.0\.0\/16: it must lie between \/16 and \/32/);
      assert.throws(() => nthSubnet(cidr('10.244.0.0/16'), 24, 256), /has 256 \/24 subnets, not one numbered 256/);
    });
  });
});
