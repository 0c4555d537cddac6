// The API server's relay of a node's views (/api/v1/nodes/NAME/proxy/gossip/members and
// /proxy/network): admin only, the view as JSON, and the watch as NDJSON lines that start
// flowing at once and stop (unsubscribing on the node) when the caller goes away.

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { MASTERS_GROUP } from '../../../daemon/api/auth.js';
import { localNodeViewsSource, nodeViewsRouter } from '../../../daemon/api/node-views-routes.js';
import type { NodeViews } from '../../../daemon/node-views/node-views.js';
import { ApiError } from '../../../lib/errors.js';
import { eventually } from '../../../harness/test-daemon.js';
import type { MemberChange } from '../../../lib/node-views/members.js';

describe('node views on the API server (members and network, through the node proxy path)', () => {
  let server: http.Server;
  let base: string;
  let groups: string[] = [MASTERS_GROUP];
  const listeners = new Set<(change: MemberChange) => void>();
  const views: NodeViews = {
    members: () => ({ kind: 'MembersView', node: 'node1', observedAt: '2026-12-02T07:00:00.000Z', gossip: true, members: [{ name: 'node1', address: '10.99.0.11:7946', state: 'alive', incarnation: 1 }] }),
    onMemberChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    network: async () => ({ kind: 'NodeNetwork', node: 'node1', podSubnet: '10.244.1.0/24', clusterCidr: '10.244.0.0/16', gossip: true, routes: [], peers: [], listeners: [], dns: { servers: ['10.244.1.1'], domain: 'cluster.local' } }),
  };

  before(async () => {
    const app = express();
    app.use((_req, res, next) => {
      res.locals.userInfo = { name: 'someone', groups };
      next();
    });
    app.use(
      nodeViewsRouter({
        nodeViews: async (name) => {
          if (name !== 'node1') throw new ApiError(404, 'NotFound', `nodes "${name}" not found`);
          return localNodeViewsSource(views);
        },
      }),
    );
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(err instanceof ApiError ? err.code : 500).end());
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  afterEach(() => (groups = [MASTERS_GROUP]));

  it('answers the admin with the node\'s members and network; anyone else gets a 403, an unknown node a 404', async () => {
    const members = await (await fetch(`${base}/api/v1/nodes/node1/proxy/gossip/members`)).json();
    assert.equal(members.kind, 'MembersView');
    assert.equal(members.members[0].name, 'node1');
    const network = await (await fetch(`${base}/api/v1/nodes/node1/proxy/network`)).json();
    assert.equal(network.podSubnet, '10.244.1.0/24');
    assert.equal((await fetch(`${base}/api/v1/nodes/node9/proxy/network`)).status, 404);
    groups = ['system:nodes'];
    assert.equal((await fetch(`${base}/api/v1/nodes/node1/proxy/gossip/members`)).status, 403);
    assert.equal((await fetch(`${base}/api/v1/nodes/node1/proxy/network`)).status, 403);
  });

  it('?watch=true streams each change as one JSON line, and unsubscribes when the caller hangs up', async () => {
    const lines: string[] = [];
    const req = http.get(`${base}/api/v1/nodes/node1/proxy/gossip/members?watch=true`);
    const response = await new Promise<http.IncomingMessage>((resolve) => req.once('response', resolve));
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /ndjson/);
    response.setEncoding('utf8');
    let buffered = '';
    response.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
    });
    await eventually(async () => (listeners.size === 1 ? true : undefined), 2_000, 10);
    const change: MemberChange = { time: '2026-12-02T07:00:01.000Z', observer: 'node1', member: 'node3', address: '10.99.0.13:7946', from: 'alive', to: 'suspect', incarnation: 1, refuted: false };
    for (const listener of listeners) listener(change);
    for (const listener of listeners) listener({ ...change, from: 'suspect', to: 'dead' });
    await eventually(async () => (lines.length === 2 ? true : undefined), 2_000, 10);
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as MemberChange).to), ['suspect', 'dead']);
    req.destroy();
    await eventually(async () => (listeners.size === 0 ? true : undefined), 2_000, 10);
  });
});
