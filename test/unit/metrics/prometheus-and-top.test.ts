import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import { prometheusRouter } from '../../../daemon/api/metrics/prometheus-routes.js';
import { MASTERS_GROUP } from '../../../daemon/api/auth.js';
import { ApiError } from '../../../lib/errors.js';
import { nodeMetricsTable, podMetricsTable } from '../../../cli/top-printer.js';
import { nodeMetrics, podMetrics } from '../../../lib/metrics/metrics-api.js';

describe('Prometheus routes on the API server', () => {
  async function get(groups: string[], path: string): Promise<number> {
    const app = express();
    app.use((_req, res, next) => {
      res.locals.userInfo = { name: 'someone', groups };
      next();
    });
    app.use(prometheusRouter({ controlPlane: new Registry(), nodeMetrics: async () => '# node\n' }));
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(err instanceof ApiError ? err.code : 500).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      return (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`)).status;
    } finally {
      server.close();
    }
  }

  it('serves /metrics and a node\'s metrics to the admin only (403 for anyone else, a node included)', async () => {
    assert.equal(await get([MASTERS_GROUP], '/metrics'), 200);
    assert.equal(await get([MASTERS_GROUP], '/api/v1/nodes/n1/proxy/metrics'), 200);
    assert.equal(await get(['system:nodes'], '/metrics'), 403);
    assert.equal(await get(['system:nodes'], '/api/v1/nodes/n1/proxy/metrics'), 403);
  });
});

describe('kubectl top tables', () => {
  const now = new Date('2026-12-02T03:00:00Z');
  const window = { timestamp: '2026-12-02T03:00:00Z', windowMs: 10_000 };
  const node = (name: string, cpuNanoCores: number, memoryWorkingSetBytes: number) => nodeMetrics({ metadata: { name } }, { ...window, cpuNanoCores, memoryWorkingSetBytes }, now);
  const pod = (name: string, containers: [string, number, number][]) =>
    podMetrics({ metadata: { name, namespace: 'default' } }, { namespace: 'default', name, uid: name, ...window, containers: containers.map(([n, c, m]) => ({ name: n, cpuNanoCores: c, memoryWorkingSetBytes: m })) }, now);

  it('prints nodes as kubectl does: millicores rounded up, whole MiB, percentages of allocatable, <unknown> for nodes without metrics', () => {
    const allocatable = new Map([['a', { milliCpu: 2000, memoryBytes: 4096 * 1024 * 1024 }], ['b', { milliCpu: 1000, memoryBytes: 1024 * 1024 * 1024 }], ['c', {}]]);
    assert.equal(
      nodeMetricsTable([node('b', 1, 300 * 1024 * 1024), node('a', 250_000_000, 1024 * 1024 * 1024)], allocatable),
      'NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n' +
        'a      250m         12%         1024Mi          25%         \n' +
        'b      1m           0%          300Mi           29%         \n' +
        'c      <unknown>    <unknown>   <unknown>       <unknown>   \n',
    );
  });

  it('prints pods summed, or per container, sorted by name or by usage', () => {
    const pods = [pod('web', [['app', 5_000_000, 10 * 1024 * 1024], ['side', 1_000_000, 2 * 1024 * 1024]]), pod('api', [['main', 100_000_000, 1024 * 1024]])];
    assert.equal(podMetricsTable(pods), 'NAME   CPU(cores)   MEMORY(bytes)   \napi    100m         1Mi             \nweb    6m           12Mi            \n');
    assert.equal(podMetricsTable(pods, { sortBy: 'memory', noHeaders: true }), 'web   6m     12Mi   \napi   100m   1Mi    \n');
    assert.equal(
      podMetricsTable(pods, { containers: true, allNamespaces: true }),
      'NAMESPACE   POD   NAME   CPU(cores)   MEMORY(bytes)   \ndefault     api   main   100m         1Mi             \ndefault     web   app    5m           10Mi            \ndefault     web   side   1m           2Mi             \n',
    );
  });
});
