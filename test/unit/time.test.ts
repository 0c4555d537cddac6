import assert from 'node:assert/strict';
import { ageOf, humanDuration, rfc3339, sleep } from '../../lib/time.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration (apimachinery HumanDuration)', () => {
  const cases: [number, string][] = [
    [-5 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [90 * s, '90s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [5 * m + 3 * s, '5m3s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [75 * m, '75m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 20 * m, '3h20m'],
    [8 * h + 5 * m, '8h'],
    [30 * h, '30h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [8 * d + 3 * h, '8d'],
    [400 * d, '400d'],
    [2 * y, '2y'],
    [3 * y + 20 * d, '3y20d'],
    [9 * y + 100 * d, '9y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms} ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('ageOf / rfc3339', () => {
  it('humanises the age of a timestamp and marks a missing one', () => {
    const now = new Date('2024-05-01T12:05:00Z');
    assert.equal(ageOf('2024-05-01T12:00:00Z', now), '5m');
    assert.equal(ageOf(undefined, now), '<unknown>');
    assert.equal(ageOf(null, now), '<unknown>');
  });
  it('writes UTC with whole seconds', () => {
    assert.equal(rfc3339(new Date('2024-05-01T12:00:00.789Z')), '2024-05-01T12:00:00Z');
  });
});

describe('rfc3339 default / sleep', () => {
  it('formats now when given no date', () => {
    const before = Date.now();
    const text = rfc3339();
    assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(text) - before) < 2000);
  });
  it('sleeps about the time asked', async () => {
    const start = Date.now();
    await sleep(30);
    assert.ok(Date.now() - start >= 25);
  });
  it('returns early, without an error, when its signal aborts', async () => {
    const controller = new AbortController();
    const start = Date.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(10_000, controller.signal);
    assert.ok(Date.now() - start < 1000);
    const aborted = AbortSignal.abort();
    await sleep(10_000, aborted);
  });
});
