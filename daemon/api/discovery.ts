// API discovery: how clients learn which resources this server has, before they ask for any.
//
// kubectl maps `get po` to `GET /api/v1/namespaces/default/pods` using these documents, and
// `kubectl api-resources` prints them. Two forms exist (compat §1):
// - legacy: `/api` (APIVersions), `/apis` (APIGroupList), then one APIResourceList per
//   group/version (`/api/v1`, `/apis/apps/v1`), each listing resources and their subresources;
// - aggregated (apidiscovery.k8s.io/v2): `/api` and `/apis` carry everything in two answers, sent
//   only when the Accept header asks for it. client-go picks the form from our Content-Type.
// Everything is generated from lib/api/resources.ts, so adding a resource there publishes it.

import express, { type Request, type Response } from 'express';
import { groupVersions as storedGroupVersions, RESOURCES as STORED_RESOURCES, type ResourceInfo, type SubresourceInfo } from '../../lib/api/resources.js';
import { METRICS_RESOURCES } from '../../lib/metrics/metrics-api.js';
import { AUTHORIZATION_RESOURCES } from '../../lib/rbac/access-review.js';

// Besides the stored kinds, groups served by their own handlers: metrics.k8s.io (daemon/api/metrics/)
// and authorization.k8s.io (daemon/api/access-reviews.ts).
const HANDLED_RESOURCES: readonly ResourceInfo[] = [...METRICS_RESOURCES, ...AUTHORIZATION_RESOURCES];
const RESOURCES: readonly ResourceInfo[] = [...STORED_RESOURCES, ...HANDLED_RESOURCES];
const groupVersions = () => [...storedGroupVersions(), ...[...new Map(HANDLED_RESOURCES.map((r) => [`${r.group}/${r.version}`, { group: r.group, version: r.version }])).values()]];

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when the client accepts the aggregated v2 form (kubectl 1.32 asks for it first). */
export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((type) => {
    const params = type.split(';').map((p) => p.trim());
    return params.includes('g=apidiscovery.k8s.io') && params.includes('v=v2') && params.includes('as=APIGroupDiscoveryList');
  });
}

const resourcesOf = (group: string, version: string) => RESOURCES.filter((r) => r.group === group && r.version === version);
const groupVersionString = (group: string, version: string) => (group ? `${group}/${version}` : version);

// ---------------------------------------------------------------------------------------------
// Legacy documents

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: groupVersions().filter((gv) => gv.group === '').map((gv) => gv.version),
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string) {
  const versions = groupVersions()
    .filter((gv) => gv.group === name)
    .map((gv) => ({ groupVersion: groupVersionString(gv.group, gv.version), version: gv.version }));
  return { name, versions, preferredVersion: versions[0] };
}

const namedGroups = (): string[] => [...new Set(groupVersions().map((gv) => gv.group).filter((g) => g !== ''))];

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: namedGroups().map(apiGroup) };
}

export function apiGroupDocument(name: string) {
  return namedGroups().includes(name) ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(name) } : undefined;
}

function legacySubresource(r: ResourceInfo, s: SubresourceInfo) {
  return {
    name: `${r.plural}/${s.name}`,
    singularName: '',
    namespaced: r.namespaced,
    // A subresource of another kind's group (deployments/scale is an autoscaling/v1 Scale) says so.
    ...(s.group !== undefined && s.group !== r.group ? { group: s.group, version: s.version ?? r.version } : {}),
    kind: s.kind,
    verbs: s.verbs,
  };
}

export function apiResourceList(group: string, version: string) {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersionString(group, version),
    resources: resources.flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
      },
      ...r.subresources.map((s) => legacySubresource(r, s)),
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// Aggregated documents (apidiscovery.k8s.io/v2)

function aggregatedResource(r: ResourceInfo) {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
            verbs: s.verbs,
          })),
        }
      : {}),
  };
}

/** `/api` (core: one item named "") or `/apis` (every named group) in the aggregated form. */
export function aggregatedDiscovery(core: boolean) {
  const groups = core ? [''] : namedGroups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group, creationTimestamp: null },
      // The first version listed is the preferred one.
      versions: groupVersions()
        .filter((gv) => gv.group === group)
        .map((gv) => ({ version: gv.version, freshness: 'Current', resources: resourcesOf(group, gv.version).map(aggregatedResource) })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Routes

function sendRootDocument(req: Request, res: Response, core: boolean): void {
  if (wantsAggregated(req.headers.accept)) {
    // Set verbatim (express's res.type would add spaces and a charset): client-go compares it.
    res.status(200).setHeader('Content-Type', AGGREGATED_CONTENT_TYPE);
    res.end(JSON.stringify(aggregatedDiscovery(core)));
    return;
  }
  // The address clients reached us at: what they dialled (Host), else the socket's own address.
  const serverAddress = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  res.status(200).json(core ? apiVersions(serverAddress) : apiGroupList());
}

/**
 * The discovery routes. Group/version documents only answer a GET of exactly `/api/v1` or
 * `/apis/{group}/{version}`; anything longer is a resource path and falls through.
 */
export function discoveryRouter(): express.Router {
  const router = express.Router();
  router.get('/api', (req, res) => sendRootDocument(req, res, true));
  router.get('/apis', (req, res) => sendRootDocument(req, res, false));
  router.get('/api/:version', (req, res, next) => {
    const doc = apiResourceList('', req.params.version);
    if (doc) res.json(doc);
    else next();
  });
  router.get('/apis/:group', (req, res, next) => {
    const doc = apiGroupDocument(req.params.group);
    if (doc) res.json(doc);
    else next();
  });
  router.get('/apis/:group/:version', (req, res, next) => {
    const doc = apiResourceList(req.params.group, req.params.version);
    if (doc) res.json(doc);
    else next();
  });
  return router;
}
