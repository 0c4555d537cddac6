// The HTTP face of the API server: kube-apiserver's handler chain in express.
//
// A request passes, in order: health and version (open to anyone), the join endpoints
// (node-credentials.ts and server-bootstrap.ts, which check the join token themselves), authentication (a bearer
// token, daemon/api/auth.ts), body parsing (JSON, or the protobuf of a few kinds decoded to
// JSON; size-limited; then the one input gate, lib/api/safe-json.ts), authorisation (the Node authorizer, then RBAC: rbac-authorizer.ts), discovery, the access reviews and
// OpenAPI documents, then the resource handlers (daemon/api/resource-handlers.ts) that turn REST
// into Registry calls. Whatever goes wrong ends in one error handler that answers with a
// Kubernetes Status, so every client (kubectl, client-node, our own CLI) sees the same error shape.
//
// HTTP upgrades (exec, attach, port-forward) never reach express: startApiServer hands them to
// the streaming handler via server.on('upgrade').

import https from 'node:https';
import os from 'node:os';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from '../../lib/api/protobuf-objects.js';
import { compileSchemas } from '../../lib/api/schemas/validate.js';
import { checkJsonDocument } from '../../lib/api/safe-json.js';
import { ApiError, badRequest, errorMessage, internalError, tooLarge } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { Authenticator, requireAuth, requireAuthorization, type Authorizer } from './auth.js';
import { accessReviewRouter, reviewingAuthorizerOf } from './access-reviews.js';
import { discoveryRouter } from './discovery.js';
import { escalationCheckOf } from './rbac-escalation.js';
import { metricsRouter } from './metrics/metrics-router.js';
import type { NodeUsageReports } from './metrics/node-usage-reports.js';
import { prometheusRouter, type PrometheusRoutesDeps } from './metrics/prometheus-routes.js';
import { nodeViewsRouter, type NodeViewsRoutesDeps } from './node-views-routes.js';
import { joinRouter, type JoinRouterDeps } from './node-credentials.js';
import { serverBootstrapRouter, type ServerBootstrapDeps } from './server-bootstrap.js';
import { gossipKeyringRouter } from './gossip-keyring.js';
import type { GossipKeyStore } from '../pki/gossip-keys.js';
import { openApiRouter } from './openapi.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';
import type { Registry } from './registry.js';
import { resourceHandler } from './resource-handlers.js';
import { parseResourcePath } from './resource-path.js';
import { APPLY_PATCH_MEDIA_TYPE, isApplyPatch, parseApplyConfiguration } from './request-options.js';
import { selfSubjectReviewRouter } from './self-subject-review.js';
import { serviceAccountIssuerDiscoveryRouter } from './service-account-issuer-discovery.js';
import type { ServiceAccountTokenSigner } from './service-account-token.js';
import type { TokenRequests } from './token-request.js';
import type { WebUi } from './ui/ui-router.js';

export interface ApiDeps {
  registry: Registry;
  authenticator: Authenticator;
  /** Asked after authentication for every request (the Node authorizer); absent: everyone may do everything. */
  authorizer?: Authorizer;
  /** Serve GET /cacerts and POST /kubelab/v1/node-credentials (daemon/api/node-credentials.ts) for joining nodes. */
  join?: Omit<JoinRouterDeps, 'registry'>;
  /** Serve the gossip keyring to nodes and its rotation to the admin (daemon/api/gossip-keyring.ts). */
  gossipKeys?: GossipKeyStore;
  /** Serve GET /kubelab/v1/server-bootstrap (server-bootstrap.ts): the shared material, to servers that join. */
  serverBootstrap?: ServerBootstrapDeps;
  podStreams?: PodStreams;
  /** Service account tokens: the token subresource and the issuer's OpenID documents (absent: neither is served). */
  serviceAccountTokens?: { requests: TokenRequests; signer: ServiceAccountTokenSigner };
  /** The /version document; defaults to serverVersion(). */
  version?: object;
  /** Largest request body accepted (default 3 MiB, as kube-apiserver's limit for JSON). */
  maxBodyBytes?: number;
  /** The clock for AGE columns (tests pin it). */
  now?: () => Date;
  /** How often a quiet watch that allows bookmarks gets one (default WATCH_BOOKMARK_INTERVAL_MS). */
  watchBookmarkIntervalMs?: number;
  /**
   * Read-only JSON views of the daemon's own state, by path (`/debug/proxy`: what the node's
   * service proxy listens on and forwards to). Authenticated like the API; not Kubernetes API.
   */
  debug?: Record<string, () => unknown>;
  /** Nodes' gossip tables and networks at /api/v1/nodes/{name}/proxy/gossip/members and /proxy/network (admin only). */
  nodeViews?: NodeViewsRoutesDeps;
  /** Serve metrics.k8s.io from the nodes' usage reports (daemon/api/metrics/). */
  usageReports?: NodeUsageReports;
  /** Prometheus: the control plane's registry at /metrics, and nodes' at /api/v1/nodes/{name}/proxy/metrics (admin only). */
  prometheus?: PrometheusRoutesDeps & { countRequests?: express.RequestHandler };
  /** The web view at /ui/ and its login codes (daemon/api/ui/); absent: no web view. */
  webUi?: WebUi;
}

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

const goArch = (arch: string): string => ({ x64: 'amd64', ia32: '386' })[arch] ?? arch;

/**
 * What `kubectl version` shows as the server version. kubectl warns when client and server minor
 * versions differ by more than one, so kubelab reports the Kubernetes API level it imitates
 * (1.32) and marks itself in the build metadata: `v1.32.5+kubelab`.
 */
export function serverVersion() {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.5+kubelab',
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${os.platform()}/${goArch(os.arch())}`,
  };
}

const notFoundStatus = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

/**
 * body-parser's and express's errors become the Status a real API server would send. Both mark
 * errors about the request itself with a 4xx `status` and `expose: true` (a body whose length
 * does not match Content-Length, a gzip body that does not inflate, a broken encoding in a route
 * parameter): those are the client's mistakes and answer that 4xx. Anything else stays a 500, so
 * a bug in kubelab is seen, not hidden.
 */
function asApiError(err: unknown, maxBodyBytes: number): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const { type, status, expose } = (err ?? {}) as { type?: unknown; status?: unknown; expose?: unknown };
  const message = err instanceof Error ? err.message : String(err);
  if (type === 'entity.too.large') return tooLarge(maxBodyBytes);
  if (type === 'entity.parse.failed') return badRequest(`the request body is not valid JSON: ${message}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new ApiError(415, 'UnsupportedMediaType', message);
  if (type === 'request.aborted') return badRequest('the client aborted the request while sending its body');
  if (err instanceof Error && (err as { code?: unknown }).code === 'Z_DATA_ERROR') {
    // zlib inside body-parser: the body is labelled `Content-Encoding: gzip` (or deflate) but is not.
    return badRequest(`the request body could not be decompressed as its Content-Encoding says: ${message}`);
  }
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, status === 415 ? 'UnsupportedMediaType' : 'BadRequest', `the request could not be read: ${message}`);
  }
  return undefined;
}

/**
 * Every parsed body and query passes the one gate of lib/api/safe-json.ts before any handler,
 * the authorizer included, walks it: no prototype keys, no runaway nesting.
 */
function checkRequestDocuments(req: Request, _res: Response, next: NextFunction): void {
  checkJsonDocument(req.query, 'the query');
  if (req.body !== undefined) checkJsonDocument(req.body, 'the request body');
  next();
}

/**
 * A body without a Content-Type is JSON, as kube-apiserver assumes (it picks its first
 * serializer): client-go's scale client sends `kubectl scale --current-replicas` PUTs that way.
 */
function defaultContentTypeToJson(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.headers['content-type']) req.headers['content-type'] = 'application/json';
  next();
}

/**
 * kubectl's typed clients (`kubectl create secret generic`, `create configmap`, `create namespace`)
 * POST protobuf; the handlers only speak JSON, so the body is decoded here once
 * (lib/api/protobuf-objects.ts) and the request continues as if it had been JSON.
 */
function protobufBodyToJson(req: Request, _res: Response, next: NextFunction): void {
  if (!Buffer.isBuffer(req.body)) return next();
  try {
    req.body = decodeKubernetesProtobuf(req.body);
    req.headers['content-type'] = 'application/json';
    next();
  } catch (err) {
    // A kind kubelab does not serve at all (`kubectl create ingress`): the path is what is
    // missing, so answer kube-apiserver's 404, not a 415 about the body's encoding.
    if (err instanceof ApiError && err.code === 415 && !parseResourcePath(req.path)) return next(notFoundStatus());
    next(err);
  }
}

/** Server-side apply sends YAML: parsed here once, so every later step sees an object. */
function applyConfigurationToObject(req: Request, _res: Response, next: NextFunction): void {
  if (typeof req.body !== 'string' || !isApplyPatch(req.headers)) return next();
  try {
    req.body = parseApplyConfiguration(req.body);
    next();
  } catch (err) {
    next(err);
  }
}

export function createApiApp(deps: ApiDeps): express.Express {
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // The per-kind schemas are compiled now, not on the first write (a few hundred ms of ajv codegen).
  compileSchemas();
  const app = express();
  // JSON answers escape <, > and & as \u003c, \u003e, \u0026, as Go's encoder (and so
  // kube-apiserver) writes them: `kubectl rollout undo` compares a ControllerRevision's data
  // byte for byte with its own encoding of the template, and a command with `>` would never match.
  app.set('json escape', true);
  app.disable('x-powered-by');
  app.disable('etag'); // discovery and lists change with every write; no conditional GETs
  app.set('query parser', 'simple'); // repeated keys (`command=a&command=b`) become arrays

  // Every request is counted (apiserver_request_total), refused ones included.
  if (deps.prometheus?.countRequests) app.use(deps.prometheus.countRequests);

  // Health and version: no authentication, as on a real cluster.
  const ok = (_req: Request, res: Response) => void res.type('text/plain').send('ok');
  app.get(['/healthz', '/livez', '/readyz'], ok);
  const version = deps.version ?? serverVersion();
  app.get('/version', (_req, res) => void res.json(version));

  // Joining nodes present the join token, not a user's token: served before authentication.
  if (deps.join) app.use(joinRouter({ registry: deps.registry, ...deps.join }));
  if (deps.serverBootstrap) app.use(serverBootstrapRouter(deps.serverBootstrap));
  // The web view authenticates by its session cookie, not a bearer token (daemon/api/ui/).
  if (deps.webUi) app.use(deps.webUi.publicRouter(deps.authorizer));

  app.use(requireAuth(deps.authenticator));
  // "Who am I?" is every authenticated user's to ask, whatever the authorizer says (self-subject-review.ts).
  app.use(selfSubjectReviewRouter());
  app.use(defaultContentTypeToJson);
  // A body with `Content-Encoding: gzip` (or deflate, br) is inflated first and the size limit
  // counts the inflated bytes. kube-apiserver only compresses responses; accepting compressed
  // requests costs nothing, and one that does not inflate is a 400 (asApiError).
  app.use(express.json({ type: ['application/json', 'application/*+json'], limit: maxBodyBytes, strict: true }));
  app.use(express.raw({ type: PROTOBUF_MEDIA_TYPE, limit: maxBodyBytes }), protobufBodyToJson);
  app.use(express.text({ type: APPLY_PATCH_MEDIA_TYPE, limit: maxBodyBytes }), applyConfigurationToObject);
  app.use(checkRequestDocuments);
  // After body parsing, because a node may create only the Node named in the body.
  if (deps.authorizer) app.use(requireAuthorization(deps.authorizer));

  for (const [debugPath, view] of Object.entries(deps.debug ?? {})) app.get(debugPath, (_req, res) => void res.json(view()));
  if (deps.gossipKeys) app.use(gossipKeyringRouter(deps.gossipKeys));
  if (deps.webUi) app.use(deps.webUi.authenticatedRouter());
  if (deps.prometheus) app.use(prometheusRouter(deps.prometheus));
  if (deps.nodeViews) app.use(nodeViewsRouter(deps.nodeViews));
  if (deps.usageReports) app.use(metricsRouter({ registry: deps.registry, reports: deps.usageReports, now: deps.now }));
  if (deps.serviceAccountTokens) app.use(serviceAccountIssuerDiscoveryRouter(deps.serviceAccountTokens.signer));
  app.use(discoveryRouter());
  // authorization.k8s.io: `kubectl auth can-i` asks the same authorizer that judges requests.
  app.use(accessReviewRouter(reviewingAuthorizerOf(deps.authorizer)));
  app.use(openApiRouter());
  app.use(resourceHandler({ registry: deps.registry, podStreams: deps.podStreams, tokenRequests: deps.serviceAccountTokens?.requests, now: deps.now ?? (() => new Date()), watchBookmarkIntervalMs: deps.watchBookmarkIntervalMs, escalation: escalationCheckOf(deps.authorizer) }));

  app.use((_req, _res, next) => next(notFoundStatus()));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let apiError = asApiError(err, maxBodyBytes);
    if (!apiError) {
      // Not an error we raised on purpose: log it once, here where it stops, and answer 500.
      logger('apiserver').error(`${req.method} ${req.originalUrl} failed`, { err, withStack: true });
      apiError = internalError(errorMessage(err), err);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(apiError.code).json(apiError.toStatus());
  });
  return app;
}

export interface StartOptions {
  app: express.Express;
  /** `host:port`; port 0 picks a free one. */
  listen: string;
  /**
   * The serving certificate and key; `clientCa`: the CA whose client certificates name users.
   * With it the server asks every client for a certificate (and names that CA as the one it
   * accepts) but does not insist, so bearer tokens keep working; the authenticator judges the
   * certificate (daemon/api/client-certificate-authenticator.ts).
   */
  tls: { key: string; cert: string; clientCa?: string };
  /** exec / attach / port-forward upgrades (daemon/api/streaming/). Without it they are refused. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** How long a client may take to send a whole request, headers and body (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** How often Node checks for requests past their timeout (default 30 s; tests shorten it). */
  connectionsCheckingIntervalMs?: number;
}

/**
 * A client gets one minute to send its request, headers and body, as kube-apiserver's default
 * `--request-timeout=1m`; after that Node answers 408 and closes the connection, so a client that
 * sends half a body and stops cannot hold a socket and a parser forever. Node's requestTimeout
 * clock stops once the request has been received: a watch or `logs -f` whose *response* streams
 * for an hour is not affected, and neither are exec / port-forward, which leave HTTP at upgrade.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

export interface RunningApiServer {
  server: https.Server;
  port: number;
  close(): Promise<void>;
}

function splitListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  if (colon < 0) throw new Error(`--listen must be host:port, got "${listen}"`);
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--listen port must be 0-65535, got "${listen}"`);
  return { host, port };
}

export async function startApiServer(options: StartOptions): Promise<RunningApiServer> {
  const { host, port } = splitListen(options.listen);
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const server = https.createServer(
    {
      key: options.tls.key,
      cert: options.tls.cert,
      ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
      requestTimeout,
      // Node refuses a headers timeout longer than the request timeout (0 would switch it off).
      headersTimeout: requestTimeout > 0 ? Math.min(60_000, requestTimeout) : 60_000,
      ...(options.connectionsCheckingIntervalMs !== undefined ? { connectionsCheckingInterval: options.connectionsCheckingIntervalMs } : {}),
      keepAlive: true,
    },
    options.app,
  );
  // No socket inactivity timeout: a quiet watch (between bookmarks) must stay open.
  server.timeout = 0;
  server.keepAliveTimeout = 65_000;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.onUpgrade) {
      options.onUpgrade(req, socket, head);
      return;
    }
    const body = JSON.stringify(new ApiError(400, 'BadRequest', 'this API server does not serve streaming upgrades').toStatus());
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;

  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Open watches and idle keep-alive connections would hold close() forever.
        server.closeAllConnections();
      }),
  };
}
