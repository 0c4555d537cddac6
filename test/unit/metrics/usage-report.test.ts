import assert from 'node:assert/strict';
import { cpuNanoCoresBetween, planUsageReport, type ContainerReading, type CounterSample } from '../../../lib/metrics/usage-report.js';

const at = (atMs: number, cpuUsageNanos: number, memoryWorkingSetBytes = 0): CounterSample => ({ atMs, cpuUsageNanos, memoryWorkingSetBytes });

describe('usage report', () => {
  describe('cpuNanoCoresBetween: CPU nanoseconds used per second of wall time', () => {
    const cases: { name: string; previous: CounterSample; current: CounterSample; want: number | undefined }[] = [
      { name: 'one core busy for 10 s', previous: at(0, 0), current: at(10_000, 10e9), want: 1e9 },
      { name: 'a quarter core over 4 s', previous: at(1_000, 5e9), current: at(5_000, 6e9), want: 250_000_000 },
      { name: 'idle', previous: at(0, 7), current: at(10_000, 7), want: 0 },
      { name: 'the counter went back (the cgroup was recreated): no rate', previous: at(0, 5e9), current: at(10_000, 1e9), want: undefined },
      { name: 'no time passed: no rate', previous: at(5, 0), current: at(5, 10), want: undefined },
    ];
    for (const c of cases) it(c.name, () => assert.equal(cpuNanoCoresBetween(c.previous, c.current), c.want));
  });

  const reading = (id: string, pod: string, container: string, sample: CounterSample): ContainerReading => ({
    id,
    pod: { namespace: 'default', name: pod, uid: `uid-${pod}` },
    container,
    sample,
  });

  it('reports nothing on the first pass, rates on the second, and only containers seen both times', () => {
    const first = planUsageReport({ nodeName: 'n1', previous: new Map(), containers: [reading('a', 'web', 'app', at(0, 0, 100))], node: at(0, 0, 1000) });
    assert.deepEqual(first.report, { nodeName: 'n1', pods: [] });

    const second = planUsageReport({
      nodeName: 'n1',
      previous: first.previous,
      previousNode: first.previousNode,
      containers: [
        reading('a', 'web', 'app', at(10_000, 5e9, 200)),
        reading('b', 'web', 'sidecar', at(10_000, 1e9, 50)), // new: no rate yet
        reading('c', 'api', 'main', at(10_000, 3e9, 70)), // new pod: left out
      ],
      node: at(10_000, 20e9, 2000),
    });
    assert.deepEqual(second.report, {
      nodeName: 'n1',
      node: { timestamp: '1970-01-01T00:00:10.000Z', windowMs: 10_000, cpuNanoCores: 2e9, memoryWorkingSetBytes: 2000 },
      pods: [{ namespace: 'default', name: 'web', uid: 'uid-web', timestamp: '1970-01-01T00:00:10.000Z', windowMs: 10_000, containers: [{ name: 'app', cpuNanoCores: 5e8, memoryWorkingSetBytes: 200 }] }],
    });
    assert.deepEqual([...second.previous.keys()].sort(), ['a', 'b', 'c']);
  });

  it('a restarted container (new id) starts over instead of reporting the new counter against the old', () => {
    const first = planUsageReport({ nodeName: 'n1', previous: new Map(), containers: [reading('old', 'web', 'app', at(0, 9e9))] });
    const second = planUsageReport({ nodeName: 'n1', previous: first.previous, containers: [reading('new', 'web', 'app', at(10_000, 1e8))] });
    assert.deepEqual(second.report.pods, []);
    assert.deepEqual([...second.previous.keys()], ['new']);
  });
});
