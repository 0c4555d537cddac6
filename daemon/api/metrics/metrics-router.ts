// metrics.k8s.io/v1beta1 on the API server: NodeMetrics and PodMetrics, as metrics-server serves
// them behind kube-apiserver's aggregation layer (kubectl top and the HPA read them).
//
//   GET /apis/metrics.k8s.io/v1beta1/nodes[/{name}]                  ?labelSelector=
//   GET /apis/metrics.k8s.io/v1beta1/pods                            ?labelSelector=&fieldSelector=
//   GET /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods[/{name}]   ?labelSelector=&fieldSelector=
//
// A list joins the Nodes or Pods that match (selectors are those of the objects, as in
// metrics-server) with the usage their nodes' kubelets report; an object without usage yet (a
// pod that just started, a node that cannot be reached) is left out of a list and is a 404 to a
// get, with the words metrics-server uses. The objects' shapes are in lib/metrics/metrics-api.ts.

import express, { type Request, type Response } from 'express';
import type { Node, Pod } from '../../../lib/api/types.js';
import { ApiError, errorMessage } from '../../../lib/errors.js';
import { logger } from '../../../lib/logger.js';
import { METRICS_GROUP, METRICS_VERSION, metricsList, nodeMetrics, podMetrics, type NodeMetrics, type PodMetrics } from '../../../lib/metrics/metrics-api.js';
import type { NodeUsageReport, PodUsage } from '../../../lib/metrics/usage-report.js';
import { internalContext, type Registry } from '../registry.js';
import type { NodeUsageReports } from './node-usage-reports.js';

export interface MetricsRouterDeps {
  registry: Registry;
  reports: NodeUsageReports;
  now?: () => Date;
}

const BASE = `/apis/${METRICS_GROUP}/${METRICS_VERSION}`;

const notFound = (resource: 'nodemetrics' | 'podmetrics', name: string) =>
  new ApiError(404, 'NotFound', `${resource}.${METRICS_GROUP} "${name}" not found`, { name, group: METRICS_GROUP, kind: resource === 'nodemetrics' ? 'nodes' : 'pods' });

const queryString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function metricsRouter(deps: MetricsRouterDeps): express.Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  const log = logger('apiserver');

  /** The reports of these nodes; a node that cannot be reached is left out, with a log line. */
  async function reportsOf(nodeNames: Iterable<string>): Promise<Map<string, NodeUsageReport>> {
    const names = [...new Set(nodeNames)];
    const reports = await Promise.all(
      names.map((name) =>
        deps.reports.report(name).catch((err: unknown) => {
          log.warn(`metrics: no usage from node ${name}: ${errorMessage(err)}`);
          return undefined;
        }),
      ),
    );
    const byNode = new Map<string, NodeUsageReport>();
    names.forEach((name, i) => reports[i] && byNode.set(name, reports[i]));
    return byNode;
  }

  async function nodeMetricsOf(nodes: Node[]): Promise<NodeMetrics[]> {
    const reports = await reportsOf(nodes.map((n) => n.metadata.name ?? ''));
    const at = now();
    return nodes.flatMap((node) => {
      const usage = reports.get(node.metadata.name ?? '')?.node;
      return usage ? [nodeMetrics(node, usage, at)] : [];
    });
  }

  async function podMetricsOf(pods: Pod[]): Promise<PodMetrics[]> {
    const placed = pods.filter((p) => p.spec?.nodeName);
    const reports = await reportsOf(placed.map((p) => p.spec!.nodeName!));
    const usageByUid = new Map<string, PodUsage>();
    for (const report of reports.values()) for (const pod of report.pods) usageByUid.set(pod.uid, pod);
    const at = now();
    return placed.flatMap((pod) => {
      const usage = usageByUid.get(pod.metadata.uid ?? '');
      return usage ? [podMetrics(pod, usage, at)] : [];
    });
  }

  const sendList = (res: Response, body: unknown) => void res.json(body);

  router.get(`${BASE}/nodes`, async (req: Request, res: Response) => {
    const nodes = await deps.registry.list('nodes', { labelSelector: queryString(req.query.labelSelector), fieldSelector: queryString(req.query.fieldSelector) }, internalContext());
    sendList(res, metricsList('NodeMetricsList', await nodeMetricsOf(nodes.items as Node[])));
  });

  router.get(`${BASE}/nodes/:name`, async (req: Request, res: Response) => {
    const name = req.params.name as string;
    const node = (await deps.registry.get('nodes', undefined, name, internalContext()).catch(() => undefined)) as Node | undefined;
    const [metrics] = node ? await nodeMetricsOf([node]) : [];
    if (!metrics) throw notFound('nodemetrics', name);
    res.json(metrics);
  });

  const listPods = async (req: Request, res: Response, namespace?: string) => {
    const pods = await deps.registry.list('pods', { namespace, labelSelector: queryString(req.query.labelSelector), fieldSelector: queryString(req.query.fieldSelector) }, internalContext());
    sendList(res, metricsList('PodMetricsList', await podMetricsOf(pods.items as Pod[])));
  };
  router.get(`${BASE}/pods`, (req, res) => listPods(req, res));
  router.get(`${BASE}/namespaces/:namespace/pods`, (req, res) => listPods(req, res, req.params.namespace as string));

  router.get(`${BASE}/namespaces/:namespace/pods/:name`, async (req: Request, res: Response) => {
    const { namespace, name } = req.params as { namespace: string; name: string };
    const pod = (await deps.registry.get('pods', namespace, name, internalContext()).catch(() => undefined)) as Pod | undefined;
    const [metrics] = pod ? await podMetricsOf([pod]) : [];
    // metrics-server names a missing pod by namespace/name.
    if (!metrics) throw notFound('podmetrics', `${namespace}/${name}`);
    res.json(metrics);
  });

  // Anything else under the group (a watch, a write) is not served, as by metrics-server.
  router.all(`${BASE}/*rest`, (req: Request) => {
    throw new ApiError(405, 'MethodNotAllowed', `${req.method} ${req.path}: metrics.k8s.io serves only get and list of nodes and pods`);
  });
  return router;
}
