import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import type { DeleteOptions } from '../../lib/client/api-client.js';
import { podStrategy } from '../../daemon/api/strategies/pod-strategy.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function pod(spec: Partial<Pod['spec']>, status: Pod['status'] = { phase: 'Running' }, deletionTimestamp?: string): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', ...(deletionTimestamp ? { deletionTimestamp } : {}) },
    spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
    status,
  };
}

describe('podStrategy.planDelete', () => {
  const cases: { name: string; pod: Pod; options: DeleteOptions; expect: 'remove' | [string | undefined, number | undefined] }[] = [
    { name: 'unscheduled pod: nothing to stop', pod: pod({}), options: {}, expect: 'remove' },
    { name: 'bound pod: default 30 s', pod: pod({ nodeName: 'n' }), options: {}, expect: ['2024-05-01T12:00:30Z', 30] },
    { name: 'bound pod: its own grace period', pod: pod({ nodeName: 'n', terminationGracePeriodSeconds: 3 }), options: {}, expect: ['2024-05-01T12:00:03Z', 3] },
    { name: 'bound pod: the request wins', pod: pod({ nodeName: 'n', terminationGracePeriodSeconds: 3 }), options: { gracePeriodSeconds: 8 }, expect: ['2024-05-01T12:00:08Z', 8] },
    { name: 'grace 0: at once (the kubelet, or --force)', pod: pod({ nodeName: 'n' }), options: { gracePeriodSeconds: 0 }, expect: 'remove' },
    { name: 'Succeeded pod', pod: pod({ nodeName: 'n' }, { phase: 'Succeeded' }), options: {}, expect: 'remove' },
    { name: 'Failed pod', pod: pod({ nodeName: 'n' }, { phase: 'Failed' }), options: {}, expect: 'remove' },
    {
      name: 'terminating pod: a longer grace changes nothing',
      pod: pod({ nodeName: 'n' }, { phase: 'Running' }, '2024-05-01T12:00:10Z'),
      options: { gracePeriodSeconds: 30 },
      expect: ['2024-05-01T12:00:10Z', undefined],
    },
    {
      name: 'terminating pod: a shorter grace hurries it',
      pod: pod({ nodeName: 'n' }, { phase: 'Running' }, '2024-05-01T12:00:10Z'),
      options: { gracePeriodSeconds: 2 },
      expect: ['2024-05-01T12:00:02Z', 2],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = podStrategy.planDelete(c.pod, c.options, NOW);
      if (c.expect === 'remove') return assert.equal(plan.action, 'remove');
      assert.equal(plan.action, 'mark');
      if (plan.action !== 'mark') return;
      assert.deepEqual([plan.object.metadata.deletionTimestamp, plan.object.metadata.deletionGracePeriodSeconds], c.expect);
    });
  }
});
