// CrashLoopBackOff analysis: the waits between restarts a watcher saw, against Kubernetes' 0, 10,
// 20, 40 s ... with a tolerance for the container's run and the latencies.

import assert from 'node:assert/strict';
import { analyseBackoff, backoffToleranceMs, expectedBackoffMs, formatBackoffRow } from '../../../cli/lab/scenarios/crash-backoff.js';

describe('crash back-off analysis', () => {
  const expected: Array<[number, number]> = [[1, 0], [2, 10_000], [3, 20_000], [4, 40_000], [5, 80_000], [6, 160_000], [7, 300_000], [12, 300_000]];
  for (const [restart, ms] of expected) it(`Kubernetes waits ${ms / 1000} s before restart ${restart}`, () => assert.equal(expectedBackoffMs(restart), ms));

  it('tolerates 2 s plus a tenth of the back-off', () => {
    assert.equal(backoffToleranceMs(0), 2_000);
    assert.equal(backoffToleranceMs(40_000), 6_000);
  });

  it('accepts waits that grow as Kubernetes\' do', () => {
    const analysis = analyseBackoff(0, [
      { restartCount: 1, seenAtMs: 600 },
      { restartCount: 2, seenAtMs: 11_200 },
      { restartCount: 3, seenAtMs: 31_900 },
      { restartCount: 4, seenAtMs: 72_500 },
    ]);
    assert.equal(analysis.ok, true);
    assert.deepEqual(analysis.rows.map((r) => [r.restart, r.intervalMs, r.expectedMs]), [[1, 600, 0], [2, 10_600, 10_000], [3, 20_700, 20_000], [4, 40_600, 40_000]]);
  });

  it('rejects a back-off that does not grow (a kubelet restarting every 10 s)', () => {
    const analysis = analyseBackoff(0, [
      { restartCount: 1, seenAtMs: 500 },
      { restartCount: 2, seenAtMs: 10_600 },
      { restartCount: 3, seenAtMs: 20_700 },
    ]);
    assert.equal(analysis.ok, false);
    assert.deepEqual(analysis.rows.map((r) => r.withinTolerance), [true, true, false]);
    assert.match(formatBackoffRow(analysis.rows[2]!), /^restart 3: 10\.1 s after restart 2 \(Kubernetes waits 20\.0 s, tolerance ±4\.0 s\) OUTSIDE TOLERANCE$/);
  });

  it('does not compare across a restart it did not see, and fails with nothing measured', () => {
    const analysis = analyseBackoff(0, [{ restartCount: 1, seenAtMs: 400 }, { restartCount: 3, seenAtMs: 31_000 }, { restartCount: 4, seenAtMs: 71_500 }]);
    assert.deepEqual(analysis.rows.map((r) => r.restart), [1, 4]);
    assert.equal(analyseBackoff(0, []).ok, false);
  });
});
