import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import type { NodeUsageReport } from '../../lib/metrics/usage-report.js';
import { planPodStreamRoute } from '../../daemon/api/node-routed-pod-streams.js';
import { NodeUsageReports } from '../../daemon/api/metrics/node-usage-reports.js';

/** A server started with --disable-agent has no node of its own: every node is remote. */
describe('a server without a node agent (--disable-agent)', () => {
  const pod = (nodeName: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName, containers: [] } }) as unknown as Pod;

  it('routes every pod\'s streams to its node\'s kubelet, even one on a node named like the server', () => {
    const cases: { localNodeName: string | undefined; nodeName: string; want: ReturnType<typeof planPodStreamRoute> }[] = [
      { localNodeName: undefined, nodeName: 'server1', want: { local: false, nodeName: 'server1' } },
      { localNodeName: undefined, nodeName: 'node2', want: { local: false, nodeName: 'node2' } },
      { localNodeName: 'server1', nodeName: 'server1', want: { local: true } },
    ];
    for (const c of cases) assert.deepEqual(planPodStreamRoute(pod(c.nodeName), c.localNodeName), c.want, `${c.localNodeName} / ${c.nodeName}`);
  });

  it('fetches every node\'s usage from its kubelet', async () => {
    const asked: string[] = [];
    const reports = new NodeUsageReports({
      remote: async (nodeName) => {
        asked.push(nodeName);
        return { nodeName, pods: [] } satisfies NodeUsageReport;
      },
    });
    assert.deepEqual(await reports.report('server1'), { nodeName: 'server1', pods: [] });
    assert.deepEqual(asked, ['server1']);
  });
});
