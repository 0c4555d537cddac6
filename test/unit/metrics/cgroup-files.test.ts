import assert from 'node:assert/strict';
import { busyCpuNanosOfProcStat, cpuUsageNanosOfCpuStat, parseFlatKeyed, parseProcCgroup, workingSetBytes, workingSetBytesOfMeminfo } from '../../../lib/metrics/cgroup-files.js';

describe('cgroup files', () => {
  describe('parseProcCgroup', () => {
    const cases: { name: string; text: string; want: ReturnType<typeof parseProcCgroup> }[] = [
      {
        name: 'cgroup v1 with separate cpu and cpuacct hierarchies and a v2 line',
        text: '9:name=systemd:/\n4:memory:/docker/abc\n2:cpuacct:/docker/abc\n1:cpu:/docker/abc\n0::/\n',
        want: { v1: { 'name=systemd': '/', memory: '/docker/abc', cpuacct: '/docker/abc', cpu: '/docker/abc' }, unified: '/' },
      },
      {
        name: 'cgroup v1 with cpu,cpuacct mounted together, under a lab host\'s cgroup parent',
        text: '3:cpu,cpuacct:/kubelab-lab-node2/f00\n5:memory:/kubelab-lab-node2/f00\n',
        want: { v1: { cpu: '/kubelab-lab-node2/f00', cpuacct: '/kubelab-lab-node2/f00', memory: '/kubelab-lab-node2/f00' } },
      },
      { name: 'cgroup v2 only', text: '0::/system.slice/docker-abc.scope\n', want: { v1: {}, unified: '/system.slice/docker-abc.scope' } },
      { name: 'garbage lines are ignored', text: 'nonsense\n\n', want: { v1: {} } },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(parseProcCgroup(c.text), c.want));
  });

  describe('workingSetBytes: usage minus inactive file pages, never below zero', () => {
    const cases: { name: string; usage: number; stat: string; want: number }[] = [
      { name: 'v1 uses total_inactive_file (children included)', usage: 100_000, stat: 'inactive_file 10\ntotal_inactive_file 30000\n', want: 70_000 },
      { name: 'v2 uses inactive_file', usage: 100_000, stat: 'anon 50000\ninactive_file 20000\n', want: 80_000 },
      { name: 'no file pages: all of it', usage: 4096, stat: 'anon 4096\n', want: 4096 },
      { name: 'more inactive file than usage (racy reads): zero', usage: 10, stat: 'total_inactive_file 20\n', want: 0 },
    ];
    for (const c of cases) it(c.name, () => assert.equal(workingSetBytes(c.usage, parseFlatKeyed(c.stat)), c.want));
  });

  it('reads v2 CPU time from cpu.stat in nanoseconds', () => {
    assert.equal(cpuUsageNanosOfCpuStat(parseFlatKeyed('usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n')), 1_500_000);
    assert.equal(cpuUsageNanosOfCpuStat(parseFlatKeyed('user_usec 1000\n')), undefined);
  });

  it('counts the machine\'s busy CPU time from /proc/stat (user nice system irq softirq steal, in 1/100 s)', () => {
    const stat = 'cpu  100 2 30 5000 40 5 6 7 0 0\ncpu0 50 1 15 2500 20 2 3 3 0 0\nintr 1\n';
    assert.equal(busyCpuNanosOfProcStat(stat), (100 + 2 + 30 + 5 + 6 + 7) * 10_000_000);
    assert.equal(busyCpuNanosOfProcStat('intr 1\n'), undefined);
  });

  it('computes the machine\'s working set from /proc/meminfo as total - free - inactive file', () => {
    const meminfo = 'MemTotal:        8000000 kB\nMemFree:         2000000 kB\nMemAvailable:    5000000 kB\nInactive(file):  1000000 kB\n';
    assert.equal(workingSetBytesOfMeminfo(meminfo), 5_000_000 * 1024);
    assert.equal(workingSetBytesOfMeminfo('MemTotal: 1 kB\n'), undefined);
  });
});
