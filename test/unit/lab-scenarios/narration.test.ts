// Narration of fault scenarios: offsets in tenths of a second, timelines measured from the fault,
// milestones kept at their first sighting. A fixed clock stands in for time.

import assert from 'node:assert/strict';
import { Narrator, formatOffset, formatSeconds, formatTimeline } from '../../../cli/lab/scenarios/narration.js';

describe('scenario narration', () => {
  const offsets: Array<[number, string]> = [
    [0, '+0.0 s'],
    [1_149, '+1.1 s'],
    [1_150, '+1.2 s'],
    [13_900, '+13.9 s'],
    [72_000, '+72.0 s'],
    [-400, '-0.4 s'],
  ];
  for (const [ms, text] of offsets) it(`formats ${ms} ms as ${text}`, () => assert.equal(formatOffset(ms), text));

  it('formats a duration without a sign', () => assert.equal(formatSeconds(10_140), '10.1 s'));

  it('writes the README example timeline from milestones measured after the fault', () => {
    const fault = 50_000;
    const line = formatTimeline('node3', fault, [
      { label: 'suspect', atMs: fault + 1_100 },
      { label: 'dead', atMs: fault + 3_800 },
      { label: 'NotReady', atMs: fault + 3_900 },
      { label: 'pods evicted', atMs: fault + 10_000 },
      { label: 'replacements Ready', atMs: fault + 13_900 },
    ]);
    assert.equal(line, 'node3 suspect at +1.1 s, dead at +3.8 s, NotReady at +3.9 s, pods evicted at +10.0 s, replacements Ready at +13.9 s');
  });

  it('puts milestones in the order they happened, and the ones never seen (a state skipped between two looks) last', () => {
    assert.equal(formatTimeline('node2', 0, [{ label: 'suspect' }, { label: 'dead', atMs: 5_200 }, { label: 'NotReady', atMs: 5_100 }]), 'node2 NotReady at +5.1 s, dead at +5.2 s, suspect not seen');
  });

  it('prefixes each line with its offset from the start and keeps the first sighting of a milestone', () => {
    let now = 1_000;
    const lines: string[] = [];
    const narrator = new Narrator((line) => lines.push(line), () => now);
    now = 2_500;
    narrator.say('killing node3');
    const anchor = narrator.at();
    now = 3_600;
    narrator.mark('dead', 'node3 is dead');
    now = 9_000;
    narrator.mark('dead', 'node3 is dead (again)');
    narrator.print('summary:');
    assert.deepEqual(lines, ['[  +1.5 s] killing node3', '[  +2.6 s] node3 is dead', 'summary:']);
    assert.equal(narrator.markedAt('dead'), 3_600);
    assert.equal(narrator.timeline('node3', anchor, [{ key: 'dead', label: 'dead' }, { key: 'evicted', label: 'pods evicted' }]), 'node3 dead at +1.1 s, pods evicted not seen');
  });
});
