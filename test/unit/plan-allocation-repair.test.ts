import assert from 'node:assert/strict';
import type { AllocationHolder } from '../../daemon/api/allocation-ledger.js';
import { planAllocationRepair, type Holding, type LedgerEntry } from '../../daemon/api/plan-allocation-repair.js';

const holder = (name: string, uid = `uid-${name}`): AllocationHolder => ({ resource: 'services', namespace: 'default', name, uid });
const entry = (value: string, holderName: string, uid = `r-${value}`, holderUid?: string): LedgerEntry => ({ pool: 'ipaddresses', value, uid, holder: holder(holderName, holderUid) });
const holding = (value: string, holderName: string, holderUid?: string): Holding => ({ pool: 'ipaddresses', value, holder: holder(holderName, holderUid) });

interface Row {
  name: string;
  entries: LedgerEntry[];
  holdings: Holding[];
  previous?: [string, number][];
  release?: string[];
  reserve?: string[];
  conflicts?: string[];
  leakCounts?: [string, number][];
}

const rows: Row[] = [
  { name: 'a reservation its Service holds: nothing to do', entries: [entry('10.96.0.2', 'web')], holdings: [holding('10.96.0.2', 'web')] },
  {
    name: 'a leak seen for the first time is only counted (it may be a write in flight)',
    entries: [entry('10.96.0.2', 'gone')],
    holdings: [],
    leakCounts: [['r-10.96.0.2', 1]],
  },
  { name: 'a leak seen the second time in a row is freed', entries: [entry('10.96.0.2', 'gone')], holdings: [], previous: [['r-10.96.0.2', 1]], release: ['10.96.0.2'] },
  {
    name: 'a suspected leak whose Service got stored since is forgotten',
    entries: [entry('10.96.0.2', 'slow')],
    holdings: [holding('10.96.0.2', 'slow')],
    previous: [['r-10.96.0.2', 1]],
  },
  {
    name: 'a value freed and reserved again in between starts counting from zero (counts go by reservation uid)',
    entries: [entry('10.96.0.2', 'gone', 'r-new')],
    holdings: [],
    previous: [['r-old', 1]],
    leakCounts: [['r-new', 1]],
  },
  {
    name: 'a Service recreated with the same name and another uid does not claim the old reservation',
    entries: [entry('10.96.0.2', 'web', 'r-1', 'uid-old')],
    holdings: [holding('10.96.0.3', 'web', 'uid-new')],
    leakCounts: [['r-1', 1]],
    reserve: ['10.96.0.3'],
  },
  { name: 'a value a Service holds without a reservation (stored by an older server) is reserved', entries: [], holdings: [holding('10.96.0.9', 'old')], reserve: ['10.96.0.9'] },
  {
    name: 'two Services holding one value: the first is reserved, the other reported once the reservation exists',
    entries: [entry('10.96.0.9', 'a')],
    holdings: [holding('10.96.0.9', 'a'), holding('10.96.0.9', 'b')],
    conflicts: ['10.96.0.9 b'],
  },
  {
    name: 'a value held by a Service while a leaked reservation of another holder has it: reported until the leak is freed',
    entries: [entry('10.96.0.9', 'gone')],
    holdings: [holding('10.96.0.9', 'b')],
    previous: [['r-10.96.0.9', 1]],
    release: ['10.96.0.9'],
    conflicts: ['10.96.0.9 b'],
  },
];

describe('planAllocationRepair: what a repair pass does', () => {
  for (const row of rows) {
    it(row.name, () => {
      const plan = planAllocationRepair(row.entries, row.holdings, new Map(row.previous ?? []));
      assert.deepEqual(plan.release.map((e) => e.value), row.release ?? []);
      assert.deepEqual(plan.reserve.map((h) => h.value), row.reserve ?? []);
      assert.deepEqual(plan.conflicts.map((c) => `${c.holding.value} ${c.holding.holder.name}`), row.conflicts ?? []);
      assert.deepEqual([...plan.leakCounts], row.leakCounts ?? []);
    });
  }

  it('node ports and addresses are separate pools: the same text is two values', () => {
    const plan = planAllocationRepair([{ pool: 'nodeports', value: '30000', uid: 'r', holder: holder('np') }], [{ pool: 'ipaddresses', value: '30000', holder: holder('np') }], new Map());
    assert.deepEqual([...plan.leakCounts], [['r', 1]]);
    assert.equal(plan.reserve.length, 1);
  });
});
