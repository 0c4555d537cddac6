// The REST handlers of kube-apiserver: one HTTP verb on one kind of path, turned into one
// Registry call. Everything that makes a resource behave (defaults, validation, status vs spec,
// graceful deletion) is the Registry's business; this layer only maps HTTP to it and back:
//
//   GET    collection  → list, or watch with ?watch=true     GET    object → get
//   POST   collection  → create (201)                        PUT    object → update
//   DELETE collection  → deletecollection (list + delete)    PATCH  object → patch (type from Content-Type)
//   DELETE object      → delete (200, or 202 while a graceful deletion runs)
//   subresources: status (get/update/patch), scale (getScale/update/patch), ephemeralcontainers
//   (get/update/patch: spec.ephemeralContainers only), log, binding, eviction, token
//   (serviceaccounts: a TokenRequest, token-request.ts).
//
// With the Table Accept header, GETs answer with a meta.k8s.io Table (lib/printers/tables.ts).

import type { NextFunction, Request, Response } from 'express';
import { apiVersionOf, resourceKey } from '../../lib/api/resources.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, badRequest, conflict, isNotFound, methodNotAllowed } from '../../lib/errors.js';
import { toTable } from '../../lib/printers/tables.js';
import { API_SERVER_DEFAULTS } from '../config.js';
import { evictPod } from './pod-eviction.js';
import { servePodLog } from './pod-log.js';
import type { TokenRequests } from './token-request.js';
import type { UserInfo } from './auth.js';
import type { RbacEscalationCheck } from './rbac-escalation.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';
import type { Registry, RequestContext, Subresource } from './registry.js';
import { parseResourcePath, type ResourcePath } from './resource-path.js';
import { queryBoolean, queryInteger, queryString, type Query } from '../http/query-parameters.js';
import { applyOptions, deleteOptions, includeObjectOf, isApplyPatch, listOptions, patchTypeOf, requestContext, requireJsonObject, wantsTable } from './request-options.js';
import { serveWatch } from './watch-stream.js';
import { pageOptions, sendEncodedList } from './list-response.js';
import { conversionFor, convertingRegistry } from './converting-registry.js';

export interface HandlerDeps {
  registry: Registry;
  podStreams?: PodStreams;
  /** Answers serviceaccounts/NAME/token; without it the subresource is not served. */
  tokenRequests?: TokenRequests;
  now: () => Date;
  watchBookmarkIntervalMs?: number;
  /** Judges users' writes of Roles and bindings (rbac-escalation.ts); absent: no RBAC, nothing to escalate. */
  escalation?: RbacEscalationCheck;
}

/** `Warning: 299 - "<text>"`: kubectl prints each as `Warning: <text>` on stderr. */
export function setWarningHeaders(res: Response, ctx: RequestContext): void {
  if (ctx.warnings.length === 0 || res.headersSent) return;
  const quote = (text: string) => text.replace(/[^\x20-\x7e]/g, '?').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  res.setHeader('Warning', ctx.warnings.map((w) => `299 - "${quote(w)}"`));
}

function send(res: Response, ctx: RequestContext, code: number, body: unknown): void {
  setWarningHeaders(res, ctx);
  res.status(code).json(body);
}

/** How often a quiet watch that allows bookmarks gets one (its heartbeat; Kubernetes sends them about once a minute). */
export const WATCH_BOOKMARK_INTERVAL_MS = API_SERVER_DEFAULTS.watchBookmarkIntervalMs;

const notAllowed = () => methodNotAllowed('the server does not allow this method on the requested resource');

/** The Kubernetes verb an HTTP request on this path means (what RESOURCES' `verbs` lists). */
function verbOf(method: string, path: ResourcePath, query: Query): string | undefined {
  const isObject = path.name !== undefined;
  switch (method) {
    case 'GET':
      return isObject ? 'get' : queryBoolean(query, 'watch') ? 'watch' : 'list';
    case 'POST':
      return isObject ? (path.subresource ? 'create' : undefined) : 'create';
    case 'PUT':
      return isObject ? 'update' : undefined;
    case 'PATCH':
      return isObject ? 'patch' : undefined;
    case 'DELETE':
      return isObject ? (path.subresource ? undefined : 'delete') : 'deletecollection';
    default:
      return undefined;
  }
}

export function resourceHandler(deps: HandlerDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = parseResourcePath(req.path);
    if (!path) return next();
    handle(deps, path, req, res).catch(next);
  };
}

async function handle(served: HandlerDeps, path: ResourcePath, req: Request, res: Response): Promise<void> {
  // A version that is not the stored one (autoscaling/v1 HPAs) talks to a converting registry.
  const conversion = conversionFor(resourceKey(path.info), path.info.version);
  const deps = conversion ? { ...served, registry: convertingRegistry(served.registry, conversion) } : served;
  const query = req.query as Query;
  const verb = verbOf(req.method, path, query);
  const allowed = path.subresource ? path.subresource.verbs : path.info.verbs;
  if (!verb || !allowed.includes(verb)) throw notAllowed();
  // Creating a namespaced object needs a namespace in the URL; listing may span all of them.
  if (path.info.namespaced && path.namespace === undefined && verb !== 'list' && verb !== 'watch') throw notAllowed();

  const ctx = requestContext(String(res.locals.user ?? 'anonymous'), query, req.headers);
  const userInfo = res.locals.userInfo as UserInfo | undefined;
  const escalation = deps.escalation;
  if (escalation && userInfo) ctx.checkWrite = (resource, next, current) => escalation.check(userInfo, resource, next, current);
  if (path.subresource) return handleSubresource(deps, path as Required<Pick<ResourcePath, 'name'>> & ResourcePath, req, res, ctx);

  const resource = resourceKey(path.info);
  const { registry } = deps;
  const { namespace, name } = path;

  switch (verb) {
    case 'list': {
      const options = { ...listOptions(query, namespace), ...pageOptions(query) };
      if (wantsTable(req.headers)) {
        const list = registry.listEncoded ? await registry.listEncoded(resource, options, ctx) : undefined;
        const copied = list ? undefined : await registry.list(resource, options, ctx);
        const objects = list ? list.items.map((item) => item.object) : copied!.items;
        const metadata = (list ?? copied!).metadata;
        const table = toTable(resource, objects, { now: deps.now(), includeObject: includeObjectOf(query), resourceVersion: metadata.resourceVersion });
        const { continue: next, remainingItemCount } = metadata;
        table.metadata = { ...table.metadata, ...(next ? { continue: next } : {}), ...(remainingItemCount !== undefined ? { remainingItemCount } : {}) };
        return send(res, ctx, 200, table);
      }
      if (registry.listEncoded) {
        const list = await registry.listEncoded(resource, options, ctx);
        setWarningHeaders(res, ctx);
        return sendEncodedList(res, 200, list);
      }
      const list = await registry.list(resource, options, ctx);
      return send(res, ctx, 200, { ...list, kind: list.kind ?? `${path.info.kind}List`, apiVersion: list.apiVersion ?? apiVersionOf(path.info) });
    }
    case 'watch': {
      const resourceVersion = queryString(query, 'resourceVersion');
      return serveWatch(res, {
        registry,
        resource,
        options: { ...listOptions(query, namespace), ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
        ctx,
        timeoutSeconds: queryInteger(query, 'timeoutSeconds'),
        ...(queryBoolean(query, 'allowWatchBookmarks') ? { bookmarkIntervalMs: deps.watchBookmarkIntervalMs ?? WATCH_BOOKMARK_INTERVAL_MS, bookmarkType: { kind: path.info.kind, apiVersion: apiVersionOf(path.info) } } : {}),
        ...(wantsTable(req.headers) ? { table: { includeObject: includeObjectOf(query), now: deps.now } } : {}),
        beforeFirstWrite: () => setWarningHeaders(res, ctx),
      });
    }
    case 'get': {
      const obj = await registry.get(resource, namespace, name!, ctx);
      if (wantsTable(req.headers)) {
        return send(res, ctx, 200, toTable(resource, [obj], { now: deps.now(), includeObject: includeObjectOf(query), resourceVersion: obj.metadata.resourceVersion }));
      }
      return send(res, ctx, 200, obj);
    }
    case 'create': {
      const body = requireJsonObject(req.headers, req.body) as KubeObject;
      return send(res, ctx, 201, await registry.create(resource, namespace, body, ctx));
    }
    case 'update': {
      const body = objectBodyFor(req, name!);
      return send(res, ctx, 200, await registry.update(resource, namespace, name!, body, ctx));
    }
    case 'patch': {
      if (isApplyPatch(req.headers) && registry.apply) {
        const options = applyOptions(query);
        if (req.body === undefined || typeof req.body !== 'object') throw badRequest('the body of the apply request is empty');
        const applied = await registry.apply(resource, namespace, name!, req.body as KubeObject, ctx, options);
        return send(res, ctx, applied.created ? 201 : 200, applied.object);
      }
      const type = patchTypeOf(req.headers, query);
      if (req.body === undefined) throw badRequest('the body of the patch request is empty');
      return send(res, ctx, 200, await registry.patch(resource, namespace, name!, req.body, type, ctx));
    }
    case 'delete': {
      const deleted = await registry.delete(resource, namespace, name!, deleteOptions(req.body, query), ctx);
      // 202 Accepted: the deletion started but the object is still there (a pod shutting down).
      return send(res, ctx, deleted.metadata.deletionTimestamp ? 202 : 200, deleted);
    }
    case 'deletecollection': {
      const options = deleteOptions(req.body, query);
      const list = await registry.list(resource, listOptions(query, namespace), ctx);
      const items: KubeObject[] = [];
      for (const item of list.items) {
        try {
          items.push(await registry.delete(resource, item.metadata.namespace, item.metadata.name!, options, ctx));
        } catch (err) {
          if (!isNotFound(err)) throw err; // someone else deleted it meanwhile: fine
        }
      }
      return send(res, ctx, 200, { kind: `${path.info.kind}List`, apiVersion: apiVersionOf(path.info), metadata: { resourceVersion: registry.currentResourceVersion() }, items });
    }
    default:
      throw notAllowed();
  }
}

/** A PUT body: a JSON object whose name, if any, is the one in the URL. */
function objectBodyFor(req: Request, name: string): KubeObject {
  const body = requireJsonObject(req.headers, req.body) as KubeObject;
  const metadata: unknown = body.metadata;
  // Not an object: left as it is for the registry to refuse with a 400 that says why.
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) return body;
  const bodyName = body.metadata?.name;
  if (bodyName !== undefined && bodyName !== name) {
    throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
  }
  return { ...body, metadata: { ...(body.metadata ?? {}), name } };
}

async function handleSubresource(deps: HandlerDeps, path: ResourcePath & { name: string }, req: Request, res: Response, ctx: RequestContext): Promise<void> {
  const { registry } = deps;
  const resource = resourceKey(path.info);
  const { namespace, name } = path;
  const sub = path.subresource!.name;
  const query = req.query as Query;

  switch (sub) {
    case 'status':
    case 'scale':
    case 'ephemeralcontainers': {
      const subresource = sub as Subresource;
      if (req.method === 'GET') {
        const obj = sub === 'scale' ? await registry.getScale(resource, namespace!, name, ctx) : await registry.get(resource, namespace, name, ctx);
        return send(res, ctx, 200, obj);
      }
      if (req.method === 'PUT') return send(res, ctx, 200, await registry.update(resource, namespace, name, objectBodyFor(req, name), ctx, subresource));
      const type = patchTypeOf(req.headers, query);
      if (req.body === undefined) throw badRequest('the body of the patch request is empty');
      return send(res, ctx, 200, await registry.patch(resource, namespace, name, req.body, type, ctx, subresource));
    }
    case 'log':
      return servePodLog(res, { registry, podStreams: deps.podStreams, namespace: namespace!, name, query, ctx });
    case 'binding':
      return bindPod(deps, res, namespace!, name, requireJsonObject(req.headers, req.body), ctx);
    case 'eviction':
      return send(res, ctx, 201, await evictPod(registry, namespace!, name, requireJsonObject(req.headers, req.body), ctx));
    case 'token':
      if (!deps.tokenRequests) throw new ApiError(405, 'MethodNotAllowed', 'this server issues no service account tokens');
      return send(res, ctx, 201, await deps.tokenRequests.create(namespace!, name, requireJsonObject(req.headers, req.body), ctx));
    case 'exec':
    case 'attach':
    case 'portforward':
      // These arrive as HTTP upgrades (server.on('upgrade')); a plain request cannot carry streams.
      throw badRequest('Upgrade request required');
    default:
      throw new ApiError(405, 'MethodNotAllowed', `the ${sub} subresource of ${resource} is not served by kubelab`);
  }
}

/**
 * POST pods/{name}/binding: the scheduler's decision. Sets spec.nodeName once; binding a pod that
 * is already on another node is a conflict, as on a real cluster.
 */
async function bindPod(deps: HandlerDeps, res: Response, namespace: string, name: string, body: Record<string, unknown>, ctx: RequestContext): Promise<void> {
  const target = body.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw badRequest('Binding target.name is required: the node to bind the pod to');
  if (target.kind && target.kind !== 'Node') throw badRequest(`Binding target.kind must be "Node", got "${target.kind}"`);
  const pod = await deps.registry.get('pods', namespace, name, ctx);
  const current = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (current && current !== target.name) throw conflict('pods', name, `pod ${name} is already assigned to node "${current}"`);
  await deps.registry.patch('pods', namespace, name, { spec: { nodeName: target.name } }, 'merge', ctx);
  send(res, ctx, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
