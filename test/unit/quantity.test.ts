import assert from 'node:assert/strict';
import { formatCpu, formatMemory, parseCpuMillis, parseMemoryBytes } from '../../lib/api/quantity.js';

describe('quantities', () => {
  const cpu: [string | number, number][] = [
    ['500m', 500],
    ['2', 2000],
    [2, 2000],
    ['0.1', 100],
    ['.5', 500],
    ['1.5', 1500],
    ['250000u', 250],
    ['0.5m', 1],
    ['1k', 1_000_000],
    ['0', 0],
    ['1e3', 1_000_000],
  ];
  for (const [q, millis] of cpu) {
    it(`cpu ${JSON.stringify(q)} = ${millis}m`, () => assert.equal(parseCpuMillis(q), millis));
  }

  const memory: [string | number, number][] = [
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['512', 512],
    [1024, 1024],
    ['64Ki', 65536],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1e6', 1_000_000],
    ['500M', 500e6],
    ['1500m', 2],
  ];
  for (const [q, bytes] of memory) {
    it(`memory ${JSON.stringify(q)} = ${bytes} bytes`, () => assert.equal(parseMemoryBytes(q), bytes));
  }

  for (const garbage of ['', 'lots', '12 Mi', '1MB', '1mi', 'Mi', '1.2.3', ' 1', '--1', '1Ki5']) {
    it(`rejects ${JSON.stringify(garbage)}`, () => {
      assert.throws(() => parseMemoryBytes(garbage), /quantities must match the regular expression/);
      assert.throws(() => parseCpuMillis(garbage), /invalid quantity/);
    });
  }

  it('formats CPU as whole cores when exact, else millicores', () => {
    assert.equal(formatCpu(2000), '2');
    assert.equal(formatCpu(500), '500m');
    assert.equal(formatCpu(1500), '1500m');
  });

  it('formats memory with the largest exact binary suffix', () => {
    assert.equal(formatMemory(128 * 2 ** 20), '128Mi');
    assert.equal(formatMemory(2 ** 30), '1Gi');
    assert.equal(formatMemory(1536), '1536');
    assert.equal(formatMemory(3072), '3Ki');
    assert.equal(formatMemory(0), '0');
  });
});
