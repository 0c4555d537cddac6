// Prometheus scrape endpoints on the API server, for the cluster admin (the token in the admin
// kubeconfig, group system:masters; kubelab has no RBAC yet to grant a metrics role):
//   GET /metrics                              the control plane's registry (apiserver, scheduler, work queues)
//   GET /api/v1/nodes/{name}/proxy/metrics    a node agent's registry, as kube-apiserver proxies to a
//                                             kubelet's /metrics: the server's own node in process,
//                                             any other through its kubelet server (client certificate)
// Without a token the request is a 401 (the authentication in front); with another user's, a 403.
// `kubectl get --raw /metrics` and `kubectl get --raw /api/v1/nodes/NODE/proxy/metrics` work.

import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { ApiError } from '../../../lib/errors.js';
import { MASTERS_GROUP, type UserInfo } from '../auth.js';

export interface PrometheusRoutesDeps {
  controlPlane: Registry;
  /** A node agent's metrics in the text format (throws an ApiError when its kubelet cannot be reached). */
  nodeMetrics(nodeName: string): Promise<string>;
}

/** The text format's content type (prom-client's default registry type). */
const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

export function requireAdmin(req: Request, res: Response, next: NextFunction): void {
  const user = res.locals.userInfo as UserInfo | undefined;
  if (user?.groups.includes(MASTERS_GROUP)) return next();
  next(new ApiError(403, 'Forbidden', `forbidden: User "${user?.name ?? 'system:anonymous'}" cannot get path "${req.path}": metrics are for the cluster admin (the admin kubeconfig's token)`));
}

export function prometheusRouter(deps: PrometheusRoutesDeps): express.Router {
  const router = express.Router();
  router.get('/metrics', requireAdmin, async (_req, res) => {
    res.status(200).setHeader('Content-Type', deps.controlPlane.contentType);
    res.end(await deps.controlPlane.metrics());
  });
  router.get('/api/v1/nodes/:name/proxy/metrics', requireAdmin, async (req, res) => {
    const body = await deps.nodeMetrics(req.params.name as string);
    res.status(200).setHeader('Content-Type', TEXT_FORMAT);
    res.end(body);
  });
  return router;
}
