// The API server's relay of what only a node knows about itself (daemon/node-views/), under the
// node proxy path as kube-apiserver proxies to a kubelet (`kubectl get --raw` works on them):
//   GET /api/v1/nodes/{name}/proxy/gossip/members               the node's gossip table (MembersView)
//   GET /api/v1/nodes/{name}/proxy/gossip/members?watch=true    its changes, one JSON line each (MemberChange), until the caller goes
//   GET /api/v1/nodes/{name}/proxy/network                      its subnet, routes, proxy listeners and DNS (NodeNetworkReport)
// The server's own node answers in process; any other through its kubelet server (client
// certificate of the cluster CA, as for /proxy/metrics). Cluster admin only, as /proxy/metrics.

import { PassThrough, type Readable } from 'node:stream';
import express from 'express';
import type { MembersView } from '../../lib/node-views/members.js';
import type { NodeNetworkReport } from '../../lib/node-views/network.js';
import type { NodeViews } from '../node-views/node-views.js';
import { requireAdmin } from './metrics/prometheus-routes.js';

/** One node's views, wherever the node is. */
export interface NodeViewsSource {
  members(): Promise<MembersView>;
  /** NDJSON, one MemberChange per line; destroy it to stop. */
  memberChanges(): Promise<Readable>;
  network(): Promise<NodeNetworkReport>;
}

export interface NodeViewsRoutesDeps {
  /** The named node's views (throws an ApiError: NotFound for no such node, 502 when its kubelet cannot be reached). */
  nodeViews(nodeName: string): Promise<NodeViewsSource>;
}

/** A NodeViewsSource over this process's own node agent. */
export function localNodeViewsSource(views: NodeViews): NodeViewsSource {
  return {
    members: async () => views.members(),
    async memberChanges() {
      const stream = new PassThrough();
      const unsubscribe = views.onMemberChange((change) => stream.write(JSON.stringify(change) + '\n'));
      stream.on('close', unsubscribe);
      return stream;
    },
    network: () => views.network(),
  };
}

export function nodeViewsRouter(deps: NodeViewsRoutesDeps): express.Router {
  const router = express.Router();
  router.get('/api/v1/nodes/:name/proxy/gossip/members', requireAdmin, async (req, res) => {
    const source = await deps.nodeViews(req.params.name as string);
    if (req.query.watch !== 'true') return void res.json(await source.members());
    const changes = await source.memberChanges();
    res.status(200).setHeader('Content-Type', 'application/x-ndjson');
    res.setHeader('Cache-Control', 'no-cache');
    res.flushHeaders();
    res.on('close', () => changes.destroy()); // the caller went away (Ctrl-C): stop following
    changes.on('error', () => res.destroy()); // the node went away: the caller sees the stream end
    changes.pipe(res);
  });
  router.get('/api/v1/nodes/:name/proxy/network', requireAdmin, async (req, res) => {
    res.json(await (await deps.nodeViews(req.params.name as string)).network());
  });
  return router;
}
